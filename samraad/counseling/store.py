"""The chat message's own path to the database, in plain SQL.

Every chat message reads its conversation under a lock, checks for a resend, numbers the message
and stores it: four statements. Through the ORM they cost about 1.5 ms of Python (building and
compiling each query, instantiating models) against some 0.1 ms of SQLite, and they run on every
message of every conversation (docs/performance.md). Here the statements are written once; the
columns' own fields still prepare every value (ids, times, the encrypted body, JSON), so the rows
are exactly what the ORM would write, and the database's constraints still guard them.
Everything else about a conversation goes through the ORM.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection

from samraad.counseling.models import Conversation, Message


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


def _prep(model: type[Any], name: str, value: Any) -> Any:
    return model._meta.get_field(name).get_db_prep_value(value, connection, prepared=False)


# Table and column names as the migrations made them (a test runs every statement on both
# databases). SQLite has no row locks: its IMMEDIATE transactions (settings) serialise writers.
LOCK = (
    "SELECT state, kind, counselor_id, CASE WHEN blocked_until > %s THEN 1 ELSE 0 END, last_seq, triage_level "
    "FROM counseling_conversation WHERE id = %s"
)
LOCK_FOR_UPDATE = (
    "SELECT state, kind, counselor_id, CASE WHEN blocked_until > %s THEN 1 ELSE 0 END, last_seq, triage_level "
    "FROM counseling_conversation WHERE id = %s FOR UPDATE"
)
# The first condition repeats the unique index's own, so SQLite uses that index.
RESENT = (
    "SELECT id FROM counseling_message "
    "WHERE NOT (client_id = '') AND conversation_id = %s AND sender = %s AND client_id = %s"
)
NUMBER = "UPDATE counseling_conversation SET last_seq = %s, triage_level = %s, updated_at = %s WHERE id = %s"
INSERT = (
    "INSERT INTO counseling_message "
    "(conversation_id, seq, sender, author_id, body, client_id, triage_level, triage_reasons, created_at) "
    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING id"
)


# A batch locks its conversations in one order, so two workers' batches never wait on each other.
LOCK_IN_ORDER = "SELECT id FROM counseling_conversation WHERE id = ANY(%s) ORDER BY id FOR UPDATE"


def lock_in_order(conversation_ids: set[str]) -> None:
    """Takes the row locks of a batch's conversations, in id order (PostgreSQL; SQLite's
    IMMEDIATE transaction already holds the one write lock)."""
    if connection.vendor == "sqlite" or len(conversation_ids) < 2:
        return
    keys = []
    for conversation_id in conversation_ids:
        try:
            keys.append(uuid.UUID(conversation_id))
        except ValueError:
            continue  # refused as not_found when its turn comes
    with connection.cursor() as cursor:
        cursor.execute(LOCK_IN_ORDER, [keys])


def lock(conversation_id: uuid.UUID | str, now: datetime) -> Locked | None:
    """Reads the conversation and holds its row until the transaction ends; None if unknown.
    The caller runs inside `transaction.atomic`."""
    try:
        key = uuid.UUID(str(conversation_id))
    except ValueError:
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            LOCK if connection.vendor == "sqlite" else LOCK_FOR_UPDATE,
            [_prep(Conversation, "blocked_until", now), _prep(Conversation, "id", key)],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    state, kind, counselor_id, blocked, last_seq, triage_level = row
    return Locked(key, state, kind, counselor_id, bool(blocked), last_seq, triage_level)


def resent_id(conversation_id: uuid.UUID, sender: str, client_id: str) -> int | None:
    """The id of the message a resend repeats, if it is stored."""
    with connection.cursor() as cursor:
        cursor.execute(
            RESENT,
            [_prep(Message, "conversation", conversation_id), sender, client_id],
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
    now: datetime,
) -> Message:
    """Numbers and stores the next message of a locked conversation; raises the level of the
    conversation to the message's if higher. Returns the message as stored."""
    conversation.last_seq += 1
    conversation.triage_level = max(conversation.triage_level, triage_level)
    with connection.cursor() as cursor:
        cursor.execute(
            NUMBER,
            [
                conversation.last_seq,
                conversation.triage_level,
                _prep(Conversation, "updated_at", now),
                _prep(Conversation, "id", conversation.id),
            ],
        )
        cursor.execute(
            INSERT,
            [
                _prep(Message, "conversation", conversation.id),
                conversation.last_seq,
                sender,
                author_id,
                _prep(Message, "body", body),
                client_id,
                triage_level,
                _prep(Message, "triage_reasons", triage_reasons),
                _prep(Message, "created_at", now),
            ],
        )
        (message_id,) = cursor.fetchone()
    return Message(
        id=message_id,
        conversation_id=conversation.id,
        seq=conversation.last_seq,
        sender=sender,
        author_id=author_id,
        body=body,
        client_id=client_id,
        triage_level=triage_level,
        triage_reasons=triage_reasons,
        created_at=now,
    )
