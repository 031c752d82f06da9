from __future__ import annotations

import pytest

from samraad.counseling.waiting import DEFAULT_HANDLE_S, PICKUP_S, estimate_wait_s, mean_handle_s


def test_no_estimate_when_nobody_is_on_shift():
    assert estimate_wait_s(1, free_slots=0, busy_slots=0, handle_s=600) is None


def test_a_free_slot_means_a_short_wait():
    assert estimate_wait_s(2, free_slots=2, busy_slots=1, handle_s=600) == PICKUP_S


def test_the_wait_grows_with_the_position_and_shrinks_with_more_counselors():
    one = [estimate_wait_s(p, free_slots=0, busy_slots=3, handle_s=900) for p in range(1, 6)]
    two = [estimate_wait_s(p, free_slots=0, busy_slots=6, handle_s=900) for p in range(1, 6)]

    assert one == sorted(one)
    assert all(a > b for a, b in zip(one, two, strict=True))
    assert one[0] == PICKUP_S + 150  # half a conversation of 900 s over three slots


def test_position_starts_at_one():
    with pytest.raises(ValueError):
        estimate_wait_s(0, free_slots=1, busy_slots=0, handle_s=600)


def test_handling_time_is_the_median_of_recent_conversations():
    assert mean_handle_s([60, 600, 620, 640, 7200]) == 620
    assert mean_handle_s([60]) == DEFAULT_HANDLE_S
