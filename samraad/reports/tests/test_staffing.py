"""The staffing plan: arrivals per hour of the week, Erlang C pooled and alone, against the rota."""

from __future__ import annotations

import csv
import io
from datetime import date, time

import pytest
from django.urls import reverse

from samraad.reports import erlang
from samraad.reports.figures import Scope
from samraad.reports.staffing import HourNeed, Target, gaps, plan, rostered_by_hour
from samraad.reports.tests.conftest import MARCH
from samraad.rota.models import ShiftPattern

pytestmark = pytest.mark.django_db

MONDAY_10 = 10
MEAN_HANDLE_S = (1200 + 2400 + 1790 + 1180 + 3600 + 600) / 6
ROTA_MONDAY = date(2025, 3, 3)


NATIONAL = Scope()


def march_plan(scope: Scope = NATIONAL, **overrides):
    options = {
        "handle_seconds": None,
        "measured_handle_seconds": MEAN_HANDLE_S,
        "weekly_chats": None,
        "rota_monday": ROTA_MONDAY,
    }
    return plan(MARCH, scope, Target(answer_within_s=60, service_level=0.8), **{**options, **overrides})


def needed(rate: float, handle: float = MEAN_HANDLE_S) -> int:
    return erlang.agents_needed(rate, handle, 60, 0.8).agents


def test_the_arrival_rate_of_an_hour_is_its_chats_over_the_hours_of_it_in_the_period(march):
    planned = march_plan()

    # One chat on a Monday at 10, and March 2025 has five Mondays.
    monday_10 = planned.hours[MONDAY_10]
    assert monday_10.rate_per_hour == pytest.approx(1 / 5)
    assert monday_10.pooled == needed(1 / 5)
    # Staffing alone, Aarhus answers its chat and København needs nobody at that hour.
    assert monday_10.alone == needed(1 / 5) + needed(0)
    # On Monday at 14 the one chat did not say where from: alone, both carry their part of it
    # (Aarhus 4 of the 7 stated chats, København 3).
    monday_14 = planned.hours[14]
    assert monday_14.pooled == needed(1 / 5)
    assert monday_14.alone == needed(4 / 7 / 5) + needed(3 / 7 / 5)
    assert planned.chats == 8


def test_pooling_never_needs_more_than_staffing_alone_and_the_page_shows_the_difference(march):
    planned = march_plan()

    assert all(hour.pooled <= hour.alone for hour in planned.hours)
    assert planned.saved_hours == planned.alone_hours - planned.pooled_hours
    assert planned.saved_hours > 0
    assert {line.municipality.name for line in planned.municipalities} == {"Aarhus", "København"}


def test_one_municipality_compares_alone_with_its_share_of_the_pool(march):
    planned = march_plan(Scope(march.aarhus))

    [aarhus] = planned.municipalities
    assert aarhus.chats == 4
    assert aarhus.pooled_share_hours == pytest.approx(planned.pooled_hours * 4 / 7)
    assert planned.compared_pooled_hours == pytest.approx(aarhus.pooled_share_hours)
    assert planned.alone_hours == aarhus.alone_hours


def test_an_entered_week_of_chats_keeps_the_measured_shape(march):
    planned = march_plan(weekly_chats=700)

    assert sum(hour.rate_per_hour for hour in planned.hours) == pytest.approx(700)
    assert planned.hours[MONDAY_10].rate_per_hour > 0
    assert planned.hours[MONDAY_10 + 1].rate_per_hour == 0
    assert planned.rates_entered


def test_an_entered_week_without_history_is_spread_evenly(db):
    planned = march_plan(weekly_chats=168, measured_handle_seconds=None)

    assert {hour.rate_per_hour for hour in planned.hours} == {1.0}
    assert planned.handle_seconds == 1200  # the default when nothing is measured or entered
    assert not planned.handle_measured


def test_an_entered_handling_time_wins_over_the_measured(march):
    planned = march_plan(handle_seconds=600)

    assert planned.handle_seconds == 600
    assert planned.hours[MONDAY_10].pooled == needed(1 / 5, handle=600)


def test_rostered_counselors_come_from_the_rota(supervisor, counselor_aarhus):
    for person in (supervisor, counselor_aarhus):
        ShiftPattern.objects.create(
            staff=person, weekday=0, starts_at=time(8), ends_at=time(16), valid_from=date(2025, 1, 1)
        )

    rostered = rostered_by_hour(ROTA_MONDAY)

    assert rostered[8:16] == [2] * 8
    assert rostered[7] == 0
    assert rostered[16] == 0


def test_the_hour_the_clock_skips_has_nothing_to_staff(db):
    # Sunday 30 March 2025, 02:00 to 03:00, did not happen in Copenhagen.
    rostered = rostered_by_hour(date(2025, 3, 24))

    assert rostered[6 * 24 + 2] is None


def need(hour: int, pooled: int, rostered: int | None) -> HourNeed:
    return HourNeed(hour_of_week=hour, rate_per_hour=1.0, pooled=pooled, alone=pooled, rostered=rostered)


def test_gaps_join_consecutive_short_hours_with_the_same_numbers_within_a_day():
    hours = [need(21, 2, 2), need(22, 3, 1), need(23, 3, 1), need(24, 3, 1), need(25, 2, 1), need(26, 1, None)]

    found = [(gap.first_hour, gap.last_hour, gap.needed, gap.rostered) for gap in gaps(hours)]

    assert found == [(22, 23, 3, 1), (24, 24, 3, 1), (25, 25, 2, 1)]
    assert (gaps(hours)[0].starts, gaps(hours)[0].ends) == ("22:00", "24:00")


def test_the_staffing_page_shows_the_saving_and_the_gaps(signed_in, supervisor, march):
    response = signed_in(supervisor).get(
        reverse("reports:staffing"), {"first_day": "2025-03-01", "last_day": "2025-03-31", "week": "2025-W10"}
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "Sparet ved det fælles løft" in page
    assert "Huller i vagtplanen" in page
    assert "man 10:00–11:00" in page  # nobody is on the rota, so every hour with a need is a gap


def test_the_staffing_csv_has_an_hour_per_row(signed_in, supervisor, march):
    response = signed_in(supervisor).get(
        reverse("reports:staffing_csv", args=["staffing-hours"]), {"first_day": "2025-03-01", "last_day": "2025-03-31"}
    )

    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 168
    assert rows[MONDAY_10]["chats_per_hour"] == "0.200"


def test_a_coordinator_sees_only_their_municipality_alone(signed_in, coordinator_aarhus, march):
    response = signed_in(coordinator_aarhus).get(
        reverse("reports:staffing_csv", args=["staffing-municipalities"]),
        {"first_day": "2025-03-01", "last_day": "2025-03-31"},
    )

    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [row["municipality"] for row in rows] == ["Aarhus"]
    page = signed_in(coordinator_aarhus).get(reverse("reports:staffing")).content.decode()
    assert "København" not in page


def test_a_bad_target_is_explained(signed_in, supervisor):
    page = signed_in(supervisor).get(reverse("reports:staffing"), {"service_level": "100"}).content.decode()

    assert 'aria-invalid="true"' in page
    assert "Sparet ved det fælles løft" not in page
