"""The young person's socket: hello first, ack after commit, idempotent resend, gap-free replay,
and every kind of bad input refused without a write."""

from __future__ import annotations

import asyncio
import json
import time

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer

from samraad.counseling.models import Conversation, Message
from samraad.counseling.tests.conftest import Socket, console_socket, open_chat, socket_db, young_socket
from samraad.lib.events import conversation_group
from samraad.lib.layers import OVERFLOW

pytestmark = socket_db


def stored(conversation_id) -> list[tuple[int, str, str]]:
    return list(
        Message.objects.filter(conversation_id=conversation_id).order_by("seq").values_list("seq", "sender", "body")
    )


async def test_hello_names_the_conversation_and_a_waiting_person_learns_their_place():
    opened = await open_chat()
    socket = Socket("/ws/chat/")
    await socket.connect()

    await socket.send({"type": "hello", "token": opened.token, "last_seq": 0})
    welcome = await socket.receive()
    queue = await socket.receive()

    assert welcome == {
        "type": "welcome",
        "conversation": str(opened.conversation.id),
        "kind": "chat",
        "state": "waiting",
        "last_seq": 0,
    }
    assert queue["type"] == "queue"
    assert queue["position"] == 1
    assert queue["eta_s"] is None  # nobody on shift: no made-up estimate
    await socket.close()


async def test_nothing_but_hello_is_accepted_first():
    opened = await open_chat()
    socket = Socket("/ws/chat/")
    await socket.connect()

    await socket.send({"type": "msg", "client_id": "c1", "body": "hej"})
    error = await socket.receive()
    closed = await socket.receive_output()

    assert error["code"] == "hello_first"
    assert closed == {"type": "websocket.close", "code": 4401}
    assert await sync_to_async(stored)(opened.conversation.id) == []


@pytest.mark.parametrize("token", ["forged", "x" * 200])
async def test_a_forged_token_is_refused(token):
    socket = Socket("/ws/chat/")
    await socket.connect()

    await socket.send({"type": "hello", "token": token, "last_seq": 0})

    assert (await socket.receive())["code"] == "bad_token"
    assert (await socket.receive_output())["code"] == 4401


async def test_silence_after_connecting_is_closed(settings):
    settings.SAMRAAD_CHAT_HELLO_TIMEOUT_S = 0.2
    socket = Socket("/ws/chat/")
    await socket.connect()

    assert (await socket.receive(timeout=2))["code"] == "hello_timeout"
    assert (await socket.receive_output())["code"] == 4408


async def test_a_message_is_acknowledged_after_it_is_stored():
    opened = await open_chat()
    socket = await young_socket(opened.token)
    await socket.receive_until("queue")

    await socket.send({"type": "msg", "client_id": "c-1", "body": "jeg har det svært"})
    ack = await socket.receive_until("ack")

    assert ack == {"type": "ack", "client_id": "c-1", "seq": 1}
    assert await sync_to_async(stored)(opened.conversation.id) == [(1, "young", "jeg har det svært")]
    await socket.close()


async def test_a_resend_after_a_lost_connection_stores_nothing_twice():
    opened = await open_chat()
    first = await young_socket(opened.token)
    await first.send({"type": "msg", "client_id": "c-1", "body": "hej"})
    await first.receive_until("ack")
    await first.close()

    again = await young_socket(opened.token, last_seq=0)
    await again.send({"type": "msg", "client_id": "c-1", "body": "hej"})
    ack = await again.receive_until("ack")

    assert ack["seq"] == 1
    assert await sync_to_async(stored)(opened.conversation.id) == [(1, "young", "hej")]
    await again.close()


async def test_seq_is_gap_free_and_hello_replays_what_was_missed():
    opened = await open_chat()
    socket = await young_socket(opened.token)
    for number in range(1, 6):
        await socket.send({"type": "msg", "client_id": f"c-{number}", "body": f"besked {number}"})
        await socket.receive_until("ack")
    await socket.close()

    back = Socket("/ws/chat/")
    await back.connect()
    await back.send({"type": "hello", "token": opened.token, "last_seq": 2})
    welcome = await back.receive()
    replayed = [await back.receive() for _ in range(3)]

    assert welcome["last_seq"] == 5
    assert [frame["seq"] for frame in replayed] == [3, 4, 5]
    assert [frame["body"] for frame in replayed] == ["besked 3", "besked 4", "besked 5"]
    assert [seq for seq, _, _ in await sync_to_async(stored)(opened.conversation.id)] == [1, 2, 3, 4, 5]
    await back.close()


async def test_one_conversations_token_never_reaches_another_conversation():
    mine, theirs = await open_chat(), await open_chat()
    socket = await young_socket(mine.token)

    await socket.send({"type": "msg", "client_id": "c-1", "body": "til min egen samtale"})
    await socket.receive_until("ack")

    assert await sync_to_async(stored)(theirs.conversation.id) == []
    assert len(await sync_to_async(stored)(mine.conversation.id)) == 1
    await socket.close()


