"""Staffed hours are recorded as they happen, so reports can cost them long after."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from samraad.counseling import actions
from samraad.counseling.tests.conftest import waiting_chat
from samraad.rota.models import ShiftSpan

pytestmark = pytest.mark.django_db


def spans(user) -> list[tuple]:
    return list(ShiftSpan.objects.filter(user=user).values_list("organisation_id", "started_at", "ended_at"))


def test_going_on_and_off_shift_records_one_span_for_the_counselors_organisation(counselor_aarhus, aarhus):
    actions.do_set_shift(counselor_aarhus, on=True)
    actions.do_set_shift(counselor_aarhus, on=True)  # a second console saying the same opens nothing
    actions.do_set_shift(counselor_aarhus, on=False)

    [(organisation_id, started, ended)] = spans(counselor_aarhus)
    assert organisation_id == aarhus.pk
    assert started <= ended


def test_a_console_gone_past_the_grace_ends_the_span_at_its_last_heartbeat_and_a_return_reopens(
    settings, counselor_aarhus
):
    actions.do_set_shift(counselor_aarhus, on=True)
    last_seen = timezone.now() + timedelta(minutes=5)
    actions.do_touch(young=[], counselor=[], consoles=[counselor_aarhus.pk], now=last_seen)

    actions.do_sweep(last_seen + timedelta(seconds=settings.SAMRAAD_CHAT_COUNSELOR_GRACE_S - 1))
    assert spans(counselor_aarhus)[0][2] is None  # still within the grace
    actions.do_sweep(last_seen + timedelta(seconds=settings.SAMRAAD_CHAT_COUNSELOR_GRACE_S + 1))
    assert spans(counselor_aarhus)[0][2] == last_seen

    back = last_seen + timedelta(hours=1)
    actions.do_touch(young=[], counselor=[], consoles=[counselor_aarhus.pk], now=back)
    assert [(start, end) for _, start, end in spans(counselor_aarhus)][1] == (back, None)


def test_the_first_answering_organisation_stays_after_a_transfer(counselor_aarhus, counselor_koebenhavn, koebenhavn):
    conversation = waiting_chat(municipality_code="0751", topic=None, nickname=None).conversation
    actions.do_set_shift(counselor_koebenhavn, on=True)
    assert actions.do_take(counselor_koebenhavn) == conversation  # nobody from Aarhus is on shift
    actions.do_set_shift(counselor_aarhus, on=True)
    actions.do_transfer(conversation.id, user=counselor_koebenhavn, to_user_id=counselor_aarhus.pk)

    conversation.refresh_from_db()
    assert conversation.counselor_id == counselor_aarhus.pk
    assert conversation.answered_by_id == koebenhavn.pk
