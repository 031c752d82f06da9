"""`in_database_thread` is `db` at a lower cost: the same thread, whoever chose it."""

from __future__ import annotations

import threading

import pytest
from asgiref.sync import ThreadSensitiveContext, async_to_sync
from django.db import connection

from samraad.lib.asyncdb import db, in_database_thread


def thread_id() -> int:
    return threading.get_ident()


async def both_threads() -> tuple[int, int]:
    return await db(thread_id)(), await in_database_thread(thread_id)


async def test_on_the_event_loop_it_runs_in_the_one_database_thread():
    by_db, by_fast_path = await both_threads()

    assert by_fast_path == by_db != threading.get_ident()


def test_under_async_to_sync_it_runs_where_db_does_in_the_calling_thread():
    by_db, by_fast_path = async_to_sync(both_threads)()

    assert by_fast_path == by_db == threading.get_ident()


async def test_in_a_thread_sensitive_context_it_runs_in_that_context_s_thread():
    async with ThreadSensitiveContext():
        by_db, by_fast_path = await both_threads()
    outside, _ = await both_threads()

    assert by_fast_path == by_db != outside


@pytest.mark.django_db
async def test_a_failure_reaches_the_caller_and_the_connection_is_checked(monkeypatch):
    checked: list[int] = []
    monkeypatch.setattr("samraad.lib.asyncdb.close_old_connections", lambda: checked.append(thread_id()))

    def fails() -> None:
        connection.ensure_connection()
        raise ValueError("from the database thread")

    with pytest.raises(ValueError, match="from the database thread"):
        await in_database_thread(fails)

    assert checked == [await in_database_thread(thread_id)]
