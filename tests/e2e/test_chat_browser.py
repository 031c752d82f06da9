"""A young person chats with a counselor in two real browsers: on a 360 px phone, in the widget on a
municipality's page, offline for a while, and leaving in a hurry. Nothing may reach another origin,
no word may be lost or doubled, and no message may ever run as script."""

from __future__ import annotations

import http.server
import os
import threading
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Dialog, Page, Route, expect

from tests.e2e.chat_people import (
    LIVE,
    NEUTRAL_SITE,
    Desk,
    Young,
    YoungPerson,
    counselor_on_shift,
)
from tests.e2e.conftest import REPO_ROOT, Contexts, assert_fits_phone_width, assert_no_axe_violations

# docs/screenshots/ are refreshed only on request: SAMRAAD_SCREENSHOTS=1 pytest tests/e2e -k talk_rate
SCREENSHOTS = REPO_ROOT / "docs" / "screenshots"


def assert_touch_targets_are_44_px(page: Page) -> None:
    """Every visible control (and each radio's label) is at least 44 px tall on a phone."""
    small = page.evaluate(
        """() => [...document.querySelectorAll(
            'header button, header select, main button, main select, main input:not([type=radio]),'
            + ' main textarea, main .form-radio + label, main .chat-new a')]
          .filter((element) => element.offsetParent !== null)
          .map((element) => [element.id || element.textContent.trim(), element.getBoundingClientRect().height])
          .filter(([, height]) => height < 44)"""
    )
    assert small == [], f"controls under 44 px on {page.url}: {small}"


def test_a_young_person_and_a_counselor_talk_rate_and_the_conversation_can_be_resumed(
    contexts: Contexts, counselor_state: Any
) -> None:
    with counselor_on_shift(contexts, counselor_state) as counselor:
        young = YoungPerson(contexts.new().new_page()).open()
        assert_no_axe_violations(young.page)
        assert_fits_phone_width(young.page)
        assert_touch_targets_are_44_px(young.page)

        young.start_chat(municipality="Aarhus", nickname="Mille")
        assert_no_axe_violations(young.page)

        panel = counselor.take_next("Mille")
        expect(panel.get_by_text("Aarhus", exact=False).first).to_be_visible()
        expect(young.status()).to_have_text(Young.active, timeout=LIVE)

        young.type("Hej, jeg har det svært derhjemme")
        expect(panel.get_by_text(Desk.young_typing)).to_be_visible(timeout=LIVE)
        young.page.get_by_role("button", name=Young.send, exact=True).click()
        expect(counselor.messages(panel, "Hej, jeg har det svært derhjemme")).to_have_count(1, timeout=LIVE)
        expect(panel.get_by_text(Desk.young_typing)).to_be_hidden()

        counselor.write(panel, "Hej Mille, godt du skriver. Hvad sker der?")
        expect(young.page.get_by_text(Young.counselor_typing)).to_be_visible(timeout=LIVE)
        panel.get_by_label(Desk.message, exact=True).press("Enter")
        young.expect_message("Hej Mille, godt du skriver. Hvad sker der?")

        # Both sides have shown what the other wrote: each sees "read" on their own message.
        own = young.log().locator(".chat-msg--young")
        expect(own.locator(".chat-msg-status")).to_have_text(Young.read, timeout=LIVE)
        expect(panel.locator(".console-msg--counselor .console-msg-status")).to_have_text(Desk.read, timeout=LIVE)

        young.send("Min far råber hele tiden")
        expect(counselor.messages(panel, "Min far råber hele tiden")).to_have_count(1, timeout=LIVE)
        assert_no_axe_violations(young.page)
        assert_fits_phone_width(young.page)
        assert_touch_targets_are_44_px(young.page)
        assert_no_axe_violations(counselor.page)
        if os.environ.get("SAMRAAD_SCREENSHOTS") == "1":
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            young.page.evaluate("window.scrollTo(0, 0)")  # the quick-exit bar is sticky
            young.page.screenshot(path=SCREENSHOTS / "chat-phone.png", full_page=True)
            counselor.page.screenshot(path=SCREENSHOTS / "console.png", full_page=True)

        counselor.end(panel)
        expect(young.status()).to_have_text(Young.ended, timeout=LIVE)
        assert_touch_targets_are_44_px(young.page)
        rating = young.page.get_by_role("group", name=Young.rating)
        rating.get_by_label("4 – God").check()
        young.page.get_by_label(Young.comment).fill("Det hjalp at skrive")
        young.page.get_by_role("button", name=Young.send_rating, exact=True).click()
        expect(young.page.get_by_text(Young.thanks)).to_be_visible(timeout=LIVE)

        # Later, on another phone, the code brings the whole conversation back.
        later = YoungPerson(contexts.new().new_page()).open()
        later.resume(young.resume_code)
        for text in (
            "Hej, jeg har det svært derhjemme",
            "Hej Mille, godt du skriver. Hvad sker der?",
            "Min far råber hele tiden",
        ):
            later.expect_message(text)
        expect(later.log().locator("li")).to_have_count(3)
        expect(later.status()).to_have_text(Young.ended)
        counselor.page.get_by_role("button", name=Desk.close, exact=True).click()


