"""The queue's order and the local-preference window, as plain functions."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from samraad.counseling.routing import Waiting, may_take, next_for, queue_order

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
AARHUS, KBH, CENTRAL = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()


def waiting(municipality=None, priority=0, waited_s=0):
    return Waiting(uuid.uuid4(), municipality, priority, NOW - timedelta(seconds=waited_s))


def takes(item, organisation, staffed=frozenset({AARHUS, KBH}), window_s=60):
    return may_take(item, organisation_id=organisation, now=NOW, window_s=window_s, locally_staffed=staffed)


def test_critical_before_elevated_before_normal_then_arrival():
    old_normal = waiting(waited_s=600)
    new_normal = waiting(waited_s=10)
    elevated = waiting(priority=1, waited_s=5)
    critical = waiting(priority=2, waited_s=1)

    assert queue_order([new_normal, elevated, old_normal, critical]) == [critical, elevated, old_normal, new_normal]


def test_own_municipality_gets_it_at_once():
    assert takes(waiting(AARHUS, waited_s=1), AARHUS)


def test_other_counselors_wait_for_the_local_window():
    assert not takes(waiting(AARHUS, waited_s=59), KBH)
    assert not takes(waiting(AARHUS, waited_s=59), CENTRAL)
    assert takes(waiting(AARHUS, waited_s=60), KBH)


def test_no_municipality_goes_to_the_pool_at_once():
    assert takes(waiting(None, waited_s=0), KBH)


def test_nobody_waits_for_a_municipality_with_no_one_on_shift():
    assert takes(waiting(AARHUS, waited_s=0), KBH, staffed=frozenset({KBH}))


def test_a_critical_conversation_skips_the_local_window():
    assert takes(waiting(AARHUS, priority=2, waited_s=0), KBH)


def test_a_zero_window_is_a_pure_pool():
    assert takes(waiting(AARHUS, waited_s=0), KBH, window_s=0)


def test_next_for_skips_what_this_counselor_may_not_take_yet():
    local_for_aarhus = waiting(AARHUS, waited_s=30)
    pool = waiting(None, waited_s=5)
    critical_elsewhere = waiting(AARHUS, priority=2, waited_s=2)

    for_kbh = next_for(
        [local_for_aarhus, pool, critical_elsewhere],
        organisation_id=KBH,
        now=NOW,
        window_s=60,
        locally_staffed=frozenset({AARHUS}),
    )
    for_aarhus = next_for(
        [local_for_aarhus, pool, critical_elsewhere],
        organisation_id=AARHUS,
        now=NOW,
        window_s=60,
        locally_staffed=frozenset({AARHUS}),
    )

    assert for_kbh == [critical_elsewhere, pool]
    assert for_aarhus == [critical_elsewhere, local_for_aarhus, pool]
