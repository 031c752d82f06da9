"""The fault tests run the real server as `make run` does (uvicorn in a subprocess, through the
benchmark's starter) with clients on real sockets, and break what it stands on."""

from __future__ import annotations

import asyncio
import functools
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.faults.clients import Side, check_conversation, settled

BENCH_DIR = Path(__file__).resolve().parents[2] / "bench"


def in_own_loop(test: Callable[..., Coroutine[Any, Any, None]]) -> Callable[..., None]:
    """Runs an async test on an event loop of its own, in a thread of its own. The browser tests'
    session-wide Playwright keeps an event loop running in the main thread until the whole run
    ends, and no second loop can start there."""

    @functools.wraps(test)
    def run(*args: Any, **kwargs: Any) -> None:
        failure: list[BaseException] = []

        def body() -> None:
            try:
                asyncio.run(test(*args, **kwargs))
            except BaseException as error:  # noqa: BLE001 - handed to the test's own thread
                failure.append(error)

        thread = threading.Thread(target=body, name=test.__name__)
        thread.start()
        thread.join()
        if failure:
            raise failure[0]

    return run


SPEAK_EVERY_S = 0.25  # each person says something four times a second


@pytest.fixture(scope="session")
def bench() -> ModuleType:
    """bench/run.py, which starts Samraad, Redis and the database preparation as the benchmark does."""
    if "bench_run" in sys.modules:
        return sys.modules["bench_run"]
    sys.path.insert(0, str(BENCH_DIR))  # run.py imports chat_load from its own directory
    spec = importlib.util.spec_from_file_location("bench_run", BENCH_DIR / "run.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_run"] = module
    spec.loader.exec_module(module)
    return module


def options(bench: ModuleType, database_url: str = "") -> Any:
    chosen = bench.parse_arguments_from([])
    chosen.server_cpus = chosen.client_cpus = None
    chosen.database_url = database_url
    return chosen


class Talk:
    """N young people and their counselors, each pair saying something every `SPEAK_EVERY_S`."""

    def __init__(self, prepared: dict[str, Any], young_urls: list[str], counselor_urls: list[str]) -> None:
        origin = young_urls[0].replace("ws://", "http://")
        self.pairs = [
            (
                Side(f"y{number}", pair["conversation"], young_urls, origin, token=pair["token"]),
                Side(
                    f"c{number}",
                    pair["conversation"],
                    counselor_urls,
                    origin,
                    cookie=f"{prepared['cookie_name']}={pair['session']}",
                ),
            )
            for number, pair in enumerate(prepared["pairs"])
        ]
        self.sides = [side for pair in self.pairs for side in pair]
        self.tasks = [asyncio.create_task(side.run()) for side in self.sides]
        self.speaking = asyncio.create_task(self._speak())

    async def _speak(self) -> None:
        turn = 0
        while True:
            turn += 1
            for side in self.sides:
                await side.say(f"{side.name} nr. {turn}: hej æøå 🌱 <b>")
            await asyncio.sleep(SPEAK_EVERY_S)

    async def until_connected(self, timeout_s: float = 30) -> None:
        deadline = time.monotonic() + timeout_s
        while not all(side.ws is not None and side.transcript for side in self.sides):
            if time.monotonic() > deadline:
                raise AssertionError(f"not all connected: {[(s.name, dict(s.closes)) for s in self.sides]}")
            await asyncio.sleep(0.05)

    async def finish(self, timeout_s: float = 60) -> list[str]:
        """Stops speaking, waits until every message is acknowledged and seen on both sides, and
        returns what is wrong."""
        self.speaking.cancel()
        deadline = time.monotonic() + timeout_s
        while not all(settled(young, counselor) for young, counselor in self.pairs):
            if time.monotonic() > deadline:
                break
            await asyncio.sleep(0.1)
        wrong = []
        for young, counselor in self.pairs:
            if not settled(young, counselor):
                wrong.append(
                    f"{young.conversation} did not settle: unacknowledged {len(young.outbox)} + "
                    f"{len(counselor.outbox)}, errors {dict(young.errors)} {dict(counselor.errors)}"
                )
            wrong += check_conversation(young, counselor)
        # The conversation states are right afterwards: still active, still held by its counselor.
        await self.reconnect_all()
        for young, counselor in self.pairs:
            if young.states[-1:] != ["active"] or counselor.held is not True:
                wrong.append(f"{young.conversation} is {young.states[-1:]}, held: {counselor.held}")
        for side in self.sides:
            await side.stop()
        await asyncio.gather(*self.tasks, self.speaking, return_exceptions=True)
        return wrong

    async def reconnect_all(self) -> None:
        """Every side opens a fresh socket, so its view of the state comes from the server now."""
        before = {side.name: side.connections for side in self.sides}
        for side in self.sides:
            if side.ws is not None:
                await side.ws.close()
        deadline = time.monotonic() + 20
        while any(side.connections == before[side.name] or side.ws is None for side in self.sides):
            if time.monotonic() > deadline:
                return
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.5)  # the welcome or shift/assigned frames


def said_and_closes(talk: Talk) -> str:
    return json.dumps(
        {
            side.name: {"said": len(side.sent), "closes": dict(side.closes), "errors": dict(side.errors)}
            for side in talk.sides
        }
    )


class PostgresCluster:
    """A PostgreSQL server of the test's own, so it can be stopped and started again."""

    def __init__(self, port: int) -> None:
        binaries = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
        if not binaries:
            pytest.fail("PostgreSQL's server binaries are not installed (/usr/lib/postgresql/*/bin)")
        self.bin = binaries[-1].parent
        self.port = port
        self.directory = Path(tempfile.mkdtemp(prefix="samraad-pg-"))
        self.data = self.directory / "data"
        # PostgreSQL refuses to run as root: as root it runs as the postgres user.
        self.as_owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_owner:
            shutil.chown(self.directory, "postgres")
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")
        self.start()

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, program: str, *arguments: str) -> None:
        subprocess.run(  # noqa: S603 - the machine's PostgreSQL, fixed arguments
            [*self.as_owner, str(self.bin / program), *arguments], check=True, capture_output=True, timeout=120
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.directory / "log"), "-w", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def remove(self) -> None:
        try:
            self.stop()
        except subprocess.CalledProcessError:
            pass  # already stopped
        shutil.rmtree(self.directory, ignore_errors=True)


@pytest.fixture
def postgres(bench: ModuleType) -> Iterator[PostgresCluster]:
    cluster = PostgresCluster(bench.free_port())
    yield cluster
    cluster.remove()
