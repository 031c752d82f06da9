"""Bad input tried, nothing broken (issue #7): Hypothesis sends generated request bodies to every
route and method of the JSON API, found by walking Django's URL resolver, so a new route is
covered without touching this file.

Every answer must be JSON, never a server error (5xx), and a refused request writes no row.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Iterator
from urllib.parse import quote, urlencode

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from conftest import sign_in
from samraad.counseling.models import Conversation, Message

pytestmark = pytest.mark.django_db

METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"]


def api_routes() -> list[str]:
    """Every route under the API's URL namespace, as Django's resolver knows it (`<param>` kept)."""

    def walk(patterns: list[URLResolver | URLPattern], prefix: str, inside: bool) -> Iterator[str]:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(
                    pattern.url_patterns, prefix + str(pattern.pattern), inside or pattern.namespace == "api"
                )
            elif inside:
                yield "/" + prefix + str(pattern.pattern)

    return sorted(set(walk(get_resolver().url_patterns, "", False)))


ROUTES = api_routes()


def published_methods() -> dict[str, list[str]]:
    """The methods the OpenAPI schema gives each route, so generated requests mostly use them."""
    from samraad.api.api import api

    paths = api.get_openapi_schema()["paths"]
    return {re.sub(r"\{(\w+)\}", r"<\1>", path): [m.upper() for m in methods] for path, methods in paths.items()}


PUBLISHED = published_methods()


def test_the_walk_finds_the_routes_the_api_publishes():
    assert {"/api/chat/conversations", "/api/chat/letters", "/api/chat/resume", "/api/municipalities"} <= set(ROUTES)
    assert "/api/organisations/<organisation_id>" in ROUTES


# --- strategies ------------------------------------------------------------------------------------
any_text = st.text(st.characters(exclude_categories=()) | st.sampled_from(["\x00", "\ud800", "\u202e", "\U0010ffff"]))
scalars = st.none() | st.booleans() | st.integers() | st.floats() | any_text | st.sampled_from([2**63, 10**40, "0751"])
json_values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(any_text, inner, max_size=4), max_leaves=12
)
field_names = st.sampled_from(["municipality", "topic", "nickname", "body", "resume_code", "extra"]) | any_text
objects = st.dictionaries(field_names, json_values, max_size=5)
# Close to what the chat's routes take, so a good share gets past the schema to the actions.
nearly_valid = st.fixed_dictionaries(
    {},
    optional={
        "municipality": st.sampled_from(["0751", "0101", "9999", "٠٧٥١", None]) | any_text,
        "topic": st.sampled_from(["school", "self_harm", "weather", "", None]) | any_text,
        "nickname": st.none() | any_text,
        "body": st.sampled_from(["hej", "jeg vil ikke leve mere", " "]) | any_text,
        "resume_code": st.sampled_from(["AAAA-BBBB-CCCC", "k7qm 4xpa-2rwe"]) | any_text,
    },
)
# Bigger than DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB): built once, it is the same bytes every time.
HUGE = json.dumps({"body": "x" * 3_000_000, "nickname": "y"}).encode()


def encoded(value: object, ascii_only: bool) -> bytes:
    # Lone surrogates survive only as JSON escapes; raw, they are not UTF-8 and are replaced.
    return json.dumps(value, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass" if ascii_only else "replace")


bodies = st.one_of(
    st.builds(encoded, objects, st.booleans()),
    st.builds(encoded, nearly_valid, st.booleans()),
    st.builds(encoded, json_values, st.booleans()),
    st.binary(max_size=200),  # mostly not UTF-8, let alone JSON
    st.sampled_from([b"", b"{", b"null", b"[]", b"\xff\xfe{}", b'{"a": 1}garbage', b"[" * 100_000, b"1" * 5000]),
    st.just(HUGE),
    st.builds(lambda n: json.dumps({"body": "z" * n}).encode(), st.integers(3990, 70_000)),
)
content_types = st.sampled_from(
    [
        "application/json",
        "application/json; charset=latin-1",
        "application/json; charset=nonsense",
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data",
        "multipart/form-data; boundary=x",
        "application/octet-stream",
        "",
    ]
) | st.text(max_size=40)
path_values = st.one_of(st.uuids().map(str), any_text.filter(bool), st.integers().map(str), st.just("0" * 2000))


def concrete(route: str, values: st.DataObject) -> str:
    """Fills each `<param>` of a route with a generated, URL-quoted value."""

    def fill(match: re.Match[str]) -> str:
        return quote(values.draw(path_values).encode("utf-8", "surrogatepass"), safe="")

    return re.sub(r"<[^>]+>", fill, route)


# --- checks ----------------------------------------------------------------------------------------
class _ErrorRecords(logging.Handler):
    """Collects what would be an unhandled exception, or a 500, in the server's log."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(self.format(record))