BAD_FRAMES = [
    ("not json", "bad_json"),
    ("[1, 2]", "bad_frame"),
    ('{"no": "type"}', "bad_frame"),
    ('{"type": 7}', "bad_frame"),
    ('{"type": "launch"}', "unknown_type"),
    ('{"type": "msg", "client_id": "c", "body": 5}', "bad_frame"),
    ('{"type": "msg", "client_id": "c", "body": "x", "extra": 1}', "bad_frame"),
    ('{"type": "msg", "client_id": "has space", "body": "x"}', "bad_frame"),
    ('{"type": "msg", "client_id": "c", "body": "   "}', "empty"),
    (json.dumps({"type": "msg", "client_id": "c", "body": "x" * 4001}), "too_long"),
    ('{"type": "read", "seq": -1}', "bad_frame"),
    ('{"type": "rate", "rating": 9}', "bad_frame"),
    ('{"type": "msg", "client_id": "c", "body": "\\ud800"}', "bad_frame"),
    ("[" * 5000 + "]" * 5000, "bad_json"),
]


@pytest.mark.parametrize(("text", "code"), BAD_FRAMES)
async def test_bad_frames_get_an_error_and_write_nothing(text, code):
    opened = await open_chat()
    socket = await young_socket(opened.token)
    await socket.receive_until("queue")

    await socket.send(text)
    error = await socket.receive()

    assert error["type"] == "error"
    assert error["code"] == code
    assert await sync_to_async(stored)(opened.conversation.id) == []
    # The socket lives on and still works.
    await socket.send({"type": "msg", "client_id": "after", "body": "stadig her"})
    assert (await socket.receive_until("ack"))["seq"] == 1
    await socket.close()


async def test_an_oversized_frame_is_refused_and_the_socket_closed():
    opened = await open_chat()
    socket = await young_socket(opened.token)
    await socket.receive_until("queue")

    await socket.send(json.dumps({"type": "msg", "client_id": "c", "body": "x" * 20000}))

    assert (await socket.receive())["code"] == "too_large"
    assert (await socket.receive_output())["code"] == 1009
    assert await sync_to_async(stored)(opened.conversation.id) == []


async def test_a_binary_frame_is_refused():
    opened = await open_chat()
    socket = await young_socket(opened.token)
    await socket.receive_until("queue")

    await socket.communicator.send_to(bytes_data=b"\x00\x01")

    assert (await socket.receive())["code"] == "bad_frame"
    await socket.close()


async def test_fifty_frames_a_second_are_throttled_then_closed(settings):
    opened = await open_chat()
    socket = await young_socket(opened.token)
    await socket.receive_until("queue")

    started = time.monotonic()
    for number in range(80):
        await socket.send({"type": "msg", "client_id": f"f-{number}", "body": "spam"})
    answers = []
    while True:
        output = await socket.receive_output()
        if output["type"] == "websocket.close":
            break
        answers.append(json.loads(output["text"]))

    acked = [frame for frame in answers if frame["type"] == "ack"]
    codes = {frame.get("code") for frame in answers if frame["type"] == "error"}
    assert output["code"] == 4429
    assert "rate_limited" in codes and "flood" in codes
    # The bucket refills while the frames are handled: a burst plus the rate over that time.
    elapsed = time.monotonic() - started
    assert len(acked) <= settings.SAMRAAD_CHAT_FRAME_BURST + settings.SAMRAAD_CHAT_FRAMES_PER_SECOND * elapsed + 1
    assert len(acked) < 80
    assert len(await sync_to_async(stored)(opened.conversation.id)) == len(acked)


async def test_ending_while_waiting_counts_as_left(settings):
    opened = await open_chat()
    socket = await young_socket(opened.token)
    await socket.receive_until("queue")

    await socket.send({"type": "end"})
    state = await socket.receive_until("state")

    assert state["state"] == "abandoned"
    conversation = await Conversation.objects.aget(pk=opened.conversation.id)
    assert conversation.state == "abandoned"
    await socket.close()


async def test_a_whole_conversation_with_typing_read_marks_end_and_rating(counselor_aarhus):
    opened = await open_chat()
    young = await young_socket(opened.token)
    await young.receive_until("queue")
    console = await console_socket(counselor_aarhus)

    await console.send({"type": "take"})
    assigned = await console.receive_until("assigned")
    active = await young.receive_until("state")
    await young.send({"type": "typing"})
    counselor_sees_typing = await console.receive_until("typing")
    await young.send({"type": "msg", "client_id": "y1", "body": "hej"})
    await young.receive_until("ack")
    heard = await console.receive_until("msg")
    await console.send({"type": "read", "conversation": assigned["conversation"], "seq": heard["seq"]})
    read = await young.receive_until("read")
    await console.send({"type": "typing", "conversation": assigned["conversation"]})
    young_sees_typing = await young.receive_until("typing")
    await console.send(
        {"type": "msg", "conversation": assigned["conversation"], "client_id": "k1", "body": "hej, jeg er her"}
    )
    counselor_ack = await console.receive_until("ack")
    answer = await young.receive_until("msg")
    await console.send({"type": "end", "conversation": assigned["conversation"]})
    ended = await young.receive_until("state")
    await young.send({"type": "rate", "rating": 4, "comment": "tak"})
    rated = await young.receive_until("rated")

    assert assigned["conversation"] == str(opened.conversation.id)
    assert assigned["municipality"] == "Aarhus"
    assert active["state"] == "active"
    assert counselor_sees_typing["side"] == "young"
    assert heard == {**heard, "seq": 1, "sender": "young", "body": "hej"}
    assert read["seq"] == 1 and read["side"] == "counselor"
    assert young_sees_typing["side"] == "counselor"
    assert counselor_ack["seq"] == 2
    assert answer["body"] == "hej, jeg er her" and answer["sender"] == "counselor"
    assert ended["state"] == "ended"
    assert rated["rating"] == 4
    conversation = await Conversation.objects.aget(pk=opened.conversation.id)
    assert (conversation.rating, conversation.rating_comment) == (4, "tak")
    await young.close()
    await console.close()


