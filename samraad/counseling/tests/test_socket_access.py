"""Every socket route and every frame type the server parses, as every kind of visitor: anonymous,
a young person whose token names another conversation than the one at stake, signed in with the
password but not the second factor, and each role of Aarhus and of København.

The conversation at stake is an active chat of Aarhus, held by an Aarhus counselor; its young
person is connected throughout and must hear nothing of what the others send. Routes come from
`samraad.routing` and frame types from the parsers in `samraad.counseling.frames`, so a new route
or frame type without a row in `FRAMES` fails `test_every_socket_route_and_frame_type_has_a_row`.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.test import Client

from conftest import make_staff, sign_in
from samraad.accounts.models import Organisation, Role, User
from samraad.counseling import actions, frames
from samraad.counseling.models import Block, Conversation, Message, Note
from samraad.counseling.tests.conftest import Socket, open_chat, socket_db, young_socket
from samraad.routing import websocket_routes

pytestmark = socket_db

ROLES = [role.value for role in Role]
PERSONAS = ["anonymous", "young", "password-only"] + [
    f"{role}@{town}" for town in ("aarhus", "koebenhavn") for role in ROLES
]
AT_STAKE = "{conversation}"  # the held conversation; asked again with an id that names nothing

# --- the table ---------------------------------------------------------------------------------
# (socket, what is sent) -> (the frame, the answers). Answers in columns: anonymous, young,
# password-only | the seven roles of Aarhus | of København, roles in the order counselor,
# supervisor, coordinator, caseworker, drop-in staff, care staff, admin. A group of one answer
# means all seven; `same` repeats the Aarhus group.
#   open / 4403 / closed      the handshake: accepted, refused with that code, refused
#   ack, shift, state, …      the type of the frame that answers
#   not_yours, …              the code of the error frame that answers
#   hello_first>4401          an error frame, then the socket is closed with that code
#   -                         no answer at all
#   x                         the person cannot open this socket, so sends nothing
# Only the young person has a token (of their own conversation); everyone else says hello with a
# token that names nothing. Frames that name the conversation at stake are sent again naming one
# that does not exist: the answer must be the same (but see `SUPERVISORS_SEE_IT`).
CONSOLE_OPENS = "4403 4403 4403 | open open 4403 4403 4403 4403 4403 | same"
ON_THE_CONSOLE = "x x x | {a} {b} x x x x x | same"
ON_THE_FLOOR = "x x x | x {a} x x x x x | same"
NOBODY_ELSE = "hello_first>4401 {a} hello_first>4401 | hello_first>4401 | same"


def console(counselor: str, supervisor: str | None = None) -> str:
    return ON_THE_CONSOLE.format(a=counselor, b=supervisor or counselor)


FRAMES: dict[tuple[str, str], tuple[dict[str, Any] | None, str]] = {
    ("/ws/chat/", "connect"): (None, "open open open | open | same"),
    ("/ws/chat/", "hello"): (
        {"type": "hello", "token": "{token}", "last_seq": 0},
        "bad_token>4401 bad_frame bad_token>4401 | bad_token>4401 | same",  # hello is sent once
    ),
    ("/ws/chat/", "msg"): ({"type": "msg", "client_id": "c-1", "body": "hej"}, NOBODY_ELSE.format(a="ack")),
    ("/ws/chat/", "msg naming another conversation"): (
        {"type": "msg", "client_id": "c-2", "body": "hej", "conversation": AT_STAKE},
        "bad_frame>4401 bad_frame bad_frame>4401 | bad_frame>4401 | same",
    ),
    ("/ws/chat/", "typing"): ({"type": "typing"}, NOBODY_ELSE.format(a="-")),
    ("/ws/chat/", "read"): ({"type": "read", "seq": 1}, NOBODY_ELSE.format(a="read")),  # their own mark
    ("/ws/chat/", "rate"): ({"type": "rate", "rating": 5}, NOBODY_ELSE.format(a="not_ended")),
    ("/ws/chat/", "end"): ({"type": "end"}, NOBODY_ELSE.format(a="state")),  # ends their own
    ("/ws/console/", "connect"): (None, CONSOLE_OPENS),
    ("/ws/console/", "shift"): ({"type": "shift", "on": True}, console("shift")),
    ("/ws/console/", "take"): ({"type": "take", "conversation": AT_STAKE}, console("not_found")),
    ("/ws/console/", "msg"): (
        {"type": "msg", "conversation": AT_STAKE, "client_id": "c-1", "body": "hej"},
        console("not_yours"),
    ),
    ("/ws/console/", "typing"): ({"type": "typing", "conversation": AT_STAKE}, console("not_yours")),
    ("/ws/console/", "read"): ({"type": "read", "conversation": AT_STAKE, "seq": 1}, console("not_yours")),
    ("/ws/console/", "end"): ({"type": "end", "conversation": AT_STAKE}, console("not_yours")),
    # To the holder, who is no colleague to hand it to: a supervisor gets past "may I" to "to whom".
    # Another municipality's supervisor supervises only its own young people and counselors.
    ("/ws/console/", "transfer"): (
        {"type": "transfer", "conversation": AT_STAKE, "to": "{holder}"},
        "x x x | not_yours bad_colleague x x x x x | not_yours not_yours x x x x x",
    ),
    ("/ws/console/", "note"): ({"type": "note", "conversation": AT_STAKE, "body": "psst"}, console("not_yours")),
    ("/ws/console/", "topic"): ({"type": "topic", "conversation": AT_STAKE, "topic": "school"}, console("not_yours")),
    ("/ws/console/", "block"): ({"type": "block", "conversation": AT_STAKE, "minutes": 60}, console("not_yours")),
    # Only the holder, or a supervisor who supervises it, sets its level by hand; the level it has
    # already lets a supervisor get past "may I" to "to what", changing nothing.
    ("/ws/console/", "level"): (
        {"type": "level", "conversation": AT_STAKE, "level": "normal", "reason": "falsk alarm"},
        "x x x | not_yours same_level x x x x x | not_yours not_yours x x x x x",
    ),
    ("/ws/console/", "accept"): ({"type": "accept", "conversation": AT_STAKE}, console("offer_gone")),
    ("/ws/console/", "decline"): ({"type": "decline", "conversation": AT_STAKE}, console("-")),
    ("/ws/floor/", "connect"): (None, "4403 4403 4403 | 4403 open 4403 4403 4403 4403 4403 | same"),
    ("/ws/floor/", "floor"): ({"type": "floor"}, ON_THE_FLOOR.format(a="floor")),
    ("/ws/floor/", "watch"): (
        {"type": "watch", "conversation": AT_STAKE},
        "x x x | x watched x x x x x | x not_found x x x x x",
    ),
    ("/ws/floor/", "unwatch"): ({"type": "unwatch", "conversation": AT_STAKE}, ON_THE_FLOOR.format(a="-")),
    ("/ws/floor/", "transfer"): (
        {"type": "transfer", "conversation": AT_STAKE, "to": "{holder}"},
        "x x x | x bad_colleague x x x x x | x not_yours x x x x x",
    ),
    ("/ws/floor/", "level"): (
        {"type": "level", "conversation": AT_STAKE, "level": "normal", "reason": "falsk alarm"},
        "x x x | x same_level x x x x x | x not_yours x x x x x",
    ),
    ("/<anything else>", "connect"): (None, "closed closed closed | closed | same"),
}

PARSERS = {"/ws/chat/": frames._young, "/ws/console/": frames._console, "/ws/floor/": frames._floor}
# Aarhus's supervisor may read and reassign Aarhus's live conversations, so there may learn which
# exist; København's supervisor is answered as for one that does not.
SUPERVISORS = {"supervisor@aarhus"}
SUPERVISORS_SEE_IT = {
    ("/ws/console/", "transfer"),
    ("/ws/console/", "level"),
    ("/ws/floor/", "watch"),
    ("/ws/floor/", "transfer"),
    ("/ws/floor/", "level"),
}


def expected_answers(cells: str) -> dict[str, str]:
    """Reads one row's answers into {persona: answer}."""
    visitors, aarhus, koebenhavn = (group.split() for group in cells.split("|"))
    aarhus = aarhus * len(ROLES) if len(aarhus) == 1 else aarhus
    koebenhavn = aarhus if koebenhavn == ["same"] else koebenhavn
    koebenhavn = koebenhavn * len(ROLES) if len(koebenhavn) == 1 else koebenhavn
    assert len(visitors) == 3 and len(aarhus) == len(koebenhavn) == len(ROLES), cells
    return dict(zip(PERSONAS, visitors + aarhus + koebenhavn, strict=True))


