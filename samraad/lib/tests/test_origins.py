from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError

from samraad.lib.env import env_origins
from samraad.lib.origins import OriginError, origins_in, parse_origin, validate_origin_lines


@pytest.mark.parametrize(
    ("text", "origin"),
    [
        ("https://aarhus.dk", "https://aarhus.dk"),
        ("  HTTPS://WWW.Aarhus.DK/ ", "https://www.aarhus.dk"),
        ("https://ung.aarhus.dk:8443", "https://ung.aarhus.dk:8443"),
        ("https://læsø.dk", "https://xn--ls-1ia7e.dk"),
        ("http://localhost:8000", "http://localhost:8000"),
        ("http://127.0.0.1:5173", "http://127.0.0.1:5173"),
        ("https://[::1]:8443", "https://[::1]:8443"),
    ],
)
def test_an_origin_is_read_in_canonical_form(text, origin):
    assert parse_origin(text) == origin


@pytest.mark.parametrize(
    "text",
    [
        "aarhus.dk",
        "//aarhus.dk",
        "https://",
        "https://aarhus.dk/chat",
        "https://aarhus.dk/?x=1",
        "https://aarhus.dk#top",
        "https://*.aarhus.dk",
        "*",
        "https://aarhus.dk; script-src *",
        "https://aarhus.dk 'unsafe-inline'",
        "https://user@aarhus.dk",
        "https://aarhus.dk:99999",
        "https://aarhus.dk:0",
        "https://-aarhus.dk",
        "ftp://aarhus.dk",
        "'self'",
        "data:",
    ],
)
def test_anything_but_an_origin_is_refused(text):
    with pytest.raises(OriginError) as refusal:
        parse_origin(text)

    assert refusal.value.code == "invalid"


@pytest.mark.parametrize("text", ["http://aarhus.dk", "http://10.0.0.1", "http://localhost.aarhus.dk"])
def test_plain_http_is_refused_off_loopback(text):
    with pytest.raises(OriginError) as refusal:
        parse_origin(text)

    assert refusal.value.code == "insecure"


def test_stored_lines_that_are_no_origin_never_reach_the_policy():
    text = "https://aarhus.dk\nhttps://*.evil.example\n\nHTTPS://AARHUS.DK/\nhttps://kk.dk; script-src *"

    assert origins_in(text) == ["https://aarhus.dk"]


def test_the_validator_names_every_bad_line():
    with pytest.raises(ValidationError) as refusal:
        validate_origin_lines("https://aarhus.dk\nhttp://kk.dk\nhttps://*.odense.dk")

    assert [error.params["origin"] for error in refusal.value.error_list] == ["http://kk.dk", "https://*.odense.dk"]
    assert [error.code for error in refusal.value.error_list] == ["insecure", "invalid"]


def test_the_setting_takes_origins_and_refuses_anything_else(monkeypatch):
    monkeypatch.setenv("SITES", "https://Aarhus.dk/, http://127.0.0.1:8001")
    assert env_origins("SITES") == ["https://aarhus.dk", "http://127.0.0.1:8001"]

    monkeypatch.setenv("SITES", "https://aarhus.dk,https://*.kk.dk")
    with pytest.raises(ImproperlyConfigured, match=r"SITES: 'https://\*.kk.dk'"):
        env_origins("SITES")
