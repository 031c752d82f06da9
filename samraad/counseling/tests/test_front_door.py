"""The chat's front door over HTTP (docs/security.md, "The front door"): what a foreign web page,
a script that only opens chats, and a nickname made to look like another can do — nothing that
reaches a counselor's queue."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from samraad.accounts.embedding import forget_widget_origins
from samraad.counseling import actions
from samraad.counseling.models import Conversation
from samraad.counseling.tests.conftest import young_socket
from samraad.lib.origins import comes_from_allowed_site

pytestmark = pytest.mark.django_db

OPEN = "/api/chat/conversations"
LETTER = "/api/chat/letters"
FOREIGN = "https://evil.example"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    forget_widget_origins()


@pytest.fixture
def app() -> Client:
    return Client(REMOTE_ADDR="198.51.100.23")


def post_json(client: Client, path: str, payload: object, **headers: str):
    return client.post(path, json.dumps(payload), content_type="application/json", headers=headers)


# --- bodies a foreign page can send without asking the browser first ---------------------------
@pytest.mark.parametrize("path", [OPEN, LETTER])
@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "text/plain;charset=UTF-8", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"],
)
def test_a_body_that_is_not_json_is_refused_and_opens_nothing(app, path, content_type):
    body = json.dumps({"body": "hej", "nickname": "x"})

    response = app.post(path, body, content_type=content_type)

    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"
    assert not Conversation.objects.exists()


@pytest.mark.parametrize("path", [OPEN, LETTER, "/api/chat/resume", "/api/chat/delete"])
@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": FOREIGN},
        {"Origin": FOREIGN, "Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Origin": "null"},
        {"Origin": "http://testserver.evil.example"},
    ],
)
def test_a_foreign_page_opens_nothing(app, path, headers):
    response = post_json(app, path, {"body": "hej", "resume_code": "ABCD-EFGH"}, **headers)

    assert response.status_code == 403
    assert response.json()["code"] == "cross_site"
    assert not Conversation.objects.exists()


@pytest.mark.parametrize(
    "headers",
    [
        {},  # an app or a script: no web page, still rate-limited
        {"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"},  # the chat's own page
        {"Sec-Fetch-Site": "same-origin"},
        {"Sec-Fetch-Site": "none"},
        {"Origin": "https://www.aarhus.dk", "Sec-Fetch-Site": "cross-site"},  # a registered widget site
    ],
)
def test_this_site_the_widget_sites_and_apps_open_chats(app, settings, headers):
    settings.SAMRAAD_WIDGET_ORIGINS = ["https://www.aarhus.dk"]

    response = post_json(app, OPEN, {}, **headers)

    assert response.status_code == 201


def test_the_origin_rule_as_a_decision():
    allowed = ["https://samraad.example.dk", "https://www.aarhus.dk"]

    assert comes_from_allowed_site("https://samraad.example.dk", "same-origin", allowed)
    assert comes_from_allowed_site("HTTPS://WWW.AARHUS.DK", "cross-site", allowed)
    assert comes_from_allowed_site(None, None, allowed)
    assert comes_from_allowed_site(None, "same-site", allowed)
    assert not comes_from_allowed_site(None, "cross-site", allowed)
    assert not comes_from_allowed_site("https://www.aarhus.dk.evil.example", None, allowed)
    assert not comes_from_allowed_site("null", "cross-site", allowed)
    assert not comes_from_allowed_site("https://samraad.example.dk/path", "same-origin", allowed)


# --- one source filling the queue --------------------------------------------------------------
def test_chats_that_never_connect_never_wait_and_are_forgotten(app, settings):
    opened = [post_json(app, OPEN, {}).json() for _ in range(30)]

    waiting = actions.waiting_chats()
    Conversation.objects.update(
        created_at=timezone.now() - timedelta(seconds=settings.SAMRAAD_CHAT_CONNECT_GRACE_S + 1)
    )
    actions.do_sweep()

    assert len(opened) == 30
    assert waiting == []
    assert actions.queue_snapshot()["waiting"] == []
    assert not Conversation.objects.exists()


def test_a_chat_still_within_its_grace_is_kept(app):
    post_json(app, OPEN, {})

    actions.do_sweep()

    assert Conversation.objects.get().state == Conversation.State.OPENED


def test_a_letter_waits_at_once(app):
    post_json(app, LETTER, {"body": "Jeg har brug for at snakke"})

    assert [c.kind for c in actions.waiting_letters()] == [Conversation.Kind.LETTER]


@pytest.mark.parametrize(
    ("path", "payload", "limit"),
    [(OPEN, {}, "SAMRAAD_CHAT_OPENED_PER_HOUR"), ("/api/chat/resume", {"resume_code": "NOPE"}, None)],
)
def test_every_429_says_when_to_try_again(app, settings, path, payload, limit):
    tries = settings.SAMRAAD_RESUME_ATTEMPTS_PER_HOUR if limit is None else getattr(settings, limit)
    for _ in range(tries):
        assert post_json(app, path, payload).status_code != 429

    refused = post_json(app, path, payload)

    assert refused.status_code == 429
    assert 3500 <= int(refused["Retry-After"]) <= 3600


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("_close_worker_connections")
async def test_a_chat_joins_the_queue_when_its_socket_says_hello():
    opened = await sync_to_async(actions.do_open_conversation)(municipality_code="0751", topic=None, nickname=None)
    before = await sync_to_async(actions.waiting_chats)()

    young = await young_socket(opened.token)
    position = await young.receive_until("queue")

    assert before == []
    assert [c.pk for c in await sync_to_async(actions.waiting_chats)()] == [opened.conversation.pk]
    assert position["position"] == 1
    await young.close()


# --- names made to look like others ------------------------------------------------------------
def test_a_nickname_loses_its_bidirectional_overrides(app):
    response = post_json(app, OPEN, {"nickname": "abc\u202egpj.exe"})

    conversation = Conversation.objects.get(pk=response.json()["conversation"])
    assert conversation.nickname == "abcgpj.exe"


def test_a_staff_members_name_loses_its_format_characters(counselor_aarhus):
    counselor_aarhus.first_name = "Jo\u202enas\u200b"
    counselor_aarhus.save()

    counselor_aarhus.refresh_from_db()
    assert counselor_aarhus.first_name == "Jonas"


def test_an_empty_body_that_is_not_json_opens_nothing_either(app):
    response = app.post(OPEN, "", content_type="text/plain")

    assert response.status_code == 415
    assert not Conversation.objects.exists()


def test_a_chat_deleted_before_its_socket_connected_has_left_while_waiting(app):
    opened = post_json(app, OPEN, {}).json()

    deleted = post_json(app, "/api/chat/delete", {"resume_code": opened["resume_code"]})

    assert deleted.status_code == 204
    assert Conversation.objects.get(pk=opened["conversation"]).state == Conversation.State.ABANDONED
