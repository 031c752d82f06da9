"""The chat message's own path to the database, in plain SQL.

Every chat message reads its conversation under a lock, numbers the message and stores it. Through
the ORM those statements cost about 1.5 ms of Python (building and compiling each query,
instantiating models) against some 0.1 ms of SQLite, and they run on every message of every
conversation (docs/performance.md). Here the statements are written once and run on the driver's
own cursor, inside the ORM's transaction; the columns' own fields still prepare every value (ids,
times, the encrypted body, JSON), so the rows are exactly what the ORM would write, and the
database's constraints still guard them: a resend is recognised by the unique index on
`client_id` as it is inserted. Everything else about a conversation goes through the ORM.

Being off the ORM's cursor, these statements are not in `connection.queries`.
"""

from __future__ import annotations

import functools
import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, Model

from samraad.counseling.models import Conversation, Message, Seen


@dataclass
class Locked:
    """What posting a message needs to know of its conversation, read under the row lock."""

    id: uuid.UUID
    state: str
    kind: str
    counselor_id: int | None
    blocked: bool  # the young person is blocked at the time given to `lock`
    last_seq: int
    triage_level: int
    triage_from_seq: int  # triage reads the young person's messages after this one together
    at: datetime  # the time given to `lock`, and as the database stores it:
    db_at: Any
    db_id: Any  # the id as the database stores it


@functools.cache
def _field(model: type[Model], name: str) -> Field[Any, Any]:
    field = model._meta.get_field(name)
    assert isinstance(field, Field)  # noqa: S101 - a concrete column, never a relation's reverse
    return field


def _prep(wrapper: BaseDatabaseWrapper, model: type[Model], name: str, value: Any) -> Any:
    return _field(model, name).get_db_prep_value(value, wrapper, prepared=False)


@contextmanager
def _cursor() -> Iterator[tuple[BaseDatabaseWrapper, Any]]:
    """The driver's cursor on the default connection, in its current transaction, with errors
    turned into Django's (an IntegrityError is the same class as from the ORM)."""
    wrapper = connections[DEFAULT_DB_ALIAS]
    wrapper.ensure_connection()
    with wrapper.wrap_database_errors:
        cursor = wrapper.connection.cursor()
        try:
            yield wrapper, cursor
        finally:
            cursor.close()


def _sql(wrapper: BaseDatabaseWrapper, statement: str) -> str:
    return _QMARK[statement] if wrapper.vendor == "sqlite" else statement


# Table and column names as the migrations made them (a test runs every statement on both
# databases). SQLite has no row locks: its IMMEDIATE transactions (settings) serialise writers.
# On PostgreSQL a message takes its conversation FOR NO KEY UPDATE, the lock its own UPDATE would
# take: it still excludes every other writer of the row, but not the KEY SHARE with which another
# transaction checks a foreign key to the conversation (a heartbeat's, a note's) as it commits.
LOCK = (
    "SELECT state, kind, counselor_id, CASE WHEN blocked_until > %s THEN 1 ELSE 0 END, last_seq, triage_level, "
    "triage_from_seq FROM counseling_conversation WHERE id = %s"
)
LOCK_FOR_UPDATE = (
    "SELECT state, kind, counselor_id, CASE WHEN blocked_until > %s THEN 1 ELSE 0 END, last_seq, triage_level, "
    "triage_from_seq FROM counseling_conversation WHERE id = %s FOR NO KEY UPDATE"
)
# The first condition repeats the unique index's own, so SQLite uses that index.
RESENT = (
    "SELECT id FROM counseling_message "
    "WHERE NOT (client_id = '') AND conversation_id = %s AND sender = %s AND client_id = %s"
)
# The level is written only when a message raises it: `triage_level` is in three of the
# conversation's indexes, and SQLite rewrites an index entry for every column in SET, changed or
# not (on PostgreSQL an unchanged indexed column keeps the update HOT). Most messages raise
# nothing, so they change no index of the conversation.
NUMBER = "UPDATE counseling_conversation SET last_seq = %s, updated_at = %s WHERE id = %s"
NUMBER_AND_RAISE = "UPDATE counseling_conversation SET last_seq = %s, triage_level = %s, updated_at = %s WHERE id = %s"
# A resend meets the unique index on client_id (one_message_per_client_id) and inserts nothing.
INSERT = (
    "INSERT INTO counseling_message "
    "(conversation_id, seq, sender, author_id, body, client_id, triage_level, triage_reasons, created_at) "
    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) "
    "ON CONFLICT (conversation_id, sender, client_id) WHERE NOT (client_id = '') DO NOTHING RETURNING id"
)
# SQLite's driver takes ? where psycopg takes %s; no statement here has a literal % in it.
_QMARK = {statement: statement.replace("%s", "?") for statement in (LOCK, RESENT, NUMBER, NUMBER_AND_RAISE, INSERT)}


# A batch locks its conversations in one order, so two workers' batches never wait on each other.
LOCK_IN_ORDER = "SELECT id FROM counseling_conversation WHERE id = ANY(%s) ORDER BY id FOR NO KEY UPDATE"


def lock_in_order(conversation_ids: set[str]) -> None:
    """Takes the row locks of a batch's conversations, in id order (PostgreSQL; SQLite's
    IMMEDIATE transaction already holds the one write lock)."""
    if connections[DEFAULT_DB_ALIAS].vendor == "sqlite" or len(conversation_ids) < 2:
        return
    keys = []
    for conversation_id in conversation_ids:
        try:
            keys.append(uuid.UUID(conversation_id))
        except ValueError:
            continue  # refused as not_found when its turn comes
    with _cursor() as (_, cursor):
        cursor.execute(LOCK_IN_ORDER, [keys])


