from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from samraad.lib.env import env_bool, env_int, env_list


@pytest.mark.parametrize(("raw", "expected"), [("1", True), ("yes", True), ("ON", True), ("0", False), ("off", False)])
def test_booleans_read_the_usual_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("FLAG", raw)

    assert env_bool("FLAG", not expected) is expected


def test_unset_boolean_takes_the_default(monkeypatch):
    monkeypatch.delenv("FLAG", raising=False)

    assert env_bool("FLAG", True) is True


def test_a_number_below_its_minimum_is_refused(monkeypatch):
    monkeypatch.setenv("DAYS", "0")

    with pytest.raises(ImproperlyConfigured, match="at least 1"):
        env_int("DAYS", 30, minimum=1)


def test_a_number_that_is_not_a_number_is_refused(monkeypatch):
    monkeypatch.setenv("DAYS", "ten")

    with pytest.raises(ImproperlyConfigured, match="whole number"):
        env_int("DAYS", 30)


def test_lists_drop_blanks(monkeypatch):
    monkeypatch.setenv("HOSTS", " a.dk, ,b.dk ")

    assert env_list("HOSTS", []) == ["a.dk", "b.dk"]