def test_messages_written_offline_reach_the_counselor_once_each_and_in_order(
    contexts: Contexts, counselor_state: Any
) -> None:
    with counselor_on_shift(contexts, counselor_state) as counselor:
        phone = contexts.new()
        young = YoungPerson(phone.new_page()).open()
        young.start_chat(municipality="Aarhus", nickname="Offline")
        panel = counselor.take_next("Offline")
        expect(young.status()).to_have_text(Young.active, timeout=LIVE)
        young.send("Er du der?")
        expect(counselor.messages(panel, "Er du der?")).to_have_count(1, timeout=LIVE)

        phone.set_offline(True)
        young.send("Første besked uden net")
        young.send("Anden besked uden net")
        pending = young.log().locator(".chat-msg--young .chat-msg-status")
        expect(pending.nth(1)).to_have_text("Sender …")
        expect(pending.nth(2)).to_have_text("Sender …")
        phone.set_offline(False)

        expect(counselor.messages(panel, "Første besked uden net")).to_have_count(1, timeout=LIVE)
        expect(counselor.messages(panel, "Anden besked uden net")).to_have_count(1, timeout=LIVE)
        expect(pending).to_have_text([Young.read, Young.read, Young.read], timeout=LIVE)
        # Nothing doubled, nothing out of order, also after the acks and a moment's quiet.
        young.page.wait_for_timeout(500)
        bodies = panel.locator(".console-msg--young .console-msg-body").all_inner_texts()
        assert bodies == ["Er du der?", "Første besked uden net", "Anden besked uden net"]
        expect(young.log().locator(".chat-msg--young")).to_have_count(3)


def test_script_in_a_message_stays_text_on_both_sides(contexts: Contexts, counselor_state: Any) -> None:
    dialogs: list[str] = []

    def refuse(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    with counselor_on_shift(contexts, counselor_state) as counselor:
        counselor.page.on("dialog", refuse)
        young = YoungPerson(contexts.new().new_page()).open()
        young.page.on("dialog", refuse)
        young.start_chat(municipality=None, nickname="<b>Fed</b>")
        panel = counselor.take_next("<b>Fed</b>")

        young.send("<img src=x onerror=alert(1)>")
        young.send("<script>alert(2)</script>")
        expect(counselor.messages(panel, "<img src=x onerror=alert(1)>")).to_have_text("<img src=x onerror=alert(1)>")
        expect(counselor.messages(panel, "<script>alert(2)</script>")).to_have_text("<script>alert(2)</script>")
        counselor.send(panel, '<img src=y onerror="alert(3)"> svar')
        young.expect_message('<img src=y onerror="alert(3)"> svar')

        assert panel.locator(".console-log img, .console-log script").count() == 0
        assert young.log().locator("img, script").count() == 0
        young.page.wait_for_timeout(300)
        assert dialogs == []
        counselor.end(panel)
        expect(young.status()).to_have_text(Young.ended, timeout=LIVE)


def _intercept_exit(page: Page) -> list[str]:
    """The neutral site is answered by the test itself: nothing leaves loopback."""
    visited: list[str] = []

    def fulfil(route: Route) -> None:
        visited.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body="<!doctype html><title>DR</title><h1>DR</h1>")

    page.route("https://www.dr.dk/**", fulfil)
    return visited


def _storage_of(page: Page) -> list[int]:
    return page.evaluate("[window.localStorage.length, window.sessionStorage.length]")


def test_quick_exit_button_leaves_for_a_neutral_site_and_keeps_nothing(contexts: Contexts) -> None:
    contexts.allow_origin("https://www.dr.dk")
    phone = contexts.new()
    young = YoungPerson(phone.new_page()).open()
    visited = _intercept_exit(young.page)
    young.write_letter("Jeg har brug for at snakke med nogen.")
    code = young.resume_code
    assert _storage_of(young.page) == [0, 0]

    young.page.get_by_role("button", name=Young.quick_exit, exact=True).click()

    expect(young.page).to_have_url(NEUTRAL_SITE)
    assert visited == [NEUTRAL_SITE]
    assert [entry for entry in phone.storage_state()["origins"] if entry["localStorage"]] == []
    # The chat left no entry to go back to, and our origin kept nothing in this tab either.
    young.page.go_back()
    assert "/chat/" not in young.page.url
    young.page.goto("chat/")
    assert _storage_of(young.page) == [0, 0]
    assert code not in young.page.content()


