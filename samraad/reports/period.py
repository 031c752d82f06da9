"""A report's period: whole Copenhagen days, the UTC instants that bound them, and the local hour
of the week, which daylight saving makes more than a matter of arithmetic."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from samraad.rota.coverage import LOCAL, local_instant

HOURS_PER_WEEK = 7 * 24


@dataclass(frozen=True)
class Period:
    """From the start of `first_day` to the end of `last_day`, both Copenhagen dates."""

    first_day: date
    last_day: date

    def __post_init__(self) -> None:
        if self.last_day < self.first_day:
            raise ValueError("a period must not end before it begins")

    @property
    def starts(self) -> datetime:
        return local_instant(self.first_day, time(0))

    @property
    def ends(self) -> datetime:
        """The instant just after the period: midnight at the end of `last_day`."""
        return local_instant(self.last_day + timedelta(days=1), time(0))

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    @property
    def hours(self) -> float:
        return (self.ends - self.starts).total_seconds() / 3600

    def offset_changes(self) -> list[tuple[datetime, int]]:
        """Returns the UTC offset in seconds at the start, then each instant inside the period at
        which Copenhagen's offset changes, with the offset from then on."""
        return offset_changes(self.starts, self.ends)

    def hours_by_hour_of_week(self) -> list[float]:
        """Returns, for each of the 168 local hours of the week (Monday 00 first), how many real
        hours of the period fell in it: the spring hour the clock skips gets none, the autumn hour
        it repeats gets two. Arrival rates divide counts by these."""
        hours = [0.0] * HOURS_PER_WEEK
        instant, ends = self.starts, self.ends
        while instant < ends:
            hours[hour_of_week(instant)] += 1
            instant += timedelta(hours=1)
        return hours


def hour_of_week(instant: datetime) -> int:
    """Returns the local hour of the week of an aware instant: 0 is Monday 00–01, 167 Sunday 23–24."""
    local = instant.astimezone(LOCAL)
    return local.weekday() * 24 + local.hour


def _offset(instant: datetime) -> int:
    offset = instant.astimezone(LOCAL).utcoffset()
    return int(offset.total_seconds()) if offset is not None else 0


def offset_changes(starts: datetime, ends: datetime) -> list[tuple[datetime, int]]:
    """Returns [(starts, offset)] followed by every (instant, new offset) in (starts, ends)."""
    starts, ends = starts.astimezone(UTC), ends.astimezone(UTC)
    changes = [(starts, _offset(starts))]
    previous = starts
    # Copenhagen changes its offset at most twice a year, never twice within a day: look a day at
    # a time, then narrow down to the second.
    while previous < ends:
        following = min(previous + timedelta(days=1), ends)
        if _offset(following) != changes[-1][1]:
            low, high = previous, following
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                if _offset(middle) == changes[-1][1]:
                    low = middle
                else:
                    high = middle
            high = high.replace(microsecond=0)
            if high < ends:
                changes.append((high, _offset(high)))
        previous = following
    return changes


def this_year(today: date) -> Period:
    """Returns the period from 1 January to `today`."""
    return Period(date(today.year, 1, 1), today)
