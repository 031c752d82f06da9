"""SQLite's WAL checkpoints, off the path of the chat's messages.

In WAL mode a commit appends pages to the write-ahead log and, with `synchronous=NORMAL`, waits
for no disk. The disk is waited for when the log is copied back into the database (a checkpoint,
with two `fsync`s), and by default SQLite does that inside whichever commit takes the log past
1,000 pages. On the chat that was a batch of messages every fraction of a second, and on a busy
disk its commit took 90–310 ms while every message behind it waited (docs/performance.md).

Here a thread of the process checkpoints each SQLite database it uses ten times a second, on a
connection of its own, in PASSIVE mode: it copies what no reader still needs and never blocks a
writer or a reader. The log starts over only at a write that finds all of it copied, which a steady
stream of messages seldom allows, so a commit still checkpoints when the log passes the
`wal_autocheckpoint` that `settings.DATABASES` sets (10,000 pages, about 40 MB). What that commit
still does is sync the log written since this thread's last round, copy it, and sync the database:
with a round a second that was up to a second of log (tens of MB at the benchmark's rates), and
such a commit took 10–50 ms about once a second at 2,240 messages a second. With ten rounds a
second it had a tenth as much, yet on a database grown by minutes of heavy chat that commit still
took 12–25 ms about once a second (docs/performance.md). So once the log is past
`NEAR` of its limit the thread goes again every `SOON_S`, and the commit that crosses the limit
finds only the last few milliseconds of log left to copy. An idle round costs about 0.3 ms of CPU
(opening the file and finding nothing to copy). PostgreSQL has its own checkpointer.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from pathlib import Path
from typing import Any

from django.db.backends.signals import connection_created
from django.dispatch import receiver

log = logging.getLogger(__name__)

EVERY_S = 0.1
# Past this share of `wal_autocheckpoint`, the next round comes after SOON_S. Not at or over the
# limit itself: there the next commit restarts the log, and a round holding the checkpoint lock
# would make that commit skip its checkpoint and the log grow on.
NEAR = 0.8
SOON_S = 0.01

_started: dict[str, int] = {}
_lock = threading.Lock()


def checkpoint(path: str) -> tuple[int, int, int]:
    """One passive checkpoint of the database at `path`: (busy, pages in the log, pages copied)."""
    # mode=rw: a database that is gone is not created again, empty, by its checkpointer.
    uri = f"{Path(path).resolve().as_uri()}?mode=rw"
    connection = sqlite3.connect(uri, uri=True, timeout=0, check_same_thread=False)
    try:
        busy, logged, copied = connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        return busy, logged, copied
    finally:
        connection.close()


def one_round(path: str, limit: int) -> float:
    """Checkpoints `path`, whose commits checkpoint at `limit` pages; returns the seconds to wait
    before the next round."""
    _busy, logged, _copied = checkpoint(path)
    return SOON_S if limit * NEAR <= logged < limit else EVERY_S


def _run(path: str, limit: int, stop: threading.Event) -> None:
    wait = EVERY_S
    while not stop.wait(wait):
        try:
            wait = one_round(path, limit)
        except sqlite3.Error as error:  # a missing or replaced file (tests): the next round tries again
            log.debug("Checkpoint of %s skipped (%s)", path, error)
            wait = EVERY_S


def start(path: str, limit: int) -> threading.Event | None:
    """Starts the checkpointer of `path`, whose commits checkpoint at `limit` pages, unless this
    process runs one already; returns its stop."""
    with _lock:
        if path in _started:
            return None
        _started[path] = limit
    stop = threading.Event()
    threading.Thread(target=_run, args=(path, limit, stop), name=f"checkpoints {path}", daemon=True).start()
    return stop


@receiver(connection_created)
def _start_for_sqlite(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "sqlite" and not connection.is_in_memory_db():
        (limit,) = connection.connection.execute("PRAGMA wal_autocheckpoint").fetchone()
        start(str(connection.settings_dict["NAME"]), limit)
