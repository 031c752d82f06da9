"""Bad input tried, nothing broken (issue #7): Hypothesis throws generated frames at the young
person's socket (before and after hello), the console and the floor, through the whole ASGI
application and a real database.

Every frame must be answered by documented frames only (an `error` with a documented code, or a
documented close code after the error that names it), never by an exception. After each frame a
valid probe frame must still be answered where the close code says the socket lives on, a closed
socket must answer nothing more, and a refused frame must not have written a row.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.conf import settings as django_settings
from django.db import connections
from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st

from samraad.accounts.models import User
from samraad.audit.models import AuditEntry
from samraad.counseling import actions
from samraad.counseling.models import Block, Conversation, Message, Note, Offer
from samraad.counseling.tests.conftest import (
    Socket,
    console_socket,
    floor_socket,
    open_chat,
    socket_db,
    waiting_chat,
    young_socket,
)

pytestmark = socket_db

PROTOCOL = (Path(django_settings.BASE_DIR) / "docs" / "protocol.md").read_text()


def _documented_error_codes() -> set[str]:
    """The codes docs/protocol.md names: its table of errors and every `error <code>` in the text."""
    section = PROTOCOL.split("## Errors and close codes", 1)[1].split("\n## ", 1)[0]
    codes = set()
    for row in section.splitlines():
        if row.startswith("| `"):
            codes.update(re.findall(r"`([a-z_]+)`", row.split("|")[1]))
    codes.update(re.findall(r"`error ([a-z_]+)`", PROTOCOL))
    return codes


ERROR_CODES = _documented_error_codes()
CLOSE_CODES = {int(code) for code in re.findall(r"\b(1009|4\d{3})\b", PROTOCOL)}
# Which error frame announces which close; a close without its error frame is undocumented.
CLOSE_AFTER = {"too_large": 1009, "hello_first": 4401, "bad_token": 4401, "blocked": 4403, "flood": 4429}
# Before hello every refusal closes the young person's socket: 4401 unless it has a close of its own.
CLOSE_BEFORE_HELLO = {code: 4401 for code in ERROR_CODES} | CLOSE_AFTER

YOUNG_SENDS = {"welcome", "msg", "ack", "queue", "state", "typing", "read", "rated", "error"}
CONSOLE_SENDS = {
    *("shift", "assigned", "released", "msg", "state", "typing", "read", "note", "queue", "ack", "topic"),
    *("transferred", "triage", "error", "alert", "offer", "offer_withdrawn"),
}
FLOOR_SENDS = {"floor", "watched", "msg", "state", "typing", "read", "transferred", "alert", "error"}
ALL_TYPES = sorted(
    {"hello", "msg", "typing", "read", "end", "rate", "shift", "take", "transfer", "note", "topic", "block"}
    | {"accept", "decline", "floor", "watch", "unwatch"}
)


def test_the_protocol_document_names_the_codes_this_file_checks_against():
    assert {"bad_json", "bad_frame", "unknown_type", "too_large", "hello_first", "flood", "not_found"} <= ERROR_CODES
    assert {"bad_topic", "offer_gone", "hello_timeout"} <= ERROR_CODES  # in the sockets' own table
    assert {1009, 4401, 4403, 4408, 4429} <= CLOSE_CODES


# --- strategies ------------------------------------------------------------------------------------
PLANES = [chr(plane * 0x10000 + offset) for plane in range(17) for offset in (0x41, 0xFFFD, 0xFFFE, 0xFFFF)]
CONTROLS = [chr(c) for c in (*range(0x20), 0x7F, *range(0x80, 0xA0), 0x2028, 0x2029, 0x202E, 0xFEFF)]
SURROGATES = ["\ud800", "\udbff", "\udc00", "\udfff"]

# Lone surrogates included: a JSON escape (`"\ud800"`) carries them into a Python string.
any_character = st.one_of(
    st.characters(exclude_categories=()), st.sampled_from(PLANES), st.sampled_from(CONTROLS + SURROGATES)
)
any_text = st.text(any_character, max_size=40)
odd_numbers = st.sampled_from([2**31, 2**63, 2**64, -(2**63) - 1, 10**40, -1, 0, 1.5, 1e308, float("inf")])
scalars = st.one_of(st.none(), st.booleans(), st.integers(), odd_numbers, st.floats(), any_text, st.uuids().map(str))
json_values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(any_text, inner, max_size=4), max_leaves=12
)


class Fuzz:
    """One frame as it goes over the wire: text (possibly not JSON at all) or bytes."""

    def __init__(self, text: str | None = None, data: bytes | None = None) -> None:
        self.text, self.data = text, data

    def __repr__(self) -> str:  # Hypothesis prints this for a failing example: keep it readable.
        payload = self.text if self.text is not None else self.data
        assert payload is not None
        cut = "…" if len(payload) > 300 else ""
        return f"Fuzz({payload[:300]!r}{cut}, {len(payload)} long)"


def as_text(value: Any, ascii_only: bool) -> Fuzz:
    # ensure_ascii=False puts raw characters on the wire; True escapes them (surrogates as \\udxxx).
    return Fuzz(text=json.dumps(value, ensure_ascii=ascii_only))


@st.composite
def mutated(draw: st.DrawFn, templates: list[dict[str, Any]]) -> dict[str, Any]:
    """A documented frame with at least one field dropped, added or given a wrong value."""
    frame = dict(draw(st.sampled_from(templates)))
    for _ in range(draw(st.integers(1, 3))):
        how = draw(st.sampled_from(["drop", "add", "replace", "replace"]))
        if how == "drop" and frame:
            frame.pop(draw(st.sampled_from(sorted(frame))))
        elif how == "add" or not frame:
            frame[draw(st.sampled_from(["extra", "type", "seq", "body"]) | any_text)] = draw(json_values)
        else:
            frame[draw(st.sampled_from(sorted(frame)))] = draw(json_values)
    return frame


@st.composite
def edged(draw: st.DrawFn, templates: list[dict[str, Any]]) -> dict[str, Any]:
    """A documented frame with one value swapped for an odd one of the same JSON type, so it gets
    past the shape check to the range checks and, now and then, to the action itself."""
    frame = dict(draw(st.sampled_from([t for t in templates if len(t) > 1])))
    name = draw(st.sampled_from(sorted(set(frame) - {"type"})))
    if isinstance(frame[name], bool):
        frame[name] = draw(st.booleans())
    elif isinstance(frame[name], int):
        frame[name] = draw(st.integers() | odd_numbers.filter(lambda n: isinstance(n, int)))
    else:
        frame[name] = draw(any_text | st.uuids().map(str) | st.text(any_character, min_size=1000, max_size=5000))
    return frame


def huge_frames() -> st.SearchStrategy[Fuzz]:
    limit_bytes, limit_chars = django_settings.SAMRAAD_CHAT_MAX_FRAME_BYTES, django_settings.SAMRAAD_CHAT_MAX_BODY_CHARS
    around = st.sampled_from([limit_chars, limit_chars + 1, limit_bytes - 60, limit_bytes + 1, 3 * limit_bytes])
    bodies = st.builds(lambda character, size: character * size, any_character, around | st.integers(0, 20_000))
    return st.one_of(
        bodies.map(lambda body: Fuzz(text=json.dumps({"type": "msg", "client_id": "big", "body": body}))),
        bodies.map(lambda body: Fuzz(text=json.dumps({"type": "typing", body[:5000]: 1}))),
        st.integers(0, 5000).map(lambda n: Fuzz(text=json.dumps({"type": "read", "seq": list(range(n))}))),
        around.map(lambda n: Fuzz(text=" " * n + '{"type": "typing"}')),
    )


def deep_frames() -> st.SearchStrategy[Fuzz]:
    depths = st.sampled_from([998, 999, 1000, 1001, 3000, 8000, 10_000]) | st.integers(1, 12_000)
    opener = st.sampled_from([("[", "]"), ('{"a":', "}"), ('{"type":', "}")])

    def nested(pair: tuple[str, str], depth: int, inside_a_frame: bool) -> Fuzz:
        value = pair[0] * depth + "0" + pair[1] * depth
        return Fuzz(text='{"type": "msg", "client_id": "deep", "body": ' + value + "}" if inside_a_frame else value)

    return st.builds(nested, opener, depths, st.booleans())


NOT_JSON = [
    "",
    " ",
    "not json",
    "{",
    "}",
    "{'type': 'typing'}",
    "NaN",
    "Infinity",
    "null",
    '"typing"',
    "\ufeff{}",
    '{"type": "typing"}garbage',
    '{"type": "typing"}{"type": "typing"}',
    '{"type": "typing", "type": 5}',
    "1" * 5000,
    '{"type": "read", "seq": ' + "9" * 4400 + "}",
]


def frames(templates: list[dict[str, Any]]) -> st.SearchStrategy[Fuzz]:
    """Every kind of bad frame the issue names, and now and then a valid one."""
    typed = st.fixed_dictionaries({"type": st.sampled_from(ALL_TYPES) | any_text}).flatmap(
        lambda head: st.dictionaries(any_text, json_values, max_size=4).map(lambda rest: {**rest, **head})
    )
    return st.one_of(
        st.builds(as_text, json_values, st.booleans()),
        st.builds(as_text, typed, st.booleans()),
        st.builds(as_text, mutated(templates), st.booleans()),
        st.builds(as_text, edged(templates), st.booleans()),
        # Valid frames too, but none that ends the conversation the probes write into.
        st.builds(as_text, st.sampled_from([t for t in templates if t["type"] not in ("end", "block")]), st.just(True)),
        huge_frames(),
        deep_frames(),
        st.sampled_from(NOT_JSON).map(lambda text: Fuzz(text=text)),
        st.text(any_character, max_size=200).map(lambda text: Fuzz(text=text)),
        st.binary(max_size=300).map(lambda data: Fuzz(data=data)),
    )


def fuzz_settings(examples: int) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
    )


# --- the world the frames are thrown at ----------------------------------------------------------
def rows() -> dict[str, Any]:
    """Everything a frame could write; probe messages (client ids `probe-…`) are left out."""
    return {
        "conversations": list(
            Conversation.objects.order_by("id").values_list(
                "id",
                "state",
                "kind",
                "topic",
                "nickname",
                "rating",
                "rating_comment",
                "counselor_id",
                "young_read_seq",
                "counselor_read_seq",
                "triage_level",
                "blocked_until",
                "ended_at",
                "token_hash",
            )
        ),  # fmt: skip
        "messages": Message.objects.exclude(client_id__startswith="probe-").count(),
        "notes": Note.objects.count(),
        "blocks": Block.objects.count(),
        "offers": Offer.objects.count(),
        "audit": AuditEntry.objects.count(),
    }


@dataclass
class Answer:
    frames: list[dict[str, Any]] = field(default_factory=list)
    closed: int | None = None
    probe: dict[str, Any] | None = None

    @property
    def refused(self) -> bool:
        return any(frame["type"] == "error" for frame in self.frames)


@dataclass
class Target:
    """One socket kind: how to (re)open it, which frames it documents and which probe it answers."""

    open_socket: Callable[[], Awaitable[Socket]]
    sends: set[str]
    probe: Callable[[int], dict[str, Any]]
    is_probe_answer: Callable[[dict[str, Any], int], bool]
    fresh_each_time: bool = False
    repair: Callable[[], None] = lambda: None
    close_after: dict[str, int] = field(default_factory=lambda: CLOSE_AFTER)
    socket: Socket | None = None
    probes: int = 0

    async def throw(self, fuzz: Fuzz) -> Answer:
        if self.fresh_each_time:
            await self.close()
        if self.socket is None:
            self.socket = await self.open_socket()
        self.probes += 1
        number = self.probes
        try:
            # The ASGI message itself: the communicator's send_to() refuses an empty frame.
            key = "bytes" if fuzz.data is not None else "text"
            await self.socket.communicator.send_input({"type": "websocket.receive", key: fuzz.data or fuzz.text})
            await self.socket.send(self.probe(number))
            answer = await self._answers(number)
            if answer.closed is not None:
                # The probe sent behind the frame that closed the socket is not handled.
                assert await self.socket.nothing(timeout=0.1), "answered after its close"
        except BaseException:
            # A crashed or silent socket is useless for the next example (Hypothesis shrinks on).
            self.socket = None
            raise
        if answer.closed is not None:
            await self.socket.close()
            self.socket = None
        return answer

    async def _answers(self, number: int) -> Answer:
        assert self.socket is not None
        answer = Answer()
        while True:
            output = await self.socket.receive_output(timeout=5)
            if output["type"] == "websocket.close":
                code = output.get("code", 1000)
                assert code in CLOSE_CODES, output
                announced = {
                    self.close_after.get(frame.get("code")) for frame in answer.frames if frame["type"] == "error"
                }
                assert code in announced, f"close {code} without the error frame that names it: {answer.frames}"
                answer.closed = code
                return answer
            assert output["type"] == "websocket.send", output
            assert output.get("bytes") is None, "the server answers in text frames only"
            text = output["text"]
            text.encode("utf-8")  # a real server must send it as UTF-8: no lone surrogates
            frame = json.loads(text)
            assert isinstance(frame, dict) and frame.get("type") in self.sends, frame
            if frame["type"] == "error":
                assert frame["code"] in ERROR_CODES, frame
                assert isinstance(frame["detail"], str) and 0 < len(frame["detail"]) <= 300, frame
            if self.is_probe_answer(frame, number):
                answer.probe = frame
                return answer
            answer.frames.append(frame)

    async def close(self) -> None:
        if self.socket is not None:
            await self.socket.close()
            self.socket = None


def acked_or_named(frame: dict[str, Any], number: int) -> bool:
    """A probe message's answer: its ack, or a refusal that names it (e.g. `ended`)."""
    return frame["type"] in ("ack", "error") and frame.get("client_id") == f"probe-{number}"


