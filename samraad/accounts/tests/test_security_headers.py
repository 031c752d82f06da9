"""Every answer the site gives carries the security headers, on production's HTTPS settings: each
URL pattern the resolver knows (asked anonymously, signed in without the second factor, and as
the platform operator), and the error pages a visitor can provoke: 400, 403 (also the CSRF
failure), 404, 405, 500 and the JSON refusals under /api/.

The HTTPS settings are read from a fresh process started with production's environment, so the
test follows settings.py rather than a copy of its numbers. Django sends HSTS on secure requests
only, so every request here is made as HTTPS.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, include, path, resolve, reverse
from django.urls.resolvers import RegexPattern

from conftest import make_staff, sign_in
from samraad.accounts.models import Role

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

ROOT = Path(__file__).resolve().parents[3]
FAILURE_PATH = "/test-failure/"
HTTPS_SETTINGS = [
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "LANGUAGE_COOKIE_SECURE",
]


def _fail(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a failure on purpose, for the 500 page")


# The project's URLs, and one more that fails, so that the 500 page is walked like any other.
urlpatterns = [path(FAILURE_PATH.strip("/") + "/", _fail), path("", include("samraad.urls"))]


@pytest.fixture(scope="module")
def production_https(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The settings production derives from SAMRAAD_HTTPS, as a fresh process reads them."""
    environment = {key: value for key, value in os.environ.items() if not key.startswith(("SAMRAAD_", "DEBUG"))}
    environment.update(
        SAMRAAD_VAR_DIR=str(tmp_path_factory.mktemp("production")),
        SAMRAAD_HTTPS="1",
        DEBUG="0",
        SECRET_KEY="production-" + "k" * 60 + uuid.uuid4().hex,
        ALLOWED_HOSTS="samraad.example.dk",
        DJANGO_SETTINGS_MODULE="samraad.settings",
    )
    program = (
        "import json; from django.conf import settings; "
        f"print(json.dumps({{name: getattr(settings, name) for name in {HTTPS_SETTINGS!r}}}))"
    )
    result = subprocess.run(  # noqa: S603 - our own settings module, a fixed program
        [sys.executable, "-c", program], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    values: dict[str, Any] = json.loads(result.stdout)
    assert values["SECURE_HSTS_SECONDS"] > 0
    return values


@pytest.fixture
def https(settings: Any, production_https: dict[str, Any]) -> str:
    """Production's HTTPS settings in this process; returns the HSTS header they make."""
    for name, value in production_https.items():
        setattr(settings, name, value)
    hsts = f"max-age={settings.SECURE_HSTS_SECONDS}"
    if settings.SECURE_HSTS_INCLUDE_SUBDOMAINS:
        hsts += "; includeSubDomains"
    if settings.SECURE_HSTS_PRELOAD:
        hsts += "; preload"
    return hsts


def policy(response: HttpResponse) -> dict[str, list[str]]:
    """The response's Content-Security-Policy as {directive: sources}."""
    directives = {}
    for part in response.get("Content-Security-Policy", "").split(";"):
        if part.strip():
            name, *sources = part.split()
            directives[name] = sources
    return directives


def header_problems(response: HttpResponse, hsts: str, *, framable: bool = False) -> list[str]:
    """What is missing or wrong in the response's security headers; empty when all is well."""
    problems = []
    if response.get("Strict-Transport-Security") != hsts:
        problems.append(f"Strict-Transport-Security is {response.get('Strict-Transport-Security')!r}")
    if response.get("X-Content-Type-Options") != "nosniff":
        problems.append("no X-Content-Type-Options: nosniff")
    if response.get("Referrer-Policy") != "same-origin":
        problems.append(f"Referrer-Policy is {response.get('Referrer-Policy')!r}")
    directives = policy(response)
    if directives.get("default-src") != ["'self'"]:
        problems.append(f"Content-Security-Policy is {response.get('Content-Security-Policy')!r}")
    if "unsafe-inline" in response.get("Content-Security-Policy", ""):
        problems.append("the Content-Security-Policy allows 'unsafe-inline'")
    if framable:
        if "'self'" not in directives.get("frame-ancestors", []) or "'none'" in directives.get("frame-ancestors", []):
            problems.append(f"frame-ancestors of the widget is {directives.get('frame-ancestors')}")
        if "X-Frame-Options" in response:
            problems.append("the widget's page forbids every frame with X-Frame-Options")
    else:
        if directives.get("frame-ancestors") != ["'none'"]:
            problems.append(f"frame-ancestors is {directives.get('frame-ancestors')}")
        if response.get("X-Frame-Options") != "DENY":
            problems.append(f"X-Frame-Options is {response.get('X-Frame-Options')!r}")
    return problems


# --- the walk ----------------------------------------------------------------------------------
_SAMPLES = {"uuid": str(uuid.UUID(int=0)), "int": "1", "path": "1", "slug": "x", "str": "x"}


def _sample_route(route: str) -> str:
    return re.sub(r"<(?:(\w+):)?\w+>", lambda match: _SAMPLES[match.group(1) or "str"], route)


def _sample_regex(regex: str) -> str:
    def group(match: re.Match[str]) -> str:
        body = match.group(1)
        return body.split("|")[0] if re.fullmatch(r"[\w|-]+", body) else "x"

    # A catch-all that adds nothing to its prefix is asked for something no other route takes.
    return re.sub(r"\(\?P<\w+>([^)]*)\)", group, regex).strip("^$") or "x"


def walk(patterns: list[URLResolver | URLPattern], prefix: str = "/") -> Iterator[tuple[str, URLPattern]]:
    """Yields an address for every URL pattern, with the pattern it must resolve to."""
    for pattern in patterns:
        text = pattern.pattern.regex.pattern if isinstance(pattern.pattern, RegexPattern) else str(pattern.pattern)
        sample = _sample_regex(text) if isinstance(pattern.pattern, RegexPattern) else _sample_route(text)
        if isinstance(pattern, URLResolver):
            yield from walk(pattern.url_patterns, prefix + sample)
        else:
            yield prefix + sample, pattern


def every_address() -> list[str]:
    addresses = []
    for address, pattern in walk(get_resolver().url_patterns):
        assert resolve(address).func is pattern.callback, f"{address} does not reach {pattern}"
        addresses.append(address)
    return addresses


def test_the_walk_reaches_every_url_pattern():
    addresses = every_address()

    assert len(addresses) == len(set(addresses))
    assert FAILURE_PATH in addresses
    assert {"/chat/", "/chat/widget/", "/admin/", "/api/me", "/api/x"} <= set(addresses)
    assert len(addresses) > 80


# Each visitor, with answers their walk must include: not only pages but redirects and refusals,
# and the 500 page (which the second-factor detour stands in front of).
VISITORS = {
    "anonymous": {200, 302, 401, 404, 405, 500},
    "password only": {200, 302, 401, 404, 405},
    "platform operator": {200, 302, 404, 405, 500},
}


@pytest.mark.parametrize("visitor", VISITORS)
def test_every_url_answers_with_the_security_headers(visitor, https, central):
    client = Client(raise_request_exception=False)
    operator = make_staff("ida.central", central, Role.ADMIN, superuser=True)
    if visitor == "password only":
        sign_in(Client(), operator)  # an enrolled authenticator, so every page detours to the code
        client.force_login(operator)
    if visitor == "platform operator":
        sign_in(client, operator)
    widget = reverse("counseling:widget")
    problems, statuses = [], set()

    for address in every_address():
        response = client.get(address, secure=True)
        statuses.add(response.status_code)
        problems += [
            f"GET {address} ({response.status_code}): {problem}"
            # The widget's page itself may be framed; a detour from its address may not.
            for problem in header_problems(response, https, framable=address == widget and response.status_code == 200)
        ]

    assert problems == []
    assert VISITORS[visitor] <= statuses


# --- error pages a visitor can provoke ----------------------------------------------------------
def _csrf_failure(client: Client, counselor: Any) -> HttpResponse:
    checked = Client(enforce_csrf_checks=True)
    return checked.post("/login/", {"username": "x", "password": "y"}, secure=True)


def _refused_staff_page(client: Client, counselor: Any) -> HttpResponse:
    return sign_in(client, counselor).get("/console/floor/", secure=True)


def _refused_api_call(client: Client, counselor: Any) -> HttpResponse:
    query = {"first_day": "2026-01-01", "last_day": "2026-01-31"}
    return sign_in(client, counselor).get("/api/reports/figures", query, secure=True)


def _get(address: str, **extra: Any) -> Callable[[Client, Any], HttpResponse]:
    return lambda client, counselor: client.get(address, secure=True, **extra)


def _post_json(address: str, body: object) -> Callable[[Client, Any], HttpResponse]:
    return lambda client, counselor: client.post(address, body, content_type="application/json", secure=True)


# Each case: how to provoke it, the status, and a piece of the body that shows it is that answer.
ERROR_PAGES: dict[str, tuple[Callable[[Client, Any], HttpResponse], int, str]] = {
    "unknown host": (_get("/chat/", headers={"host": "elsewhere.example"}), 400, "Bad Request"),
    "CSRF failure": (_csrf_failure, 403, "CSRF"),
    "refused staff page": (_refused_staff_page, 403, "Forbidden"),
    "no such page": (_get("/no-such-page/"), 404, "Not Found"),
    "wrong method": (_get("/logout/"), 405, ""),
    "server error": (_get(FAILURE_PATH), 500, "Server Error"),
    "API: not signed in": (_get("/api/me"), 401, '"detail"'),
    "API: refused": (_refused_api_call, 403, '"detail"'),
    "API: invalid input": (_post_json("/api/chat/resume", {}), 422, '"detail"'),
    "API: no such route": (_get("/api/no-such-route"), 404, '"not_found"'),
    "API: wrong method": (_get("/api/chat/letters"), 405, '"method_not_allowed"'),
    "API: too large": (_post_json("/api/chat/letters", {"body": "x" * 5000}), 413, '"too_large"'),
}


@pytest.mark.parametrize("case", ERROR_PAGES)
def test_error_pages_carry_the_security_headers(case, https, settings, counselor_aarhus):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000  # for "too large"
    provoke, status, marker = ERROR_PAGES[case]

    response = provoke(Client(raise_request_exception=False), counselor_aarhus)

    assert response.status_code == status
    assert marker in response.content.decode()
    assert header_problems(response, https) == []
