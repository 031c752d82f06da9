"""A coordinator reads their municipality's numbers on a phone, and the central service plans staffing.

The demo server is shared by every browser test and starts with no conversations: a young person
from Aarhus writes a letter first, so the report has a line, a bar and a cell to show.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.chat_people import YoungPerson
from tests.e2e.conftest import Contexts, assert_fits_phone_width, assert_no_axe_violations

DEMO_PASSWORD = "samraad-demo"


def sign_in(page: Page, username: str) -> None:
    page.goto("login/")
    page.get_by_label("Brugernavn", exact=True).fill(username)
    page.get_by_label("Adgangskode", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log ind", exact=True).click()
    expect(page).to_have_url(re.compile(r"/staff/$"))


def choose_english(page: Page) -> None:
    page.get_by_label("Sprog", exact=True).select_option("en")
    page.get_by_role("button", name="Skift sprog", exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", "en")


@pytest.fixture
def letter_from_aarhus(contexts: Contexts) -> None:
    young = YoungPerson(contexts.new().new_page()).open()
    young.write_letter("Jeg har det svært med min mor.", municipality="Aarhus")


def test_a_coordinator_reads_their_municipalitys_numbers_on_a_phone(letter_from_aarhus: None, page: Page) -> None:
    sign_in(page, "koordinator.aarhus")
    page.get_by_role("link", name="Se tallene: samtaler, ventetider og omkostninger").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Tal for Aarhus")
    table = page.get_by_role("table", name="Samtaler efter den unges kommune")
    expect(table.get_by_role("row", name=re.compile(r"^Aarhus"))).to_be_visible()
    expect(page.get_by_role("img", name="Samtaler efter ugens timer")).to_be_visible()
    expect(page.get_by_text("København")).to_have_count(0)
    assert_no_axe_violations(page)
    assert_fits_phone_width(page)

    page.get_by_role("link", name="Udskriftsvenlig visning").click()
    expect(page.get_by_role("button", name="Vis", exact=True)).to_have_count(0)
    assert_fits_phone_width(page)


def test_the_report_downloads_a_table_as_csv(letter_from_aarhus: None, page: Page) -> None:
    sign_in(page, "koordinator.aarhus")
    page.goto("reports/")

    with page.expect_download() as download:
        page.get_by_role("link", name="Hent tabellen som CSV").first.click()

    path = download.value.path()
    assert path is not None
    text = path.read_text(encoding="utf-8")
    assert text.startswith("municipality_code,municipality_name,conversations")
    assert "0751,Aarhus," in text


@pytest.mark.parametrize("language", ["da", "en"])
def test_report_and_staffing_pages_have_no_wcag_21_aa_violations(
    letter_from_aarhus: None, page: Page, language: str
) -> None:
    sign_in(page, "supervisor")
    page.goto("reports/")
    if language == "en":
        choose_english(page)
        expect(page.get_by_role("heading", level=1)).to_have_text("Numbers for all municipalities")
    assert_no_axe_violations(page)
    assert_fits_phone_width(page)

    page.goto("reports/staffing/")
    expect(page.get_by_role("img", name=re.compile("^(Nødvendige rådgivere|Counselors needed)"))).to_be_visible()
    assert_no_axe_violations(page)
    assert_fits_phone_width(page)


def test_the_staffing_page_at_a_desk(contexts: Contexts) -> None:
    desk: BrowserContext = contexts.new(viewport={"width": 1280, "height": 900})
    page = desk.new_page()
    sign_in(page, "supervisor")
    page.get_by_role("link", name="Bemanding: hvad den fælles pulje har brug for time for time").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Bemanding")
    page.get_by_label("Forventede chats pr. uge").fill("700")
    page.get_by_label("Gennemsnitlig behandlingstid i sekunder").fill("900")
    page.get_by_role("button", name="Vis", exact=True).click()

    expect(page.get_by_text("700,0 (indtastet)")).to_be_visible()
    expect(page.get_by_role("heading", name="Huller i vagtplanen")).to_be_visible()
    assert_no_axe_violations(page)
