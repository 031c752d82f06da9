"""Opening a chat or a letter, and coming back with a resume code, over plain HTTP."""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client

from samraad.counseling import actions
from samraad.counseling.models import Conversation, Message
from samraad.counseling.tokens import hash_resume_code, hash_token

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


@pytest.fixture
def app() -> Client:
    # No CSRF token and no cookie: any client may call these endpoints.
    return Client(enforce_csrf_checks=True, REMOTE_ADDR="198.51.100.23", HTTP_USER_AGENT="Mozilla/5.0 Telefon")


def post(client: Client, path: str, payload: object):
    return client.post(path, json.dumps(payload), content_type="application/json")


def test_opening_a_chat_returns_the_conversation_a_token_and_a_resume_code(app):
    response = post(app, "/api/chat/conversations", {"municipality": "0751", "topic": "school", "nickname": "Mo"})

    body = response.json()
    conversation = Conversation.objects.get(pk=body["conversation"])
    assert response.status_code == 201
    assert set(body) == {"conversation", "token", "resume_code"}
    assert conversation.municipality.municipality_code == "0751"
    # Not in the queue until its socket says hello (docs/security.md, "The front door").
    assert (conversation.topic, conversation.nickname, conversation.state) == ("school", "Mo", "opened")
    # Only hashes are kept.
    assert conversation.token_hash == hash_token(body["token"]) != body["token"]
    assert conversation.resume_code_hash == hash_resume_code(body["resume_code"])


def test_everything_is_optional(app):
    response = post(app, "/api/chat/conversations", {})

    assert response.status_code == 201


@pytest.mark.parametrize(
    "payload",
    [
        {"municipality": "9999"},
        {"municipality": "abcd"},
        {"topic": "weather"},
        {"nickname": "x" * 41},
        {"municipality": 751},
    ],
)
def test_bad_fields_are_refused_and_nothing_is_stored(app, payload):
    response = post(app, "/api/chat/conversations", payload)

    assert response.status_code == 422
    assert not Conversation.objects.exists()


def test_malformed_json_is_refused(app):
    response = app.post("/api/chat/conversations", "{nope", content_type="application/json")

    assert response.status_code in (400, 422)
    assert not Conversation.objects.exists()


def test_the_resume_code_gives_the_conversation_back_with_a_fresh_token(app):
    opened = post(app, "/api/chat/conversations", {}).json()

    resumed = post(app, "/api/chat/resume", {"resume_code": opened["resume_code"].lower().replace("-", " ")})

    assert resumed.status_code == 200
    assert resumed.json()["conversation"] == opened["conversation"]
    assert resumed.json()["token"] != opened["token"]
    assert actions.check_conversation_for_token(opened["token"]) is None  # the old token stops working
    assert str(actions.check_conversation_for_token(resumed.json()["token"]).id) == opened["conversation"]


def test_a_wrong_code_and_a_deleted_conversations_code_get_one_answer(app):
    opened = post(app, "/api/chat/conversations", {}).json()
    Conversation.objects.filter(pk=opened["conversation"]).delete()

    deleted = post(app, "/api/chat/resume", {"resume_code": opened["resume_code"]})
    never = post(app, "/api/chat/resume", {"resume_code": "AAAA-BBBB-CCCC"})

    assert deleted.status_code == never.status_code == 404
    assert deleted.json() == never.json()


def test_guessing_resume_codes_is_rate_limited(app, settings):
    settings.SAMRAAD_RESUME_ATTEMPTS_PER_HOUR = 5
    answers = [post(app, "/api/chat/resume", {"resume_code": f"AAAA-BBBB-CCC{n}"}).status_code for n in range(7)]

    assert answers[:5] == [404] * 5
    assert answers[5:] == [429, 429]


def test_a_letter_is_stored_as_the_first_message_and_waits(app):
    response = post(app, "/api/chat/letters", {"municipality": "0760", "body": "Jeg tør ikke sige det til nogen."})

    conversation = Conversation.objects.get(pk=response.json()["conversation"])
    assert response.status_code == 201
    assert (conversation.kind, conversation.state) == ("letter", "waiting")
    assert list(conversation.messages.values_list("seq", "sender", "body")) == [
        (1, "young", "Jeg tør ikke sige det til nogen.")
    ]


@pytest.mark.parametrize("body", ["", "   ", "x" * 4001])
def test_an_empty_or_overlong_letter_is_refused(app, body):
    response = post(app, "/api/chat/letters", {"body": body})

    assert response.status_code == 422
    assert not Message.objects.exists()


def test_status_says_closed_when_nobody_is_on_shift(app):
    assert app.get("/api/chat/status").json() == {"open": False, "waiting": 0}


def test_status_says_open_when_a_counselor_is_on_shift(app, counselor_aarhus):
    actions.do_set_shift(counselor_aarhus, on=True)

    assert app.get("/api/chat/status").json()["open"] is True


def test_no_address_or_browser_of_a_young_person_is_stored(app):
    opened = post(app, "/api/chat/conversations", {"nickname": "Mo"}).json()
    post(app, "/api/chat/resume", {"resume_code": opened["resume_code"]})
    post(app, "/api/chat/letters", {"body": "hej"})

    with connection.cursor() as cursor:
        dump = []
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - table names from the schema itself
            dump.extend(str(row) for row in cursor.fetchall())
    text = "\n".join(dump)
    assert "198.51.100.23" not in text
    assert "Telefon" not in text
    assert opened["token"] not in text
    assert opened["resume_code"] not in text
