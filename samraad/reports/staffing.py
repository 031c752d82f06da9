"""How many counselors each hour of the week needs, for the pool and for each municipality staffing
alone, and how that compares with the rota.

Arrivals are chats opened in the measured period (letters wait for a counselor's free time and need
no one on shift), divided by the real hours of the period that fell in each local hour of the week.
Chats whose municipality is not stated are spread over the municipalities by their share of the
stated chats, since alone each municipality would also answer those of its young people who do
not say where they live.
Erlang C (`erlang.py`) then gives the counselors needed in each hour for the target.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.db.models import Avg, Count

from samraad.accounts.models import Organisation
from samraad.counseling.models import Conversation
from samraad.reports import erlang
from samraad.reports.charts import weekday_names
from samraad.reports.expressions import HourOfWeek, Seconds
from samraad.reports.figures import OPENED, Scope, conversations_in
from samraad.reports.period import HOURS_PER_WEEK, Period
from samraad.reports.planner import keep_statistics_fresh
from samraad.rota import coverage
from samraad.rota.actions import changes_overlapping, patterns_in_force, pool_ids

# A handling time to plan with when the period has no ended chat to measure one from.
DEFAULT_HANDLE_SECONDS = 20 * 60


@dataclass(frozen=True)
class Target:
    answer_within_s: int = 60
    service_level: float = 0.8


@dataclass(frozen=True)
class HourNeed:
    """One local hour of the week: arrivals, counselors needed pooled and alone, and rostered."""

    hour_of_week: int
    rate_per_hour: float
    pooled: int
    alone: int
    rostered: int | None

    @property
    def weekday(self) -> int:
        return self.hour_of_week // 24

    @property
    def hour(self) -> int:
        return self.hour_of_week % 24

    @property
    def shortfall(self) -> int:
        """Counselors missing from the rota in this hour for the pooled need (0 when enough)."""
        if self.rostered is None:
            return 0
        return max(0, self.pooled - self.rostered)


@dataclass(frozen=True)
class MunicipalityNeed:
    """Counselor hours a week one municipality would need alone, and its share of the pool's."""

    municipality: Organisation
    chats: int
    alone_hours: int
    pooled_share_hours: float

    @property
    def saved_hours(self) -> float:
        return self.alone_hours - self.pooled_share_hours


@dataclass(frozen=True)
class Gap:
    """Consecutive hours of the week with the same counselors needed and rostered, too few."""

    first_hour: int
    last_hour: int
    needed: int
    rostered: int

    @property
    def weekday(self) -> int:
        return self.first_hour // 24

    @property
    def day_name(self) -> str:
        return weekday_names()[self.weekday]

    @property
    def starts(self) -> str:
        return f"{self.first_hour % 24:02d}:00"

    @property
    def ends(self) -> str:
        return f"{(self.last_hour % 24) + 1:02d}:00"


@dataclass(frozen=True)
class Plan:
    period: Period
    scope: Scope
    target: Target
    handle_seconds: float
    handle_measured: bool
    chats: int
    weekly_chats: float
    rates_entered: bool
    hours: list[HourNeed]
    municipalities: list[MunicipalityNeed]
    rota_monday: date

    @property
    def pooled_hours(self) -> int:
        """Counselor hours a week the pool needs."""
        return sum(hour.pooled for hour in self.hours)

    @property
    def alone_hours(self) -> int:
        """Counselor hours a week the municipalities in scope would need, each staffing alone."""
        return sum(hour.alone for hour in self.hours)

    @property
    def compared_pooled_hours(self) -> float:
        """The pool's hours to set against `alone_hours`: all of them nationally, the municipality's
        share (by its chats) when looking at one municipality."""
        if self.scope.is_national:
            return float(self.pooled_hours)
        return sum(line.pooled_share_hours for line in self.municipalities)

    @property
    def saved_hours(self) -> float:
        return self.alone_hours - self.compared_pooled_hours

    @property
    def rostered_hours(self) -> int:
        return sum(hour.rostered or 0 for hour in self.hours)

    @property
    def gaps(self) -> list[Gap]:
        return gaps(self.hours)


@lru_cache(maxsize=4096)
def _agents(rate_per_hour: float, handle_seconds: float, answer_within_s: int, service_level: float) -> int:
    return erlang.agents_needed(rate_per_hour, handle_seconds, answer_within_s, service_level).agents


def mean_handle_seconds(period: Period) -> float | None:
    """The pool's mean handling time of chats opened and ended in the period: how long a counselor is busy."""
    ended = conversations_in(period).filter(
        kind=Conversation.Kind.CHAT, state=Conversation.State.ENDED, assigned_at__isnull=False, ended_at__isnull=False
    )
    mean: float | None = ended.aggregate(mean=Avg(Seconds("assigned_at", "ended_at")))["mean"]
    return mean


def chats_by_municipality_and_hour(period: Period) -> dict[Any, list[int]]:
    """Returns, per municipality id (None: not stated), the chats opened in each hour of the week."""
    rows = (
        conversations_in(period)
        .filter(kind=Conversation.Kind.CHAT)
        .annotate(hour=HourOfWeek("created_at", starts=period.starts, ends=period.ends))
        .values("municipality_id", "hour")
        .annotate(count=Count(OPENED))
    )
    counts: dict[Any, list[int]] = defaultdict(lambda: [0] * HOURS_PER_WEEK)
    for row in rows:
        counts[row["municipality_id"]][row["hour"]] = row["count"]
    return dict(counts)


