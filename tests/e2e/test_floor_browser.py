"""The supervisor's floor in a real browser: young people on their phones start chats, a counselor on
shift at the console takes one, and the supervisor watches it all live at /console/floor/ — a critical
message raises an alert (with a tone) and jumps the queue, a live conversation can be read and handed
to a colleague, and the page passes axe-core in Danish and English, on a desk and on a phone."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import Browser, Locator, Page, ViewportSize, WebSocket, WebSocketRoute, expect

from tests.e2e.chat_people import DESK, LIVE, Counselor, YoungPerson, counselor_on_shift, sign_in_state
from tests.e2e.conftest import PHONE, Contexts, assert_no_axe_violations

SUPERVISOR = "supervisor"
COLLEAGUE = "raadgiver.kbh"
CRITICAL = "jeg har taget alle mine piller nu og vil dø"
CRITICAL_REASONS = ("selvmord: plan, middel eller tidspunkt nævnt", "overdosis")
# Counts the tones the page starts, without changing what it does.
COUNT_TONES = """
window.samraadTones = 0;
const samraadStart = OscillatorNode.prototype.start;
OscillatorNode.prototype.start = function (...args) {
  window.samraadTones += 1;
  return samraadStart.apply(this, args);
};
"""


@dataclass(frozen=True)
class Words:
    """What the floor says, in one language."""

    code: str
    title: str
    connected: str
    waiting: str
    counselors: str
    live: str
    reading: str
    alerts: str
    critical: str
    read: str
    reassign_to: str
    reassign: str
    audit: str


DANISH = Words(
    code="da",
    title="Vagtoverblik",
    connected="Forbundet.",
    waiting="Venter",
    counselors="Rådgivere på vagt",
    live="Igangværende samtaler",
    reading="Læsning",
    alerts="Kritiske alarmer",
    critical="Kritisk risiko",
    read="Læs",
    reassign_to="Flyt til",
    reassign="Flyt",
    audit="Din læsning skrives i revisionsloggen.",
)
ENGLISH = Words(
    code="en",
    title="Floor",
    connected="Connected.",
    waiting="Waiting",
    counselors="Counselors on shift",
    live="Live conversations",
    reading="Reading",
    alerts="Critical alerts",
    critical="Critical risk",
    read="Read",
    reassign_to="Reassign to",
    reassign="Reassign",
    audit="Your reading is written to the audit log.",
)


class Floor:
    """The supervisor at the floor, signed in through `storage_state`."""

    def __init__(self, page: Page, words: Words = DANISH) -> None:
        self.page = page
        self.words = words
        self.sent: list[dict[str, Any]] = []
        page.on("websocket", self._listen)

    def _listen(self, socket: WebSocket) -> None:
        socket.on("framesent", lambda payload: self.sent.append(json.loads(payload)))

    def open(self) -> Floor:
        self.page.goto("console/floor/")
        self.expect_ready()
        return self

    def expect_ready(self) -> None:
        expect(self.page.locator("html")).to_have_attribute("lang", self.words.code)
        expect(self.page.get_by_role("heading", level=1)).to_have_text(self.words.title)
        expect(self.page.locator("#floor-connection")).to_have_text(self.words.connected, timeout=LIVE)

    def in_english(self) -> None:
        """Switches with the page's own language form, as a person would."""
        self.page.get_by_label("Sprog", exact=True).select_option("en")
        self.page.get_by_role("button", name="Skift sprog", exact=True).click()
        self.words = ENGLISH
        self.expect_ready()

    def section(self, name: str) -> Locator:
        return self.page.get_by_role("region", name=re.compile(f"^{re.escape(name)}"))

    def waiting(self) -> Locator:
        """Everyone waiting, in the order the floor lists them (groups in queue order)."""
        return self.section(self.words.waiting).locator("li.floor-item")

    def live_item(self, nickname: str) -> Locator:
        item = self.section(self.words.live).get_by_role("listitem").filter(has_text=nickname)
        expect(item).to_have_count(1, timeout=LIVE)
        return item

    def read(self, nickname: str) -> Locator:
        self.live_item(nickname).get_by_role("button", name=re.compile(f"^{self.words.read} ")).click()
        reader = self.section(self.words.reading)
        expect(reader.locator("#floor-reader-name")).to_have_text(nickname)
        return reader

    def alert_banner(self) -> Locator:
        return self.page.get_by_role("alert").filter(has_text=self.words.critical)


def messages(reader: Locator, text: str) -> Locator:
    return reader.locator(".floor-msg-body", has_text=text)


@pytest.fixture(scope="module")
def supervisor_state(browser: Browser, server: str) -> Any:
    return sign_in_state(browser, server, SUPERVISOR)


