"""A counselor signs in on a phone, in Danish or English, by mouse or keyboard, and signs out again."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import Contexts, assert_fits_phone_width, assert_no_axe_violations

COUNSELOR = "raadgiver.aarhus"
DEMO_PASSWORD = "samraad-demo"


@dataclass(frozen=True)
class Words:
    """What the pages say, in one language."""

    code: str
    sign_in_heading: str
    username: str
    password: str
    sign_in: str
    sign_out: str
    welcome: str
    counselor: str
    demo_banner: str
    signed_in_as: str
    language: str
    change_language: str


DANISH = Words(
    code="da",
    sign_in_heading="Log ind for medarbejdere",
    username="Brugernavn",
    password="Adgangskode",
    sign_in="Log ind",
    sign_out="Log ud",
    welcome="Velkommen, Jonas",
    counselor="Rådgiver",
    demo_banner="Demotilstand",
    signed_in_as="Logget ind som Jonas Poulsen",
    language="Sprog",
    change_language="Skift sprog",
)
ENGLISH = Words(
    code="en",
    sign_in_heading="Sign in for staff",
    username="Username",
    password="Password",
    sign_in="Sign in",
    sign_out="Sign out",
    welcome="Welcome, Jonas",
    counselor="Counselor",
    demo_banner="Demo mode",
    signed_in_as="Signed in as Jonas Poulsen",
    language="Language",
    change_language="Change language",
)


def open_sign_in(page: Page, words: Words = DANISH) -> None:
    page.goto("login/")
    if words is not DANISH:
        # The page's own language form, as a person would use it.
        page.get_by_label(DANISH.language, exact=True).select_option(words.code)
        page.get_by_role("button", name=DANISH.change_language, exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", words.code)
    expect(page.get_by_role("heading", level=1)).to_have_text(words.sign_in_heading)


def fill_in_credentials(page: Page, words: Words = DANISH) -> None:
    page.get_by_label(words.username, exact=True).fill(COUNSELOR)
    page.get_by_label(words.password, exact=True).fill(DEMO_PASSWORD)


def expect_start_page(page: Page, words: Words = DANISH) -> None:
    expect(page).to_have_url(re.compile(r"/staff/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(words.welcome)


def test_counselor_signs_in_and_sees_demo_banner_and_role(page: Page) -> None:
    open_sign_in(page)

    fill_in_credentials(page)
    page.get_by_role("button", name=DANISH.sign_in, exact=True).click()

    expect_start_page(page)
    expect(page.get_by_text(DANISH.demo_banner)).to_be_visible()
    expect(page.get_by_role("heading", name=DANISH.counselor, exact=True)).to_be_visible()
    expect(page.get_by_text(DANISH.signed_in_as)).to_be_visible()


@pytest.mark.parametrize("words", [DANISH, ENGLISH], ids=["da", "en"])
def test_sign_in_and_start_pages_have_no_wcag_21_aa_violations(page: Page, words: Words) -> None:
    open_sign_in(page, words)
    assert_no_axe_violations(page)

    fill_in_credentials(page, words)
    page.get_by_role("button", name=words.sign_in, exact=True).click()

    expect_start_page(page, words)
    expect(page.get_by_role("heading", name=words.counselor, exact=True)).to_be_visible()
    expect(page.get_by_text(words.signed_in_as)).to_be_visible()
    assert_no_axe_violations(page)


def test_sign_in_and_start_pages_fit_a_360_px_phone_without_sideways_scrolling(page: Page) -> None:
    open_sign_in(page)
    assert_fits_phone_width(page)

    fill_in_credentials(page)
    page.get_by_role("button", name=DANISH.sign_in, exact=True).click()

    expect_start_page(page)
    assert_fits_phone_width(page)


def test_signing_out_with_header_button_ends_the_session(page: Page) -> None:
    open_sign_in(page)
    fill_in_credentials(page)
    page.get_by_role("button", name=DANISH.sign_in, exact=True).click()
    expect_start_page(page)

    page.get_by_role("banner").get_by_role("button", name=DANISH.sign_out, exact=True).click()

    expect(page).to_have_url(re.compile(r"/login/$"))
    expect(page.get_by_role("button", name=DANISH.sign_out, exact=True)).to_have_count(0)
    page.goto("staff/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/staff/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(DANISH.sign_in_heading)


def test_enter_in_password_field_submits_sign_in(page: Page) -> None:
    open_sign_in(page)
    fill_in_credentials(page)

    page.get_by_label(DANISH.password, exact=True).press("Enter")

    expect_start_page(page)


def test_account_pages_are_accessible_and_fit_a_phone(contexts: Contexts, server: str) -> None:
    # Anonymous: the password-reset pages.
    anonymous = contexts.new().new_page()
    anonymous.goto("password-reset/")
    expect(anonymous.get_by_role("heading", level=1)).to_have_text("Nulstil din adgangskode")
    assert_no_axe_violations(anonymous)
    assert_fits_phone_width(anonymous)
    anonymous.get_by_label("E-mail").fill("nobody@example.org")
    anonymous.get_by_role("button", name="Send link").click()
    expect(anonymous.get_by_role("heading", level=1)).to_have_text("Tjek din e-mail")
    assert_no_axe_violations(anonymous)

    # Signed in (demo mode): enrolling an authenticator, recovery codes, the organisation page and
    # a counselor's own prepared answers.
    page = contexts.new().new_page()
    page.goto("login/")
    page.get_by_label("Brugernavn", exact=True).fill("raadgiver.aarhus")
    page.get_by_label("Adgangskode", exact=True).fill("samraad-demo")
    page.get_by_role("button", name="Log ind", exact=True).click()
    for path, heading in [
        ("account/two-factor/", "Opsæt totrinslogin"),
        ("console/answers/", "Dine egne forberedte svar"),
    ]:
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        assert_no_axe_violations(page)
        assert_fits_phone_width(page)
    page.goto("staff/")
    page.get_by_role("link", name="Aarhus (0751)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Aarhus")
    assert_no_axe_violations(page)
    assert_fits_phone_width(page)
    page.goto("staff/")
    page.get_by_role("button", name="Lav nye gendannelseskoder").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dine gendannelseskoder")
    assert_no_axe_violations(page)
    assert_fits_phone_width(page)
