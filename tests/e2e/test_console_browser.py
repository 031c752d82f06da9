"""The counselor's console in a real browser: the live queue, letters answered from the letter box,
several conversations as tabs on a narrow screen with unread counts, notes, topics, transfer to a
colleague and blocking a sender. Everything arrives through the socket; the page never reloads."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from tests.e2e.chat_people import (
    DESK,
    LIVE,
    Counselor,
    Desk,
    Young,
    YoungPerson,
    counselor_on_shift,
    sign_in_state,
)
from tests.e2e.conftest import PHONE, Contexts, assert_no_axe_violations


def test_a_counselor_answers_a_letter_and_the_young_person_reads_the_answer_with_the_code(
    contexts: Contexts, counselor_state: Any
) -> None:
    young = YoungPerson(contexts.new().new_page()).open()
    young.write_letter("Jeg bliver drillet i skolen hver dag.", municipality="Aarhus", nickname="Brevskriver")
    young.page.close()  # and comes back later with the code

    with counselor_on_shift(contexts, counselor_state) as counselor:
        page = counselor.page
        letters = page.get_by_role("list", name=re.compile("Breve, der venter på svar"))
        letter = letters.get_by_role("listitem").filter(has_text="Brevskriver")
        expect(letter).to_contain_text("Brev: Brevskriver")
        expect(letter).to_contain_text("Aarhus")
        expect(letter).not_to_contain_text("drillet")  # the queue never shows what was written
        waited = letter.locator("[data-part=waited]")
        expect(waited).to_have_text(re.compile(r"^\d+:\d\d$"))
        first = waited.inner_text()
        expect(waited).not_to_have_text(first, timeout=3_000)  # counts up by itself

        letter.get_by_role("button", name=Desk.answer_letter, exact=True).click()
        panel = counselor.panel("Brevskriver")
        expect(panel.get_by_text("Brev", exact=True)).to_be_visible()
        expect(counselor.messages(panel, "Jeg bliver drillet i skolen hver dag.")).to_have_count(1)
        expect(panel.get_by_label(Desk.message, exact=True)).to_be_focused()
        assert_no_axe_violations(page)

        panel.get_by_label("Forberedt svar").select_option(label="Velkommen")
        expect(panel.get_by_label(Desk.message, exact=True)).to_have_value(re.compile("^Hej, og tak fordi du skriver"))
        panel.get_by_label(Desk.message, exact=True).press("End")
        panel.get_by_label(Desk.message, exact=True).press("Shift+Enter")
        panel.get_by_label(Desk.message, exact=True).press_sequentially("Tal med en voksen du stoler på.")
        panel.get_by_label(Desk.message, exact=True).press("Enter")
        answer = counselor.messages(panel, "Tal med en voksen du stoler på.")
        expect(answer).to_have_count(1)
        expect(panel.locator(".console-msg--counselor .console-msg-status")).to_have_text(Desk.delivered, timeout=LIVE)
        counselor.end(panel)
        assert page.evaluate("performance.getEntriesByType('navigation').length") == 1

    later = YoungPerson(contexts.new().new_page()).open()
    later.resume(young.resume_code)
    expect(later.status()).to_have_text(Young.letter_answered, timeout=LIVE)
    later.expect_message("Jeg bliver drillet i skolen hver dag.")
    reply = later.expect_message("Tal med en voksen du stoler på.")
    expect(reply).to_contain_text("Hej, og tak fordi du skriver")
    expect(later.page.get_by_label(Young.message, exact=True)).to_be_hidden()


def test_on_a_narrow_screen_conversations_are_tabs_with_unread_counts_notes_transfer_and_block(
    contexts: Contexts, counselor_state: Any, browser: Any, server: str
) -> None:
    colleague = Counselor(contexts.new(storage_state=sign_in_state(browser, server, "raadgiver.kbh"))).open()
    colleague.go_on_shift()
    counselor = Counselor(contexts.new(viewport=PHONE, storage_state=counselor_state)).open()
    counselor.go_on_shift()
    page = counselor.page
    try:
        first = YoungPerson(contexts.new().new_page()).open()
        first.start_chat(municipality="Aarhus", nickname="Asta")
        first.send("Jeg skriver mens jeg venter")
        second = YoungPerson(contexts.new().new_page()).open()
        second.start_chat(municipality="Aarhus", nickname="Bo")

        queue = page.get_by_role("list", name=re.compile("^Kø"))
        expect(queue.get_by_role("listitem")).to_have_count(2, timeout=LIVE)
        expect(queue).to_contain_text("Chat: Asta")
        expect(queue).not_to_contain_text("Jeg skriver mens jeg venter")

        asta = counselor.take_next("Asta")
        expect(counselor.messages(asta, "Jeg skriver mens jeg venter")).to_have_count(1)
        page.get_by_role("button", name=Desk.take_next, exact=True).click()
        tabs = page.get_by_role("tablist")
        asta_tab = tabs.get_by_role("tab", name=re.compile("^Asta"))
        bo_tab = tabs.get_by_role("tab", name=re.compile("^Bo"))
        expect(bo_tab).to_have_attribute("aria-selected", "true", timeout=LIVE)
        expect(asta).to_be_hidden()  # one conversation at a time on a phone

        first.send("Er du der stadig?")
        expect(asta_tab).to_have_accessible_name(re.compile(r"^Asta\s*1 ulæste$"), timeout=LIVE)
        expect(first.log().locator(".chat-msg-status").last).to_have_text(Young.delivered)
        bo_tab.focus()
        page.keyboard.press("ArrowLeft")
        expect(asta_tab).to_be_focused()
        expect(asta_tab).to_have_attribute("aria-selected", "true")
        expect(asta_tab).to_have_accessible_name("Asta")
        expect(first.log().locator(".chat-msg-status").last).to_have_text(Young.read, timeout=LIVE)

        asta.get_by_label("Emne").select_option(label="Familie")
        asta.get_by_text("Interne noter").click()
        asta.get_by_label("Ny note").fill("Virker bange for sin far")
        asta.get_by_role("button", name="Gem note", exact=True).click()
        expect(asta.locator(".console-note-body")).to_have_text(["Virker bange for sin far"], timeout=LIVE)
        expect(asta.get_by_text("Interne noter (1)")).to_be_visible()

        # Asta goes to a colleague on shift: gone here, there with history, topic and note.
        asta.get_by_text("Overdrag til en kollega").click()
        asta.get_by_label("Kollega på vagt").select_option(label="Freja Nielsen")
        asta.get_by_role("button", name="Overdrag", exact=True).click()
        expect(asta_tab).to_have_count(0, timeout=LIVE)
        handed = colleague.panel("Asta")
        expect(colleague.messages(handed, "Er du der stadig?")).to_have_count(1)
        expect(handed.get_by_label("Emne")).to_have_value("family")
        expect(handed.locator(".console-note-body").first).to_have_text("Virker bange for sin far")
        colleague.end(handed)

        # Bo is blocked for 24 hours, after a confirmation. Bo's phone is offline meanwhile: a
        # connected socket would have its source (here 127.0.0.1, every test's) blocked with it.
        bo = counselor.panel("Bo")
        second.page.context.set_offline(True)
        second.page.wait_for_timeout(500)
        bo.get_by_text("Bloker afsenderen").click()
        bo.get_by_label("Hvor længe").select_option(label="24 timer")
        bo.get_by_role("button", name="Bloker", exact=True).click()
        expect(bo.get_by_role("button", name="Annullér", exact=True)).to_be_focused()  # the safe choice
        bo.get_by_role("button", name="Ja, bloker", exact=True).click()
        expect(bo.get_by_role("button", name=Desk.close, exact=True)).to_be_visible(timeout=LIVE)
        expect(bo.get_by_role("button", name=Desk.end, exact=True)).to_be_hidden()
        second.page.context.set_offline(False)
        expect(second.status()).to_have_text(Young.ended, timeout=LIVE)
        expect(second.page.get_by_label(Young.message, exact=True)).to_be_hidden()

        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"the console scrolls sideways at {PHONE['width']} px: {width} px"
    finally:
        counselor.end_everything_and_leave()
        colleague.end_everything_and_leave()


def _set_assignment(contexts: Contexts, admin_state: Any, municipality: str, value: str) -> None:
    """The platform administrator switches a municipality between take-next and offers. (Set-up
    through the admin, not a page under test: its context is not checked.)"""
    opened = contexts.browser.new_context(viewport=DESK, base_url=contexts.server, storage_state=admin_state)
    admin = opened.new_page()
    admin.goto(f"admin/accounts/organisation/?q={municipality}")
    admin.locator("#result_list tbody th a").first.click()
    admin.locator("select[name=assignment]").select_option(value)
    admin.locator("input[name=_save]").click()
    expect(admin.locator("#result_list")).to_be_visible()
    opened.close()


def test_with_auto_assignment_the_counselor_is_offered_a_conversation_and_accepts_it(
    contexts: Contexts, browser: Any, server: str
) -> None:
    admin_state = sign_in_state(browser, server, "admin")
    _set_assignment(contexts, admin_state, "0760", "auto")
    ida = Counselor(contexts.new(viewport=DESK, storage_state=sign_in_state(browser, server, "raadgiver.rksk")))
    ida.open().go_on_shift()
    try:
        young = YoungPerson(contexts.new().new_page()).open()
        young.start_chat(municipality="Ringkøbing-Skjern", nickname="Tilbudt")

        offers = ida.page.get_by_role("list", name="Tilbudt dig")
        offer = offers.get_by_role("listitem").filter(has_text="Tilbudt")
        expect(offer).to_contain_text("Ringkøbing-Skjern", timeout=LIVE)
        expect(offer).to_contain_text(re.compile(r"Tilbuddet udløber om \d+:\d\d"))
        offer.get_by_role("button", name="Tag imod", exact=True).click()

        panel = ida.panel("Tilbudt")
        expect(offers).to_be_hidden()
        expect(panel.get_by_label(Desk.message, exact=True)).to_be_focused()
        expect(young.status()).to_have_text(Young.active, timeout=LIVE)
        ida.end(panel)
    finally:
        ida.end_everything_and_leave()
        _set_assignment(contexts, admin_state, "0760", "take_next")


def test_a_counselor_keeps_prepared_answers_of_their_own(contexts: Contexts, counselor_state: Any, server: str) -> None:
    page = contexts.new(storage_state=counselor_state).new_page()
    page.goto(f"{server.rstrip('/')}/console/answers/")
    assert_no_axe_violations(page)

    page.get_by_label("Titel").fill("Min egen hilsen")
    page.get_by_label("Tekst").fill("Hej, jeg hedder Jonas og er rådgiver i Aarhus.")
    page.get_by_role("button", name="Gem").click()

    expect(page.get_by_role("heading", name="Min egen hilsen")).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Slet “Min egen hilsen”").click()
    expect(page.get_by_text("Du har endnu ingen egne forberedte svar.")).to_be_visible()


def test_a_counselor_raises_a_missed_risk_and_the_console_shows_it(contexts: Contexts, counselor_state: Any) -> None:
    with counselor_on_shift(contexts, counselor_state) as counselor:
        young = YoungPerson(contexts.new().new_page()).open()
        young.start_chat(municipality="Aarhus", nickname="Broen")
        young.send("jeg har haft en lang dag og vil gerne snakke")
        panel = counselor.take_next("Broen")
        expect(panel.locator("[data-part=triage]").first).to_be_hidden()

        panel.get_by_text("Ret risikoniveauet").click()
        panel.get_by_label("Risikoniveau").select_option(label="Kritisk")
        panel.get_by_label("Slags risiko").select_option(label="Selvmord")
        panel.get_by_role("button", name="Gem niveauet", exact=True).click()
        expect(counselor.page.get_by_text("Skriv, hvorfor du ændrer risikoniveauet.")).to_be_visible()
        panel.get_by_label("Hvorfor niveauet ændres", exact=True).fill("Står ved vandet og har skrevet farvel før")
        panel.get_by_role("button", name="Gem niveauet", exact=True).click()

        expect(panel.locator(".console-panel-meta [data-part=triage]")).to_have_text("Kritisk risiko", timeout=LIVE)
        expect(panel.locator(".console-note-body")).to_have_text(
            ["Normal → Kritisk: Står ved vandet og har skrevet farvel før"]
        )
        assert_no_axe_violations(counselor.page)
        counselor.end(panel)
    expect(young.log()).not_to_contain_text("Kritisk")  # the young person never sees triage
