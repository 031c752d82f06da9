"""Running the ORM from a socket's coroutine.

Channels' `database_sync_to_async` closes "old" database connections before and after every call,
and Channels 4.2+ also does so, through a second thread hop, before every event a consumer
handles. With persistent connections that is wasted work on every chat message; with
`CONN_MAX_AGE=0` it reconnects every time. Here the connection stays open in the one database
thread and is only checked, and replaced if broken, after a call fails (e.g. when the database
restarted). The heartbeat also checks it every beat (see `heartbeat.py`).

`in_database_thread` is the same trip for the chat's group commit, without `SyncToAsync`'s own
cost (docs/performance.md).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Any, TypeVar

from asgiref.sync import AsyncToSync, SyncToAsync
from django.db import close_old_connections

T = TypeVar("T")


class _InDatabaseThread(SyncToAsync):
    def thread_handler(self, loop: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().thread_handler(loop, *args, **kwargs)
        except Exception:
            close_old_connections()
            raise


db = _InDatabaseThread


async def in_database_thread(func: Callable[..., T], *args: Any) -> T:
    """`await db(func)(*args)`, in the same thread, for the call every chat message makes.

    `SyncToAsync` copies the caller's context into the thread and shields the call: about a tenth
    of the server's CPU per message at N = 100. `func` here needs neither: it reads no context
    variable and the caller does not cancel it. Where a caller up the stack chose the thread
    (`async_to_sync`, a `ThreadSensitiveContext`: tests and sync views) this is `db` itself."""
    executor = _database_thread()
    if executor is None:
        return await db(func)(*args)
    return await asyncio.get_running_loop().run_in_executor(executor, _checked, func, *args)


def _database_thread() -> Executor | None:
    """The executor `SyncToAsync(thread_sensitive=True)` would choose here, if it is the one
    database thread (asgiref 3.13, pinned: `SyncToAsync.__call__`); None if a caller chose another."""
    if getattr(AsyncToSync.executors, "current", None) is not None:
        return None
    if SyncToAsync.thread_sensitive_context.get(None) is not None:
        return None
    if asyncio.get_running_loop() in AsyncToSync.loop_thread_executors:
        return None
    return SyncToAsync.single_thread_executor


def _checked(func: Callable[..., T], *args: Any) -> T:
    try:
        return func(*args)
    except Exception:
        close_old_connections()
        raise