@pytest.fixture
def server_errors():
    handler = _ErrorRecords()
    logging.getLogger().addHandler(handler)
    yield handler.records
    logging.getLogger().removeHandler(handler)


@pytest.fixture
def clients(supervisor, admin_aarhus) -> dict[str, Client]:
    # No exception re-raised into the test: a 500 must show as a 500, like a server would answer.
    return {
        "anonymous": Client(raise_request_exception=False, enforce_csrf_checks=True, REMOTE_ADDR="198.51.100.7"),
        "supervisor": sign_in(Client(raise_request_exception=False, enforce_csrf_checks=True), supervisor),
        "admin": sign_in(Client(raise_request_exception=False, enforce_csrf_checks=True), admin_aarhus),
    }


def rows() -> tuple[int, int]:
    return Conversation.objects.count(), Message.objects.count()


def request(client: Client, method: str, path: str, body: bytes, content_type: str, query: dict[str, str]):
    if query:
        path = f"{path}?{urlencode(query)}"
    return client.generic(method, path, body, content_type=content_type)


def check_answer(response, method: str, server_errors: list[str]) -> None:
    assert response.status_code < 500, response.content[:500]
    assert server_errors == []
    assert response["Content-Type"].startswith("application/json"), (response.status_code, response.content[:200])
    if method == "HEAD":
        return
    answer = json.loads(response.content)
    if response.status_code >= 400:
        assert isinstance(answer, dict) and ("detail" in answer or "code" in answer), answer


def test_every_route_answers_every_method_with_json(clients, server_errors):
    """One plain pass over the whole table, so no route or method is left to chance."""
    for route in ROUTES:
        path = re.sub(r"<[^>]+>", str(uuid.uuid4()), route)
        for method in METHODS:
            for client in clients.values():
                cache.clear()
                response = request(client, method, path, b"{nope", "application/json", {})

                check_answer(response, method, server_errors)


def test_generated_requests_to_every_route_never_break_the_server(clients, server_errors):
    @settings(
        max_examples=400,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
    )
    @given(
        route_and_method=st.sampled_from(ROUTES).flatmap(
            lambda route: st.tuples(
                st.just(route), st.sampled_from(PUBLISHED.get(route, METHODS)) | st.sampled_from(METHODS)
            )
        ),
        who=st.sampled_from(sorted(clients)),
        body=bodies,
        content_type=content_types,
        query=st.dictionaries(st.text(max_size=10), st.text(max_size=20), max_size=3),
        values=st.data(),
    )
    def generated_request(route_and_method, who, body, content_type, query, values):
        route, method = route_and_method
        cache.clear()  # the per-source limits are tested on their own; here bodies must reach the parser
        path = concrete(route, values)
        note(f"{method} {path} {content_type!r} {body[:300]!r} ({len(body)} bytes)")
        before = rows()

        response = request(clients[who], method, path, body, content_type, query)

        check_answer(response, method, server_errors)
        if response.status_code >= 400:
            assert rows() == before, "a refused request wrote a row"

    generated_request()


@pytest.mark.parametrize(
    ("path", "payload"),
    [
        ("/api/chat/conversations", {"nickname": "Mo\x00"}),
        ("/api/chat/conversations", {"nickname": "Mo\x1b[31m"}),
        ("/api/chat/letters", {"body": "hej\x00"}),
    ],
)
def test_text_no_database_column_can_hold_is_refused_before_it_reaches_one(path, payload):
    # SQLite stores NUL, PostgreSQL answers it with an exception (a 500 before this was refused).
    response = Client().post(path, json.dumps(payload), content_type="application/json")

    assert response.status_code == 422
    assert not Conversation.objects.exists()


def test_a_body_over_the_upload_limit_is_refused_as_json(server_errors):
    response = Client().post("/api/chat/letters", HUGE, content_type="application/json")

    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert server_errors == []
    assert not Conversation.objects.exists()


def test_a_method_a_route_does_not_take_is_refused_as_json():
    response = Client().delete("/api/chat/conversations")

    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
    assert response["Allow"] == "POST"
