"""Running the ORM from a socket's coroutine.

Channels' `database_sync_to_async` closes "old" database connections before and after every call,
and Channels 4.2+ also does so, through a second thread hop, before every event a consumer
handles. With persistent connections that is wasted work on every chat message; with
`CONN_MAX_AGE=0` it reconnects every time. Here the connection stays open in the one database
thread and is only checked, and replaced if broken, after a call fails (e.g. when the database
restarted). The heartbeat also checks it every beat (see `heartbeat.py`).
"""

from __future__ import annotations

from typing import Any

from asgiref.sync import SyncToAsync
from django.db import close_old_connections


class _InDatabaseThread(SyncToAsync):
    def thread_handler(self, loop: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().thread_handler(loop, *args, **kwargs)
        except Exception:
            close_old_connections()
            raise


db = _InDatabaseThread