def throw(target: Target, fuzz: Fuzz, runner: asyncio.Runner, server_errors: list[str]) -> None:
    """Throws one frame and checks what came back; `runner` keeps one event loop, so a socket
    outlives an example."""
    note(repr(fuzz))
    before = rows()
    answer = runner.run(target.throw(fuzz))
    after = rows()
    event("answered " + (" ".join(sorted({f.get("code", f["type"]) for f in answer.frames})) or "nothing"))
    event(f"closed {answer.closed}")

    if answer.refused:
        assert after == before, "a refused frame wrote a row"
    if answer.closed is None:
        assert answer.probe is not None  # the socket lived on and answered a valid frame
    assert server_errors == []
    target.repair()


class _ErrorRecords(logging.Handler):
    """Collects what would be an unhandled exception in the server's log."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(self.format(record))


@pytest.fixture
def server_errors():
    handler = _ErrorRecords()
    logging.getLogger().addHandler(handler)
    yield handler.records
    logging.getLogger().removeHandler(handler)


@pytest.fixture
def unthrottled(settings):
    # The per-connection frame rate is tested on its own; here every frame must reach the parser.
    settings.SAMRAAD_CHAT_FRAMES_PER_SECOND = 1_000_000
    settings.SAMRAAD_CHAT_FRAME_BURST = 1_000_000


@pytest.fixture
def runner():
    with asyncio.Runner() as loop:
        yield loop
        loop.run(database_sync_to_async(connections.close_all)())


def young_templates(token: str) -> list[dict[str, Any]]:
    return [
        {"type": "hello", "token": token, "last_seq": 0},
        {"type": "msg", "client_id": "c-1", "body": "hej"},
        {"type": "typing"},
        {"type": "read", "seq": 1},
        {"type": "end"},
        {"type": "rate", "rating": 3, "comment": "tak"},
    ]


def staff_templates(conversation: str, colleague: int) -> list[dict[str, Any]]:
    return [
        {"type": "shift", "on": True},
        {"type": "take"},
        {"type": "take", "conversation": conversation},
        {"type": "msg", "conversation": conversation, "client_id": "k-1", "body": "hej"},
        {"type": "typing", "conversation": conversation},
        {"type": "read", "conversation": conversation, "seq": 1},
        {"type": "end", "conversation": conversation},
        {"type": "transfer", "conversation": conversation, "to": colleague},
        {"type": "note", "conversation": conversation, "body": "notat"},
        {"type": "topic", "conversation": conversation, "topic": "school"},
        {"type": "block", "conversation": conversation, "minutes": 5, "reason": "spam"},
        {"type": "accept", "conversation": conversation},
        {"type": "decline", "conversation": conversation},
        {"type": "floor"},
        {"type": "watch", "conversation": conversation},
        {"type": "unwatch", "conversation": conversation},
    ]


def active_chat(counselor: User) -> str:
    """A chat the counselor holds, with one message each way."""
    opened = waiting_chat(municipality_code="0751", topic=None, nickname="Mo")
    actions.do_set_shift(counselor, on=True)
    actions.do_take(counselor)
    actions.do_post_message(opened.conversation.id, sender="young", author=None, client_id="y-1", body="hej")
    return str(opened.conversation.id)


def put_back(conversation: str, **state: Any) -> Callable[[], None]:
    """A valid frame that slipped through (a mutated `end` or `block` that happened to fit) may
    end the conversation; putting it back keeps later frames reaching a live one."""
    fields = {"ended_at": None, "blocked_until": None, **state}

    def repair() -> None:
        Conversation.objects.filter(pk=conversation).update(**fields)

    return repair


# --- the tests -------------------------------------------------------------------------------------
def test_any_first_frame_on_the_young_socket_is_answered_as_documented(runner, unthrottled, server_errors):
    opened = runner.run(open_chat())

    async def fresh() -> Socket:
        socket = Socket("/ws/chat/")
        connected, _ = await socket.connect()
        assert connected
        return socket

    # The probe is the real hello: welcomed behind a valid first hello, ignored on a socket that a
    # refused first frame has closed.
    target = Target(
        open_socket=fresh,
        sends=YOUNG_SENDS,
        probe=lambda number: {"type": "hello", "token": opened.token, "last_seq": 0},
        is_probe_answer=lambda frame, number: frame["type"] == "welcome",
        fresh_each_time=True,  # before hello, every example needs a new socket
        close_after=CLOSE_BEFORE_HELLO,
    )

    @fuzz_settings(60)
    @given(fuzz=frames(young_templates(opened.token)))
    def first_frames(fuzz: Fuzz) -> None:
        throw(target, fuzz, runner, server_errors)

    try:
        first_frames()
    finally:
        runner.run(target.close())


def test_any_frame_after_hello_is_answered_as_documented(runner, unthrottled, server_errors):
    opened = runner.run(open_chat())
    target = Target(
        open_socket=lambda: young_socket(opened.token),
        sends=YOUNG_SENDS,
        probe=lambda number: {"type": "msg", "client_id": f"probe-{number}", "body": "stadig her"},
        is_probe_answer=acked_or_named,
        repair=put_back(str(opened.conversation.id), state=Conversation.State.WAITING),
    )

    @fuzz_settings(150)
    @given(fuzz=frames(young_templates(opened.token)))
    def frames_after_hello(fuzz: Fuzz) -> None:
        throw(target, fuzz, runner, server_errors)

    try:
        frames_after_hello()
    finally:
        runner.run(target.close())


def test_any_frame_on_the_console_is_answered_as_documented(
    runner, unthrottled, server_errors, counselor_aarhus, supervisor
):
    conversation = active_chat(counselor_aarhus)
    target = Target(
        open_socket=lambda: console_socket(counselor_aarhus),
        sends=CONSOLE_SENDS,
        probe=lambda number: {
            "type": "msg",
            "conversation": conversation,
            "client_id": f"probe-{number}",
            "body": "stadig her",
        },
        is_probe_answer=acked_or_named,
        repair=put_back(conversation, state=Conversation.State.ACTIVE, counselor=counselor_aarhus),
    )

    @fuzz_settings(150)
    @given(fuzz=frames(staff_templates(conversation, supervisor.pk)))
    def console_frames(fuzz: Fuzz) -> None:
        throw(target, fuzz, runner, server_errors)

    try:
        console_frames()
    finally:
        runner.run(target.close())


def test_any_frame_on_the_floor_is_answered_as_documented(
    runner, unthrottled, server_errors, counselor_aarhus, supervisor
):
    conversation = active_chat(counselor_aarhus)
    nowhere = str(uuid.uuid4())

    async def floor() -> Socket:
        socket = await floor_socket(supervisor)
        await socket.receive_until("floor")
        return socket

    # The probe watches a conversation that does not exist: a valid frame that reaches the action
    # and is answered with an error naming it, without writing to the audit log.
    target = Target(
        open_socket=floor,
        sends=FLOOR_SENDS,
        probe=lambda number: {"type": "watch", "conversation": nowhere},
        is_probe_answer=lambda frame, number: frame.get("conversation") == nowhere and frame["type"] == "error",
        repair=put_back(conversation, state=Conversation.State.ACTIVE, counselor=counselor_aarhus),
    )

    @fuzz_settings(100)
    @given(fuzz=frames(staff_templates(conversation, counselor_aarhus.pk)))
    def floor_frames(fuzz: Fuzz) -> None:
        throw(target, fuzz, runner, server_errors)

    try:
        floor_frames()
    finally:
        runner.run(target.close())


# --- text that reaches the database ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("comment", "stored"),
    [
        ("ok \x00 nul", False),
        ("halv \ud800 surrogat", False),
        ("\udfff", False),
        ("".join(PLANES), True),
        ("".join(CONTROLS[1:]), True),
    ],
)
async def test_a_rating_comment_is_stored_intact_or_refused_before_the_database(comment, stored):
    opened = await open_chat()
    await Conversation.objects.filter(pk=opened.conversation.id).aupdate(state=Conversation.State.ENDED)
    socket = await young_socket(opened.token)

    await socket.send(json.dumps({"type": "rate", "rating": 4, "comment": comment}))
    answer = await socket.receive()

    conversation = await Conversation.objects.aget(pk=opened.conversation.id)
    if stored:
        assert answer == {"type": "rated", "rating": 4}
        assert conversation.rating_comment == comment.strip()
    else:
        assert answer.get("code") == "bad_frame", answer
        assert conversation.rating is None
    await socket.close()