def open_floor(contexts: Contexts, state: Any, viewport: dict[str, int] = DESK) -> Floor:
    context = contexts.new(viewport=viewport, storage_state=state)
    context.add_init_script(COUNT_TONES)
    return Floor(context.new_page()).open()


def leave(*people: YoungPerson) -> None:
    """Ends the young people's chats, so the next test starts from a quiet floor."""
    for person in people:
        end = person.page.get_by_role("button", name="Afslut samtalen", exact=True)
        if end.is_visible():
            person.end()


def test_a_critical_message_raises_an_alert_with_a_tone_and_jumps_the_queue(
    contexts: Contexts, counselor_state: Any, supervisor_state: Any
) -> None:
    floor = open_floor(contexts, supervisor_state)
    page = floor.page
    page.get_by_role("heading", level=1).click()  # a first interaction: now the browser lets it play a tone
    expect(page.get_by_role("button", name="Lyd ved alarmer", exact=True)).to_have_attribute("aria-pressed", "true")

    with counselor_on_shift(contexts, counselor_state):
        counselors = floor.section(DANISH.counselors)
        jonas = counselors.get_by_role("listitem").filter(has_text="Jonas Poulsen")
        expect(jonas).to_contain_text("Aarhus", timeout=LIVE)
        expect(jonas).to_contain_text(re.compile(r"Samtaler: 0 af \d+"))
        expect(jonas).to_contain_text("Konsol forbundet")

        first = YoungPerson(contexts.new().new_page()).open()
        second = YoungPerson(contexts.new().new_page()).open()
        try:
            first.start_chat(municipality="Aarhus", nickname="Tarik")
            second.start_chat(municipality="København", nickname="Selma")
            waiting = floor.waiting()
            tarik = waiting.filter(has_text="Tarik")
            selma = waiting.filter(has_text="Selma")
            expect(tarik).to_contain_text("Normal", timeout=LIVE)
            expect(tarik).to_contain_text("nr. 1 i køen")
            expect(selma).to_contain_text("nr. 2 i køen", timeout=LIVE)
            expect(waiting.first).to_contain_text("Tarik")
            group = floor.section(DANISH.waiting).get_by_role("list", name=re.compile("^Aarhus"))
            expect(group.get_by_role("listitem")).to_contain_text(["Tarik"])
            clock = tarik.locator("[data-part=waited]")
            expect(clock).to_have_text(re.compile(r"^\d+:\d\d$"))
            shown = clock.inner_text()
            expect(clock).not_to_have_text(shown, timeout=3_000)  # counts up by itself

            second.send(CRITICAL)

            banner = floor.alert_banner()
            expect(banner).to_be_visible(timeout=LIVE)
            expect(banner).to_contain_text("Kritisk risiko: København")
            for reason in CRITICAL_REASONS:
                expect(banner.get_by_role("listitem").filter(has_text=reason)).to_have_count(1)
            expect(banner).to_contain_text("Selma venter i køen.")
            expect(waiting.first).to_contain_text("Selma", timeout=LIVE)
            expect(waiting.first).to_contain_text(DANISH.critical)
            expect(waiting.first).to_contain_text("nr. 1 i køen")
            expect(tarik).to_contain_text("nr. 2 i køen")
            expect(floor.section(DANISH.waiting).get_by_role("status")).to_contain_text("1 med kritisk risiko")

            alerts = floor.section(DANISH.alerts).get_by_role("listitem")
            expect(alerts).to_have_count(1)
            expect(alerts.first).to_contain_text("København")
            expect(alerts.first).to_contain_text("overdosis")
            page.wait_for_function("window.samraadTones > 0", timeout=LIVE)

            banner.get_by_role("button", name="Skjul alarmen", exact=True).click()
            expect(banner).to_be_hidden()
            expect(alerts).to_have_count(1)  # the session's list keeps it
        finally:
            leave(first, second)

    assert [frame for frame in floor.sent if frame.get("type") == "shift"] == []  # not the shift switch
    assert {frame.get("type") for frame in floor.sent} <= {"floor", "watch", "transfer"}


