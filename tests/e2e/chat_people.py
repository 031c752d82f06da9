"""The people of the chat's browser tests: a young person on a phone and a counselor at a desk.

Each helper drives the pages the way that person would (labels and button names, in Danish),
so a test reads as a story. Shared by test_chat_browser.py and test_console_browser.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from playwright.sync_api import Browser, BrowserContext, FrameLocator, Locator, Page, expect

from tests.e2e.conftest import Contexts

COUNSELOR = "raadgiver.aarhus"
DEMO_PASSWORD = "samraad-demo"
DESK = {"width": 1280, "height": 900}
NEUTRAL_SITE = "https://www.dr.dk/"
# Long enough for a socket to come back after the network does (backoff starts at 0.5 s).
LIVE = 10_000


class Young:
    """What the young person's pages say, in Danish."""

    municipality = "Jeg bor i …"
    topic = "Hvad handler det om?"
    nickname = "Kaldenavn"
    start = "Start chat"
    letter_instead = "Skriv et brev i stedet"
    closed = "Der er ingen rådgiver på vagt lige nu"
    letter = "Dit brev"
    send_letter = "Send brev"
    code_field = "Din kode"
    resume = "Fortsæt"
    message = "Din besked"
    send = "Send"
    end = "Afslut samtalen"
    end_yes = "Ja, afslut"
    quick_exit = "Forlad siden hurtigt"
    queue = re.compile(r"Du er nummer \d+ i køen\.")
    active = "Du taler med en rådgiver."
    counselor_typing = "Rådgiveren skriver …"
    ended = "Samtalen er afsluttet."
    rating = "Hvordan var samtalen?"
    comment = "Kommentar"
    send_rating = "Send bedømmelse"
    thanks = "Tak for dit svar. Det hjælper os med at blive bedre."
    delivered = "Leveret"
    read = "Læst"
    letter_waiting = "Dit brev venter på en rådgiver."
    letter_answered = "Rådgiveren har svaret på dit brev."
    delete = "Slet samtalen"
    delete_yes = "Ja, slet den"
    deleted = "Samtalen er slettet"


class Desk:
    """What the console says, in Danish."""

    on_shift = "På vagt"
    take_next = "Tag næste"
    message = "Besked"
    send = "Send"
    young_typing = "Den unge skriver …"
    end = "Afslut samtalen"
    end_yes = "Ja, afslut"
    close = "Luk"
    answer_letter = "Besvar brev"
    delivered = "Leveret"
    read = "Læst"


