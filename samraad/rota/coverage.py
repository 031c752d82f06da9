"""Rota arithmetic without a database: weekly patterns and one-off changes become concrete shifts,
and a week becomes 7 × 24 local hours, each saying who covers it and whether it is a gap.

Every time a person types is Copenhagen wall-clock time; every instant computed here is UTC, so
that subtraction and comparison are real time (Python compares and subtracts two datetimes of the
same zone by their wall-clock fields, which is wrong across a daylight-saving change).

A wall-clock time the clock skips (02:00–03:00 on the last Sunday of March) is read as if the clock
had not moved yet, so 02:30 is 03:30 summer time; a time that occurs twice (02:00–03:00 on the last
Sunday of October) is its first occurrence. The local hour cells follow the same rule, so on the
spring night the 02 cell holds no time at all, on the autumn night it holds two real hours, and the
168 cells of a week always add up to exactly the week.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

LOCAL = ZoneInfo("Europe/Copenhagen")
HOURS_PER_DAY = 24
DAYS_PER_WEEK = 7
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")

Interval = tuple[datetime, datetime]


@dataclass(frozen=True)
class Person:
    """A member of staff as the rota shows them."""

    key: str
    name: str
    organisation: str


@dataclass(frozen=True)
class Pattern:
    """A weekly shift: `weekday` (0 = Monday) from `starts` to `ends`; an end at or before the start
    runs past midnight into the next day. It recurs on shift days from `valid_from` to `valid_until`
    (both included; None = no end)."""

    person: Person
    weekday: int
    starts: time
    ends: time
    valid_from: date
    valid_until: date | None = None


@dataclass(frozen=True)
class Change:
    """A one-off change for one person: extra time on shift, or planned time cancelled."""

    person: Person
    starts: datetime
    ends: datetime
    cancels: bool


@dataclass(frozen=True)
class Shift:
    """A concrete stretch of time one person is on shift, in UTC."""

    person: Person
    starts: datetime
    ends: datetime


@dataclass(frozen=True)
class Cover:
    """One person's time on shift inside one hour cell."""

    person: Person
    starts: datetime
    ends: datetime
    whole: bool

    @property
    def local_starts(self) -> datetime:
        return self.starts.astimezone(LOCAL)

    @property
    def local_ends(self) -> datetime:
        return self.ends.astimezone(LOCAL)


@dataclass(frozen=True)
class Hour:
    """One local hour cell: `day` at `hour` o'clock, the real time it spans, and who covers it.

    `count` is the fewest people on shift at any moment of the cell, so two half-hour shifts
    back to back count as one and a half-hour shift alone counts as none."""

    day: date
    hour: int
    starts: datetime
    ends: datetime
    covers: tuple[Cover, ...]
    count: int
    minimum: int

    @property
    def exists(self) -> bool:
        """False for the hour the clock skips when summer time begins."""
        return self.ends > self.starts

    @property
    def repeated(self) -> bool:
        """True for the hour that happens twice when summer time ends."""
        return self.ends - self.starts > timedelta(hours=1)

    @property
    def is_gap(self) -> bool:
        return self.exists and self.count < self.minimum

    @property
    def label(self) -> str:
        return f"{self.hour:02d}:00"


@dataclass(frozen=True)
class GapSpan:
    """Consecutive gap hours with the same number of people on shift."""

    starts: datetime
    ends: datetime
    count: int

    @property
    def local_starts(self) -> datetime:
        return self.starts.astimezone(LOCAL)

    @property
    def local_ends(self) -> datetime:
        return self.ends.astimezone(LOCAL)


@dataclass(frozen=True)
class Week:
    """A week's 168 hour cells, Monday 00 first, and the shifts they were computed from."""

    monday: date
    hours: tuple[Hour, ...]
    shifts: tuple[Shift, ...]
    minimum: int

    @property
    def label(self) -> str:
        return week_label(self.monday)

    @property
    def number(self) -> int:
        return self.monday.isocalendar().week

    @property
    def year(self) -> int:
        return self.monday.isocalendar().year

    @property
    def days(self) -> list[date]:
        return [self.monday + timedelta(days=offset) for offset in range(DAYS_PER_WEEK)]

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=DAYS_PER_WEEK - 1)

    @property
    def previous_monday(self) -> date:
        return self.monday - timedelta(days=DAYS_PER_WEEK)

    @property
    def next_monday(self) -> date:
        return self.monday + timedelta(days=DAYS_PER_WEEK)

    @property
    def rows(self) -> list[list[Hour]]:
        """The cells by hour of the day: 24 rows of 7 days, for a table."""
        return [[self.hours[day * HOURS_PER_DAY + hour] for day in range(DAYS_PER_WEEK)] for hour in range(24)]

    @property
    def by_day(self) -> list[tuple[date, list[Hour]]]:
        return [
            (day, list(self.hours[index * HOURS_PER_DAY : (index + 1) * HOURS_PER_DAY]))
            for index, day in enumerate(self.days)
        ]

    @property
    def gap_hours(self) -> int:
        return sum(1 for hour in self.hours if hour.is_gap)

    @property
    def gaps(self) -> list[GapSpan]:
        return gap_spans(self.hours)

    def hour_at(self, instant: datetime) -> Hour | None:
        """The cell holding `instant`, or None outside the week."""
        for hour in self.hours:
            if hour.starts <= instant < hour.ends:
                return hour
        return None


