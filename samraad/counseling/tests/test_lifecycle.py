"""waiting → active → ended, and what happens when a side goes away. All state is in the
database, so these are plain function calls at chosen times: a restart changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from samraad.counseling import actions
from samraad.counseling.models import Conversation, Seen
from samraad.counseling.tests.conftest import waiting_chat

pytestmark = pytest.mark.django_db


def open_chat() -> Conversation:
    return waiting_chat(municipality_code="0751", topic=None, nickname=None).conversation


def test_a_young_person_gone_while_waiting_has_left_after_the_grace_period(settings):
    conversation = open_chat()
    gone_since = conversation.seen.young_at
    later = gone_since + timedelta(seconds=settings.SAMRAAD_CHAT_YOUNG_GRACE_S + 1)

    not_yet = actions.do_sweep(gone_since + timedelta(seconds=settings.SAMRAAD_CHAT_YOUNG_GRACE_S - 1))
    swept = actions.do_sweep(later)

    conversation.refresh_from_db()
    assert not_yet == (0, 0)
    assert swept == (1, 0)
    assert conversation.state == "abandoned"
    assert conversation.ended_at == gone_since  # when they left, not when it was noticed


def test_a_young_person_who_keeps_beating_stays_in_the_queue(settings):
    conversation = open_chat()
    later = timezone.now() + timedelta(seconds=settings.SAMRAAD_CHAT_YOUNG_GRACE_S + 1)

    actions.do_touch(young=[str(conversation.id)], counselor=[], consoles=[], now=later)
    actions.do_sweep(later + timedelta(seconds=1))

    conversation.refresh_from_db()
    assert conversation.state == "waiting"


def test_a_beat_marks_each_side_it_holds_and_no_other():
    young_only, counselor_only, both, neither = (open_chat() for _ in range(4))
    before = {seen.pk: (seen.young_at, seen.counselor_at) for seen in Seen.objects.all()}
    later = timezone.now() + timedelta(minutes=5)

    actions.do_touch(
        young=[str(young_only.id), str(both.id)],
        counselor=[str(counselor_only.id), str(both.id)],
        consoles=[],
        now=later,
    )

    seen = {row.pk: (row.young_at, row.counselor_at) for row in Seen.objects.all()}
    assert seen[young_only.pk] == (later, None)
    assert seen[counselor_only.pk] == (before[counselor_only.pk][0], later)
    assert seen[both.pk] == (later, later)
    assert seen[neither.pk] == before[neither.pk]


def test_a_counselor_gone_from_an_active_chat_gives_it_back_at_its_old_place(settings, counselor_aarhus):
    first = open_chat()
    second = open_chat()
    actions.do_set_shift(counselor_aarhus, on=True)
    taken = actions.do_take(counselor_aarhus)
    later = timezone.now() + timedelta(seconds=settings.SAMRAAD_CHAT_COUNSELOR_GRACE_S + 1)
    actions.do_touch(young=[str(first.id), str(second.id)], counselor=[], consoles=[], now=later)

    swept = actions.do_sweep(later)

    taken.refresh_from_db()
    assert taken.pk == first.pk
    assert swept == (0, 1)
    assert (taken.state, taken.counselor_id) == ("waiting", None)
    assert [c.pk for c in actions.waiting_chats()] == [first.pk, second.pk]


def test_two_counselors_never_get_the_same_conversation(counselor_aarhus, counselor_koebenhavn):
    open_chat()
    for counselor in (counselor_aarhus, counselor_koebenhavn):
        actions.do_set_shift(counselor, on=True)

    first = actions.do_take(counselor_aarhus)
    second = actions.do_take(counselor_koebenhavn)

    assert first is not None
    assert second is None


def test_ending_an_ended_conversation_changes_nothing(counselor_aarhus):
    conversation = open_chat()
    actions.do_set_shift(counselor_aarhus, on=True)
    actions.do_take(counselor_aarhus)
    actions.do_end(conversation.id, side="counselor", user=counselor_aarhus)
    ended_at = Conversation.objects.get(pk=conversation.pk).ended_at

    actions.do_end(conversation.id, side="young")

    assert Conversation.objects.get(pk=conversation.pk).ended_at == ended_at


def test_chat_is_open_only_while_a_counselor_on_shift_has_a_live_console(settings, counselor_aarhus):
    actions.do_set_shift(counselor_aarhus, on=True)
    much_later = timezone.now() + timedelta(seconds=settings.SAMRAAD_CHAT_COUNSELOR_GRACE_S + 5)

    assert actions.is_open() is True
    assert actions.is_open(much_later) is False


def test_a_blocks_connection_hash_is_forgotten_when_the_block_ends(counselor_aarhus):
    conversation = open_chat()
    actions.do_set_shift(counselor_aarhus, on=True)
    actions.do_take(counselor_aarhus)
    block = actions.do_block(conversation.id, user=counselor_aarhus, minutes=60, reason="")
    actions.do_attach_block_source(block.pk, "a" * 64)

    actions.do_sweep(block.until - timedelta(seconds=1))
    still = actions.is_source_blocked("a" * 64, block.until - timedelta(seconds=1))
    actions.do_sweep(block.until + timedelta(seconds=1))

    block.refresh_from_db()
    assert still is True
    assert block.source_hash == ""
    assert actions.is_source_blocked("a" * 64) is False


def test_take_next_prefers_own_municipality_within_window(counselor_aarhus, counselor_koebenhavn):
    from_aarhus = open_chat()
    for counselor in (counselor_aarhus, counselor_koebenhavn):
        actions.do_set_shift(counselor, on=True)

    kbh_gets = actions.do_take(counselor_koebenhavn)
    aarhus_gets = actions.do_take(counselor_aarhus)

    assert kbh_gets is None
    assert aarhus_gets.pk == from_aarhus.pk


def test_after_the_window_the_pool_takes_it(counselor_aarhus, counselor_koebenhavn, settings):
    from_aarhus = open_chat()
    for counselor in (counselor_aarhus, counselor_koebenhavn):
        actions.do_set_shift(counselor, on=True)
    Conversation.objects.filter(pk=from_aarhus.pk).update(
        queued_at=timezone.now() - timedelta(seconds=settings.SAMRAAD_LOCAL_PREFERENCE_S)
    )

    assert actions.do_take(counselor_koebenhavn).pk == from_aarhus.pk


def test_a_critical_conversation_is_taken_before_older_ones(counselor_aarhus):
    older = open_chat()
    critical = open_chat()
    Conversation.objects.filter(pk=critical.pk).update(triage_level=2)
    actions.do_set_shift(counselor_aarhus, on=True)

    assert actions.do_take(counselor_aarhus).pk == critical.pk
    assert actions.do_take(counselor_aarhus).pk == older.pk
