"""Simulates a day of a national chat queue and measures how honest the shown wait estimate is.

Young people arrive by an hour-of-day pattern; counselors on shift (by a day's rota) each hold up
to `capacity` chats; a freed slot takes the next waiting chat after a short pick-up delay. At
every arrival the estimate the young person would see is computed with the product's own
function (`samraad.counseling.waiting.estimate_wait_s`, from the queue ahead, the slots free and
busy, and the median of recent handling times), and later compared with the wait that happened.

    .venv/bin/python bench/eta_simulation.py --days 30 --seed 1

`--load 3` makes every hour three times as busy, so queues form. It prints one JSON line: the
median and 90th-percentile absolute error in seconds, the bias, the real waits, and the same
errors for a naive estimate (position × 60 s) for comparison.
"""

from __future__ import annotations

import argparse
import heapq
import json
import random
import statistics
import sys
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from samraad.counseling.waiting import estimate_wait_s, mean_handle_s  # noqa: E402

# Arrivals per hour of the day: quiet at night, busiest in the evening (as youth lines report).
ARRIVALS_PER_HOUR = [3, 2, 2, 1, 1, 1, 1, 2, 3, 3, 4, 4, 5, 5, 6, 7, 8, 9, 10, 12, 13, 12, 9, 5]
# Counselors on shift per hour: the rota a coordinator would plan against that pattern.
ON_SHIFT = [2, 2, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 3, 3, 3, 4, 4, 5, 5, 5, 4, 3]
CAPACITY = 3
HANDLE_MEDIAN_S = 20 * 60
PICKUP_S = (5, 55)


@dataclass(order=True)
class Event:
    at: float
    order: int
    kind: str = field(compare=False)
    payload: object = field(compare=False, default=None)


def simulate(days: int, seed: int, load: float = 1.0) -> dict[str, object]:
    rng = random.Random(seed)
    events: list[Event] = []
    counter = 0

    def push(at: float, kind: str, payload: object = None) -> None:
        nonlocal counter
        counter += 1
        heapq.heappush(events, Event(at, counter, kind, payload))

    horizon = days * 86400.0
    # Arrivals: a Poisson process whose rate follows the hour of the day.
    now = 0.0
    while now < horizon:
        rate = load * ARRIVALS_PER_HOUR[int(now // 3600) % 24] / 3600
        now += rng.expovariate(rate)
        push(now, "arrive")
    for hour in range(days * 24):
        push(hour * 3600.0, "rota", ON_SHIFT[hour % 24])

    slots_total = 0
    busy = 0
    queue: deque[tuple[float, int]] = deque()  # (arrived, index)
    estimates: dict[int, tuple[float | None, float]] = {}
    waits: dict[int, float] = {}
    recent: deque[float] = deque(maxlen=50)
    arrivals = 0

    def start_next(at: float) -> None:
        nonlocal busy
        while queue and busy < slots_total:
            arrived, index = queue.popleft()
            busy += 1
            taken = at + rng.uniform(*PICKUP_S)
            waits[index] = taken - arrived
            duration = rng.lognormvariate(0, 0.6) * HANDLE_MEDIAN_S
            push(taken + duration, "end", duration)

    while events:
        event = heapq.heappop(events)
        if event.at > horizon:
            break
        if event.kind == "rota":
            # Going off shift takes no new chats; chats already running end in their own time.
            slots_total = int(event.payload) * CAPACITY  # type: ignore[call-overload]
            start_next(event.at)
        elif event.kind == "arrive":
            index = arrivals
            arrivals += 1
            position = len(queue) + 1
            free = max(slots_total - busy, 0)
            predicted = estimate_wait_s(
                position, free_slots=free, busy_slots=min(busy, slots_total), handle_s=mean_handle_s(list(recent))
            )
            estimates[index] = (float(predicted) if predicted is not None else None, position * 60.0)
            queue.append((event.at, index))
            start_next(event.at)
        elif event.kind == "end":
            recent.append(float(event.payload))  # type: ignore[arg-type]
            busy -= 1
            start_next(event.at)

    errors, naive_errors, biases, real = [], [], [], []
    for index, wait in waits.items():
        estimate, naive = estimates[index]
        real.append(wait)
        if estimate is not None:
            errors.append(abs(estimate - wait))
            biases.append(estimate - wait)
        if naive is not None:
            naive_errors.append(abs(naive - wait))

    def p90(values: list[float]) -> float:
        return statistics.quantiles(values, n=10)[-1] if len(values) >= 10 else max(values, default=0.0)

    return {
        "days": days,
        "load": load,
        "seed": seed,
        "conversations": len(real),
        "real_wait_median_s": round(statistics.median(real), 1),
        "real_wait_p90_s": round(p90(real), 1),
        "estimate_median_abs_error_s": round(statistics.median(errors), 1),
        "estimate_p90_abs_error_s": round(p90(errors), 1),
        "estimate_median_bias_s": round(statistics.median(biases), 1),
        "naive_median_abs_error_s": round(statistics.median(naive_errors), 1),
        "naive_p90_abs_error_s": round(p90(naive_errors), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--load", type=float, default=1.0, help="arrivals × this factor (1.6 = an overloaded evening)")
    args = parser.parse_args()
    print(json.dumps(simulate(args.days, args.seed, args.load)))


if __name__ == "__main__":
    main()