# --- Weeks and local time ---------------------------------------------------------------------


def local_instant(day: date, at: time) -> datetime:
    """Returns the UTC instant of Copenhagen wall-clock `at` on `day` (see the module docstring)."""
    return datetime.combine(day, at.replace(tzinfo=None, fold=0), tzinfo=LOCAL).astimezone(UTC)


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_label(monday: date) -> str:
    """Returns the ISO week of `monday` as `2026-W48`, the form `?week=` and `<input type=week>` use."""
    year, week, _ = monday.isocalendar()
    return f"{year:04d}-W{week:02d}"


def week_within(monday: date, first: date = date.min, last: date = date.max) -> bool:
    """Returns whether the whole week from `monday` to its Sunday lies from `first` to `last`."""
    # Subtracting from `last` rather than adding to `monday` keeps to dates that exist: the week
    # after 9999-12-27 would end in a year Python has no date for.
    return first <= monday <= last - timedelta(days=DAYS_PER_WEEK - 1)


def parse_week(text: str, first: date = date.min, last: date = date.max) -> date | None:
    """Returns the Monday of an ISO week written `2026-W48`, or None if there is no such week or
    it does not lie wholly from `first` to `last` (by default, the dates Python has)."""
    match = _WEEK.match(text.strip())
    if match is None:
        return None
    try:
        monday = date.fromisocalendar(int(match[1]), int(match[2]), 1)
    except ValueError:
        return None
    return monday if week_within(monday, first, last) else None


def week_bounds(monday: date) -> Interval:
    """Returns the UTC instants of local Monday 00:00 and the next Monday 00:00."""
    return local_instant(monday, time(0)), local_instant(monday + timedelta(days=DAYS_PER_WEEK), time(0))


# --- Intervals --------------------------------------------------------------------------------


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Returns the union of `intervals` as sorted, disjoint, non-touching intervals."""
    merged: list[Interval] = []
    for starts, ends in sorted(interval for interval in intervals if interval[1] > interval[0]):
        if merged and starts <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], ends))
        else:
            merged.append((starts, ends))
    return merged


def subtract(intervals: Iterable[Interval], holes: Iterable[Interval]) -> list[Interval]:
    """Returns the parts of `intervals` outside every one of `holes`, merged."""
    remaining = merge(intervals)
    for hole_starts, hole_ends in merge(holes):
        pieces: list[Interval] = []
        for starts, ends in remaining:
            if ends <= hole_starts or starts >= hole_ends:
                pieces.append((starts, ends))
                continue
            if starts < hole_starts:
                pieces.append((starts, hole_starts))
            if ends > hole_ends:
                pieces.append((hole_ends, ends))
        remaining = pieces
    return remaining


def _clip(interval: Interval, window: Interval) -> Interval | None:
    starts, ends = max(interval[0], window[0]), min(interval[1], window[1])
    return (starts, ends) if ends > starts else None


# --- Patterns and changes into shifts ---------------------------------------------------------


def pattern_occurrences(pattern: Pattern, first_day: date, last_day: date) -> list[Interval]:
    """Returns the UTC spans of `pattern`'s shifts that start on a day from `first_day` to `last_day`."""
    spans = []
    day = max(first_day, pattern.valid_from)
    if pattern.valid_until is not None:
        last_day = min(last_day, pattern.valid_until)
    while day <= last_day:
        if day.weekday() == pattern.weekday:
            end_day = day + timedelta(days=1) if pattern.ends <= pattern.starts else day
            starts, ends = local_instant(day, pattern.starts), local_instant(end_day, pattern.ends)
            # Only possible when both ends fall in or beside the hour the clock skips.
            if ends > starts:
                spans.append((starts, ends))
        day += timedelta(days=1)
    return spans


