"""How often counselors corrected triage, per period and kind of risk: up when it missed a risk,
down for a false alarm. The measure of triage in real use, kept without the words."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse

from samraad.counseling import actions
from samraad.counseling.models import Conversation, Message, TriageCorrection
from samraad.reports.figures import triage_corrections
from samraad.reports.tests.conftest import MARCH, conversation, local

pytestmark = pytest.mark.django_db

MARCH_QUERY = {"first_day": "2025-03-01", "last_day": "2025-03-31"}


def _active(municipality, counselor, opened):
    row = conversation(municipality=municipality, opened=opened, wait_s=10, counselor=counselor)
    Conversation.objects.filter(pk=row.pk).update(state=Conversation.State.ACTIVE, ended_at=None)
    return row


def _corrected(row, counselor, level: str, category: str, at):
    actions.do_correct_triage(row.pk, user=counselor, level=level, reason="grunden", category=category)
    TriageCorrection.objects.filter(conversation=row).update(created_at=at)


@pytest.fixture
def corrected(aarhus, koebenhavn, counselor_aarhus):
    in_march, in_april = local(2025, 3, 10, 12), local(2025, 4, 2, 12)
    rows = [_active(aarhus, counselor_aarhus, in_march + timedelta(hours=n)) for n in range(4)]
    _corrected(rows[0], counselor_aarhus, "critical", "suicide", in_march)
    _corrected(rows[1], counselor_aarhus, "elevated", "suicide", in_march)
    _corrected(rows[2], counselor_aarhus, "elevated", "", in_march)
    rows[3].triage_level = 2
    rows[3].save(update_fields=["triage_level"])
    _corrected(rows[3], counselor_aarhus, "normal", "self_harm", in_march)
    other = _active(koebenhavn, counselor_aarhus, in_march + timedelta(hours=5))
    _corrected(other, counselor_aarhus, "critical", "violence", in_march)
    late = _active(aarhus, counselor_aarhus, in_april)
    _corrected(late, counselor_aarhus, "critical", "suicide", in_april)
    return rows


def test_corrections_are_counted_up_and_down_by_kind_of_risk(corrected, aarhus):
    lines = {line.key: (line.raised, line.lowered) for line in triage_corrections(MARCH, aarhus.pk)}
    national = {line.key: (line.raised, line.lowered) for line in triage_corrections(MARCH)}

    assert lines == {"suicide": (2, 0), "self_harm": (0, 1), "": (1, 0)}
    assert national == {"suicide": (2, 0), "self_harm": (0, 1), "violence": (1, 0), "": (1, 0)}


def test_the_coordinator_sees_their_corrections_on_the_page_and_in_the_csv(signed_in, coordinator_aarhus, corrected):
    client = signed_in(coordinator_aarhus)

    page = client.get(reverse("reports:report"), MARCH_QUERY).content.decode()
    rows = list(
        csv.DictReader(
            io.StringIO(client.get(reverse("reports:report_csv", args=["corrections"]), MARCH_QUERY).content.decode())
        )
    )

    assert "Selvmord" in page  # the kind of risk, in Danish
    assert [(row["risk_category"], row["raised"], row["lowered"]) for row in rows] == [
        ("suicide", "2", "0"),
        ("self_harm", "0", "1"),
        ("", "1", "0"),
    ]


def test_the_counts_stay_when_the_words_are_gone(corrected, aarhus):
    Message.objects.all().delete()
    actions.do_purge_transcripts()

    assert {line.key for line in triage_corrections(MARCH, aarhus.pk)} == {"suicide", "self_harm", ""}