def socket_routes() -> list[str]:
    return [*websocket_routes, "/<anything else>"]


def frame_types(socket: str) -> set[str]:
    return set(PARSERS[socket].json_schema()["discriminator"]["mapping"])


def test_every_socket_route_and_frame_type_has_a_row():
    routes = socket_routes()

    assert {socket for socket, sent in FRAMES if sent == "connect"} == set(routes)
    assert set(PARSERS) == set(routes) - {"/<anything else>"}
    for socket in PARSERS:
        rows = [frame["type"] for (at, _), (frame, _) in FRAMES.items() if at == socket and frame is not None]
        assert set(rows) == frame_types(socket), socket
    for _, cells in FRAMES.values():
        assert set(expected_answers(cells)) == set(PERSONAS)


# --- the people and the conversation at stake ---------------------------------------------------
def _people(aarhus: Organisation, koebenhavn: Organisation) -> dict[str, list[tuple[bytes, bytes]]]:
    """Each persona's request headers: a session cookie for those signed in."""
    headers: dict[str, list[tuple[bytes, bytes]]] = {"anonymous": [], "young": []}
    half = make_staff("half.aarhus", aarhus, *ROLES)
    sign_in(Client(), half)  # enrolled, so only the code is missing
    password_only = Client()
    password_only.force_login(half)
    headers["password-only"] = [(b"cookie", f"sessionid={password_only.cookies['sessionid'].value}".encode())]
    for persona in PERSONAS[3:]:
        role, town = persona.split("@")
        person = make_staff(f"{role}.{town}", aarhus if town == "aarhus" else koebenhavn, role)
        cookie = sign_in(Client(), person).cookies["sessionid"].value
        headers[persona] = [(b"cookie", f"sessionid={cookie}".encode())]
    return headers


