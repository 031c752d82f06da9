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


def candidate(user_id, organisation=KBH, free=3, offered_s_ago=None):
    from samraad.counseling.routing import Candidate

    last = None if offered_s_ago is None else NOW - timedelta(seconds=offered_s_ago)
    return Candidate(user_id, organisation, free, last)


def choose(item, candidates, passed=frozenset(), staffed=frozenset({AARHUS, KBH})):
    from samraad.counseling.routing import choose_counselor

    return choose_counselor(item, candidates, now=NOW, window_s=60, locally_staffed=staffed, passed=passed)


def test_auto_assignment_offers_to_the_most_free_capacity():
    assert choose(waiting(), [candidate(1, free=1), candidate(2, free=3), candidate(3, free=2)]) == 2


def test_auto_assignment_round_robins_on_ties():
    offered_recently = candidate(1, free=2, offered_s_ago=10)
    offered_long_ago = candidate(2, free=2, offered_s_ago=600)
    never_offered = candidate(3, free=2)

    assert choose(waiting(), [offered_recently, offered_long_ago]) == 2
    assert choose(waiting(), [offered_recently, offered_long_ago, never_offered]) == 3


def test_auto_assignment_skips_the_full_and_those_who_passed():
    assert choose(waiting(), [candidate(1, free=0), candidate(2, free=1)]) == 2
    assert choose(waiting(), [candidate(1, free=3), candidate(2, free=1)], passed=frozenset({1})) == 2
    assert choose(waiting(), [candidate(1, free=3)], passed=frozenset({1})) is None


def test_auto_assignment_keeps_the_local_window():
    from_aarhus = waiting(AARHUS, waited_s=5)

    assert choose(from_aarhus, [candidate(1, KBH, free=3), candidate(2, AARHUS, free=1)]) == 2
    assert choose(from_aarhus, [candidate(1, KBH, free=3)]) is None