async def test_a_conversation_is_rated_once_and_only_after_the_end():
    opened = await open_chat()
    socket = await young_socket(opened.token)
    await socket.receive_until("queue")

    await socket.send({"type": "rate", "rating": 5})
    early = await socket.receive_until("error")

    assert early["code"] == "not_ended"
    await socket.close()


async def test_a_refused_message_is_named_by_its_client_id():
    opened = await open_chat()
    socket = await young_socket(opened.token)
    await socket.send({"type": "end"})
    await socket.receive_until("state")

    await socket.send({"type": "msg", "client_id": "late-1", "body": "hallo?"})
    refused = await socket.receive_until("error")

    assert refused == {**refused, "code": "ended", "client_id": "late-1"}
    await socket.close()


async def test_a_chat_given_back_to_the_queue_hears_its_place_again(counselor_aarhus, settings):
    from datetime import timedelta

    from django.utils import timezone

    from samraad.counseling import actions

    opened = await open_chat()
    young = await young_socket(opened.token)
    await young.receive_until("queue")
    console = await console_socket(counselor_aarhus)
    await console.send({"type": "take"})
    await console.receive_until("assigned")
    await young.receive_until("state")
    await console.close()

    later = timezone.now() + timedelta(seconds=settings.SAMRAAD_CHAT_COUNSELOR_GRACE_S + 1)
    await sync_to_async(actions.do_touch)(young=[str(opened.conversation.id)], counselor=[], consoles=[], now=later)
    await sync_to_async(actions.do_sweep)(later)
    state = await young.receive_until("state")
    queue = await young.receive_until("queue")

    assert state["state"] == "waiting"
    assert queue["position"] == 1
    await young.close()


async def test_a_socket_the_layer_gave_up_on_is_closed_so_its_client_reconnects_and_fetches():
    opened = await open_chat()
    socket = await young_socket(opened.token)
    await socket.send({"type": "msg", "client_id": "c1", "body": "Er der nogen?"})
    assert (await socket.receive_until("ack"))["seq"] == 1

    await get_channel_layer().group_send(conversation_group(opened.conversation.id), OVERFLOW)

    assert await socket.receive_output() == {"type": "websocket.close", "code": 1013}
    again = Socket("/ws/chat/")
    await again.connect()
    await again.send({"type": "hello", "token": opened.token, "last_seq": 0})
    assert (await again.receive())["type"] == "welcome"
    assert (await again.receive_until("msg"))["body"] == "Er der nogen?"


async def test_one_frame_sent_three_times_at_once_is_stored_once_with_one_ack():
    opened = await open_chat()
    tabs = [await young_socket(opened.token) for _ in range(3)]
    frame = {"type": "msg", "client_id": "c-same", "body": "er der nogen?"}

    await asyncio.gather(*(tab.send(frame) for tab in tabs))
    acks = await asyncio.gather(*(tab.receive_until("ack") for tab in tabs))

    assert {ack["seq"] for ack in acks} == {1}
    assert await sync_to_async(stored)(opened.conversation.id) == [(1, "young", "er der nogen?")]
    for tab in tabs:
        await tab.close()


async def test_a_message_refused_for_the_rate_is_stored_once_when_sent_again(settings):
    settings.SAMRAAD_CHAT_FRAMES_PER_SECOND, settings.SAMRAAD_CHAT_FRAME_BURST = 1, 3  # hello and two
    opened = await open_chat()
    young = await young_socket(opened.token)

    for number in (1, 2, 3):
        await young.send({"type": "msg", "client_id": f"c-{number}", "body": f"nr. {number}"})
    answers = []
    while len(answers) < 3:
        frame = await young.receive()
        if frame["type"] in ("ack", "error"):
            answers.append(frame)
    assert [answer.get("code") for answer in answers if answer["type"] == "error"] == ["rate_limited"]

    await asyncio.sleep(1.1)  # the budget refills
    await young.send({"type": "msg", "client_id": "c-3", "body": "nr. 3"})
    ack = await young.receive_until("ack")

    assert ack["seq"] == 3
    assert await sync_to_async(stored)(opened.conversation.id) == [
        (1, "young", "nr. 1"),
        (2, "young", "nr. 2"),
        (3, "young", "nr. 3"),
    ]
    await young.close()