def test_the_supervisor_reads_a_live_conversation_and_reassigns_it_to_a_colleague_on_shift(
    contexts: Contexts, counselor_state: Any, supervisor_state: Any, browser: Browser, server: str
) -> None:
    floor = open_floor(contexts, supervisor_state)
    colleague = Counselor(contexts.new(viewport=DESK, storage_state=sign_in_state(browser, server, COLLEAGUE))).open()
    colleague.go_on_shift()
    try:
        with counselor_on_shift(contexts, counselor_state) as counselor:
            young = YoungPerson(contexts.new().new_page()).open()
            young.start_chat(municipality="Aarhus", nickname="Vilma")
            young.send("Jeg kan ikke sove om natten")
            panel = counselor.take_next("Vilma")
            counselor.send(panel, "Hej Vilma, hvad holder dig vågen?")

            live = floor.live_item("Vilma")
            expect(live).to_contain_text("Rådgiver: Jonas Poulsen")
            expect(live).to_contain_text("Aarhus")
            reader = floor.read("Vilma")
            expect(reader).to_contain_text(DANISH.audit)
            expect(messages(reader, "Jeg kan ikke sove om natten")).to_have_count(1, timeout=LIVE)
            expect(messages(reader, "Hej Vilma, hvad holder dig vågen?")).to_have_count(1)
            expect(reader.get_by_role("textbox")).to_have_count(0)  # reading only

            young.send("Er du der stadig?")
            expect(messages(reader, "Er du der stadig?")).to_have_count(1, timeout=LIVE)
            counselor.send(panel, "Ja, jeg er her.")
            expect(messages(reader, "Ja, jeg er her.")).to_have_count(1, timeout=LIVE)

            choice = live.get_by_label(DANISH.reassign_to, exact=True)
            freja = choice.locator("option", has_text="Freja Nielsen")
            expect(freja).to_have_count(1, timeout=LIVE)
            expect(choice.locator("option", has_text="Jonas Poulsen")).to_have_count(0)  # has it already
            choice.select_option(label=freja.inner_text())
            live.get_by_role("button", name=re.compile(f"^{DANISH.reassign} ")).click()

            expect(live).to_contain_text("Rådgiver: Freja Nielsen", timeout=LIVE)
            expect(page_status(floor.page, "Samtalen med Vilma er nu hos Freja Nielsen.")).to_be_visible()
            expect(reader).to_contain_text("rådgiver: Freja Nielsen")
            moved = colleague.panel("Vilma")
            expect(colleague.messages(moved, "Er du der stadig?")).to_have_count(1)
            young.send("Hej Freja")
            expect(messages(reader, "Hej Freja")).to_have_count(1, timeout=LIVE)
    finally:
        colleague.end_everything_and_leave()


def page_status(page: Page, text: str) -> Locator:
    return page.get_by_role("status").filter(has_text=text)


@pytest.mark.parametrize("words", [DANISH, ENGLISH], ids=["da", "en"])
def test_the_floor_with_people_and_an_alert_on_it_has_no_wcag_21_aa_violations_on_a_desk_and_a_phone(
    contexts: Contexts, counselor_state: Any, supervisor_state: Any, words: Words
) -> None:
    floor = open_floor(contexts, supervisor_state)
    if words is ENGLISH:
        floor.in_english()

    with counselor_on_shift(contexts, counselor_state) as counselor:
        talking = YoungPerson(contexts.new().new_page()).open()
        waiting = YoungPerson(contexts.new().new_page()).open()
        try:
            talking.start_chat(municipality="Aarhus", nickname="Nanna")
            talking.send("Hej, jeg vil gerne snakke")
            counselor.take_next("Nanna")
            waiting.start_chat(municipality=None, nickname="Otto")
            waiting.send(CRITICAL)

            expect(floor.alert_banner()).to_be_visible(timeout=LIVE)
            expect(floor.waiting().first).to_contain_text("Otto", timeout=LIVE)
            reader = floor.read("Nanna")
            expect(messages(reader, "Hej, jeg vil gerne snakke")).to_have_count(1, timeout=LIVE)
            expect(reader).to_contain_text(words.audit)
            assert_no_axe_violations(floor.page)

            floor.page.set_viewport_size(ViewportSize(width=PHONE["width"], height=PHONE["height"]))
            width = floor.page.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"], f"the floor scrolls sideways: {width} px wide at {PHONE['width']}"
            assert_no_axe_violations(floor.page)
        finally:
            leave(talking, waiting)


def test_a_counselor_without_the_supervisor_role_is_refused_the_floor(
    contexts: Contexts, counselor_state: Any, server: str
) -> None:
    counselor = contexts.new(storage_state=counselor_state)

    response = counselor.request.get(f"{server}console/floor/", max_redirects=0)

    assert response.status == 403
    assert "floor.js" not in response.text()