def test_pressing_escape_twice_is_a_quick_exit(contexts: Contexts) -> None:
    contexts.allow_origin("https://www.dr.dk")
    young = YoungPerson(contexts.new().new_page()).open()
    visited = _intercept_exit(young.page)
    young.page.get_by_label(Young.nickname).fill("Esc")

    young.page.keyboard.press("Escape")
    young.page.keyboard.press("Escape")

    expect(young.page).to_have_url(NEUTRAL_SITE)
    assert visited == [NEUTRAL_SITE]
    assert _storage_of(young.page) == [0, 0]


@pytest.fixture
def municipal_site(widget_host_port: int, server: str, tmp_path: Path) -> Iterator[str]:
    """A stand-in for a municipality's own web site, on another port, that embeds the widget."""
    (tmp_path / "index.html").write_text(
        "<!doctype html><html lang='da'><head><meta charset='utf-8'><link rel='icon' href='data:,'>"
        "<title>Aarhus Kommune</title></head>"
        "<body><h1>Aarhus Kommune</h1><p>Ungerådgivning</p>"
        f'<script src="{server}widget.js" data-municipality="0751"></script></body></html>',
        encoding="utf-8",
    )

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
            pass

    site = http.server.ThreadingHTTPServer(("127.0.0.1", widget_host_port), partial(Quiet, directory=str(tmp_path)))
    thread = threading.Thread(target=site.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{widget_host_port}/"
    finally:
        site.shutdown()
        site.server_close()


def test_the_widget_on_a_municipal_site_opens_the_chat_and_a_message_reaches_the_counselor(
    contexts: Contexts, counselor_state: Any, municipal_site: str
) -> None:
    contexts.allow_origin(municipal_site)
    contexts.allow_origin("https://www.dr.dk")
    with counselor_on_shift(contexts, counselor_state) as counselor:
        host = contexts.new().new_page()
        visited = _intercept_exit(host)
        host.goto(municipal_site)
        chat_button = host.get_by_role("button", name="Chat med en rådgiver")
        chat_button.click()
        frame = host.frame_locator("iframe[title='Chat med en rådgiver']")
        young = YoungPerson(host, frame)
        young.settled()
        expect(frame.get_by_label(Young.municipality)).to_have_value("0751")
        assert_fits_phone_width(host)

        young.start_chat(municipality=None, nickname="Widget")
        panel = counselor.take_next("Widget")
        expect(panel.get_by_text("Aarhus", exact=False).first).to_be_visible()
        young.send("Hej fra kommunens hjemmeside")
        expect(counselor.messages(panel, "Hej fra kommunens hjemmeside")).to_have_count(1, timeout=LIVE)

        # Closing the panel keeps the conversation; the quick exit leaves the host page too.
        host.get_by_role("button", name="Luk chatten").click()
        expect(chat_button).to_be_focused()
        chat_button.click()
        young.expect_message("Hej fra kommunens hjemmeside")
        frame.get_by_role("button", name=Young.quick_exit, exact=True).click()
        expect(host).to_have_url(NEUTRAL_SITE, timeout=LIVE)
        assert visited == [NEUTRAL_SITE]
        counselor.end(panel)


def test_with_nobody_on_shift_the_chat_offers_a_letter_and_has_no_wcag_21_aa_violations(
    contexts: Contexts,
) -> None:
    young = YoungPerson(contexts.new().new_page()).open()
    expect(young.page.get_by_text(Young.closed)).to_be_visible()
    expect(young.page.get_by_role("heading", name="Skriv et brev")).to_be_visible()
    expect(young.page.get_by_role("button", name=Young.start, exact=True)).to_be_hidden()
    assert_no_axe_violations(young.page)
    assert_touch_targets_are_44_px(young.page)
    young.write_letter("Jeg tør ikke sige det til nogen.")
    assert_no_axe_violations(young.page)
    assert_fits_phone_width(young.page)

    widget = contexts.new().new_page()
    widget.goto("chat/widget/?municipality=0751")
    expect(widget.get_by_label(Young.municipality)).to_have_value("0751")
    assert_no_axe_violations(widget)
    assert_fits_phone_width(widget)
    widget.get_by_label("Sprog", exact=True).select_option("en")
    widget.get_by_role("button", name="Skift sprog", exact=True).click()
    expect(widget.locator("html")).to_have_attribute("lang", "en")
    expect(widget.locator("#chat-municipality")).to_have_value("0751")

    english = contexts.new().new_page()
    english.goto("chat/")
    english.get_by_label("Sprog", exact=True).select_option("en")
    english.get_by_role("button", name="Skift sprog", exact=True).click()
    expect(english.locator("html")).to_have_attribute("lang", "en")
    expect(english.get_by_role("heading", level=1)).to_have_text("Chat with a counselor")
    expect(english.get_by_text("No counselor is on shift right now")).to_be_visible()
    expect(english.get_by_label("Your letter", exact=True)).to_be_visible()
    assert_no_axe_violations(english)
    english.get_by_role("button", name="Chat instead", exact=True).click()
    expect(english.get_by_label("I live in …")).to_be_visible()
    assert_no_axe_violations(english)
    assert_fits_phone_width(english)


def test_with_the_code_on_another_phone_a_young_person_deletes_a_live_chat_and_the_counselor_sees_it_end(
    contexts: Contexts, counselor_state: Any
) -> None:
    with counselor_on_shift(contexts, counselor_state) as counselor:
        young = YoungPerson(contexts.new().new_page()).open()
        young.start_chat(municipality="Aarhus", nickname="Slettes")
        panel = counselor.take_next("Slettes")
        expect(young.status()).to_have_text(Young.active, timeout=LIVE)
        young.send("Det her må ingen læse senere")
        expect(counselor.messages(panel, "Det her må ingen læse senere")).to_have_count(1, timeout=LIVE)

        other = YoungPerson(contexts.new().new_page()).open()
        come_back = other.page.locator("#chat-resume")
        come_back.get_by_label(Young.code_field, exact=True).fill(young.resume_code)
        come_back.get_by_role("button", name=Young.delete, exact=True).click()
        expect(come_back.get_by_role("button", name=Young.delete_yes, exact=True)).to_be_visible()
        assert_no_axe_violations(other.page)
        assert_touch_targets_are_44_px(other.page)
        come_back.get_by_role("button", name=Young.delete_yes, exact=True).click()

        expect(other.page.get_by_role("heading", name=Young.deleted)).to_be_focused(timeout=LIVE)
        assert_no_axe_violations(other.page)
        assert_fits_phone_width(other.page)
        # The first phone lets go of the conversation too, and the counselor sees it end.
        expect(young.page.get_by_role("heading", name=Young.deleted)).to_be_visible(timeout=LIVE)
        expect(young.page.get_by_text("Det her må ingen læse senere")).to_have_count(0)
        expect(panel.get_by_role("button", name=Desk.close, exact=True)).to_be_visible(timeout=LIVE)
        panel.get_by_role("button", name=Desk.close, exact=True).click()


def test_after_the_conversation_the_chat_page_offers_to_delete_it_in_danish_and_english(
    contexts: Contexts, counselor_state: Any
) -> None:
    with counselor_on_shift(contexts, counselor_state) as counselor:
        young = YoungPerson(contexts.new().new_page()).open()
        young.start_chat(municipality=None, nickname="Bagefter")
        panel = counselor.take_next("Bagefter")
        young.send("Tak fordi du lyttede")
        expect(counselor.messages(panel, "Tak fordi du lyttede")).to_have_count(1, timeout=LIVE)
        delete = young.page.locator("#chat-room").get_by_role("button", name=Young.delete, exact=True)
        expect(delete).to_be_hidden()  # not while the conversation goes on: ending comes first

        counselor.end(panel)
        expect(young.status()).to_have_text(Young.ended, timeout=LIVE)
        delete.click()
        assert_no_axe_violations(young.page)
        assert_touch_targets_are_44_px(young.page)
        young.page.get_by_role("button", name=Young.delete_yes, exact=True).click()

        expect(young.page.get_by_role("heading", name=Young.deleted)).to_be_focused(timeout=LIVE)
        expect(young.page.get_by_text("Tak fordi du lyttede")).to_have_count(0)
        assert_no_axe_violations(young.page)
        counselor.page.get_by_role("button", name=Desk.close, exact=True).click()

    english = contexts.new().new_page()
    english.goto("chat/")
    english.get_by_label("Sprog", exact=True).select_option("en")
    english.get_by_role("button", name="Skift sprog", exact=True).click()
    expect(english.locator("html")).to_have_attribute("lang", "en")
    expect(english.locator("#chat[data-status]")).to_have_count(1, timeout=LIVE)
    english.get_by_label("Your letter", exact=True).fill("Please forget this again.")
    english.get_by_role("button", name="Send letter", exact=True).click()
    room = english.locator("#chat-room")
    room.get_by_role("button", name="Delete the conversation", exact=True).click()
    expect(room.get_by_text("Do you want to delete the conversation?", exact=False)).to_be_visible()
    assert_no_axe_violations(english)
    room.get_by_role("button", name="Yes, delete it", exact=True).click()
    expect(english.get_by_role("heading", name="The conversation is deleted")).to_be_focused(timeout=LIVE)
    assert_no_axe_violations(english)
