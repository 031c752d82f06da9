"""Once a socket has been told to close, nothing it sent is handled.

A client's frames can be on the wire while the server's close is on its way back: sent before
the client saw the close, read by the server after. Each of them must be dropped unanswered and
must write nothing, whichever refusal closed the socket: too many sockets from one source, a bad
or missing hello, an oversized frame, a flood, a sign-out. The tests send those frames right
behind the one that closes the socket, or right after the close went out, and then listen.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.test import Client

from samraad.accounts.models import User
from samraad.audit.models import AuditEntry
from samraad.counseling import actions
from samraad.counseling.models import Conversation, Message
from samraad.counseling.tests.conftest import (
    Socket,
    open_chat,
    session_cookie,
    socket_db,
    waiting_chat,
    young_socket,
)

pytestmark = socket_db


async def until_closed(socket: Socket) -> tuple[list[dict[str, Any]], int]:
    """Every frame up to the close, and the close code."""
    answers = []
    while True:
        output = await socket.receive_output(timeout=5)
        if output["type"] == "websocket.close":
            return answers, output["code"]
        answers.append(json.loads(output["text"]))


async def messages_in(conversation_id: Any) -> int:
    return await Message.objects.filter(conversation_id=conversation_id).acount()


async def young_side_of(conversation_id: Any) -> tuple[Any, ...]:
    """What a young person's socket writes: the heartbeat and the read mark."""
    row = await Conversation.objects.select_related("seen").aget(pk=conversation_id)
    return row.seen.young_at, row.young_read_seq, row.state


def sign_out(cookie: tuple[bytes, bytes]) -> None:
    client = Client()
    client.cookies["sessionid"] = cookie[1].decode().split("=", 1)[1]
    client.post("/logout/")


# --- the young person's socket ---------------------------------------------------------------------
async def test_frames_racing_the_close_of_a_socket_over_the_source_limit_are_ignored(settings):
    settings.SAMRAAD_CHAT_CONNECTIONS_PER_MINUTE = 1
    opened = await open_chat()
    first = Socket("/ws/chat/")  # the source's one socket this minute
    await first.connect()
    await first.close()
    before = await young_side_of(opened.conversation.id)

    over = Socket("/ws/chat/")
    connected, _ = await over.connect()
    await over.send({"type": "hello", "token": opened.token, "last_seq": 0})
    await over.send({"type": "msg", "client_id": "c-1", "body": "er der nogen?"})
    answers, closed = await until_closed(over)

    assert connected  # accepted, so the browser can read why it is closed
    assert [answer["code"] for answer in answers] == ["rate_limited"]
    assert closed == 4429
    assert await over.nothing(timeout=0.5)  # no welcome, no ack
    assert await messages_in(opened.conversation.id) == 0
    assert await young_side_of(opened.conversation.id) == before
    await over.close()


async def test_a_valid_hello_racing_the_close_after_a_bad_token_is_ignored():
    opened = await open_chat()
    before = await young_side_of(opened.conversation.id)
    socket = Socket("/ws/chat/")
    await socket.connect()

    await socket.send({"type": "hello", "token": "forged", "last_seq": 0})
    await socket.send({"type": "hello", "token": opened.token, "last_seq": 0})
    await socket.send({"type": "msg", "client_id": "c-1", "body": "hej"})
    answers, closed = await until_closed(socket)

    assert [answer["code"] for answer in answers] == ["bad_token"]
    assert closed == 4401
    assert await socket.nothing(timeout=0.5)
    assert await messages_in(opened.conversation.id) == 0
    assert await young_side_of(opened.conversation.id) == before
    await socket.close()


@pytest.mark.parametrize(
    ("first_frame", "code"),
    [
        ("not json", "bad_json"),
        ("[1, 2]", "bad_frame"),
        ('{"type": 7}', "bad_frame"),
        ('{"type": "hello"}', "bad_frame"),
        ('{"type": "hello", "token": "t", "extra": 1}', "bad_frame"),
        ('{"type": "launch"}', "unknown_type"),
        ('{"type": "msg", "client_id": "c", "body": "  "}', "empty"),
    ],
)
async def test_a_malformed_first_frame_is_named_and_the_socket_closed_at_once(first_frame, code):
    opened = await open_chat()
    before = await young_side_of(opened.conversation.id)
    socket = Socket("/ws/chat/")
    await socket.connect()

    await socket.send(first_frame)
    await socket.send({"type": "hello", "token": opened.token, "last_seq": 0})
    answers, closed = await until_closed(socket)

    # Closed with 4401 like any other first frame that is not a hello, not left open until the
    # hello timeout; the error frame still says what was wrong with it.
    assert [answer["code"] for answer in answers] == [code]
    assert closed == 4401
    assert await socket.nothing(timeout=0.5)  # the hello behind it is not welcomed
    assert await young_side_of(opened.conversation.id) == before
    await socket.close()


