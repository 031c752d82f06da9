"""Faults survived, nothing lost: a worker killed, the database restarted, Redis restarted under two
workers, each while young people and counselors are talking over real sockets. Afterwards every
message is in both transcripts once and in order, every client got back by itself, the
conversations are still active and held, and no client saw a stack trace."""

from __future__ import annotations

import asyncio
import json
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from websockets.asyncio.client import connect

from tests.faults.conftest import PostgresCluster, Talk, in_own_loop, options, said_and_closes

PAIRS = 4
ON_POSTGRESQL = os.environ.get("DATABASE_URL", "").startswith("postgres")


@dataclass
class Prepared:
    var_dir: Path
    options: Any
    pairs: dict[str, Any]


@pytest.fixture(scope="module")
def database_url(bench: ModuleType) -> Iterator[str]:
    """A scratch database on the PostgreSQL the suite runs on, or "" for SQLite in the var dir."""
    if not ON_POSTGRESQL:
        yield ""
        return
    server = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
    with bench.postgres_database(server, f"samraad_faults_{uuid.uuid4().hex[:12]}") as url:
        yield url


@pytest.fixture(scope="module")
def prepared(bench: ModuleType, database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Prepared:
    var_dir = tmp_path_factory.mktemp("faults")
    chosen = options(bench, database_url)
    pairs_path = bench.prepare(var_dir, PAIRS, chosen)
    return Prepared(var_dir, chosen, json.loads(pairs_path.read_text()))


def log_of(server: Any) -> str:
    return Path(server.log_path).read_text(errors="replace")


@in_own_loop
async def test_a_worker_killed_and_started_again_loses_nothing(bench: ModuleType, prepared: Prepared) -> None:
    server = await asyncio.to_thread(bench.start_samraad, prepared.var_dir, prepared.options)
    try:
        talk = Talk(prepared.pairs, [server.url], [server.url])
        await talk.until_connected()
        await asyncio.sleep(1.5)

        server.process.kill()  # SIGKILL: no shutdown, no goodbye to any socket
        await asyncio.to_thread(server.process.wait)
        await asyncio.sleep(1)  # they go on writing meanwhile
        server = await asyncio.to_thread(bench.start_samraad, prepared.var_dir, prepared.options, port=server.port)
        await asyncio.sleep(2)

        wrong = await talk.finish()
    finally:
        server.stop()

    assert wrong == [], said_and_closes(talk)
    assert all(side.connections >= 3 for side in talk.sides)  # the first, after the kill, the final check
    assert "Traceback" not in log_of(server)


@pytest.mark.skipif(not ON_POSTGRESQL, reason="the database restart is PostgreSQL's (the second test pass)")
@in_own_loop
async def test_postgresql_stopped_and_started_again_loses_nothing(
    bench: ModuleType, postgres: PostgresCluster, tmp_path: Path
) -> None:
    chosen = options(bench, postgres.url)
    pairs = json.loads(bench.prepare(tmp_path, PAIRS, chosen).read_text())
    server = await asyncio.to_thread(bench.start_samraad, tmp_path, chosen)
    try:
        talk = Talk(pairs, [server.url], [server.url])
        await talk.until_connected()
        await asyncio.sleep(1.5)

        await asyncio.to_thread(postgres.stop)  # immediate: connections cut, as in a crash
        await asyncio.sleep(3)
        await asyncio.to_thread(postgres.start)
        await asyncio.sleep(2)

        wrong = await talk.finish()
    finally:
        server.stop()

    assert wrong == [], said_and_closes(talk)
    refused = {code for side in talk.sides for code in side.errors}
    assert refused == {"unavailable"}, said_and_closes(talk)  # told "not stored, try again", nothing else
    handshakes = [close for side in talk.sides for close in side.closes if close.startswith("handshake")]
    assert handshakes == [], handshakes  # never a 500 on the way in
    assert "Traceback" not in log_of(server)


@in_own_loop
async def test_redis_restarted_under_two_workers_loses_nothing(
    bench: ModuleType, prepared: Prepared, tmp_path: Path
) -> None:
    redis = await asyncio.to_thread(bench.start_redis, tmp_path, prepared.options)
    redis_url = f"redis://127.0.0.1:{redis.port}/0"
    first = await asyncio.to_thread(bench.start_samraad, prepared.var_dir, prepared.options, redis_url=redis_url)
    second = await asyncio.to_thread(bench.start_samraad, prepared.var_dir, prepared.options, redis_url=redis_url)
    try:
        # Every young person on the first worker, every counselor on the second.
        talk = Talk(prepared.pairs, [first.url], [second.url])
        await talk.until_connected()
        await asyncio.sleep(1.5)

        redis.stop()
        await asyncio.sleep(2)
        redis = await asyncio.to_thread(bench.start_redis, tmp_path, prepared.options, port=redis.port)
        await asyncio.sleep(3)

        wrong = await talk.finish()
    finally:
        for server in (first, second, redis):
            server.stop()

    assert wrong == [], said_and_closes(talk)
    assert all(side.connections >= 3 for side in talk.sides)  # each was told to start over once
    for server in (first, second):
        assert "Traceback" not in log_of(server)


@pytest.mark.skipif(not (ON_POSTGRESQL and os.environ.get("REDIS_URL")), reason="two workers need PostgreSQL and Redis")
@in_own_loop
async def test_a_young_person_and_a_counselor_on_different_workers_talk_normally(
    bench: ModuleType, prepared: Prepared
) -> None:
    redis_url = os.environ["REDIS_URL"]
    first = await asyncio.to_thread(bench.start_samraad, prepared.var_dir, prepared.options, redis_url=redis_url)
    second = await asyncio.to_thread(bench.start_samraad, prepared.var_dir, prepared.options, redis_url=redis_url)
    try:
        talk = Talk(prepared.pairs, [first.url], [second.url])
        await talk.until_connected()
        await asyncio.sleep(3)
        wrong = await talk.finish()
    finally:
        first.stop()
        second.stop()

    assert wrong == [], said_and_closes(talk)
    assert all(len(side.sent) >= 10 for side in talk.sides)
    # Nothing needed a reconnect: each side kept its first socket until the final check's.
    assert all(side.connections == 2 for side in talk.sides), said_and_closes(talk)


async def _send_and_ack(url: str, token: str, frame: dict[str, Any]) -> int:
    """Opens a young person's socket, sends `frame` and returns the `seq` of its ack."""
    async with connect(url + "/ws/chat/", origin=url.replace("ws://", "http://"), open_timeout=10) as ws:
        await ws.send(json.dumps({"type": "hello", "token": token, "last_seq": 0}))
        await ws.send(json.dumps(frame))
        async for raw in ws:
            answer = json.loads(raw)
            if answer["type"] == "ack" and answer["client_id"] == frame["client_id"]:
                return int(answer["seq"])
    raise AssertionError("no ack")


async def _copies(url: str, token: str, client_id: str) -> int:
    """How often the conversation holds a message with `client_id`, as a fresh hello replays it."""
    async with connect(url + "/ws/chat/", origin=url.replace("ws://", "http://"), open_timeout=10) as ws:
        await ws.send(json.dumps({"type": "hello", "token": token, "last_seq": 0}))
        welcome = json.loads(await ws.recv())
        replayed = [json.loads(await ws.recv()) for _ in range(welcome["last_seq"])]
    return sum(1 for message in replayed if message.get("client_id") == client_id)


@in_own_loop
async def test_a_frame_sent_three_times_at_once_and_again_after_a_restart_is_stored_once(
    bench: ModuleType, prepared: Prepared
) -> None:
    token = prepared.pairs["pairs"][-1]["token"]
    frame = {"type": "msg", "client_id": "same-frame", "body": "er der nogen?"}
    server = await asyncio.to_thread(bench.start_samraad, prepared.var_dir, prepared.options)
    try:
        at_once = await asyncio.gather(*(_send_and_ack(server.url, token, frame) for _ in range(3)))
        server.process.kill()
        await asyncio.to_thread(server.process.wait)
        server = await asyncio.to_thread(bench.start_samraad, prepared.var_dir, prepared.options, port=server.port)
        after_restart = await _send_and_ack(server.url, token, frame)
        copies = await _copies(server.url, token, "same-frame")
    finally:
        server.stop()

    assert len(set(at_once)) == 1
    assert after_restart == at_once[0]
    assert copies == 1