def _held_by(holder: User, opened: actions.Opened) -> None:
    actions.do_set_shift(holder, on=True)
    assert actions.do_take(holder) == opened.conversation
    actions.do_set_shift(holder, on=False)  # no new chats come to them while the others try


def footprint(conversation_id: uuid.UUID) -> tuple[object, ...]:
    """Everything about the conversation that a frame could change."""
    conversation = Conversation.objects.get(pk=conversation_id)
    return (
        conversation.state,
        conversation.counselor_id,
        conversation.topic,
        conversation.last_seq,
        conversation.young_read_seq,
        conversation.counselor_read_seq,
        conversation.blocked_until,
        conversation.rating,
        Message.objects.filter(conversation_id=conversation_id).count(),
        Note.objects.filter(conversation_id=conversation_id).count(),
        Block.objects.filter(conversation_id=conversation_id).count(),
    )


@pytest.fixture
def fast_frames(settings) -> None:
    # The walk sends far more frames a second than a person types; the limits have their own tests.
    settings.SAMRAAD_CHAT_FRAMES_PER_SECOND = settings.SAMRAAD_CHAT_FRAME_BURST = 10_000
    settings.SAMRAAD_CHAT_CONNECTIONS_PER_MINUTE = 10_000


# --- the walk ----------------------------------------------------------------------------------
SENTINEL = json.dumps({"type": "sentinel"})


async def answer_to(socket: Socket, frame: dict[str, Any] | None, values: dict[str, str]) -> str:
    """Sends `frame` (with its placeholders filled) and returns what came back, as the table
    writes it. A frame nobody answers is told apart from a slow answer by a sentinel frame sent
    after it, which every socket answers with `unknown_type`."""
    if frame is not None:
        await socket.send(fill(frame, values))
    await socket.send(SENTINEL)
    said: list[str] = []
    while True:
        output = await socket.receive_output()
        if output["type"] == "websocket.close":
            said = [*said[:-1], (said[-1] if said else "") + f">{output['code']}"]
            break
        answer = json.loads(output["text"])
        if answer["type"] == "error" and "sentinel" in answer["detail"]:
            break
        if answer["type"] == "queue":  # a console on shift hears the queue; not an answer
            continue
        said.append(answer["code"] if answer["type"] == "error" else answer["type"])
    return " ".join(said) or "-"


async def full_answer(socket: Socket, frame: dict[str, Any], values: dict[str, str]) -> list[dict[str, Any]]:
    """Every frame that answers `frame`, with the conversation it named taken out."""
    await socket.send(fill(frame, values))
    await socket.send(SENTINEL)
    frames_back = []
    while True:
        answer = json.loads(await socket.communicator.receive_from())
        if answer["type"] == "error" and "sentinel" in answer["detail"]:
            return frames_back
        if answer["type"] != "queue":
            frames_back.append(
                {key: "…" if value == values["conversation"] else value for key, value in answer.items()}
            )


def fill(frame: dict[str, Any], values: dict[str, str]) -> dict[str, Any]:
    filled = {}
    for key, value in frame.items():
        if value == "{holder}":
            filled[key] = int(values["holder"])
        elif isinstance(value, str) and value.startswith("{") and value.endswith("}"):
            filled[key] = values[value[1:-1]]
        else:
            filled[key] = value
    return filled


