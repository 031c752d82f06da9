"""After the retention period the words go; the conversation's numbers and nothing else stay."""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from samraad.counseling import actions
from samraad.counseling.models import Conversation, Message, Note

pytestmark = pytest.mark.django_db


def ended_conversation(counselor, *, days_ago: float):
    opened = actions.do_open_conversation(municipality_code="0751", topic="school", nickname="Mo")
    actions.do_post_message(opened.conversation.id, sender="young", author=None, client_id="y1", body="hemmelighed")
    actions.do_set_shift(counselor, on=True)
    actions.do_take(counselor)
    actions.do_add_note(opened.conversation.id, user=counselor, body="note")
    actions.do_end(opened.conversation.id, side="counselor", user=counselor)
    Conversation.objects.filter(pk=opened.conversation.pk).update(ended_at=timezone.now() - timedelta(days=days_ago))
    return opened


def test_words_past_retention_are_deleted_and_the_numbers_kept(counselor_aarhus, settings):
    settings.SAMRAAD_RETENTION_DAYS = 30
    old = ended_conversation(counselor_aarhus, days_ago=31)
    recent = ended_conversation(counselor_aarhus, days_ago=29)

    purged = actions.do_purge_transcripts()

    kept = Conversation.objects.get(pk=old.conversation.pk)
    assert purged == 1
    assert not Message.objects.filter(conversation=old.conversation).exists()
    assert not Note.objects.filter(conversation=old.conversation).exists()
    assert kept.nickname == ""
    assert (kept.state, kept.municipality.municipality_code, kept.topic) == ("ended", "0751", "school")
    assert kept.assigned_at is not None and kept.ended_at is not None
    assert Message.objects.filter(conversation=recent.conversation).exists()


def test_a_purged_conversations_code_gets_the_same_answer_as_a_wrong_one(counselor_aarhus, settings):
    settings.SAMRAAD_RETENTION_DAYS = 1
    old = ended_conversation(counselor_aarhus, days_ago=2)
    actions.do_purge_transcripts()
    client = Client()

    purged = client.post(
        "/api/chat/resume", json.dumps({"resume_code": old.resume_code}), content_type="application/json"
    )
    wrong = client.post(
        "/api/chat/resume", json.dumps({"resume_code": "AAAA-BBBB-CCCC"}), content_type="application/json"
    )

    assert purged.status_code == wrong.status_code == 404
    assert purged.json() == wrong.json()
    assert actions.check_conversation_for_token(old.token) is None


def test_waiting_and_active_conversations_are_never_purged(counselor_aarhus, settings):
    settings.SAMRAAD_RETENTION_DAYS = 1
    waiting = actions.do_open_conversation(municipality_code=None, topic=None, nickname=None)
    Conversation.objects.filter(pk=waiting.conversation.pk).update(created_at=timezone.now() - timedelta(days=400))

    assert actions.do_purge_transcripts() == 0


def test_the_purge_command_reports_what_it_did(counselor_aarhus, settings):
    settings.SAMRAAD_RETENTION_DAYS = 1
    ended_conversation(counselor_aarhus, days_ago=5)
    out = StringIO()

    call_command("purge_transcripts", stdout=out)

    assert "Purged 1 conversations." in out.getvalue()
