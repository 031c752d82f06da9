"""After the retention period the words go; the conversation's numbers and nothing else stay."""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings as project_settings
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from samraad.accounts.models import Organisation
from samraad.audit.models import AuditEntry
from samraad.counseling import actions
from samraad.counseling.models import Conversation, Message, Note
from samraad.counseling.tests.conftest import waiting_chat

pytestmark = pytest.mark.django_db


def ended_conversation(counselor, *, days_ago: float):
    opened = waiting_chat(municipality_code="0751", topic="school", nickname="Mo")
    actions.do_post_message(opened.conversation.id, sender="young", author=None, client_id="y1", body="hemmelighed")
    actions.do_set_shift(counselor, on=True)
    actions.do_take(counselor)
    actions.do_add_note(opened.conversation.id, user=counselor, body="mistanke om omsorgssvigt")
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
    waiting = waiting_chat(municipality_code=None, topic=None, nickname=None)
    Conversation.objects.filter(pk=waiting.conversation.pk).update(created_at=timezone.now() - timedelta(days=400))

    assert actions.do_purge_transcripts() == 0


def test_the_purge_command_reports_what_it_did(counselor_aarhus, settings):
    settings.SAMRAAD_RETENTION_DAYS = 1
    ended_conversation(counselor_aarhus, days_ago=5)
    out = StringIO()

    call_command("purge_transcripts", stdout=out)

    assert "Purged 1 conversations." in out.getvalue()


def transcript(*, municipality: Organisation | None, answered_by: Organisation | None, author, days_ago: float):
    """An ended conversation with a message and a note, as the chat would have left it."""
    conversation = Conversation.objects.create(
        municipality=municipality,
        answered_by=answered_by,
        state=Conversation.State.ENDED,
        nickname="Mo",
        token_hash=f"token-{Conversation.objects.count()}",
        resume_code_hash=f"code-{Conversation.objects.count()}",
        ended_at=timezone.now() - timedelta(days=days_ago),
    )
    Message.objects.create(conversation=conversation, seq=1, sender="young", body="hemmelighed")
    Note.objects.create(conversation=conversation, author=author, body="mistanke om omsorgssvigt")
    return conversation


def test_the_default_retention_is_thirty_days_after_the_end(counselor_aarhus):
    older = ended_conversation(counselor_aarhus, days_ago=30.1)
    newer = ended_conversation(counselor_aarhus, days_ago=29.9)

    actions.do_purge_transcripts()

    assert project_settings.SAMRAAD_RETENTION_DAYS == 30
    assert not Message.objects.filter(conversation=older.conversation).exists()
    assert Message.objects.filter(conversation=newer.conversation).exists()


def test_each_organisation_keeps_the_words_it_is_responsible_for_as_long_as_it_chose(
    counselor_aarhus, aarhus, koebenhavn, settings
):
    # Given Aarhus keeps words 10 days, København 60, everyone else the setting's 30
    settings.SAMRAAD_RETENTION_DAYS = 30
    Organisation.objects.filter(pk=aarhus.pk).update(retention_days=10)
    Organisation.objects.filter(pk=koebenhavn.pk).update(retention_days=60)
    odense = Organisation.objects.get(municipality_code="0461")
    past, kept = [], []

    def conversation(municipality, answered_by, days_ago, *, purged: bool) -> None:
        row = transcript(municipality=municipality, answered_by=answered_by, author=counselor_aarhus, days_ago=days_ago)
        (past if purged else kept).append(row.pk)

    conversation(aarhus, aarhus, 11, purged=True)
    conversation(aarhus, aarhus, 9, purged=False)
    conversation(koebenhavn, koebenhavn, 61, purged=True)
    conversation(koebenhavn, koebenhavn, 31, purged=False)  # the setting alone would delete it
    # The young person's municipality decides, whoever answered.
    conversation(koebenhavn, aarhus, 11, purged=False)
    conversation(aarhus, koebenhavn, 11, purged=True)
    # Without a municipality, the organisation that answered decides.
    conversation(None, aarhus, 11, purged=True)
    conversation(None, koebenhavn, 31, purged=False)
    # An organisation that chose nothing, or none at all: the setting.
    conversation(odense, odense, 31, purged=True)
    conversation(odense, aarhus, 29, purged=False)
    conversation(None, None, 31, purged=True)
    conversation(None, None, 29, purged=False)

    # When
    purged = actions.do_purge_transcripts()

    # Then
    assert purged == len(past)
    assert set(Conversation.objects.filter(purged_at__isnull=False).values_list("pk", flat=True)) == set(past)
    assert set(Message.objects.values_list("conversation_id", flat=True)) == set(kept)
    assert set(Note.objects.values_list("conversation_id", flat=True)) == set(kept)


def test_a_purge_writes_one_audit_entry_with_counts_and_no_words(counselor_aarhus, settings):
    settings.SAMRAAD_RETENTION_DAYS = 30
    old = [ended_conversation(counselor_aarhus, days_ago=40).conversation for _ in range(2)]
    ended_conversation(counselor_aarhus, days_ago=5)
    messages = Message.objects.filter(conversation__in=old).count()
    notes = Note.objects.filter(conversation__in=old).count()

    actions.do_purge_transcripts()
    actions.do_purge_transcripts()  # nothing left to delete: nothing to record

    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.actor_name, entry.action) == (None, "system", AuditEntry.Action.DELETE)
    assert entry.subject_type == "counseling.conversation"
    assert entry.subject_label == f"2 conversations, {messages} messages, {notes} notes"
    assert messages >= 2 and notes == 2
    for row in AuditEntry.objects.values():
        text = " ".join(str(value) for value in row.values())
        assert "hemmelighed" not in text and "omsorgssvigt" not in text
