"""Schemathesis against the OpenAPI schema the API publishes at /api/openapi.json (issue #7): for
every operation it generates requests from the schema, sends them through Django, and checks that
no answer is a server error and every answer fits the schema's description of it."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from conftest import sign_in

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())


@pytest.fixture
def _connection_kept_through_requests():
    """As Django's test client does: a request's end would close the connection that holds the
    test's transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def staff_cookies(supervisor) -> dict[str, str]:
    """The staff routes answer a signed-in supervisor, so their 200 answers are checked too."""
    client = sign_in(Client(), supervisor)
    return {"sessionid": client.cookies["sessionid"].value}


@pytest.mark.django_db
@pytest.mark.usefixtures("_connection_kept_through_requests")
@schema.parametrize()
# The signed-in session is meant to last across generated requests, as a browser's does.
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
def test_the_api_keeps_to_its_published_schema(case, staff_cookies):
    cache.clear()  # the per-source limits are tested on their own

    case.call_and_validate(cookies=staff_cookies, checks=[not_a_server_error, response_schema_conformance])