async def walk(path: str, aarhus: Organisation, koebenhavn: Organisation) -> list[str]:
    """Walks every row of `path` as every persona; returns what differed from the table."""
    holder = await sync_to_async(make_staff)("holder.aarhus", aarhus, Role.COUNSELOR)
    at_stake = await open_chat("0751")
    await sync_to_async(_held_by)(holder, at_stake)
    own = await open_chat("0101")  # the young persona's conversation
    victim = await young_socket(at_stake.token)
    before = await sync_to_async(footprint)(at_stake.conversation.id)
    headers = await sync_to_async(_people)(aarhus, koebenhavn)
    values = {"conversation": str(at_stake.conversation.id), "holder": str(holder.pk), "token": "no-such-token"}
    missing = {**values, "conversation": str(uuid.UUID(int=0))}
    address = path.replace("<anything else>", "ws/nothing-here/")
    rows = [(sent, frame, expected_answers(cells)) for (at, sent), (frame, cells) in FRAMES.items() if at == path]
    wrong: list[str] = []

    for persona in PERSONAS:
        opens = rows[0][2][persona]
        socket = Socket(address, headers[persona])
        connected, code = await socket.connect()
        if (connected and opens != "open") or (not connected and opens not in (str(code), "closed")):
            wrong.append(f"{persona} {path}: expected {opens}, got {'open' if connected else code}")
            continue
        if not connected:
            continue
        if persona == "young":
            await socket.send({"type": "hello", "token": own.token, "last_seq": 0})
        if path != "/ws/chat/" or persona == "young":  # elsewhere on the chat, hello must come first
            await answer_to(socket, None, values)  # what a socket says on opening
        for sent, frame, answers in rows[1:]:
            got = await answer_to(socket, frame, values)
            if got != answers[persona]:
                wrong.append(f"{persona} {path} {sent}: expected {answers[persona]}, got {got}")
            if ">" in got:  # closed: the next frame needs a new socket
                await socket.close()
                socket = Socket(address, headers[persona])
                assert (await socket.connect())[0]
                continue
            names_it = frame is not None and AT_STAKE in frame.values()
            if names_it and not (persona in SUPERVISORS and (path, sent) in SUPERVISORS_SEE_IT):
                assert frame is not None
                real, twin = await full_answer(socket, frame, values), await full_answer(socket, frame, missing)
                if real != twin:
                    wrong.append(f"{persona} {path} {sent}: {real} but for a missing conversation {twin}")
        await socket.close()

    assert await victim.nothing(), "the young person at stake heard something"
    assert await sync_to_async(footprint)(at_stake.conversation.id) == before, "the conversation at stake changed"
    await victim.close()
    return wrong


@pytest.mark.usefixtures("fast_frames")
@pytest.mark.parametrize("path", ["/ws/chat/", "/ws/console/", "/ws/floor/", "/<anything else>"])
async def test_every_frame_on_every_socket_answers_each_person_as_the_table_says(path, aarhus, koebenhavn):
    wrong = await walk(path, aarhus, koebenhavn)

    assert wrong == [], "\n".join(wrong)


# --- cross-site WebSocket hijacking -------------------------------------------------------------
STAFF_SOCKETS = [
    socket
    for (socket, sent), (_, cells) in FRAMES.items()
    if sent == "connect" and expected_answers(cells)["anonymous"] == "4403"
]
FOREIGN_ORIGINS = [
    ("another site", b"https://evil.example"),
    ("a look-alike of this host", b"http://localhost.evil.example"),
    ("a sandboxed frame or a file", b"null"),
    ("a municipal site that shows the widget", b"https://www.aarhus.dk"),
    ("no origin at all", None),
]


def test_the_staff_sockets_are_the_console_and_the_floor():
    assert STAFF_SOCKETS == ["/ws/console/", "/ws/floor/"]


@pytest.mark.parametrize("path", STAFF_SOCKETS)
async def test_a_staff_socket_with_a_valid_session_but_a_foreign_origin_is_refused(path, supervisor, settings):
    settings.SAMRAAD_WIDGET_ORIGINS = ["https://www.aarhus.dk"]
    cookie = (await sync_to_async(_people_cookie)(supervisor))[0]
    from_here = Socket(path, [cookie])
    assert (await from_here.connect())[0], "the same session opens the socket from this site's pages"
    await from_here.close()

    opened = []
    for name, origin in FOREIGN_ORIGINS:
        socket = Socket(path, [cookie])
        socket.communicator.scope["headers"] = [cookie, *([(b"origin", origin)] if origin else [])]
        connected, _ = await socket.connect()
        if connected:
            opened.append(name)
            await socket.close()

    assert opened == []


def _people_cookie(user: User) -> list[tuple[bytes, bytes]]:
    return [(b"cookie", f"sessionid={sign_in(Client(), user).cookies['sessionid'].value}".encode())]
