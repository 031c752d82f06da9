"""How a chat socket runs: one task while it waits, group events handled in order and one at a
time with its frames, and an event that fails answered like a frame that fails."""

from __future__ import annotations

import asyncio
import logging
import threading
import time

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.db import OperationalError, connection

from samraad.counseling import actions, heartbeat
from samraad.counseling import group_commit as group_commit_module
from samraad.counseling.group_commit import GATHER_S, group_commit, wait_before_batch
from samraad.counseling.heartbeat import Heartbeat
from samraad.counseling.models import Seen
from samraad.counseling.tests.conftest import Socket, console_socket, open_chat, socket_db, young_socket
from samraad.lib.asyncdb import db
from samraad.lib.events import conversation_group, counselor_group

pytestmark = socket_db


async def settled_task_count() -> int:
    await asyncio.sleep(0.1)
    return len(asyncio.all_tasks())


async def closing_output(socket: Socket) -> dict:
    """Skips what the socket is sent until it is closed."""
    while (output := await socket.receive_output())["type"] != "websocket.close":
        pass
    return output


async def test_an_idle_socket_holds_no_task_but_its_own():
    first = await young_socket((await open_chat()).token)
    before = await settled_task_count()

    second = await young_socket((await open_chat()).token)

    # The test's communicator runs each socket in one task, as the server does; Channels' own
    # runtime would add two more for as long as the socket is open.
    assert await settled_task_count() == before + 1
    await first.close()
    await second.close()


def coroutines_awaited(task: asyncio.Future) -> list[str]:
    """The chain of coroutines a task is suspended in, outermost first."""
    names, awaited = [], task.get_coro()  # type: ignore[attr-defined]
    while hasattr(awaited, "cr_await"):
        names.append(awaited.__qualname__)
        awaited = awaited.cr_await
    return names


async def test_a_waiting_console_keeps_no_middleware_coroutines(counselor_aarhus):
    console = await console_socket(counselor_aarhus)
    await asyncio.sleep(0.1)

    # Channels' stack would keep a router, an origin check, a URL router, three middlewares and
    # the consumer's dispatch loop suspended here, each with its own copy of the scope.
    chain = coroutines_awaited(console.communicator.future)
    assert chain[:3] == ["application", "websocket_application", "Socket.__call__"]
    assert len(chain) <= 5, chain  # and under it only the server's receive
    await console.close()


async def test_events_reach_the_socket_in_the_order_they_were_sent():
    opened = await open_chat()
    socket = await young_socket(opened.token)
    layer = get_channel_layer()

    for seq in range(1, 51):
        frame = {"type": "msg", "conversation": str(opened.conversation.id), "seq": seq, "side": "counselor"}
        await layer.group_send(conversation_group(opened.conversation.id), {"type": "deliver", "frame": frame})

    assert [(await socket.receive_until("msg"))["seq"] for _ in range(50)] == list(range(1, 51))
    await socket.close()


async def test_an_event_that_meets_an_unavailable_database_tells_the_console_to_come_back(counselor_aarhus):
    opened = await open_chat()
    console = await console_socket(counselor_aarhus)

    def unavailable(execute, sql, params, many, context):  # noqa: ANN001, ANN202 - Django's wrapper signature
        raise OperationalError("the database is restarting")

    def wrappers() -> list:  # the database thread's connection, not this thread's
        return connection.execute_wrappers

    await db(lambda: wrappers().append(unavailable))()
    try:
        assigned = {"type": "assigned", "conversation": str(opened.conversation.id)}
        await get_channel_layer().group_send(counselor_group(counselor_aarhus.pk), assigned)

        error = await console.receive_until("error")
        closed = await closing_output(console)
    finally:
        await db(lambda: wrappers().remove(unavailable))()

    assert error["code"] == "unavailable"
    assert closed == {"type": "websocket.close", "code": 1013}


async def test_an_event_the_socket_cannot_handle_closes_it_with_a_server_error(caplog):
    opened = await open_chat()
    socket = await young_socket(opened.token)

    with caplog.at_level(logging.ERROR, logger="samraad.counseling.consumers"):
        await get_channel_layer().group_send(conversation_group(opened.conversation.id), {"type": "deliver"})
        closed = await closing_output(socket)

    assert closed == {"type": "websocket.close", "code": 1011}
    assert "A socket's event failed" in caplog.text


async def test_on_postgresql_a_heartbeat_does_not_wait_behind_the_chat_s_database_thread():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer: there the beat takes its turn in the database thread")
    opened = await open_chat()
    before = await sync_to_async(Seen.objects.values_list("young_at", flat=True).get)(pk=opened.conversation.id)
    beat = Heartbeat()
    beat.young[str(opened.conversation.id)] += 1
    busy = asyncio.ensure_future(db(time.sleep)(3))  # as a long batch of messages would hold it
    await asyncio.sleep(0.05)

    await asyncio.wait_for(beat.beat(), 2)

    assert not busy.done()
    after = await sync_to_async(Seen.objects.values_list("young_at", flat=True).get)(pk=opened.conversation.id)
    assert after > before
    await busy


