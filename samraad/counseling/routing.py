"""Who gets which waiting conversation: the queue's order and the local-preference window.

Pure decisions on plain values; `actions.do_take` applies them under row locks.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

# Higher first: a critical conversation goes to the head of the queue.
PRIORITY = {"normal": 0, "elevated": 1, "critical": 2}


@dataclass(frozen=True)
class Waiting:
    id: uuid.UUID
    municipality_id: uuid.UUID | None
    priority: int
    queued_at: datetime


def queue_order(waiting: Iterable[Waiting]) -> list[Waiting]:
    """Triage level first (critical, elevated, normal), then arrival."""
    return sorted(waiting, key=lambda item: (-item.priority, item.queued_at, str(item.id)))


def may_take(
    item: Waiting,
    *,
    organisation_id: uuid.UUID | None,
    now: datetime,
    window_s: float,
    locally_staffed: frozenset[uuid.UUID],
) -> bool:
    """Whether a counselor of `organisation_id` may take `item` now.

    A conversation from municipality M goes first to M's own counselors for `window_s`, then
    to the whole pool. Without a municipality, or when none of M's counselors is on shift, it
    goes to the pool at once: nobody waits for a colleague who is not there. A critical
    conversation goes to the first free counselor anywhere: acute danger waits for no one.
    """
    if item.priority >= PRIORITY["critical"]:
        return True
    if item.municipality_id is None or item.municipality_id == organisation_id:
        return True
    if item.municipality_id not in locally_staffed:
        return True
    return (now - item.queued_at).total_seconds() >= window_s


def next_for(
    waiting: Iterable[Waiting],
    *,
    organisation_id: uuid.UUID | None,
    now: datetime,
    window_s: float,
    locally_staffed: frozenset[uuid.UUID],
) -> list[Waiting]:
    """The conversations this counselor may take, best first."""
    return [
        item
        for item in queue_order(waiting)
        if may_take(item, organisation_id=organisation_id, now=now, window_s=window_s, locally_staffed=locally_staffed)
    ]


@dataclass(frozen=True)
class Candidate:
    """A counselor of an auto-assigning organisation who is on shift with a live console."""

    user_id: int
    organisation_id: uuid.UUID | None
    free: int
    last_offered_at: datetime | None


def choose_counselor(
    item: Waiting,
    candidates: Iterable[Candidate],
    *,
    now: datetime,
    window_s: float,
    locally_staffed: frozenset[uuid.UUID],
    passed: frozenset[int] = frozenset(),
) -> int | None:
    """Returns who is offered `item`: among those who may take it and have room, the one with
    the most free capacity; on a tie, the one offered longest ago (round-robin). Counselors who
    declined it or let an earlier offer run out (`passed`) are skipped, so the conversation never
    waits behind someone who is not answering."""
    eligible = [
        candidate
        for candidate in candidates
        if candidate.free > 0
        and candidate.user_id not in passed
        and may_take(
            item,
            organisation_id=candidate.organisation_id,
            now=now,
            window_s=window_s,
            locally_staffed=locally_staffed,
        )
    ]
    if not eligible:
        return None
    most_free = max(candidate.free for candidate in eligible)
    tied = [candidate for candidate in eligible if candidate.free == most_free]
    never = datetime.min.replace(tzinfo=now.tzinfo)
    return min(tied, key=lambda candidate: (candidate.last_offered_at or never, candidate.user_id)).user_id
