"""The refusals docs/protocol.md lists for /api/ are the ones the API gives: every documented
answer comes back, word for word, from a real request, and every refusal those requests meet
is in the table. A client written against the document can rely on it."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.test import Client

from conftest import sign_in
from samraad.accounts.models import Organisation, User
from samraad.counseling.models import Conversation

pytestmark = pytest.mark.django_db

PROTOCOL = (Path(settings.BASE_DIR) / "docs" / "protocol.md").read_text()


def documented() -> list[tuple[int, object]]:
    """(status, answer) for each row of the table under "Refusals under `/api/`"."""
    section = PROTOCOL.split("### Refusals under `/api/`", 1)[1].split("\n#", 1)[0]
    rows = []
    for line in section.splitlines():
        found = re.fullmatch(r"\| (\d{3}) \|.*\| `(\{.*\})` \|", line)
        if found:
            rows.append((int(found[1]), json.loads(found[2])))
    return rows


def post_json(client: Client, path: str, body: str | bytes) -> HttpResponse:
    return client.post(path, body, content_type="application/json")


def over_the_upload_limit() -> bytes:
    return json.dumps({"body": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)}).encode()


@dataclass
class People:
    outsider: User  # staff of Odense
    aarhus: Organisation


Asking = Callable[[People], HttpResponse]

# What a client may do wrong, with the status the table gives for it.
REQUESTS: list[tuple[str, int, Asking]] = [
    ("a body that is not JSON", 400, lambda _: post_json(Client(), "/api/chat/conversations", "{nope")),
    ("/api/me without signing in", 401, lambda _: Client().get("/api/me")),
    ("/api/organisations without signing in", 401, lambda _: Client().get("/api/organisations")),
    ("an address that is no route", 404, lambda _: Client().get("/api/no/such/address")),
    ("a misspelt chat address", 404, lambda _: post_json(Client(), "/api/chat/conversation", "{}")),
    (
        "an organisation that does not exist",
        404,
        lambda people: sign_in(Client(), people.outsider).get(f"/api/organisations/{uuid.uuid4()}"),
    ),
    (
        "another municipality's organisation",
        404,
        lambda people: sign_in(Client(), people.outsider).get(f"/api/organisations/{people.aarhus.pk}"),
    ),
    ("DELETE on opening a chat", 405, lambda _: Client().delete("/api/chat/conversations")),
    ("POST on the municipalities", 405, lambda _: post_json(Client(), "/api/municipalities", "{}")),
    (
        "a letter over the upload limit",
        413,
        lambda _: post_json(Client(), "/api/chat/letters", over_the_upload_limit()),
    ),
    ("an unknown topic", 422, lambda _: post_json(Client(), "/api/chat/conversations", '{"topic": "weather"}')),
    ("a resume without its code", 422, lambda _: post_json(Client(), "/api/chat/resume", "{}")),
]


@pytest.fixture
def people(outsider: User, aarhus: Organisation) -> People:
    return People(outsider, aarhus)


def test_the_document_has_a_row_for_each_refusal_a_client_can_meet():
    assert {status for status, _ in documented()} == {400, 401, 404, 405, 413, 422}


@pytest.mark.parametrize(("what", "status", "ask"), REQUESTS, ids=[what for what, _, _ in REQUESTS])
def test_each_refusal_is_answered_in_json_as_documented(what, status, ask, people):
    response = ask(people)

    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    assert (status, response.json()) in documented(), response.json()
    assert not Conversation.objects.exists()


def test_every_documented_refusal_is_met_by_one_of_the_requests(people):
    met = []
    for _, _, ask in REQUESTS:
        response = ask(people)
        met.append((response.status_code, response.json()))

    assert [row for row in documented() if row not in met] == []


def test_a_refused_method_names_the_methods_the_address_takes():
    assert Client().delete("/api/chat/conversations")["Allow"] == "POST"
    assert Client().post("/api/municipalities")["Allow"] == "GET"


def test_a_field_the_body_does_not_define_is_ignored():
    response = post_json(Client(), "/api/chat/conversations", '{"nickname": "Mo", "colour": "blue"}')

    assert response.status_code == 201
    assert Conversation.objects.get().nickname == "Mo"