class StandInFloorSocket:
    """Plays the server's side of /ws/floor/ in the browser, so the test chooses every frame: a
    letter about to wait too long, markup where text belongs, a socket that drops."""

    def __init__(self, page: Page) -> None:
        self.connections: list[WebSocketRoute] = []
        self.received: list[dict[str, Any]] = []
        self.history: list[dict[str, Any]] = []
        page.route_web_socket(re.compile(r"/ws/floor/$"), self._connect)

    def _connect(self, socket: WebSocketRoute) -> None:
        self.connections.append(socket)
        socket.on_message(lambda message: self._receive(socket, message))
        socket.send(json.dumps({"type": "shift", "on": False, "capacity": 3}))
        socket.send(json.dumps(stand_in_floor()))

    def _receive(self, socket: WebSocketRoute, message: str | bytes) -> None:
        frame = json.loads(message)
        self.received.append(frame)
        if frame.get("type") == "watch" and frame.get("conversation") == LIVE_ID:
            socket.send(json.dumps({"type": "watched", **STAND_IN_LIVE, "history": self.history, "notes": []}))
        elif frame.get("type") == "watch" and frame.get("conversation") == OTHER_LIVE["conversation"]:
            note = {"body": "Taler om skolen.", "author": "Mikkel Lund", "at": datetime.now(UTC).isoformat()}
            socket.send(json.dumps({"type": "watched", **OTHER_LIVE, "history": [], "notes": [note]}))
        elif frame.get("type") == "floor":
            socket.send(json.dumps(stand_in_floor()))

    def send(self, frame: dict[str, Any]) -> None:
        self.connections[-1].send(json.dumps(frame))

    def sent(self, kind: str) -> list[dict[str, Any]]:
        return [frame for frame in self.received if frame.get("type") == kind]


LONG_WAIT_S = 600
LIVE_ID = "3f7c2d1e-0000-4000-8000-000000000003"
MARKUP = '<img src="/x" data-evil="1"><script>window.samraadRan = 1</script>'
STAND_IN_LIVE: dict[str, Any] = {
    "conversation": LIVE_ID,
    "kind": "chat",
    "state": "active",
    "municipality": "Ringkøbing-Skjern",
    "municipality_code": "0760",
    "topic": "feelings",
    "nickname": "<b>Fed</b>",
    "triage_level": "elevated",
    "counselor": "Mikkel Lund",
    "counselor_id": 7,
}

OTHER_LIVE: dict[str, Any] = {
    **STAND_IN_LIVE,
    "conversation": "3f7c2d1e-0000-4000-8000-000000000004",
    "nickname": "Kim",
    "triage_level": "normal",
}


def stand_in_floor() -> dict[str, Any]:
    now = datetime.now(UTC)

    def ago(seconds: int) -> str:
        return (now - timedelta(seconds=seconds)).isoformat()

    waiting = [
        {
            "conversation": "3f7c2d1e-0000-4000-8000-000000000001",
            "kind": "chat",
            "state": "waiting",
            "municipality": None,
            "municipality_code": None,
            "topic": None,
            "nickname": None,
            "triage_level": "elevated",
            "queued_at": ago(20),
            "waiting_s": 20,
            "long": False,
        },
        {
            "conversation": "3f7c2d1e-0000-4000-8000-000000000002",
            "kind": "letter",
            "state": "waiting",
            "municipality": "Aarhus",
            "municipality_code": "0751",
            "topic": "school",
            "nickname": "Brevduen",
            "triage_level": "normal",
            "queued_at": ago(LONG_WAIT_S - 2),
            "waiting_s": LONG_WAIT_S - 2,
            "long": False,
        },
    ]
    counselor = {"id": 7, "name": "Mikkel Lund", "organisation": "Samraad", "load": 1, "capacity": 1}
    return {
        "type": "floor",
        "waiting": waiting,
        "counselors": [{**counselor, "connected": False}],
        "live": [
            {**STAND_IN_LIVE, "queued_at": ago(200), "assigned_at": ago(65)},
            {**OTHER_LIVE, "queued_at": ago(100), "assigned_at": ago(50)},
        ],
        "long_wait_s": LONG_WAIT_S,
    }


