"""Every URL pattern Django knows, asked by each kind of staff member signed in with both factors,
with absurd values in the path and in every query parameter the views read: nothing answers with
a server error, and nothing sent to a signed-in person may be kept by a cache.

The routes and an ordinary request for each come from the permission matrix (whose
`test_every_url_pattern_has_a_row` makes sure a new URL is in it), so a new URL is walked here too.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from urllib.parse import quote, urlencode, urlsplit

import pytest
from django.http import HttpResponse
from django.test import Client

from conftest import make_staff, sign_in
from samraad.accounts.models import Organisation, Role
from samraad.accounts.tests.test_permission_matrix import ROUTES, fill, url_patterns

pytestmark = pytest.mark.django_db

# Values nobody sends by accident: too large for any integer column, negative, not a UUID, nearly
# a UUID, very long, a NUL, a letter outside ASCII; for queries also weeks and dates past the
# calendar.
PATH_GARBAGE = [
    "99999999999999999999",
    "-1",
    "not-a-uuid",
    "00000000-0000-0000-0000-00000000000z",
    "x" * 2000,
    "\x00",
    "ø",
]
QUERY_GARBAGE = [*PATH_GARBAGE[:3], "x" * 2000, "\x00", "9999-W52", "0000-W00", "99999-01-01"]
# The query parameters each group of views reads, from the views and their forms; the longest
# matching prefix wins. Each is set to each absurd value in turn.
QUERIES: dict[str, list[str]] = {
    "/rota/": ["week"],
    "/reports/": [
        "first_day",
        "last_day",
        "municipality",
        "print",
        "weekly_conversations",
        "handle_seconds",
        "answer_within",
        "service_level",
        "week",
    ],
    "/api/reports/": ["first_day", "last_day", "municipality"],
    "/chat/": ["municipality", "lang"],
}
# Every route is also asked with all of these set to each absurd value at once: what any view
# might read, and the administration's paging, ordering, search, popups and filters.
GENERIC = [
    "week",
    "from",
    "to",
    "page",
    "format",
    "next",
    "print",
    "municipality",
    "p",
    "o",
    "q",
    "e",
    "all",
    "_changelist_filters",
    "_to_field",
    "_popup",
    "at__year",
    "at__month",
    "starts_at__year",
    "kind__exact",
    "organisation__id__exact",
]
# Whole queries that are absurd only together.
COMBINED = [
    {"first_day": "0001-01-01", "last_day": "9999-12-31"},
    {"first_day": "9999-12-31", "last_day": "9999-12-31"},
    {"first_day": "2026-01-01", "last_day": "2026-01-31", "week": "9999-W52"},
    {"week": "2099-W53"},
    {"p": "99999999999999999999", "o": "99999"},
    {"o": "-1.x.999"},
    {"at__year": "99999", "at__month": "13", "at__day": "32"},
    {"starts_at__year": "0", "starts_at__month": "0"},
]

ROLES = [role.value for role in Role]
STAFF_PERSONAS = [f"{role}@aarhus" for role in ROLES] + ["coordinator@central", "supervisor@central", "operator"]


def staff_member(persona: str, aarhus: Organisation, central: Organisation) -> Client:
    """A browser signed in with both factors as `persona`."""
    if persona == "operator":
        return sign_in(Client(raise_request_exception=False), make_staff("operator", None, superuser=True))
    role, town = persona.split("@")
    organisation = aarhus if town == "aarhus" else central
    return sign_in(Client(raise_request_exception=False), make_staff(f"{role}.{town}", organisation, role))


def ordinary_request(route: str, world: dict[str, str]) -> tuple[str, str, str]:
    """Returns (method, path, query) of the route's row in the permission matrix."""
    method, target, *_ = fill(ROUTES[route][0], world).split(" ", 2)
    parts = urlsplit(target)
    return method, parts.path, parts.query


def _parameter_segments(route: str, path: str) -> list[int]:
    """Indexes of the segments of `path` that fill a parameter of `route`."""
    route_segments, path_segments = route.split("/"), path.split("/")
    if len(route_segments) != len(path_segments):  # a pattern that swallows the rest of the path
        return [max(index for index, segment in enumerate(path_segments) if segment)]
    return [index for index, segment in enumerate(route_segments) if "<" in segment or "(" in segment]


def absurd_paths(route: str, path: str) -> Iterator[str]:
    """The path with each of its parameters in turn replaced by each absurd value."""
    segments = path.split("/")
    for index, garbage in itertools.product(_parameter_segments(route, path), PATH_GARBAGE):
        yield "/".join([*segments[:index], quote(garbage, safe=""), *segments[index + 1 :]])


def _names_read(path: str) -> list[str]:
    prefixes = sorted((prefix for prefix in QUERIES if path.startswith(prefix)), key=len)
    return QUERIES[prefixes[-1]] if prefixes else []


def absurd_queries(path: str, query: str) -> Iterator[str]:
    """The ordinary query with each parameter the view reads, in turn and then all at once, set to
    each absurd value, and the combinations in `COMBINED`."""
    ordinary = dict(pair.split("=", 1) for pair in query.split("&") if pair)
    names = _names_read(path)
    for garbage in QUERY_GARBAGE:
        for name in names:
            yield urlencode({**ordinary, name: garbage})
        yield urlencode({**ordinary, **dict.fromkeys([*names, *GENERIC], garbage)})
    for combination in COMBINED:
        yield urlencode({**ordinary, **combination})


def walk(client: Client, world: dict[str, str], *, queries: bool) -> Iterator[tuple[str, HttpResponse]]:
    """Asks every GET route in its ordinary form and with absurd path values; with `queries`, also
    with absurd query values wherever the ordinary request was answered (a refusal comes before
    any parameter is read). Yields (what was asked, the answer)."""
    for route in url_patterns():
        method, path, query = ordinary_request(route, world)
        if method != "GET":
            continue
        ordinary = f"{path}?{query}" if query else path
        response = client.get(ordinary)
        yield ordinary, response
        for target in absurd_paths(route, path):
            yield target, client.get(target)
        if queries and response.status_code == 200:
            for absurd in absurd_queries(path, query):
                yield f"{path}?{absurd}", client.get(f"{path}?{absurd}")


def _shown(target: str) -> str:
    return target if len(target) < 200 else target[:200] + "…"


@pytest.mark.parametrize("persona", STAFF_PERSONAS)
def test_no_staff_url_answers_absurd_values_with_a_server_error(persona, world, aarhus, central):
    client = staff_member(persona, aarhus, central)

    failures = [
        f"{response.status_code} {_shown(target)}"
        for target, response in walk(client, world, queries=True)
        if response.status_code >= 500
    ]

    assert failures == []


@pytest.mark.parametrize("persona", STAFF_PERSONAS)
def test_every_answer_to_a_signed_in_person_says_no_store(persona, world, aarhus, central):
    client = staff_member(persona, aarhus, central)

    cacheable = [
        f"{response.status_code} {_shown(target)}: {response.get('Cache-Control', '(no Cache-Control)')}"
        for target, response in walk(client, world, queries=False)
        if "no-store" not in response.get("Cache-Control", "")
    ]

    assert cacheable == []


def test_an_anonymous_answer_keeps_the_caching_its_view_chose(db):
    script = Client().get("/widget.js")

    assert script.status_code == 200
    assert "public" in script["Cache-Control"]
    assert "no-store" not in script["Cache-Control"]