async def test_on_sqlite_messages_are_stored_between_the_parts_of_a_beat(monkeypatch):
    if connection.vendor != "sqlite":
        pytest.skip("On PostgreSQL the beat has a connection of its own")
    opened = await open_chat()
    order: list[str] = []
    first_running, first_may_end = threading.Event(), threading.Event()

    def first_part() -> None:
        order.append("first part")
        first_running.set()
        first_may_end.wait(5)

    post_messages = actions.do_post_messages
    monkeypatch.setattr(heartbeat, "_parts", lambda *args: [first_part, lambda: order.append("second part")])
    monkeypatch.setattr(actions, "do_post_messages", lambda posts: order.append("message") or post_messages(posts))
    beating = asyncio.ensure_future(Heartbeat().beat())
    await sync_to_async(first_running.wait, thread_sensitive=False)(5)
    posting = asyncio.ensure_future(
        group_commit.post(actions.Post(opened.conversation.id, "young", None, "c-1", "hej"))
    )
    await asyncio.sleep(0.05)  # the message now waits for the database thread, behind the first part

    first_may_end.set()
    await asyncio.wait_for(beating, 5)
    message, stored = await asyncio.wait_for(posting, 5)

    assert order == ["first part", "message", "second part"]
    assert (message.seq, stored) == (1, True)


def recorded_batches(monkeypatch) -> list[list[str]]:
    """Records the client ids of each batch handed to the database."""
    batches: list[list[str]] = []
    post_messages = actions.do_post_messages

    def recorded(posts: list[actions.Post]) -> list:
        batches.append([post.client_id for post in posts])
        return post_messages(posts)

    monkeypatch.setattr(actions, "do_post_messages", recorded)
    return batches


async def test_a_message_posted_a_round_of_the_event_loop_later_joins_the_batch(monkeypatch):
    opened = await open_chat()
    batches = recorded_batches(monkeypatch)
    conversation = opened.conversation.id
    first = asyncio.ensure_future(group_commit.post(actions.Post(conversation, "young", None, "c-1", "hej")))
    await asyncio.sleep(0)  # the first is waiting and its batch is on its way
    second = asyncio.ensure_future(group_commit.post(actions.Post(conversation, "young", None, "c-2", "igen")))
    stored = await asyncio.wait_for(asyncio.gather(first, second), 5)

    assert batches == [["c-1", "c-2"]]  # one transaction, in the order they arrived
    assert [(message.seq, new) for message, new in stored] == [(1, True), (2, True)]


def test_a_batch_waits_for_company_only_until_its_first_message_has_waited_long_enough():
    assert wait_before_batch(first_arrived=10.0, now=10.0) == pytest.approx(GATHER_S)
    assert wait_before_batch(first_arrived=10.0, now=10.0 + GATHER_S / 2) == pytest.approx(GATHER_S / 2)
    assert wait_before_batch(first_arrived=10.0, now=10.0 + GATHER_S * 5) == 0


async def test_a_message_sent_while_the_first_of_a_batch_waits_joins_it(monkeypatch):
    monkeypatch.setattr(group_commit_module, "GATHER_S", 0.3)
    opened = await open_chat()
    batches = recorded_batches(monkeypatch)
    conversation = opened.conversation.id
    first = asyncio.ensure_future(group_commit.post(actions.Post(conversation, "young", None, "c-1", "hej")))
    await asyncio.sleep(0.05)  # many rounds of the event loop: without the wait c-1 would be stored
    second = asyncio.ensure_future(group_commit.post(actions.Post(conversation, "young", None, "c-2", "igen")))
    stored = await asyncio.wait_for(asyncio.gather(first, second), 5)

    assert batches == [["c-1", "c-2"]]
    assert [message.seq for message, _ in stored] == [1, 2]


async def test_messages_that_waited_while_a_batch_was_stored_leave_without_waiting_again(monkeypatch):
    monkeypatch.setattr(group_commit_module, "GATHER_S", 0.5)
    opened = await open_chat()
    conversation = opened.conversation.id
    first_stored, first_may_end = threading.Event(), threading.Event()
    started: list[tuple[str, float]] = []
    post_messages = actions.do_post_messages

    def held(posts: list[actions.Post]) -> list:
        started.append((posts[0].client_id, time.monotonic()))
        answers = post_messages(posts)
        if posts[0].client_id == "c-1":
            first_stored.set()
            first_may_end.wait(5)
        return answers

    monkeypatch.setattr(actions, "do_post_messages", held)
    first = asyncio.ensure_future(group_commit.post(actions.Post(conversation, "young", None, "c-1", "hej")))
    await sync_to_async(first_stored.wait, thread_sensitive=False)(5)
    second = asyncio.ensure_future(group_commit.post(actions.Post(conversation, "young", None, "c-2", "igen")))
    await asyncio.sleep(0.6)  # c-2 has now waited longer than a batch waits for company
    released = time.monotonic()
    first_may_end.set()
    await asyncio.wait_for(asyncio.gather(first, second), 5)

    assert [client_id for client_id, _ in started] == ["c-1", "c-2"]
    assert started[1][1] - released < 0.25  # not another 0.5 s
