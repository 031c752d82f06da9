"""Erlang C: how many counselors a queue needs, without a database.

The model is the M/M/n queue: conversations arrive at random (Poisson) at `rate_per_hour`, each
takes an exponentially distributed time with mean `handle_seconds`, `agents` counselors answer in
arrival order and nobody gives up. Offered load A = rate × handling time, in erlangs.

The probability of waiting comes from the Erlang B recursion B(k) = A·B(k−1) / (k + A·B(k−1)),
then C = n·B / (n − A·(1 − B)). The recursion never forms A^n or n!, so it stays exact for the
loads of a national service (thousands of erlangs) where the textbook formula overflows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

SECONDS_PER_HOUR = 3600


@dataclass(frozen=True)
class Staffing:
    """The smallest number of counselors that meets a target, and what they achieve."""

    agents: int
    service_level: float
    average_wait_s: float


def offered_load(rate_per_hour: float, handle_seconds: float) -> float:
    """Returns the offered load in erlangs: the counselors that would be busy on average."""
    _check_inputs(rate_per_hour, handle_seconds)
    return rate_per_hour * handle_seconds / SECONDS_PER_HOUR


def erlang_b(agents: int, load: float) -> float:
    """Returns the Erlang B blocking probability for `agents` servers and `load` erlangs."""
    if agents < 0:
        raise ValueError("agents must not be negative")
    if load < 0:
        raise ValueError("load must not be negative")
    blocking = 1.0
    for servers in range(1, agents + 1):
        blocking = load * blocking / (servers + load * blocking)
    return blocking


def _erlang_c_from_b(agents: int, load: float, blocking: float) -> float:
    if agents <= load:
        # An overloaded queue grows without end: everyone waits.
        return 1.0
    return agents * blocking / (agents - load * (1.0 - blocking))


def probability_of_waiting(agents: int, load: float) -> float:
    """Returns the Erlang C probability that a new arrival has to wait (1 when overloaded)."""
    if load == 0:
        return 0.0
    return _erlang_c_from_b(agents, load, erlang_b(agents, load))


def _service_level(agents: int, load: float, waiting: float, handle_seconds: float, answer_within_s: float) -> float:
    if load == 0:
        return 1.0
    if agents <= load:
        return 0.0
    return max(0.0, 1.0 - waiting * math.exp(-(agents - load) * answer_within_s / handle_seconds))


def _average_wait(agents: int, load: float, waiting: float, handle_seconds: float) -> float:
    if load == 0:
        return 0.0
    if agents <= load:
        return math.inf
    return waiting * handle_seconds / (agents - load)


def service_level(agents: int, rate_per_hour: float, handle_seconds: float, answer_within_s: float) -> float:
    """Returns the share of conversations answered within `answer_within_s` seconds (0 when overloaded)."""
    load = offered_load(rate_per_hour, handle_seconds)
    waiting = probability_of_waiting(agents, load)
    return _service_level(agents, load, waiting, handle_seconds, answer_within_s)


def average_wait_s(agents: int, rate_per_hour: float, handle_seconds: float) -> float:
    """Returns the mean wait in seconds over all conversations, answered at once or not (inf when overloaded)."""
    load = offered_load(rate_per_hour, handle_seconds)
    return _average_wait(agents, load, probability_of_waiting(agents, load), handle_seconds)


def agents_needed(
    rate_per_hour: float, handle_seconds: float, answer_within_s: float, target_service_level: float
) -> Staffing:
    """Returns the fewest counselors for which at least `target_service_level` (0–1) of conversations
    are answered within `answer_within_s` seconds. No arrivals need nobody."""
    if not 0 <= target_service_level < 1:
        raise ValueError("the service level must be at least 0 and below 1")
    if answer_within_s < 0:
        raise ValueError("the answer time must not be negative")
    load = offered_load(rate_per_hour, handle_seconds)
    if load == 0:
        return Staffing(agents=0, service_level=1.0, average_wait_s=0.0)
    # Fewer than the load can never keep up; start just above it and carry the B recursion along.
    agents = math.floor(load) + 1
    blocking = erlang_b(agents, load)
    while True:
        waiting = _erlang_c_from_b(agents, load, blocking)
        level = _service_level(agents, load, waiting, handle_seconds, answer_within_s)
        if level >= target_service_level:
            return Staffing(agents, level, _average_wait(agents, load, waiting, handle_seconds))
        agents += 1
        blocking = load * blocking / (agents + load * blocking)


def _check_inputs(rate_per_hour: float, handle_seconds: float) -> None:
    if not math.isfinite(rate_per_hour) or rate_per_hour < 0:
        raise ValueError("the arrival rate must be a finite number, not negative")
    if not math.isfinite(handle_seconds) or handle_seconds <= 0:
        raise ValueError("the handling time must be a finite number above 0")