def sign_in_state(browser: Browser, server: str, username: str = COUNSELOR) -> Any:
    """Signs a demo staff member in and returns the browser state (the session cookie)."""
    opened = browser.new_context(base_url=server, locale="da-DK")
    page = opened.new_page()
    page.goto("login/")
    page.get_by_label("Brugernavn", exact=True).fill(username)
    page.get_by_label("Adgangskode", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log ind", exact=True).click()
    expect(page).to_have_url(re.compile(r"/staff/$"))
    state = opened.storage_state()
    opened.close()
    return state


class YoungPerson:
    """A young person on the chat page (or inside the widget's iframe: pass its FrameLocator)."""

    def __init__(self, page: Page, frame: FrameLocator | None = None) -> None:
        self.page = page
        self.scope: Page | FrameLocator = frame if frame is not None else page
        self.resume_code = ""

    def open(self, path: str = "chat/") -> YoungPerson:
        # Ready is when the script has asked about the shift, not when every font has arrived.
        self.page.goto(path, wait_until="commit")
        self.settled()
        return self

    def settled(self) -> None:
        """Waits until the page has asked whether anyone is on shift (chat or letter)."""
        expect(self.scope.get_by_role("heading", level=1)).to_have_text("Chat med en rådgiver", timeout=LIVE)
        expect(self.scope.locator("#chat[data-status]")).to_have_count(1, timeout=LIVE)

    def start_chat(self, *, municipality: str | None = "Aarhus", nickname: str = "") -> None:
        if municipality:
            self.scope.get_by_label(Young.municipality).select_option(label=municipality)
        if nickname:
            self.scope.get_by_label(Young.nickname).fill(nickname)
        self.scope.get_by_role("button", name=Young.start, exact=True).click()
        code = self.scope.locator("#chat-code")
        expect(code).to_have_text(re.compile(r"\S{4}"))
        self.resume_code = code.inner_text().strip()
        expect(self.position()).to_have_text(Young.queue)

    def write_letter(self, text: str, *, municipality: str | None = None, nickname: str = "") -> None:
        """Writes a letter for the letter box (offered by itself when nobody is on shift)."""
        if self.scope.get_by_role("button", name=Young.letter_instead, exact=True).is_visible():
            self.scope.get_by_role("button", name=Young.letter_instead, exact=True).click()
        if municipality:
            self.scope.get_by_label(Young.municipality).select_option(label=municipality)
        if nickname:
            self.scope.get_by_label(Young.nickname).fill(nickname)
        self.scope.get_by_label(Young.letter, exact=True).fill(text)
        self.scope.get_by_role("button", name=Young.send_letter, exact=True).click()
        code = self.scope.locator("#chat-code")
        expect(code).to_have_text(re.compile(r"\S{4}"))
        self.resume_code = code.inner_text().strip()
        expect(self.status()).to_contain_text(Young.letter_waiting, timeout=LIVE)

    def position(self) -> Locator:
        """The queue position as shown (the screen-reader announcer repeats it, so not by text)."""
        return self.scope.locator("#chat-queue-position")

    def status(self) -> Locator:
        """The line that says how the conversation stands (active, ended, a letter's answer)."""
        return self.scope.locator("#chat-state")

    def log(self) -> Locator:
        return self.scope.get_by_role("list", name=re.compile("^(Din samtale|Dit brev)$"))

    def type(self, text: str) -> None:
        self.scope.get_by_label(Young.message, exact=True).fill(text)

    def send(self, text: str) -> None:
        self.type(text)
        self.scope.get_by_role("button", name=Young.send, exact=True).click()

    def expect_message(self, text: str) -> Locator:
        message = self.log().locator(".chat-msg-body", has_text=text)
        expect(message).to_have_count(1, timeout=LIVE)
        return message

    def end(self) -> None:
        self.scope.get_by_role("button", name=Young.end, exact=True).click()
        self.scope.get_by_role("button", name=Young.end_yes, exact=True).click()

    def resume(self, code: str) -> None:
        self.scope.get_by_label(Young.code_field, exact=True).fill(code)
        self.scope.get_by_role("button", name=Young.resume, exact=True).click()


class Counselor:
    """The demo counselor at the console, signed in through `storage_state`."""

    def __init__(self, context: BrowserContext) -> None:
        self.context = context
        self.page = context.new_page()

    def open(self) -> Counselor:
        # Ready is when the socket has said whether the counselor is on shift.
        self.page.goto("console/", wait_until="commit")
        expect(self.page.get_by_role("heading", level=1)).to_have_text("Konsol", timeout=LIVE)
        expect(self.shift_button()).to_be_enabled(timeout=LIVE)
        return self

    def shift_button(self) -> Locator:
        return self.page.get_by_role("button", name=Desk.on_shift, exact=True)

    def go_on_shift(self) -> None:
        button = self.shift_button()
        if button.get_attribute("aria-pressed") != "true":
            button.click()
        expect(button).to_have_attribute("aria-pressed", "true")

    def go_off_shift(self) -> None:
        button = self.shift_button()
        if button.get_attribute("aria-pressed") == "true":
            button.click()
        expect(button).to_have_attribute("aria-pressed", "false")

    def take_next(self, nickname: str) -> Locator:
        self.page.get_by_role("button", name=Desk.take_next, exact=True).click()
        return self.panel(nickname)

    def panel(self, nickname: str) -> Locator:
        panel = self.page.locator(".console-panel").filter(
            has=self.page.get_by_role("heading", name=nickname, exact=True)
        )
        expect(panel).to_be_visible(timeout=LIVE)
        return panel

    def write(self, panel: Locator, text: str) -> None:
        panel.get_by_label(Desk.message, exact=True).fill(text)

    def send(self, panel: Locator, text: str) -> None:
        self.write(panel, text)
        panel.get_by_label(Desk.message, exact=True).press("Enter")

    def messages(self, panel: Locator, text: str) -> Locator:
        return panel.locator(".console-msg-body", has_text=text)

    def end(self, panel: Locator) -> None:
        panel.get_by_role("button", name=Desk.end, exact=True).click()
        panel.get_by_role("button", name=Desk.end_yes, exact=True).click()
        expect(panel.get_by_role("button", name=Desk.close, exact=True)).to_be_visible(timeout=LIVE)

    def end_everything_and_leave(self) -> None:
        """Ends whatever is still open and goes off shift, so the next test starts from a quiet floor."""
        for end in self.page.get_by_role("button", name=Desk.end, exact=True).all():
            if end.is_visible():
                end.click()
                self.page.get_by_role("button", name=Desk.end_yes, exact=True).first.click()
        self.go_off_shift()


@contextmanager
def counselor_on_shift(contexts: Contexts, state: Any) -> Iterator[Counselor]:
    """The counselor at a desk-sized console, on shift for the block and off shift after it."""
    counselor = Counselor(contexts.new(viewport=DESK, storage_state=state)).open()
    counselor.go_on_shift()
    try:
        yield counselor
    finally:
        counselor.end_everything_and_leave()
