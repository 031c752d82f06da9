"""Erlang C against published examples, the exact textbook formula, and a simulated queue."""

from __future__ import annotations

import heapq
import json
import math
import random
from fractions import Fraction
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from samraad.reports import erlang


def exact_probability_of_waiting(agents: int, load: int) -> float:
    """The textbook Erlang C formula in exact rational arithmetic: slow, but no rounding at all."""
    a = Fraction(load)
    top = a**agents / math.factorial(agents) * Fraction(agents, agents - load)
    bottom = sum(a**k / math.factorial(k) for k in range(agents)) + top
    return float(top / bottom)


def simulate_queue(
    agents: int, rate_per_hour: float, handle_seconds: float, answer_within_s: float, arrivals: int, seed: int
) -> tuple[float, float]:
    """Runs an M/M/n first-come-first-served queue and returns (share answered within the time,
    mean wait in seconds). Each arrival goes to the counselor who is free first."""
    generator = random.Random(seed)
    free_at = [0.0] * agents
    clock = total_wait = 0.0
    answered_in_time = 0
    for _ in range(arrivals):
        clock += generator.expovariate(rate_per_hour / 3600)
        earliest = heapq.heappop(free_at)
        starts = max(clock, earliest)
        wait = starts - clock
        total_wait += wait
        answered_in_time += wait <= answer_within_s
        heapq.heappush(free_at, starts + generator.expovariate(1 / handle_seconds))
    return answered_in_time / arrivals, total_wait / arrivals


def test_call_centre_helper_example_needs_14_agents():
    # 100 calls in 30 minutes, 3 minutes each, 80 % within 20 s: the example worked by hand at
    # callcentrehelper.com and reproduced by R's ErlangC package (traffic 10 erlangs, wait
    # probability 0.1741319, service level 0.88835, average speed of answer 7.835937 s).
    staffing = erlang.agents_needed(rate_per_hour=200, handle_seconds=180, answer_within_s=20, target_service_level=0.8)

    assert staffing.agents == 14
    assert staffing.service_level == pytest.approx(0.88835, abs=5e-6)
    assert staffing.average_wait_s == pytest.approx(7.835937, abs=1e-6)
    assert erlang.probability_of_waiting(14, 10.0) == pytest.approx(0.1741319, abs=1e-7)


def test_thirteen_agents_miss_the_call_centre_helper_target():
    assert erlang.service_level(13, rate_per_hour=200, handle_seconds=180, answer_within_s=20) < 0.8


def test_technical_support_example_needs_six_for_ninety_percent_not_delayed():
    # Wolfram's ErlangC example: 30 calls an hour, 5 minutes each, 90 % answered without delay.
    load = erlang.offered_load(30, 300)

    needed = next(agents for agents in range(1, 20) if erlang.probability_of_waiting(agents, load) <= 0.1)

    assert load == 2.5
    assert needed == 6


@pytest.mark.parametrize(("agents", "load"), [(1, 0), (2, 1), (55, 48), (14, 10), (30, 29), (120, 100)])
def test_probability_of_waiting_matches_the_exact_formula(agents, load):
    assert erlang.probability_of_waiting(agents, float(load)) == pytest.approx(
        exact_probability_of_waiting(agents, load), rel=1e-12, abs=1e-15
    )


def test_erlang_b_of_one_server_is_the_textbook_value():
    assert erlang.erlang_b(1, 2.0) == pytest.approx(2 / 3)


@pytest.mark.parametrize(
    ("agents", "rate_per_hour", "handle_seconds", "answer_within_s"),
    [(3, 24, 300, 60), (7, 60, 300, 20), (12, 100, 300, 30)],
)
def test_erlang_c_agrees_with_a_simulated_queue(agents, rate_per_hour, handle_seconds, answer_within_s):
    simulated_level, simulated_wait = simulate_queue(
        agents, rate_per_hour, handle_seconds, answer_within_s, arrivals=400_000, seed=5
    )

    assert erlang.service_level(agents, rate_per_hour, handle_seconds, answer_within_s) == pytest.approx(
        simulated_level, abs=0.01
    )
    assert erlang.average_wait_s(agents, rate_per_hour, handle_seconds) == pytest.approx(simulated_wait, rel=0.05)


def test_the_answer_is_the_smallest_that_meets_the_target():
    for rate in (1, 5, 17, 60, 333):
        staffing = erlang.agents_needed(rate, 600, 60, 0.8)

        assert staffing.service_level >= 0.8
        assert erlang.service_level(staffing.agents - 1, rate, 600, 60) < 0.8


def test_a_national_load_is_computed_without_overflow():
    # 50,000 conversations an hour of 10 minutes: over 8,000 erlangs, where A^n / n! overflows a float.
    staffing = erlang.agents_needed(
        rate_per_hour=50_000, handle_seconds=600, answer_within_s=60, target_service_level=0.8
    )
    load = 50_000 * 600 / 3600

    assert load < staffing.agents < load * 1.02
    assert 0.8 <= staffing.service_level < 0.9
    assert math.isfinite(staffing.average_wait_s)


def test_no_arrivals_need_nobody():
    assert erlang.agents_needed(0, 600, 60, 0.8) == erlang.Staffing(agents=0, service_level=1.0, average_wait_s=0.0)


def test_too_few_agents_never_catch_up():
    assert erlang.service_level(4, rate_per_hour=60, handle_seconds=300, answer_within_s=60) == 0.0
    assert erlang.average_wait_s(4, rate_per_hour=60, handle_seconds=300) == math.inf


@pytest.mark.parametrize(
    ("rate", "handle", "within", "level"), [(-1, 60, 60, 0.8), (10, 0, 60, 0.8), (10, 60, -1, 0.8), (10, 60, 60, 1.0)]
)
def test_impossible_inputs_are_refused(rate, handle, within, level):
    with pytest.raises(ValueError):
        erlang.agents_needed(rate, handle, within, level)


def run_command(*arguments: str) -> dict[str, object]:
    output = StringIO()
    call_command("erlang", *arguments, stdout=output)
    result: dict[str, object] = json.loads(output.getvalue())
    return result


def test_command_prints_the_staffing_as_json():
    result = run_command(
        "--rate-per-hour", "200", "--handle-seconds", "180", "--answer-within", "20", "--service-level", "0.8"
    )

    assert list(result) == ["agents", "service_level", "average_wait_s"]
    assert result["agents"] == 14
    assert result["service_level"] == pytest.approx(0.88835, abs=1e-5)
    assert result["average_wait_s"] == pytest.approx(7.835937, abs=1e-5)


def test_command_reads_a_percentage_as_a_share():
    as_share = run_command("--rate-per-hour", "720", "--handle-seconds", "240", "--service-level", "0.8")
    as_percentage = run_command("--rate-per-hour", "720", "--handle-seconds", "240", "--service-level", "80")

    assert as_share == as_percentage


def test_command_refuses_a_handling_time_of_nothing():
    with pytest.raises(CommandError):
        run_command("--rate-per-hour", "10", "--handle-seconds", "0", "--answer-within", "60", "--service-level", "0.8")
