"""The report's numbers on the hand-built March (see conftest.py), where every answer is known."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from samraad.reports.cost import costs, settlement
from samraad.reports.figures import Scope, figures
from samraad.reports.period import Period
from samraad.reports.tests.conftest import MARCH

pytestmark = pytest.mark.django_db

MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY, SATURDAY, SUNDAY = range(7)


def hour(weekday: int, hour_of_day: int) -> int:
    return weekday * 24 + hour_of_day


def table(lines) -> dict[str, tuple]:
    return {
        line.name or "not stated": (
            line.conversations,
            line.answered,
            line.abandoned,
            line.letters,
            line.first_day,
            line.last_day,
        )
        for line in lines
    }


def test_conversations_by_the_young_persons_municipality_with_first_and_last_day(march):
    numbers = figures(MARCH, Scope())

    assert table(numbers.lines) == {
        # Conversation 8 was opened at 00:30 on 1 March in Copenhagen, still February in UTC.
        "Aarhus": (5, 4, 1, 1, date(2025, 3, 1), date(2025, 3, 6)),
        "København": (3, 2, 1, 0, date(2025, 3, 7), date(2025, 3, 30)),
        "not stated": (1, 1, 0, 0, date(2025, 3, 10), date(2025, 3, 10)),
    }
    assert (numbers.total.conversations, numbers.total.answered, numbers.total.abandoned) == (9, 7, 2)
    assert (numbers.total.chats, numbers.total.letters) == (8, 1)


def test_conversations_by_the_organisation_that_answered_first_kept_through_a_transfer(march):
    numbers = figures(MARCH, Scope())

    assert {line.name: (line.answered, line.letters) for line in numbers.answering} == {
        "Aarhus": (4, 1),
        "Samraad central": (2, 0),
        "København": (1, 0),
    }


def test_waits_and_handling_times_in_real_seconds_across_midnight_and_summer_time(march):
    times = figures(MARCH, Scope()).times

    # Waits of the six answered chats: 10, 20, 30, 45, 90, 300 s (the letter waited a day: not a chat).
    assert times.answered_chats == 6
    assert times.wait_median_s == pytest.approx(30)
    assert times.wait_p90_s == pytest.approx(300)
    assert times.wait_mean_s == pytest.approx(495 / 6)
    assert times.answered_within_share == pytest.approx(4 / 6)
    # Handling: 1200, 2400, 1790 (23:55:10 to 00:25), 1180 (01:50:20 winter to 03:10 summer time:
    # 19 min 40 s, not 1 h 19 min 40 s), 3600, 600.
    assert times.handled_chats == 6
    assert times.handle_mean_s == pytest.approx((1200 + 2400 + 1790 + 1180 + 3600 + 600) / 6)
    assert times.handle_median_s == pytest.approx(1200)


def test_conversations_by_local_hour_of_the_week_on_both_sides_of_summer_time(march):
    by_hour = figures(MARCH, Scope()).by_hour_of_week

    expected = {
        hour(MONDAY, 10): 1,
        hour(TUESDAY, 22): 1,
        hour(WEDNESDAY, 23): 1,
        hour(THURSDAY, 3): 1,
        hour(FRIDAY, 23): 1,
        hour(SUNDAY, 1): 1,  # 01:50 winter time
        hour(SUNDAY, 3): 1,  # 03:05 summer time, 01:05 UTC
        hour(MONDAY, 14): 1,
        hour(SATURDAY, 0): 1,
    }
    assert {index: count for index, count in enumerate(by_hour) if count} == expected


def test_topics_triage_levels_and_ratings(march):
    numbers = figures(MARCH, Scope())

    topics = {share.key: share.count for share in numbers.topics if share.count}
    assert topics == {"family": 2, "feelings": 2, "self_harm": 1, "school": 1, "love": 1, "": 2}
    assert [share.count for share in numbers.levels] == [7, 1, 1]
    assert [share.count for share in numbers.ratings] == [0, 0, 1, 1, 2]
    assert numbers.mean_rating == pytest.approx(4.25)
    assert numbers.rated == 4


def test_one_municipality_sees_its_own_young_people_and_its_own_counselors(march):
    numbers = figures(MARCH, Scope(march.aarhus))

    assert table(numbers.lines) == {"Aarhus": (5, 4, 1, 1, date(2025, 3, 1), date(2025, 3, 6))}
    assert [(line.name, line.answered) for line in numbers.answering] == [("Aarhus", 4)]
    assert numbers.times.wait_median_s == pytest.approx(90)
    assert numbers.times.wait_p90_s == pytest.approx(300)
    assert {index for index, count in enumerate(numbers.by_hour_of_week) if count} == {
        hour(MONDAY, 10),
        hour(TUESDAY, 22),
        hour(WEDNESDAY, 23),
        hour(THURSDAY, 3),
        hour(SATURDAY, 0),
    }
    assert numbers.total.conversations == 5


def test_cost_per_conversation_per_organisation_and_overall(march):
    numbers = figures(MARCH, Scope())

    spent = costs(MARCH, numbers)

    by_name = {line.organisation.name: (line.hours, line.cost, line.per_conversation) for line in spent.organisations}
    assert by_name == {
        "Aarhus": (pytest.approx(10), Decimal("4000.00"), Decimal("1000.00")),
        # Eight hours one night and seven the night the clock went forward.
        "Samraad central": (pytest.approx(15), Decimal("7500.00"), Decimal("3750.00")),
        "København": (pytest.approx(4), Decimal("1800.00"), Decimal("1800.00")),
    }
    assert spent.cost == Decimal("13300.00")
    assert spent.per_conversation == Decimal("1900.00")
    assert spent.unpriced == []


def test_settlement_shares_the_pool_by_answered_conversations_and_credits_hours_given(march):
    numbers = figures(MARCH, Scope())

    lines = settlement(numbers, costs(MARCH, numbers))

    by_name = {
        line.municipality.name: (line.settlement.conversations, line.settlement.share, line.settlement.credit)
        for line in lines
    }
    # 13,300 kr. shared 4 : 2 between Aarhus and København (the conversation with no municipality
    # is left out); each is credited its own counselors' hours.
    assert by_name == {
        "Aarhus": (4, Decimal("8866.67"), Decimal("4000.00")),
        "København": (2, Decimal("4433.33"), Decimal("1800.00")),
    }
    balances = {line.municipality.name: line.settlement.balance for line in lines}
    assert balances == {"Aarhus": Decimal("4866.67"), "København": Decimal("2633.33")}
    # The municipalities together pay what the central service's own hours cost.
    assert sum(balances.values()) == Decimal("7500.00")


def test_an_organisation_without_an_hourly_cost_is_named_and_left_out_of_the_cost(march):
    march.koebenhavn.hourly_cost = None
    march.koebenhavn.save(update_fields=["hourly_cost"])
    numbers = figures(MARCH, Scope())

    spent = costs(MARCH, numbers)

    assert spent.unpriced == [march.koebenhavn]
    assert spent.cost == Decimal("11500.00")


def test_a_period_with_nothing_in_it_has_no_numbers_and_no_errors(march):
    numbers = figures(Period(date(2030, 1, 1), date(2030, 1, 31)), Scope())

    assert numbers.lines == []
    assert numbers.total.conversations == 0
    assert numbers.times.wait_median_s is None
    assert numbers.mean_rating is None
    assert sum(numbers.by_hour_of_week) == 0