async def test_a_binary_first_frame_is_refused_and_the_socket_closed():
    socket = Socket("/ws/chat/")
    await socket.connect()

    await socket.communicator.send_to(bytes_data=b"\x00\x01")
    answers, closed = await until_closed(socket)

    assert [answer["code"] for answer in answers] == ["bad_frame"]
    assert closed == 4401
    await socket.close()


async def test_the_hello_timeout_stays_silent_on_a_socket_already_closed(settings):
    settings.SAMRAAD_CHAT_HELLO_TIMEOUT_S = 1  # long enough for the first frame to come first
    socket = Socket("/ws/chat/")
    await socket.connect()

    await socket.send({"type": "typing"})
    answers, closed = await until_closed(socket)

    assert [answer["code"] for answer in answers] == ["hello_first"]
    assert closed == 4401
    assert await socket.nothing(timeout=1.5)  # no second error, no second close
    await socket.close()


async def test_a_message_behind_an_oversized_frame_is_not_stored():
    opened = await open_chat()
    socket = await young_socket(opened.token)
    await socket.receive_until("queue")

    await socket.send(json.dumps({"type": "msg", "client_id": "big", "body": "x" * 20_000}))
    await socket.send({"type": "msg", "client_id": "c-1", "body": "hej"})
    answers, closed = await until_closed(socket)

    assert [answer["code"] for answer in answers] == ["too_large"]
    assert closed == 1009
    assert await socket.nothing(timeout=0.5)  # no ack
    assert await messages_in(opened.conversation.id) == 0
    await socket.close()


async def test_a_flooding_socket_is_closed_once_and_its_remaining_frames_are_dropped():
    opened = await open_chat()
    socket = await young_socket(opened.token)
    await socket.receive_until("queue")

    for _ in range(80):
        await socket.send({"type": "typing"})
    await socket.send({"type": "msg", "client_id": "c-1", "body": "hej"})
    answers, closed = await until_closed(socket)

    assert closed == 4429
    assert answers[-1]["code"] == "flood"
    assert await socket.nothing(timeout=0.5)  # no more refusals, no second close
    assert await messages_in(opened.conversation.id) == 0
    await socket.close()


# --- staff sockets ---------------------------------------------------------------------------------
async def test_a_message_racing_the_close_of_a_signed_out_console_is_not_stored(counselor_aarhus: User):
    opened = await open_chat()
    cookie = await sync_to_async(session_cookie)(counselor_aarhus)
    console = Socket("/ws/console/", [cookie])
    await console.connect()
    await console.receive_until("shift")
    await console.send({"type": "shift", "on": True})
    await console.send({"type": "take"})
    conversation = (await console.receive_until("assigned"))["conversation"]
    young = await young_socket(opened.token)

    await sync_to_async(sign_out)(cookie)
    _, closed = await until_closed(console)
    await console.send({"type": "msg", "conversation": conversation, "client_id": "k-1", "body": "hej"})
    await young.send({"type": "msg", "client_id": "c-1", "body": "er du der?"})
    await young.receive_until("ack")

    assert closed == 4401
    assert await console.nothing(timeout=0.5)  # no ack, and the young person's message is not shown
    assert await Message.objects.filter(conversation_id=opened.conversation.id, sender="counselor").acount() == 0
    await console.close()
    await young.close()


async def test_a_watch_racing_the_close_of_a_signed_out_floor_is_not_audited(supervisor: User, counselor_aarhus: User):
    conversation = await sync_to_async(active_chat)(counselor_aarhus)
    cookie = await sync_to_async(session_cookie)(supervisor)
    floor = Socket("/ws/floor/", [cookie])
    await floor.connect()
    await floor.receive_until("floor")

    await sync_to_async(sign_out)(cookie)
    _, closed = await until_closed(floor)
    audited = await AuditEntry.objects.acount()
    await floor.send({"type": "watch", "conversation": conversation})

    assert closed == 4401
    assert await floor.nothing(timeout=0.5)  # no `watched`
    assert await AuditEntry.objects.acount() == audited
    await floor.close()


def active_chat(counselor: User) -> str:
    opened = waiting_chat(municipality_code="0751", topic=None, nickname=None)
    actions.do_set_shift(counselor, on=True)
    actions.do_take(counselor)
    return str(opened.conversation.id)
