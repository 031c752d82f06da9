"""The supervisor plans a night shift on a phone and sees the hours it covers, in Danish.

The demo server is shared by every browser test, so the shift goes into a week of its own, years ahead.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import assert_fits_phone_width, assert_no_axe_violations

DEMO_PASSWORD = "samraad-demo"
WEEK = "2031-W10"
MONDAY = date.fromisocalendar(2031, 10, 1)
TUESDAY, WEDNESDAY = 1, 2


def sign_in(page: Page, username: str) -> None:
    page.goto("login/")
    page.get_by_label("Brugernavn", exact=True).fill(username)
    page.get_by_label("Adgangskode", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log ind", exact=True).click()
    expect(page).to_have_url(re.compile(r"/staff/$"))


def hour_cell(page: Page, weekday: int, hour: int) -> Locator:
    return page.locator("table.rota-table tbody tr").nth(hour).locator("td").nth(weekday)


def test_supervisor_adds_a_night_shift_and_sees_the_hours_it_covers(page: Page) -> None:
    sign_in(page, "supervisor")
    page.get_by_role("link", name="Planlæg vagtplanen og se dens huller").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Vagtplan for uge \d+, \d{4}$"))

    page.get_by_role("link", name="Tilføj en ugentlig vagt").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tilføj en ugentlig vagt")
    page.get_by_label("Medarbejder").select_option(label="Ida Kristensen (Ringkøbing-Skjern)")
    page.get_by_label("Ugedag").select_option(label="tirsdag")
    page.get_by_label("Begynder").fill("22:00")
    page.get_by_label("Slutter").fill("06:00")
    page.get_by_label("Gælder fra").fill(MONDAY.isoformat())
    page.get_by_label("Gælder til og med").fill(date.fromisocalendar(2031, 10, 7).isoformat())
    page.get_by_role("button", name="Gem", exact=True).click()

    expect(page).to_have_url(re.compile(rf"/rota/\?week={WEEK}$"))
    expect(page.get_by_text("Den ugentlige vagt er tilføjet.")).to_be_visible()
    for weekday, hour in [(TUESDAY, 22), (TUESDAY, 23), (WEDNESDAY, 0), (WEDNESDAY, 5)]:
        expect(hour_cell(page, weekday, hour)).to_contain_text("1 på vagt")
        expect(hour_cell(page, weekday, hour)).to_contain_text("Ida Kristensen, Ringkøbing-Skjern")
    for weekday, hour in [(TUESDAY, 21), (WEDNESDAY, 6)]:
        expect(hour_cell(page, weekday, hour)).to_contain_text("Hul")
        expect(hour_cell(page, weekday, hour)).not_to_contain_text("Ida Kristensen")
    expect(page.get_by_text("Ida Kristensen, Ringkøbing-Skjern.")).to_be_visible()


def test_a_shift_that_ends_when_it_starts_is_explained_next_to_the_field(page: Page) -> None:
    sign_in(page, "supervisor")
    page.goto("rota/patterns/new/")

    page.get_by_label("Medarbejder").select_option(label="Mikkel Lund (Samraad – den fælles rådgivning)")
    page.get_by_label("Ugedag").select_option(label="mandag")
    page.get_by_label("Begynder").fill("08:00")
    page.get_by_label("Slutter").fill("08:00")
    page.get_by_label("Gælder fra").fill(MONDAY.isoformat())
    page.get_by_role("button", name="Gem", exact=True).click()

    error = "En vagt skal slutte på et andet tidspunkt, end den begynder."
    expect(page.get_by_role("alert")).to_contain_text(error)
    expect(page.get_by_label("Slutter")).to_have_attribute("aria-invalid", "true")
    assert_no_axe_violations(page)
    assert_fits_phone_width(page)


@pytest.mark.parametrize("language", ["da", "en"])
def test_week_view_and_form_have_no_wcag_21_aa_violations(page: Page, language: str) -> None:
    sign_in(page, "supervisor")
    page.goto(f"rota/?week={WEEK}")
    if language == "en":
        page.get_by_label("Sprog", exact=True).select_option("en")
        page.get_by_role("button", name="Skift sprog", exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("table.rota-table tbody tr")).to_have_count(24)

    assert_no_axe_violations(page)
    page.goto("rota/patterns/new/")
    assert_no_axe_violations(page)
    page.goto("rota/changes/new/")
    assert_no_axe_violations(page)


def test_the_week_fits_a_360_px_phone_and_its_table_scrolls_on_its_own(page: Page) -> None:
    sign_in(page, "raadgiver.aarhus")
    page.goto(f"rota/?week={WEEK}")

    region = page.get_by_role("region", name=re.compile("Hvem er på vagt time for time"))
    expect(region).to_be_visible()
    assert_fits_phone_width(page)
    assert region.evaluate("element => element.scrollWidth > element.clientWidth")

    region.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function(
        "selector => document.querySelector(selector).scrollLeft > 0", arg="div.rota-scroll", timeout=2_000
    )
    expect(page.get_by_role("link", name="Tilføj en ugentlig vagt")).to_have_count(0)
    for path in ("rota/patterns/", "rota/changes/"):
        page.goto(path)
        assert_fits_phone_width(page)
