"""An organisation's administrator extracts every access to a colleague's data from the staff
record: on the page and as CSV, in Danish by default and in English when chosen, with no WCAG 2.1
AA violation either way."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from tests.e2e.chat_people import DESK, sign_in_state
from tests.e2e.conftest import Contexts, Problems, assert_no_axe_violations

ADMINISTRATOR = "admin.aarhus"  # Karen Thomsen, administrator of Aarhus in the demo data
COLLEAGUE = "raadgiver.aarhus"  # Jonas Poulsen


def check_page(page: Page, problems: Problems) -> None:
    """The page logged no console error and asked no other origin; then axe finds no violation.

    axe-core, run on the Django administration's pages, applies inline styles that the strict CSP
    refuses and the browser reports as console errors: those come from the checker, not the page,
    so the page's own errors are read before it runs and what it causes is set aside after."""
    assert problems.console_errors == [], "\n".join(problems.console_errors)
    assert problems.foreign_requests == [], "\n".join(problems.foreign_requests)
    assert_no_axe_violations(page)
    page.wait_for_timeout(500)  # the refusals are reported a moment later
    problems.console_errors.clear()


def test_an_administrator_extracts_a_colleagues_access_log_as_a_page_and_as_csv(
    contexts: Contexts, browser: Browser, server: str
) -> None:
    # Its own context, since the checked ones of `contexts` would count axe's CSP refusals.
    desk = browser.new_context(
        viewport=DESK, locale="da-DK", base_url=server, storage_state=sign_in_state(browser, server, ADMINISTRATOR)
    )
    problems = Problems(origin=contexts.origin)
    desk.on("console", problems.on_console)
    desk.on("weberror", lambda web_error: problems.on_page_error(web_error.error))
    desk.on("request", problems.on_request)
    try:
        page = desk.new_page()
        page.goto(f"admin/accounts/user/?q={COLLEAGUE}")
        page.get_by_role("link", name=COLLEAGUE, exact=True).click()  # opening the record is an access
        page.get_by_role("link", name="Adgangslog", exact=True).click()

        expect(page.get_by_role("heading", level=1)).to_have_text("Adgangslog for Jonas Poulsen")
        extract = page.url
        check_page(page, problems)
        page.get_by_label("Formål med udtrækket").fill("Jonas bad om indsigt")
        page.get_by_role("button", name="Vis adgange", exact=True).click()

        accesses = page.get_by_role("table", name=re.compile(r"^\d+ adgange til data om Jonas Poulsen$"))
        expect(accesses).to_contain_text("administration: staff record opened")
        expect(accesses.get_by_role("row").last).to_contain_text("Udtrak adgangsloggen")
        expect(accesses.get_by_role("row").last).to_contain_text("Jonas bad om indsigt")
        check_page(page, problems)

        with page.expect_download() as download:
            page.get_by_role("button", name="Hent som CSV", exact=True).click()
        rows = Path(download.value.path()).read_text(encoding="utf-8").splitlines()
        assert rows[0] == "at,actor,action,kind_of_data,record,whose_data,organisation,reason"
        assert rows[-1].startswith(tuple("0123456789")) and rows[-1].endswith(",Jonas bad om indsigt")

        # English, chosen on the staff pages, holds in the administration too.
        page.goto("staff/")
        page.get_by_label("Sprog", exact=True).select_option("en")
        page.get_by_role("button", name="Skift sprog", exact=True).click()
        expect(page.locator("html")).to_have_attribute("lang", "en")
        page.goto(extract)
        expect(page.get_by_role("heading", level=1)).to_have_text("Access log for Jonas Poulsen")
        page.get_by_label("Purpose of the extract").fill("Jonas asked to see it")
        page.get_by_role("button", name="Show accesses", exact=True).click()
        expect(page.get_by_role("table", name=re.compile(r"^\d+ accesses to Jonas Poulsen’s data$"))).to_contain_text(
            "Extracted the access log"
        )
        check_page(page, problems)
    finally:
        desk.close()
