"""Migrations that change what an existing database holds or how it is indexed, both ways."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("counseling", "0008_legal_hold")]
AFTER = [("counseling", "0011_remove_conversation_seen_at")]


def migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()  # what the last migration left applied
    executor.migrate(target)
    return executor.loader.project_state(target).apps


def latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def message_indexes() -> list[list[str]]:
    """The columns of each index of the messages, a unique constraint's included."""
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "counseling_message")
    return sorted(c["columns"] for c in constraints.values() if (c["index"] or c["unique"]) and not c["primary_key"])


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_existing_heartbeats_move_to_their_own_rows_and_back():
    now = timezone.now()
    apps = migrate(BEFORE)
    Conversation = apps.get_model("counseling", "Conversation")
    waiting = Conversation.objects.create(token_hash="a", resume_code_hash="a", young_seen_at=now)
    active = Conversation.objects.create(
        token_hash="b", resume_code_hash="b", young_seen_at=now, counselor_seen_at=now + timedelta(seconds=5)
    )
    Conversation.objects.create(token_hash="c", resume_code_hash="c", kind="letter")  # never seen: no row

    apps = migrate(AFTER)
    seen = {
        row.conversation_id: (row.young_at, row.counselor_at)
        for row in apps.get_model("counseling", "Seen").objects.all()
    }
    assert seen == {waiting.pk: (now, None), active.pk: (now, now + timedelta(seconds=5))}

    apps = migrate(BEFORE)
    back = apps.get_model("counseling", "Conversation").objects.get(pk=active.pk)
    assert (back.young_seen_at, back.counselor_seen_at) == (now, now + timedelta(seconds=5))
    migrate(latest())


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_messages_lose_their_index_on_the_conversation_alone_and_get_it_back():
    """0012 drops the index by the name Django gave it in 0001, on both databases."""
    migrate([("counseling", "0011_remove_conversation_seen_at")])
    assert ["conversation_id"] in message_indexes()

    migrate(latest())
    assert ["conversation_id"] not in message_indexes()
    assert ["conversation_id", "seq"] in message_indexes()