def lock(conversation_id: uuid.UUID | str, now: datetime) -> Locked | None:
    """Reads the conversation and holds its row until the transaction ends; None if unknown.
    The caller runs inside `transaction.atomic`."""
    try:
        key = uuid.UUID(str(conversation_id))
    except ValueError:
        return None
    with _cursor() as (wrapper, cursor):
        db_at, db_id = _prep(wrapper, Conversation, "updated_at", now), _prep(wrapper, Conversation, "id", key)
        cursor.execute(_sql(wrapper, LOCK) if wrapper.vendor == "sqlite" else LOCK_FOR_UPDATE, [db_at, db_id])
        row = cursor.fetchone()
    if row is None:
        return None
    state, kind, counselor_id, blocked, last_seq, triage_level, triage_from_seq = row
    return Locked(
        key, state, kind, counselor_id, bool(blocked), last_seq, triage_level, triage_from_seq, now, db_at, db_id
    )


def resent_id(conversation_id: uuid.UUID, sender: str, client_id: str) -> int | None:
    """The id of the message a resend repeats, if it is stored."""
    with _cursor() as (wrapper, cursor):
        cursor.execute(
            _sql(wrapper, RESENT), [_prep(wrapper, Message, "conversation", conversation_id), sender, client_id]
        )
        row = cursor.fetchone()
    return None if row is None else int(row[0])


def append(
    conversation: Locked,
    *,
    sender: str,
    author_id: int | None,
    client_id: str,
    body: str,
    triage_level: int,
    triage_reasons: list[str],
) -> Message | None:
    """Numbers and stores the next message of a locked conversation, at the time it was locked;
    raises the level of the conversation to the message's if higher. Returns the message as
    stored, or None for a resend of a stored one (`client_id`), which changes nothing."""
    seq = conversation.last_seq + 1
    level = max(conversation.triage_level, triage_level)
    with _cursor() as (wrapper, cursor):
        cursor.execute(
            _sql(wrapper, INSERT),
            [
                conversation.db_id,
                seq,
                sender,
                author_id,
                _prep(wrapper, Message, "body", body),
                client_id,
                triage_level,
                _prep(wrapper, Message, "triage_reasons", triage_reasons),
                conversation.db_at,
            ],
        )
        row = cursor.fetchone()
        if row is None:
            return None
        if level == conversation.triage_level:
            cursor.execute(_sql(wrapper, NUMBER), [seq, conversation.db_at, conversation.db_id])
        else:
            cursor.execute(_sql(wrapper, NUMBER_AND_RAISE), [seq, level, conversation.db_at, conversation.db_id])
    conversation.last_seq, conversation.triage_level = seq, level
    return Message(
        id=row[0],
        conversation_id=conversation.id,
        seq=seq,
        sender=sender,
        author_id=author_id,
        body=body,
        client_id=client_id,
        triage_level=triage_level,
        triage_reasons=triage_reasons,
        created_at=conversation.at,
    )


# --- the heartbeat -------------------------------------------------------------------------------
# A worker's beat marks every socket it holds, thousands at N = 1,000. As `pk__in` lists that cost
# some 45 ms of Python a beat (a parameter a row, each prepared by its field, and psycopg parsing a
# statement of thousands of placeholders); on SQLite the beat runs in the database thread, and
# every message waited behind it. Here a statement takes all its ids as one parameter: an array on
# PostgreSQL, a JSON array on SQLite.
SEEN_IN_ORDER = (
    "SELECT conversation_id FROM counseling_seen WHERE conversation_id = ANY(%s) ORDER BY conversation_id FOR UPDATE"
)
SEEN = "UPDATE counseling_seen SET {sides} WHERE conversation_id = ANY(%s)"
SEEN_SQLITE = "UPDATE counseling_seen SET {sides} WHERE conversation_id IN (SELECT value FROM json_each(?))"


def mark_seen(young: set[str], counselor: set[str], now: datetime) -> None:
    """Sets `young_at` of the conversations in `young` and `counselor_at` of those in `counselor`
    to `now`, each row in one statement. The caller runs inside `transaction.atomic`.

    Each row once: PostgreSQL checks the foreign key of a row its transaction has already changed,
    at commit, under a lock on the conversation that waits on messages. Two workers' beats may
    share rows (a young person on one, the counselor on the other), so on PostgreSQL the rows are
    locked first, in one order: an update's own order follows the table's, and opposite orders
    deadlock."""
    both = young & counselor
    with _cursor() as (wrapper, cursor):
        sqlite = wrapper.vendor == "sqlite"

        def ids(conversation_ids: set[str]) -> Any:
            keys = [uuid.UUID(conversation_id) for conversation_id in conversation_ids]
            return json.dumps([key.hex for key in keys]) if sqlite else keys

        if not sqlite:
            cursor.execute(SEEN_IN_ORDER, [ids(young | counselor)])
        at = _prep(wrapper, Seen, "young_at", now)
        for rows, sides in (
            (both, ("young_at", "counselor_at")),
            (young - both, ("young_at",)),
            (counselor - both, ("counselor_at",)),
        ):
            if rows:
                statement = (SEEN_SQLITE if sqlite else SEEN).format(sides=", ".join(f"{side} = %s" for side in sides))
                cursor.execute(statement.replace("%s", "?") if sqlite else statement, [*[at] * len(sides), ids(rows)])
