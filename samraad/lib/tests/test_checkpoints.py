"""SQLite's checkpoints happen in a thread of their own, not in the commit of a chat message."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from samraad.lib import checkpoints

PAGE = 4096
sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's own log")


def _open_as_configured(path: Path) -> sqlite3.Connection:
    """A new database with one table of pages, on a connection with the pragmas every connection
    of the project gets."""
    database = sqlite3.connect(path, isolation_level=None)
    database.executescript(settings.DATABASES["default"]["OPTIONS"]["init_command"])
    database.execute("CREATE TABLE page (body BLOB)")
    return database


def _log_pages(path: Path) -> int:
    return (Path(f"{path}-wal").stat().st_size - 32) // (24 + PAGE)  # a header, then frames


@sqlite_only
def test_commits_leave_the_log_to_the_checkpointer_which_copies_all_of_it(tmp_path):
    path = tmp_path / "log.sqlite3"
    database = _open_as_configured(path)
    for _ in range(4):  # 4 commits of some 500 pages: by default the 3rd would checkpoint
        database.execute("BEGIN IMMEDIATE")
        database.executemany("INSERT INTO page VALUES (?)", [(bytes(PAGE),)] * 500)
        database.execute("COMMIT")

    logged_by_commits = _log_pages(path)
    busy, logged, copied = checkpoints.checkpoint(str(path))

    assert logged_by_commits > 2_000  # no commit rewound the log after a checkpoint of its own
    assert (busy, copied) == (0, logged) and logged > 2_000
    database.close()


@sqlite_only
@pytest.mark.parametrize(
    ("pages", "wait"),
    [(300, checkpoints.EVERY_S), (900, checkpoints.SOON_S), (1_100, checkpoints.EVERY_S)],
    ids=["far from the limit", "near it", "past it, where the next commit restarts the log"],
)
def test_a_log_near_its_limit_is_checkpointed_again_soon(tmp_path, pages, wait):
    path = tmp_path / "near.sqlite3"
    database = _open_as_configured(path)
    database.execute("PRAGMA wal_autocheckpoint=0")  # this writer leaves all of it to the rounds
    while _log_pages(path) < pages:
        database.execute("BEGIN IMMEDIATE")
        database.executemany("INSERT INTO page VALUES (?)", [(bytes(PAGE // 2),)] * 10)
        database.execute("COMMIT")

    assert checkpoints.one_round(str(path), limit=1_000) == wait
    database.close()


@sqlite_only
def test_a_checkpoint_never_waits_for_a_writer(tmp_path):
    path = tmp_path / "busy.sqlite3"
    database = _open_as_configured(path)
    database.execute("INSERT INTO page VALUES (?)", (bytes(PAGE),))
    database.execute("BEGIN IMMEDIATE")  # a writer holds the write lock
    database.execute("INSERT INTO page VALUES (?)", (bytes(PAGE),))

    busy, logged, copied = checkpoints.checkpoint(str(path))

    assert (busy, copied) == (0, logged)  # what was committed is copied; the open write waits for nobody
    database.execute("COMMIT")
    database.close()


@sqlite_only
def test_a_database_whose_path_looks_like_a_uri_is_checkpointed_all_the_same(tmp_path):
    path = tmp_path / "a b#c?d.sqlite3"
    database = _open_as_configured(path)

    assert checkpoints.checkpoint(str(path))[0] == 0
    database.close()


def test_a_missing_database_is_not_created_by_its_checkpointer(tmp_path):
    with pytest.raises(sqlite3.Error):
        checkpoints.checkpoint(str(tmp_path / "gone.sqlite3"))
    assert not (tmp_path / "gone.sqlite3").exists()


def test_one_checkpointer_a_database_file(tmp_path):
    path = str(tmp_path / "once.sqlite3")
    sqlite3.connect(path).close()

    first, second = checkpoints.start(path, 1_000), checkpoints.start(path, 1_000)

    assert first is not None and second is None
    first.set()


@sqlite_only
@pytest.mark.django_db
def test_the_projects_database_has_its_checkpointer_once_it_is_connected():
    connection.ensure_connection()
    # with the limit at which the project's commits checkpoint (settings.DATABASES)
    assert checkpoints._started[str(connection.settings_dict["NAME"])] == 10_000