def expand(
    patterns: Iterable[Pattern], changes: Iterable[Change], window: Interval, *, only: set[str] | None = None
) -> list[Shift]:
    """Returns the concrete shifts inside `window` (UTC): every pattern's occurrences and every extra
    shift, less every cancelled span, merged per person so overlapping time counts once.

    A cancellation wins over an extra shift it overlaps. `only`, when given, keeps the people whose
    key is in it (the staff who may still be on the rota)."""
    # A shift that starts the day before the window can run into it past midnight.
    first_day = window[0].astimezone(LOCAL).date() - timedelta(days=1)
    last_day = window[1].astimezone(LOCAL).date()
    planned: dict[Person, list[Interval]] = {}
    cancelled: dict[Person, list[Interval]] = {}
    for pattern in patterns:
        planned.setdefault(pattern.person, []).extend(pattern_occurrences(pattern, first_day, last_day))
    for change in changes:
        span = (change.starts.astimezone(UTC), change.ends.astimezone(UTC))
        (cancelled if change.cancels else planned).setdefault(change.person, []).append(span)
    shifts = []
    for person, spans in planned.items():
        if only is not None and person.key not in only:
            continue
        for span in subtract(spans, cancelled.get(person, [])):
            clipped = _clip(span, window)
            if clipped is not None:
                shifts.append(Shift(person, *clipped))
    return sorted(shifts, key=lambda shift: (shift.starts, shift.person.name, shift.person.key))


def expand_week(
    monday: date, patterns: Iterable[Pattern], changes: Iterable[Change], *, only: set[str] | None = None
) -> list[Shift]:
    """Returns the concrete shifts of the local week that begins on `monday` (see `expand`)."""
    return expand(patterns, changes, week_bounds(monday), only=only)


# --- Hours ------------------------------------------------------------------------------------


def hour_cells(monday: date) -> list[Interval]:
    """Returns the 168 local hour cells of the week in UTC, Monday 00 first. They follow each other
    without gap or overlap; the skipped spring hour is empty and the repeated autumn hour double."""
    cells = []
    for offset in range(DAYS_PER_WEEK):
        day = monday + timedelta(days=offset)
        for hour in range(HOURS_PER_DAY):
            starts = local_instant(day, time(hour))
            ends = local_instant(day + timedelta(days=1), time(0)) if hour == 23 else local_instant(day, time(hour + 1))
            cells.append((starts, ends))
    return cells


def fewest_on_shift(spans_by_person: Sequence[Sequence[Interval]], window: Interval) -> int:
    """Returns the fewest people on shift at any moment of `window`; each person's spans must be
    merged. An empty window has nobody in it."""
    starts, ends = window
    if ends <= starts:
        return 0
    boundaries = {starts}
    for spans in spans_by_person:
        for span_starts, span_ends in spans:
            for instant in (span_starts, span_ends):
                if starts < instant < ends:
                    boundaries.add(instant)
    fewest = len(spans_by_person)
    for moment in boundaries:
        present = sum(
            1 for spans in spans_by_person if any(span_starts <= moment < span_ends for span_starts, span_ends in spans)
        )
        fewest = min(fewest, present)
    return fewest


def week_coverage(monday: date, shifts: Iterable[Shift], minimum: int) -> Week:
    """Returns the week beginning on `monday` with, for each local hour, who covers it, the fewest
    on shift at any moment, and whether that is below `minimum` (a gap)."""
    shift_list = tuple(shifts)
    by_person: dict[Person, list[Interval]] = {}
    for shift in shift_list:
        by_person.setdefault(shift.person, []).append((shift.starts, shift.ends))
    merged = {person: merge(spans) for person, spans in by_person.items()}
    hours = []
    for index, cell in enumerate(hour_cells(monday)):
        covers = []
        present: list[list[Interval]] = []
        for person, spans in merged.items():
            inside = [clipped for span in spans if (clipped := _clip(span, cell)) is not None]
            if not inside:
                continue
            present.append(inside)
            for starts, ends in inside:
                covers.append(Cover(person, starts, ends, whole=(starts, ends) == cell))
        covers.sort(key=lambda cover: (not cover.whole, cover.person.name, cover.person.key, cover.starts))
        hours.append(
            Hour(
                day=monday + timedelta(days=index // HOURS_PER_DAY),
                hour=index % HOURS_PER_DAY,
                starts=cell[0],
                ends=cell[1],
                covers=tuple(covers),
                count=fewest_on_shift(present, cell),
                minimum=minimum,
            )
        )
    return Week(monday=monday, hours=tuple(hours), shifts=shift_list, minimum=minimum)


def gap_spans(hours: Iterable[Hour]) -> list[GapSpan]:
    """Returns runs of consecutive gap hours with the same number on shift; the skipped spring hour
    does not break a run."""
    spans: list[GapSpan] = []
    run: GapSpan | None = None
    for hour in hours:
        if not hour.exists:
            continue
        if run is not None and (not hour.is_gap or hour.count != run.count):
            spans.append(run)
            run = None
        if hour.is_gap:
            run = GapSpan(run.starts if run else hour.starts, hour.ends, hour.count)
    if run is not None:
        spans.append(run)
    return spans
