"""The layer between workers: two `RedisLayer`s in one process stand for two workers, against a
Redis server of the test's own, so the test can stop and restart it."""

from __future__ import annotations

import asyncio
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from samraad.lib.layers import OVERFLOW, RedisLayer


class RedisServer:
    def __init__(self, directory: Path) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.skip("redis-server is not installed")
        self.binary = binary
        self.directory = directory
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.process: subprocess.Popen[bytes] | None = None
        self.start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        command = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen(  # noqa: S603 - the machine's redis-server, fixed arguments
            [*command, "--dir", str(self.directory)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.02)
        raise RuntimeError("redis-server did not start")

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path)
    yield server
    server.kill()


async def receive(layer: RedisLayer, channel: str, timeout: float = 5) -> dict:
    return await asyncio.wait_for(layer.receive(channel), timeout)


async def nothing_more(layer: RedisLayer, channel: str) -> bool:
    await asyncio.sleep(0.2)
    return not layer.inboxes[channel].events


async def test_an_event_reaches_the_group_on_every_worker_once(redis_server):
    first, second = RedisLayer(redis_server.url), RedisLayer(redis_server.url)
    young = await first.new_channel()  # the young person's socket is on the first worker,
    counselor = await second.new_channel()  # the counselor's on the second
    for layer, channel in ((first, young), (second, counselor)):
        await layer.group_add("conversation-1", channel)

    await first.group_send("conversation-1", {"type": "deliver", "seq": 1, "body": "hej æøå"})

    assert await receive(second, counselor) == {"type": "deliver", "seq": 1, "body": "hej æøå"}
    assert await receive(first, young) == {"type": "deliver", "seq": 1, "body": "hej æøå"}
    assert await nothing_more(first, young)  # its own event is not delivered again from Redis
    assert await nothing_more(second, counselor)


async def test_events_from_a_database_thread_reach_another_worker_in_the_order_sent(redis_server):
    first, second = RedisLayer(redis_server.url), RedisLayer(redis_server.url)
    await first.new_channel()  # the first worker has a socket of its own, elsewhere
    counselor = await second.new_channel()
    await second.group_add("conversation-1", counselor)

    def commit_many() -> None:
        for seq in range(1, 1001):
            first.group_send_from_thread("conversation-1", {"type": "deliver", "seq": seq})

    thread = threading.Thread(target=commit_many)
    thread.start()
    received = [(await receive(second, counselor))["seq"] for _ in range(1000)]
    thread.join()

    assert received == list(range(1, 1001))


async def test_after_a_redis_restart_every_socket_open_without_it_starts_over(redis_server):
    first, second = RedisLayer(redis_server.url), RedisLayer(redis_server.url)
    young = await first.new_channel()
    counselor = await second.new_channel()
    for layer, channel in ((first, young), (second, counselor)):
        await layer.group_add("conversation-1", channel)

    redis_server.kill()
    while second.subscribed.is_set() or first.subscribed.is_set():
        await asyncio.sleep(0.02)
    # Meanwhile the young person writes: the worker's own sockets still hear it, the other
    # worker's cannot, and nothing blocks or raises on the way.
    await first.group_send("conversation-1", {"type": "deliver", "seq": 2})
    assert await receive(first, young) == {"type": "deliver", "seq": 2}
    redis_server.start()

    # Each socket that may have missed something is told to reconnect and fetch from the database.
    assert await receive(second, counselor, timeout=10) == OVERFLOW
    assert await receive(first, young, timeout=10) == OVERFLOW

    # The first worker dropped what it could not publish, so it tells the second to start over
    # too; once that has passed, a socket opened now is left alone and hears the first worker.
    probe = await second.new_channel()
    await second.group_add("probe", probe)
    while True:
        await first.group_send("probe", {"type": "deliver", "seq": 0})
        if (await receive(second, probe)) != OVERFLOW:
            break
    fresh = await second.new_channel()
    await second.group_add("conversation-1", fresh)
    await first.group_send("conversation-1", {"type": "deliver", "seq": 3})
    assert await receive(second, fresh) == {"type": "deliver", "seq": 3}
    assert await nothing_more(second, fresh)


async def test_a_socket_opened_while_redis_is_down_starts_over_when_it_is_back(redis_server):
    layer = RedisLayer(redis_server.url)
    layer.SUBSCRIBED_WAIT_S = 0.1
    early = await layer.new_channel()
    redis_server.kill()
    while layer.subscribed.is_set():
        await asyncio.sleep(0.02)

    during = await layer.new_channel()
    assert during in layer.stale
    redis_server.start()

    assert await receive(layer, during, timeout=10) == OVERFLOW
    assert await receive(layer, early, timeout=10) == OVERFLOW
    assert not layer.stale
