"""The objects the URL walks name in their paths (test_permission_matrix, test_csrf)."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from conftest import make_staff
from samraad.accounts.models import Organisation, Role
from samraad.audit.actions import do_record_access
from samraad.audit.models import AuditEntry
from samraad.counseling.models import Conversation, PreparedAnswer
from samraad.rota.models import ShiftChange, ShiftPattern


@pytest.fixture
def world(aarhus: Organisation, koebenhavn: Organisation) -> dict[str, str]:
    """One of each kind of object a path can name, all of them Aarhus's, keyed by placeholder."""
    colleague = make_staff("colleague.aarhus", aarhus, Role.COUNSELOR)
    pattern = ShiftPattern.objects.create(
        staff=colleague, weekday=0, starts_at=time(8), ends_at=time(16), valid_from=date(2026, 1, 1)
    )
    starts = timezone.now() + timedelta(days=2)
    change = ShiftChange.objects.create(
        staff=colleague, kind=ShiftChange.Kind.EXTRA, starts_at=starts, ends_at=starts + timedelta(hours=4)
    )
    entry = do_record_access(colleague, AuditEntry.Action.READ, colleague, reason="a test", organisation=aarhus)
    answer = PreparedAnswer.objects.create(organisation=aarhus, title="Hej", body="Tak fordi du skriver.")
    conversation = Conversation.objects.create(
        municipality=aarhus, state=Conversation.State.ENDED, token_hash="world-token", resume_code_hash="world-code"
    )
    return {
        "organisation": str(aarhus.pk),
        "organisation_type": str(ContentType.objects.get_for_model(Organisation).pk),
        "municipality": aarhus.municipality_code or "",
        "colleague": str(colleague.pk),
        "pattern": str(pattern.pk),
        "change": str(change.pk),
        "audit": str(entry.pk),
        "answer": str(answer.pk),
        "conversation": str(conversation.pk),
    }
