"""Sharing the pool's cost in øre: pure arithmetic, no database."""

from __future__ import annotations

from decimal import Decimal

from samraad.reports.cost import settle, share_out


def test_shares_add_up_to_the_amount_to_the_ore():
    shares = share_out(Decimal("100.00"), {"aarhus": 1, "odense": 1, "vejle": 1})

    assert sum(shares.values()) == Decimal("100.00")
    assert sorted(shares.values()) == [Decimal("33.33"), Decimal("33.33"), Decimal("33.34")]


def test_the_ore_left_over_go_to_the_largest_remainders():
    shares = share_out(Decimal("10.00"), {"big": 2, "small": 1})

    assert shares == {"big": Decimal("6.67"), "small": Decimal("3.33")}


def test_nothing_to_share_by_gives_everyone_nothing():
    assert share_out(Decimal("500"), {"aarhus": 0}) == {"aarhus": Decimal("0.00")}


def test_a_municipality_that_only_gave_hours_is_paid_back():
    settled = settle(Decimal("1000"), {"aarhus": 10}, {"aarhus": Decimal("200"), "odense": Decimal("300")})

    assert settled["aarhus"].balance == Decimal("800.00")
    assert settled["odense"].conversations == 0
    assert settled["odense"].balance == Decimal("-300.00")
