"""The rota arithmetic: patterns and changes into shifts, shifts into 168 hours with their gaps."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from samraad.rota.coverage import (
    LOCAL,
    Change,
    Pattern,
    Person,
    Shift,
    expand_week,
    fewest_on_shift,
    gap_spans,
    hour_cells,
    local_instant,
    merge,
    monday_of,
    parse_week,
    subtract,
    week_bounds,
    week_coverage,
    week_label,
)

ANNA = Person("1", "Anna Berg", "Aarhus")
BO = Person("2", "Bo Dahl", "København")
CARL = Person("3", "Carl Enge", "Samraad central")

# 2026: week 48 is an ordinary week; 29 March and 25 October are the last Sundays of March and October.
ORDINARY_MONDAY = date(2026, 11, 23)
SPRING_MONDAY = date(2026, 3, 23)
AUTUMN_MONDAY = date(2026, 10, 19)
MONDAY, TUESDAY, SATURDAY, SUNDAY = 0, 1, 5, 6


def local(year: int, month: int, day: int, hour: int, minute: int = 0, fold: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LOCAL, fold=fold).astimezone(UTC)


def weekly(person: Person, weekday: int, starts: str, ends: str, *, valid_from=date(2026, 1, 1), until=None):
    return Pattern(person, weekday, time.fromisoformat(starts), time.fromisoformat(ends), valid_from, until)


def cell(week, day_offset: int, hour: int):
    return week.hours[day_offset * 24 + hour]


def covering(week, day_offset: int, hour: int) -> list[str]:
    return [cover.person.name for cover in cell(week, day_offset, hour).covers]


# --- Weeks ------------------------------------------------------------------------------------


def test_week_labels_round_trip_the_iso_week():
    assert week_label(ORDINARY_MONDAY) == "2026-W48"
    assert parse_week("2026-W48") == ORDINARY_MONDAY
    assert parse_week("2020-W53") == date(2020, 12, 28)


@pytest.mark.parametrize("text", ["", "2026-48", "2026-W0", "2026-W00", "2026-W54", "2025-W53", "W48-2026", "abc"])
def test_a_week_that_does_not_exist_is_none(text):
    assert parse_week(text) is None


@pytest.mark.parametrize("text", ["9999-W52", "0000-W01"])
def test_a_week_outside_the_dates_python_has_is_none(text):
    # 9999-W52 would end on 2 January 10000; there is no year 0.
    assert parse_week(text) is None


def test_a_week_outside_the_bounds_is_none():
    first, last = date(2000, 1, 1), date(2099, 12, 31)

    assert parse_week("2000-W01", first, last) == date(2000, 1, 3)
    assert parse_week("1999-W52", first, last) is None  # begins on 27 December 1999
    assert parse_week("2099-W52", first, last) == date(2099, 12, 21)
    assert parse_week("2099-W53", first, last) is None  # ends on 3 January 2100


def test_monday_of_any_day_of_the_week():
    assert {monday_of(ORDINARY_MONDAY + timedelta(days=offset)) for offset in range(7)} == {ORDINARY_MONDAY}


def test_an_ordinary_week_is_168_real_hours():
    starts, ends = week_bounds(ORDINARY_MONDAY)

    assert ends - starts == timedelta(hours=168)
    assert starts == datetime(2026, 11, 22, 23, 0, tzinfo=UTC)


def test_the_spring_week_is_one_hour_shorter_and_the_autumn_week_one_longer():
    spring_starts, spring_ends = week_bounds(SPRING_MONDAY)
    autumn_starts, autumn_ends = week_bounds(AUTUMN_MONDAY)

    assert spring_ends - spring_starts == timedelta(hours=167)
    assert autumn_ends - autumn_starts == timedelta(hours=169)


@pytest.mark.parametrize("monday", [ORDINARY_MONDAY, SPRING_MONDAY, AUTUMN_MONDAY])
def test_hour_cells_follow_each_other_and_fill_the_week_exactly(monday):
    cells = hour_cells(monday)
    starts, ends = week_bounds(monday)

    assert len(cells) == 168
    assert cells[0][0] == starts and cells[-1][1] == ends
    assert all(earlier[1] == later[0] for earlier, later in zip(cells, cells[1:], strict=False))


def test_on_the_spring_night_the_two_o_clock_cell_is_empty():
    week = week_coverage(SPRING_MONDAY, [], minimum=1)
    two = cell(week, 6, 2)

    assert not two.exists
    assert not two.is_gap
    assert [hour.exists for hour in week.hours].count(False) == 1
    assert cell(week, 6, 1).ends == cell(week, 6, 3).starts == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)


def test_on_the_autumn_night_the_two_o_clock_cell_holds_two_real_hours():
    week = week_coverage(AUTUMN_MONDAY, [], minimum=1)
    two = cell(week, 6, 2)

    assert two.repeated
    assert two.ends - two.starts == timedelta(hours=2)
    assert two.starts == datetime(2026, 10, 25, 0, 0, tzinfo=UTC)
    assert sum(hour.repeated for hour in week.hours) == 1


def test_local_wall_clock_times_become_utc():
    assert local_instant(date(2026, 1, 5), time(8)) == datetime(2026, 1, 5, 7, 0, tzinfo=UTC)
    assert local_instant(date(2026, 7, 6), time(8)) == datetime(2026, 7, 6, 6, 0, tzinfo=UTC)
    # The skipped spring half hour is read before the change: 02:30 winter time is 03:30 summer time.
    assert local_instant(date(2026, 3, 29), time(2, 30)) == local(2026, 3, 29, 3, 30)
    # The repeated autumn half hour is its first occurrence, still summer time.
    assert local_instant(date(2026, 10, 25), time(2, 30)) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


# --- Intervals --------------------------------------------------------------------------------


def _at(hour: float) -> datetime:
    return datetime(2026, 1, 1, tzinfo=UTC) + timedelta(hours=hour)


def test_merge_joins_overlapping_and_touching_spans():
    spans = [(_at(5), _at(7)), (_at(0), _at(2)), (_at(1), _at(3)), (_at(3), _at(4)), (_at(6), _at(6))]

    assert merge(spans) == [(_at(0), _at(4)), (_at(5), _at(7))]


def test_subtract_cuts_holes_out_of_spans():
    assert subtract([(_at(0), _at(10))], [(_at(2), _at(3)), (_at(5), _at(12))]) == [
        (_at(0), _at(2)),
        (_at(3), _at(5)),
    ]
    assert subtract([(_at(0), _at(1))], [(_at(0), _at(1))]) == []


def test_fewest_on_shift_is_the_lowest_count_at_any_moment():
    anna = [(_at(0), _at(0.5))]
    bo = [(_at(0.5), _at(1))]
    carl = [(_at(0), _at(1))]

    assert fewest_on_shift([anna, bo], (_at(0), _at(1))) == 1
    assert fewest_on_shift([anna, carl], (_at(0), _at(1))) == 1
    assert fewest_on_shift([carl], (_at(0), _at(1))) == 1
    assert fewest_on_shift([anna], (_at(0), _at(1))) == 0
    assert fewest_on_shift([], (_at(0), _at(1))) == 0
    assert fewest_on_shift([carl], (_at(1), _at(1))) == 0


_hours = st.integers(min_value=0, max_value=48)


@given(st.lists(st.tuples(_hours, _hours), max_size=8), st.lists(st.tuples(_hours, _hours), max_size=4))
def test_subtract_never_leaves_time_inside_a_hole_and_keeps_all_time_outside(spans, holes):
    spans_ = [(_at(a), _at(b)) for a, b in spans]
    holes_ = [(_at(a), _at(b)) for a, b in holes]

    remaining = subtract(spans_, holes_)

    for hour in range(48):
        moment = _at(hour + 0.5)
        in_spans = any(a <= moment < b for a, b in spans_)
        in_holes = any(a <= moment < b for a, b in holes_)
        assert any(a <= moment < b for a, b in remaining) == (in_spans and not in_holes)
    assert remaining == merge(remaining)


# --- Patterns into shifts ---------------------------------------------------------------------


def test_an_empty_week_is_all_gaps():
    week = week_coverage(ORDINARY_MONDAY, expand_week(ORDINARY_MONDAY, [], []), minimum=1)

    assert len(week.hours) == 168
    assert all(hour.is_gap and hour.count == 0 and hour.covers == () for hour in week.hours)
    assert week.gap_hours == 168
    assert [(span.starts, span.ends, span.count) for span in week.gaps] == [(*week_bounds(ORDINARY_MONDAY), 0)]


def test_a_day_shift_covers_its_hours_and_nothing_else():
    shifts = expand_week(ORDINARY_MONDAY, [weekly(ANNA, TUESDAY, "08:00", "16:00")], [])
    week = week_coverage(ORDINARY_MONDAY, shifts, minimum=1)

    assert shifts == [Shift(ANNA, local(2026, 11, 24, 8), local(2026, 11, 24, 16))]
    assert [hour.hour for hour in week.hours if not hour.is_gap] == list(range(8, 16))
    assert all(cell(week, 1, hour).count == 1 for hour in range(8, 16))
    assert covering(week, 1, 8) == ["Anna Berg"]
    assert cell(week, 1, 8).covers[0].whole
    assert covering(week, 1, 16) == []


def test_a_shift_across_midnight_covers_the_evening_and_the_next_morning():
    shifts = expand_week(ORDINARY_MONDAY, [weekly(ANNA, TUESDAY, "22:00", "06:00")], [])
    week = week_coverage(ORDINARY_MONDAY, shifts, minimum=1)

    covered = [(hour.day.weekday(), hour.hour) for hour in week.hours if hour.count]
    assert covered == [(1, 22), (1, 23)] + [(2, hour) for hour in range(6)]
    assert shifts == [Shift(ANNA, local(2026, 11, 24, 22), local(2026, 11, 25, 6))]


def test_a_sunday_night_shift_runs_into_the_next_weeks_monday():
    pattern = weekly(ANNA, SUNDAY, "22:00", "06:00", valid_from=ORDINARY_MONDAY)

    this_week = week_coverage(ORDINARY_MONDAY, expand_week(ORDINARY_MONDAY, [pattern], []), minimum=1)
    next_monday = ORDINARY_MONDAY + timedelta(days=7)
    next_week = week_coverage(next_monday, expand_week(next_monday, [pattern], []), minimum=1)

    assert [(h.day.weekday(), h.hour) for h in this_week.hours if h.count] == [(6, 22), (6, 23)]
    assert [(h.day.weekday(), h.hour) for h in next_week.hours if h.count] == [(0, hour) for hour in range(6)] + [
        (6, 22),
        (6, 23),
    ]


def test_a_pattern_counts_only_from_its_first_day_to_its_last():
    pattern = weekly(ANNA, MONDAY, "08:00", "09:00", valid_from=date(2026, 11, 30), until=date(2026, 12, 7))

    weeks = [ORDINARY_MONDAY + timedelta(days=7 * offset) for offset in range(4)]
    counts = [len(expand_week(monday, [pattern], [])) for monday in weeks]

    assert counts == [0, 1, 1, 0]


def test_the_last_day_of_a_pattern_still_starts_a_shift_across_midnight():
    pattern = weekly(ANNA, SUNDAY, "22:00", "06:00", until=date(2026, 11, 29))

    next_week = expand_week(ORDINARY_MONDAY + timedelta(days=7), [pattern], [])

    assert next_week == [Shift(ANNA, local(2026, 11, 30, 0), local(2026, 11, 30, 6))]


def test_a_partial_hour_lists_the_person_with_times_but_does_not_count():
    shifts = expand_week(ORDINARY_MONDAY, [weekly(ANNA, MONDAY, "08:30", "10:00")], [])
    week = week_coverage(ORDINARY_MONDAY, shifts, minimum=1)
    eight = cell(week, 0, 8)

    assert eight.count == 0 and eight.is_gap
    assert covering(week, 0, 8) == ["Anna Berg"]
    assert not eight.covers[0].whole
    assert eight.covers[0].local_starts.strftime("%H:%M") == "08:30"
    assert cell(week, 0, 9).count == 1


def test_two_people_handing_over_mid_hour_keep_the_hour_covered():
    patterns = [weekly(ANNA, MONDAY, "06:00", "14:30"), weekly(BO, MONDAY, "14:30", "22:00")]
    week = week_coverage(ORDINARY_MONDAY, expand_week(ORDINARY_MONDAY, patterns, []), minimum=1)

    assert cell(week, 0, 14).count == 1
    assert covering(week, 0, 14) == ["Anna Berg", "Bo Dahl"]
    assert not cell(week, 0, 14).is_gap


# --- Changes ----------------------------------------------------------------------------------


def test_a_cancellation_in_the_middle_splits_a_shift_in_two():
    pattern = weekly(ANNA, MONDAY, "08:00", "16:00")
    illness = Change(ANNA, local(2026, 11, 23, 11), local(2026, 11, 23, 13), cancels=True)

    shifts = expand_week(ORDINARY_MONDAY, [pattern], [illness])
    week = week_coverage(ORDINARY_MONDAY, shifts, minimum=1)

    assert shifts == [
        Shift(ANNA, local(2026, 11, 23, 8), local(2026, 11, 23, 11)),
        Shift(ANNA, local(2026, 11, 23, 13), local(2026, 11, 23, 16)),
    ]
    assert [cell(week, 0, hour).count for hour in range(8, 16)] == [1, 1, 1, 0, 0, 1, 1, 1]


def test_a_cancellation_only_removes_that_persons_time():
    patterns = [weekly(ANNA, MONDAY, "08:00", "16:00"), weekly(BO, MONDAY, "08:00", "16:00")]
    illness = Change(ANNA, local(2026, 11, 23, 0), local(2026, 11, 24, 0), cancels=True)

    week = week_coverage(ORDINARY_MONDAY, expand_week(ORDINARY_MONDAY, patterns, [illness]), minimum=1)

    assert covering(week, 0, 9) == ["Bo Dahl"]


def test_a_cancellation_across_several_weeks_removes_every_occurrence_inside_it():
    pattern = weekly(ANNA, TUESDAY, "22:00", "06:00")
    holiday = Change(ANNA, local(2026, 11, 1, 0), local(2026, 12, 31, 0), cancels=True)

    assert expand_week(ORDINARY_MONDAY, [pattern], [holiday]) == []


def test_an_extra_shift_adds_time_and_overlaps_count_once_per_person():
    pattern = weekly(ANNA, MONDAY, "08:00", "12:00")
    extra = Change(ANNA, local(2026, 11, 23, 10), local(2026, 11, 23, 14), cancels=False)
    duplicate = Change(ANNA, local(2026, 11, 23, 10), local(2026, 11, 23, 11), cancels=False)

    shifts = expand_week(ORDINARY_MONDAY, [pattern, pattern], [extra, duplicate])
    week = week_coverage(ORDINARY_MONDAY, shifts, minimum=2)

    assert shifts == [Shift(ANNA, local(2026, 11, 23, 8), local(2026, 11, 23, 14))]
    assert [cell(week, 0, hour).count for hour in range(8, 14)] == [1] * 6
    assert all(cell(week, 0, hour).is_gap for hour in range(8, 14))
    assert covering(week, 0, 10) == ["Anna Berg"]


def test_overlapping_shifts_given_directly_still_count_a_person_once():
    shifts = [
        Shift(ANNA, local(2026, 11, 23, 8), local(2026, 11, 23, 10)),
        Shift(ANNA, local(2026, 11, 23, 9), local(2026, 11, 23, 11)),
    ]

    week = week_coverage(ORDINARY_MONDAY, shifts, minimum=1)

    assert cell(week, 0, 9).count == 1
    assert covering(week, 0, 9) == ["Anna Berg"]


def test_a_cancellation_wins_over_an_extra_shift_it_overlaps():
    extra = Change(BO, local(2026, 11, 25, 18), local(2026, 11, 25, 22), cancels=False)
    cancelled = Change(BO, local(2026, 11, 25, 20), local(2026, 11, 25, 23), cancels=True)

    assert expand_week(ORDINARY_MONDAY, [], [extra, cancelled]) == [
        Shift(BO, local(2026, 11, 25, 18), local(2026, 11, 25, 20))
    ]


def test_a_change_outside_the_week_is_clipped_to_the_week():
    extra = Change(CARL, local(2026, 11, 20, 0), local(2026, 11, 24, 0), cancels=False)

    assert expand_week(ORDINARY_MONDAY, [], [extra]) == [Shift(CARL, local(2026, 11, 23, 0), local(2026, 11, 24, 0))]


def test_only_keeps_the_people_still_on_the_rota():
    patterns = [weekly(ANNA, MONDAY, "08:00", "16:00"), weekly(BO, MONDAY, "08:00", "16:00")]

    shifts = expand_week(ORDINARY_MONDAY, patterns, [], only={BO.key})

    assert {shift.person for shift in shifts} == {BO}


# --- Minimum and gaps -------------------------------------------------------------------------


def test_fewer_than_the_minimum_is_a_gap_and_the_minimum_is_not():
    patterns = [weekly(ANNA, MONDAY, "08:00", "16:00"), weekly(BO, MONDAY, "12:00", "20:00")]
    week = week_coverage(ORDINARY_MONDAY, expand_week(ORDINARY_MONDAY, patterns, []), minimum=2)

    assert [cell(week, 0, hour).is_gap for hour in (8, 11, 12, 15, 16)] == [True, True, False, False, True]
    assert covering(week, 0, 12) == ["Anna Berg", "Bo Dahl"]


def test_gap_spans_join_consecutive_gap_hours_with_the_same_number_on_shift():
    patterns = [weekly(ANNA, MONDAY, "00:00", "08:00"), weekly(BO, MONDAY, "04:00", "12:00")]
    week = week_coverage(ORDINARY_MONDAY, expand_week(ORDINARY_MONDAY, patterns, []), minimum=2)

    spans = [(span.local_starts.strftime("%a %H"), span.local_ends.strftime("%a %H"), span.count) for span in week.gaps]

    assert spans == [("Mon 00", "Mon 04", 1), ("Mon 08", "Mon 12", 1), ("Mon 12", "Mon 00", 0)]
    assert gap_spans([]) == []


def test_a_gap_run_goes_on_across_the_skipped_spring_hour():
    week = week_coverage(SPRING_MONDAY, [], minimum=1)

    assert len(week.gaps) == 1
    assert week.gap_hours == 167


def test_a_week_fully_covered_has_no_gaps():
    patterns = [weekly(ANNA, day, "00:00", "23:59") for day in range(7)]
    patterns += [weekly(BO, day, "23:30", "00:30") for day in range(7)]

    week = week_coverage(ORDINARY_MONDAY, expand_week(ORDINARY_MONDAY, patterns, []), minimum=1)

    assert week.gaps == []
    assert week.gap_hours == 0


# --- Daylight saving --------------------------------------------------------------------------


def test_a_night_shift_across_the_spring_change_is_seven_real_hours():
    pattern = weekly(ANNA, SATURDAY, "22:00", "06:00")

    shifts = expand_week(SPRING_MONDAY, [pattern], [])
    week = week_coverage(SPRING_MONDAY, shifts, minimum=1)

    assert len(shifts) == 1
    assert shifts[0].ends - shifts[0].starts == timedelta(hours=7)
    assert shifts[0].ends == local(2026, 3, 29, 6)
    sunday = [(cell(week, 6, hour).count, cell(week, 6, hour).exists) for hour in range(7)]
    assert sunday == [(1, True), (1, True), (0, False), (1, True), (1, True), (1, True), (0, True)]
    assert not cell(week, 6, 2).is_gap
    assert [hour.hour for hour in week.hours[6 * 24 :] if hour.is_gap] == list(range(6, 24))


def test_a_night_shift_across_the_autumn_change_is_nine_real_hours_and_covers_the_double_hour():
    pattern = weekly(ANNA, SATURDAY, "22:00", "06:00")

    shifts = expand_week(AUTUMN_MONDAY, [pattern], [])
    week = week_coverage(AUTUMN_MONDAY, shifts, minimum=1)

    assert shifts[0].ends - shifts[0].starts == timedelta(hours=9)
    two = cell(week, 6, 2)
    assert two.repeated and two.count == 1 and two.covers[0].whole
    assert [cell(week, 6, hour).count for hour in range(7)] == [1, 1, 1, 1, 1, 1, 0]


def test_a_day_shift_on_the_change_sundays_keeps_its_wall_clock_hours():
    pattern = weekly(BO, SUNDAY, "08:00", "16:00")

    for monday, day in ((SPRING_MONDAY, 29), (AUTUMN_MONDAY, 25)):
        week = week_coverage(monday, expand_week(monday, [pattern], []), minimum=1)
        month = 3 if monday == SPRING_MONDAY else 10

        assert [hour.hour for hour in week.hours[6 * 24 :] if hour.count] == list(range(8, 16))
        assert week.shifts[0].starts == local(2026, month, day, 8)


def test_a_cancellation_in_the_repeated_autumn_hour_takes_only_the_part_it_names():
    pattern = weekly(ANNA, SATURDAY, "22:00", "06:00")
    # The first 02:00–03:00 (summer time) off; the second one (winter time) still worked.
    first_two = Change(
        ANNA, datetime(2026, 10, 25, 0, 0, tzinfo=UTC), datetime(2026, 10, 25, 1, 0, tzinfo=UTC), cancels=True
    )

    week = week_coverage(AUTUMN_MONDAY, expand_week(AUTUMN_MONDAY, [pattern], [first_two]), minimum=1)
    two = cell(week, 6, 2)

    assert two.count == 0 and two.is_gap
    assert covering(week, 6, 2) == ["Anna Berg"]
    assert not two.covers[0].whole


def test_the_week_knows_its_neighbours_and_rows():
    week = week_coverage(ORDINARY_MONDAY, [], minimum=1)

    assert week.label == "2026-W48"
    assert (week.number, week.year) == (48, 2026)
    assert week.previous_monday == date(2026, 11, 16) and week.next_monday == date(2026, 11, 30)
    assert len(week.rows) == 24 and all(len(row) == 7 for row in week.rows)
    assert week.rows[3][2] is cell(week, 2, 3)
    assert [day for day, _ in week.by_day] == week.days
    assert week.hour_at(local(2026, 11, 25, 3, 30)) is cell(week, 2, 3)
    assert week.hour_at(local(2026, 12, 25, 3, 30)) is None
