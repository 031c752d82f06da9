"""Honest waiting: the queue position and an estimated wait, as pure decisions."""

from __future__ import annotations

import statistics
from collections.abc import Sequence

DEFAULT_HANDLE_S = 20 * 60
PICKUP_S = 30


def mean_handle_s(recent_durations_s: Sequence[float]) -> float:
    """The typical length of a conversation, from recent ones (a default until there are some)."""
    if len(recent_durations_s) < 5:
        return DEFAULT_HANDLE_S
    return float(statistics.median(recent_durations_s))


def estimate_wait_s(position: int, *, free_slots: int, busy_slots: int, handle_s: float) -> int | None:
    """Returns seconds until the conversation at `position` (1 = next) is likely taken, or None
    when nobody is on shift to take it.

    A free slot takes the next conversation within about `PICKUP_S`; beyond the free slots, the
    busy ones each free up on average every `handle_s`, so slots open at `busy_slots / handle_s`.
    """
    if position < 1:
        raise ValueError("position starts at 1")
    total = free_slots + busy_slots
    if total <= 0:
        return None
    if position <= free_slots:
        return PICKUP_S
    ahead = position - free_slots
    # Conversations end at random times, so on average half a conversation is left on each slot.
    return int(PICKUP_S + (ahead - 0.5) * handle_s / total)
