"""The heartbeat's times moved from the conversation's row to their own (migrations 0009-0011):
what an existing database holds comes along, both ways."""

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
    migrate(AFTER)
