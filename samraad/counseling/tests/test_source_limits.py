"""Rate limits hold per connection and per source, and the source is kept only in memory (issue #7).

A source is the peer address a server sees (REMOTE_ADDR over HTTP, the ASGI scope's `client` on a
socket). The chat keeps it only as a salted daily hash in the cache's counters, never in the
database, except in a block a counselor has made.
"""

from __future__ import annotations

import json
import time

import pytest
from asgiref.sync import sync_to_async
from django.core.cache import cache
from django.db import connection
from django.test import Client

from samraad.counseling.models import Message
from samraad.counseling.sources import source_hash
from samraad.counseling.tests.conftest import Socket, console_socket, floor_socket, open_chat, socket_db, young_socket

FLOODER, NEIGHBOUR = "198.51.100.66", "198.51.100.67"
OPENS_PER_HOUR = 30  # samraad/counseling/api.py


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def from_source(address: str) -> Client:
    return Client(REMOTE_ADDR=address)


def post(client: Client, path: str, payload: object):
    return client.post(path, json.dumps(payload), content_type="application/json")


def database_text() -> str:
    """Every row of every table, as text."""
    dump = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - table names from the schema itself
            dump.extend(str(row) for row in cursor.fetchall())
    return "\n".join(dump)


def cache_keys() -> list[str]:
    """The keys the rate limits left in the cache, for the two backends Samraad runs on."""
    backend = cache._cache  # type: ignore[attr-defined]
    if isinstance(backend, dict):  # LocMemCache
        return [str(key) for key in backend]
    return [key.decode() for key in backend.get_client().keys("*")]  # RedisCache


# --- the open-conversation API -----------------------------------------------------------------
@pytest.mark.django_db
def test_a_flood_of_new_chats_from_one_source_is_refused_while_another_source_gets_through():
    flooder, neighbour = from_source(FLOODER), from_source(NEIGHBOUR)

    answers = [post(flooder, "/api/chat/conversations", {}).status_code for _ in range(OPENS_PER_HOUR + 3)]
    letter = post(flooder, "/api/chat/letters", {"body": "hej"})
    neighbours = post(neighbour, "/api/chat/conversations", {})

    assert answers[:OPENS_PER_HOUR] == [201] * OPENS_PER_HOUR
    assert answers[OPENS_PER_HOUR:] == [429] * 3
    assert (letter.status_code, letter.json()["code"]) == (429, "rate_limited")  # one budget for chats and letters
    assert neighbours.status_code == 201


@pytest.mark.django_db
def test_guessing_resume_codes_from_one_source_does_not_lock_out_another(settings):
    settings.SAMRAAD_RESUME_ATTEMPTS_PER_HOUR = 3
    flooder, neighbour = from_source(FLOODER), from_source(NEIGHBOUR)

    guesses = [post(flooder, "/api/chat/resume", {"resume_code": f"AAAA-BBBB-CCC{n}"}).status_code for n in range(5)]
    neighbours = post(neighbour, "/api/chat/resume", {"resume_code": "AAAA-BBBB-CCCC"})

    assert guesses == [404, 404, 404, 429, 429]
    assert neighbours.status_code == 404


@pytest.mark.django_db
def test_the_source_is_counted_in_memory_and_never_written_down():
    flooder = from_source(FLOODER)
    for _ in range(OPENS_PER_HOUR + 1):
        post(flooder, "/api/chat/conversations", {"nickname": "Mo"})
    post(flooder, "/api/chat/resume", {"resume_code": "AAAA-BBBB-CCCC"})

    stored = database_text()
    assert FLOODER not in stored
    assert source_hash(FLOODER) not in stored  # not even hashed: only a block keeps the hash
    keys = cache_keys()
    assert any(source_hash(FLOODER) in key for key in keys)  # the counter is there, under the hash
    assert not any(FLOODER in key for key in keys)


