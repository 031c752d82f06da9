"""One heartbeat per worker: marks every socket it holds as present, then moves on conversations
whose side has gone (see `actions.do_sweep`). State lives in the database, so a worker that dies
simply stops beating and another worker's sweep takes over."""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import DatabaseError, connection

from samraad.counseling import actions
from samraad.lib.asyncdb import db

log = logging.getLogger(__name__)
# Retention runs at most hourly per worker; `manage.py purge_transcripts` does it on demand.
PURGE_EVERY_S = 3600


class Heartbeat:
    def __init__(self) -> None:
        self.young: Counter[str] = Counter()
        self.counselor: Counter[str] = Counter()
        self.consoles: Counter[int] = Counter()
        self._task: asyncio.Task[None] | None = None
        self._last_purge = 0.0

    def add(self, bucket: Counter[Any], key: Any) -> None:
        bucket[key] += 1
        if self._task is None or self._task.done() or self._task.get_loop() is not asyncio.get_running_loop():
            self._task = asyncio.get_running_loop().create_task(self._run())

    def remove(self, bucket: Counter[Any], key: Any) -> None:
        bucket[key] -= 1
        if bucket[key] <= 0:
            del bucket[key]

    def _empty(self) -> bool:
        return not (self.young or self.counselor or self.consoles)

    async def _run(self) -> None:
        while not self._empty():
            await asyncio.sleep(settings.SAMRAAD_CHAT_HEARTBEAT_S)
            await self.beat()

    async def beat(self) -> None:
        young, counselor, consoles = list(self.young), list(self.counselor), list(self.consoles)
        purge = time.monotonic() - self._last_purge > PURGE_EVERY_S
        if purge:
            self._last_purge = time.monotonic()
        try:
            if connection.vendor == "sqlite":
                # One writer at a time anyway: the beat waits its turn in the database thread, a
                # part at a time, so that messages arriving meanwhile are stored between the parts
                # instead of behind the whole beat (tens of ms with thousands of sockets).
                for part in _parts(young, counselor, consoles, purge):
                    await db(part)()
            else:
                # A beat's statements wait on PostgreSQL (tens of ms with thousands of sockets); in
                # the database thread every message would wait behind them. On a connection of its
                # own a message waits only for a conversation the sweep is moving on: the touch
                # writes `Seen` rows, which no message locks.
                await sync_to_async(_beat_on_own_connection, thread_sensitive=False)(young, counselor, consoles, purge)
        except DatabaseError as error:  # the database is away (a restart): the next beat tries again
            log.warning("Heartbeat skipped, the database is unavailable (%s)", type(error).__name__)
        except Exception:  # a failed beat must not end the loop; the next one tries again
            log.exception("heartbeat failed")


def _parts(young: list[str], counselor: list[str], consoles: list[int], purge: bool) -> list[Callable[[], Any]]:
    """A beat's work, in order, each part in transactions of its own."""
    parts: list[Callable[[], Any]] = [
        functools.partial(actions.do_touch, young=young, counselor=counselor, consoles=[]),
        functools.partial(actions.do_touch, young=[], counselor=[], consoles=consoles),
        actions.do_sweep,
        actions.do_dispatch_offers,
    ]
    return [*parts, actions.do_purge_transcripts] if purge else parts


def _beat_on_own_connection(young: list[str], counselor: list[str], consoles: list[int], purge: bool) -> None:
    try:
        for part in _parts(young, counselor, consoles, purge):
            part()
    finally:
        connection.close()  # a pool thread: no connection is left open between beats


heartbeat = Heartbeat()