def test_with_frames_it_chooses_the_floor_marks_letters_and_long_waits_keeps_markup_as_text_and_reconnects(
    contexts: Contexts, supervisor_state: Any
) -> None:
    page = contexts.new(viewport=PHONE, storage_state=supervisor_state).new_page()
    server = StandInFloorSocket(page)
    server.history = [
        {
            "type": "msg",
            "seq": 1,
            "sender": "young",
            "body": MARKUP,
            "at": datetime.now(UTC).isoformat(),
            "client_id": "y-1",
            "triage": {"level": "elevated", "reasons": ["selvmordstanker"]},
        },
    ]
    floor = Floor(page).open()

    waiting = floor.waiting()
    expect(waiting).to_have_count(2)
    anonymous, letter = waiting.nth(0), waiting.nth(1)
    expect(anonymous).to_contain_text("Anonym")
    expect(anonymous).to_contain_text("Forhøjet risiko")
    expect(anonymous).to_contain_text("nr. 1 i køen")
    expect(
        floor.section(DANISH.waiting).get_by_role("heading", name=re.compile("^Kommune ikke oplyst"))
    ).to_be_visible()
    expect(letter).to_contain_text("Brev")
    expect(letter).to_contain_text("Brevduen")
    expect(letter).to_contain_text("Skole og arbejde")
    expect(letter).not_to_contain_text("i køen")  # a letter has no place in the chat queue
    expect(floor.page.locator("#floor-long-rule")).to_have_text("Ventetid over 10 min. markeres som “lang ventetid”.")
    expect(letter.get_by_text("Lang ventetid")).to_be_hidden()
    expect(letter.get_by_text("Lang ventetid")).to_be_visible(timeout=5_000)  # its wait crossed the line
    expect(anonymous.get_by_text("Lang ventetid")).to_be_hidden()
    expect(floor.section(DANISH.waiting).get_by_role("status")).to_contain_text("Lang ventetid: 1.")

    mikkel = floor.section(DANISH.counselors).get_by_role("listitem")
    expect(mikkel).to_have_count(1)
    expect(mikkel).to_contain_text("Samtaler: 1 af 1")
    expect(mikkel).to_contain_text("Fuld")
    expect(mikkel).to_contain_text("Konsol ikke forbundet")

    live = floor.live_item("<b>Fed</b>")  # a nickname is text, never markup
    expect(live).to_contain_text("Siden")
    choice = live.get_by_label(DANISH.reassign_to, exact=True)
    expect(choice.locator("option")).to_have_count(1)  # nobody but the holder is on shift
    live.get_by_role("button", name=re.compile(f"^{DANISH.reassign} ")).click()
    expect(page_status(page, "Vælg en rådgiver først.")).to_be_visible()
    assert server.sent("transfer") == []

    reader = floor.read("<b>Fed</b>")
    expect(messages(reader, MARKUP)).to_have_count(1)
    expect(reader).to_contain_text("selvmordstanker")
    server.send(
        {
            "type": "msg",
            "seq": 2,
            "sender": "counselor",
            "body": "Jeg er her.",
            "at": datetime.now(UTC).isoformat(),
            "client_id": "c-1",
        }
    )
    expect(messages(reader, "Jeg er her.")).to_have_count(1)
    assert page.locator("[data-evil]").count() == 0
    assert page.evaluate("window.samraadRan") is None

    server.send(
        {
            "type": "alert",
            "conversation": LIVE_ID,
            "seq": 3,
            "level": "critical",
            "reasons": ["selvmord: plan, middel eller tidspunkt nævnt"],
            "state": "active",
            "municipality": "Ringkøbing-Skjern",
            "counselor_id": 7,
        }
    )
    banner = floor.alert_banner()
    expect(banner).to_contain_text("Kritisk risiko: Ringkøbing-Skjern")
    expect(banner).to_contain_text("<b>Fed</b> taler med Mikkel Lund.")
    expect(banner.get_by_role("button", name="Læs samtalen", exact=True)).to_be_visible()

    server.history.append(
        {
            "type": "msg",
            "seq": 2,
            "sender": "counselor",
            "body": "Jeg er her.",
            "at": datetime.now(UTC).isoformat(),
            "client_id": "c-1",
        }
    )
    server.connections[-1].close(code=1011, reason="worker restarted")
    expect(page.locator("#floor-connection")).to_have_text("Forbindelsen er tabt. Forbinder igen …")
    expect(page.locator("#floor-connection")).to_have_text(DANISH.connected, timeout=LIVE)
    assert len(server.connections) == 2
    page.wait_for_function("document.querySelectorAll('#floor-reader-log li').length === 2")
    assert [frame["conversation"] for frame in server.sent("watch")] == [LIVE_ID, LIVE_ID]  # it reads on

    # Reading another one: a fresh socket, so the first conversation's frames stop coming.
    reader = floor.read("Kim")
    expect(reader).to_contain_text("Taler om skolen.")
    expect(reader).to_contain_text("Ingen beskeder endnu.")
    expect(page.locator("#floor-connection")).to_have_text(DANISH.connected, timeout=LIVE)
    assert len(server.connections) == 3
    assert server.sent("watch")[-1]["conversation"] == OTHER_LIVE["conversation"]
    assert server.sent("shift") == []
    assert_no_axe_violations(page)