# --- sockets -----------------------------------------------------------------------------------
def with_sockets(test):
    """The socket tests' database marks (committed rows other threads can see), test by test, as
    this file also holds plain HTTP tests."""
    for mark in socket_db:
        test = mark(test)
    return test


def socket_from(path: str, address: str, headers: list[tuple[bytes, bytes]] | None = None) -> Socket:
    socket = Socket(path, headers)
    socket.communicator.scope["client"] = (address, 50000)
    return socket


async def flood(socket: Socket, frames: list[dict]) -> tuple[list[dict], int]:
    """Sends all frames at once; returns every answer and the close code."""
    for frame in frames:
        await socket.send(frame)
    answers = []
    while True:
        output = await socket.receive_output()
        if output["type"] == "websocket.close":
            return answers, output["code"]
        answers.append(json.loads(output["text"]))


@with_sockets
async def test_a_flooding_console_is_throttled_then_closed_and_stores_only_what_it_acknowledged(counselor_aarhus):
    opened = await open_chat()
    console = await console_socket(counselor_aarhus)
    await console.send({"type": "take"})
    conversation = (await console.receive_until("assigned"))["conversation"]

    frames = [{"type": "msg", "conversation": conversation, "client_id": f"f-{n}", "body": "hej"} for n in range(80)]
    answers, closed = await flood(console, frames)

    acked = [answer for answer in answers if answer["type"] == "ack"]
    codes = {answer.get("code") for answer in answers if answer["type"] == "error"}
    assert closed == 4429
    assert {"rate_limited", "flood"} <= codes
    assert len(acked) < 80
    stored = await sync_to_async(Message.objects.filter(conversation_id=opened.conversation.id).count)()
    assert stored == len(acked)


@with_sockets
async def test_a_flooding_floor_is_throttled_then_closed(supervisor):
    floor = await floor_socket(supervisor)
    await floor.receive_until("floor")

    answers, closed = await flood(floor, [{"type": "floor"}] * 80)

    assert closed == 4429
    assert {"rate_limited", "flood"} <= {answer.get("code") for answer in answers if answer["type"] == "error"}


@with_sockets
async def test_the_frame_budget_is_per_connection_not_per_source():
    opened = await open_chat()
    flooder = await young_socket(opened.token)
    calm = await young_socket(opened.token)  # the same source: Socket() always says 203.0.113.9

    _, closed = await flood(flooder, [{"type": "typing"}] * 80)
    await calm.send({"type": "msg", "client_id": "calm-1", "body": "er der nogen?"})

    assert closed == 4429
    assert (await calm.receive_until("ack"))["client_id"] == "calm-1"
    await calm.close()


@with_sockets
async def test_a_chat_over_the_socket_leaves_no_trace_of_the_source_in_the_database():
    opened = await open_chat()
    socket = await young_socket(opened.token)  # from 203.0.113.9
    await socket.send({"type": "msg", "client_id": "c-1", "body": "hej"})
    await socket.receive_until("ack")
    await socket.close()

    stored = await sync_to_async(database_text)()

    assert "203.0.113.9" not in stored
    assert source_hash("203.0.113.9") not in stored


@with_sockets
async def test_a_flood_of_sockets_from_one_source_is_refused_while_another_source_connects(settings):
    settings.SAMRAAD_CHAT_CONNECTIONS_PER_MINUTE = 20
    started = time.monotonic()
    flood_of_sockets = [socket_from("/ws/chat/", FLOODER) for _ in range(100)]
    accepted = 0
    for socket in flood_of_sockets:
        connected, _ = await socket.connect()
        # Refused at the handshake, or accepted and closed at once with a frame saying why.
        if connected and await socket.nothing(timeout=0.01):
            accepted += 1
    neighbour = socket_from("/ws/chat/", NEIGHBOUR)
    neighbour_connected, _ = await neighbour.connect()

    assert time.monotonic() - started < 10  # all within one hello timeout
    assert accepted < 100
    assert neighbour_connected and await neighbour.nothing(timeout=0.01)
    for socket in [*flood_of_sockets, neighbour]:
        await socket.close()