def rostered_by_hour(monday: date) -> list[int | None]:
    """Returns the counselors the rota plans in each hour of the week beginning `monday` (the fewest
    on shift at any moment of the hour, as the rota's week view counts)."""
    starts, ends = coverage.week_bounds(monday)
    patterns = patterns_in_force(monday - timedelta(days=1), monday + timedelta(days=6))
    shifts = coverage.expand(
        [pattern.as_pattern() for pattern in patterns],
        [change.as_change() for change in changes_overlapping(starts, ends)],
        (starts, ends),
        only={str(pk) for pk in pool_ids()},
    )
    week = coverage.week_coverage(monday, shifts, settings.SAMRAAD_ROTA_MINIMUM)
    # The hour the clock skips in spring has no time in it to staff.
    return [hour.count if hour.exists else None for hour in week.hours]


def gaps(hours: list[HourNeed]) -> list[Gap]:
    """Returns runs of consecutive hours, within a day, that the rota leaves short of the need."""
    found: list[Gap] = []
    for hour in hours:
        if hour.rostered is None or hour.shortfall == 0:
            continue
        previous = found[-1] if found else None
        if (
            previous is not None
            and previous.last_hour == hour.hour_of_week - 1
            and previous.weekday == hour.weekday
            and (previous.needed, previous.rostered) == (hour.pooled, hour.rostered)
        ):
            found[-1] = Gap(previous.first_hour, hour.hour_of_week, previous.needed, previous.rostered)
        else:
            found.append(Gap(hour.hour_of_week, hour.hour_of_week, hour.pooled, hour.rostered))
    return found


def plan(
    period: Period,
    scope: Scope,
    target: Target,
    *,
    handle_seconds: float | None,
    measured_handle_seconds: float | None,
    weekly_chats: int | None,
    rota_monday: date,
) -> Plan:
    """Returns the counselors needed hour by hour for `target`, pooled and alone, against the rota."""
    keep_statistics_fresh()
    counts = chats_by_municipality_and_hour(period)
    exposure = period.hours_by_hour_of_week()
    pooled_counts = [sum(by_hour[index] for by_hour in counts.values()) for index in range(HOURS_PER_WEEK)]
    chats = sum(pooled_counts)

    def measured_rate(count: float, index: int) -> float:
        return count / exposure[index] if exposure[index] else 0.0

    measured_rates = [measured_rate(pooled_counts[index], index) for index in range(HOURS_PER_WEEK)]
    # A week of measured rates, one hour of each, is the chats of an average week.
    measured_weekly = sum(measured_rates)
    scale = weekly_chats / measured_weekly if weekly_chats is not None and measured_weekly else 1.0

    def rate(count: float, index: int) -> float:
        return measured_rate(count, index) * scale

    if weekly_chats is not None and not measured_weekly:
        # Nothing measured to shape the week with: the same number in every hour.
        pooled_rates = [weekly_chats / HOURS_PER_WEEK] * HOURS_PER_WEEK
    else:
        pooled_rates = [rate(pooled_counts[index], index) for index in range(HOURS_PER_WEEK)]
    handle = handle_seconds or measured_handle_seconds or DEFAULT_HANDLE_SECONDS

    def needed(rate_per_hour: float) -> int:
        return _agents(round(rate_per_hour, 6), float(handle), target.answer_within_s, target.service_level)

    pooled = [needed(value) for value in pooled_rates]
    stated = {pk: by_hour for pk, by_hour in counts.items() if pk is not None}
    stated_total = sum(sum(by_hour) for by_hour in stated.values())
    unstated = counts.get(None, [0] * HOURS_PER_WEEK)
    shown = stated if scope.is_national else {scope.municipality_id: stated.get(scope.municipality_id, [0] * 168)}
    organisations = Organisation.objects.in_bulk(list(shown))
    alone_by_hour = [0] * HOURS_PER_WEEK
    municipalities = []
    for pk, by_hour in shown.items():
        municipality_chats = sum(by_hour)
        # Alone, a municipality also answers its part, by its share of all stated chats, of the
        # chats in each hour whose municipality is not stated.
        part = municipality_chats / stated_total if stated_total else 0.0
        alone = [needed(rate(by_hour[index] + unstated[index] * part, index)) for index in range(HOURS_PER_WEEK)]
        for index, agents in enumerate(alone):
            alone_by_hour[index] += agents
        municipalities.append(
            MunicipalityNeed(
                municipality=organisations[pk],
                chats=municipality_chats,
                alone_hours=sum(alone),
                pooled_share_hours=sum(pooled) * municipality_chats / stated_total if stated_total else 0.0,
            )
        )
    municipalities.sort(key=lambda line: (-line.alone_hours, line.municipality.name))
    rostered = rostered_by_hour(rota_monday)
    hours = [
        HourNeed(
            hour_of_week=index,
            rate_per_hour=pooled_rates[index],
            pooled=pooled[index],
            alone=alone_by_hour[index],
            rostered=rostered[index],
        )
        for index in range(HOURS_PER_WEEK)
    ]
    return Plan(
        period=period,
        scope=scope,
        target=target,
        handle_seconds=float(handle),
        handle_measured=handle_seconds is None and measured_handle_seconds is not None,
        chats=chats,
        weekly_chats=weekly_chats if weekly_chats is not None else measured_weekly,
        rates_entered=weekly_chats is not None,
        hours=hours,
        municipalities=municipalities,
        rota_monday=rota_monday,
    )
