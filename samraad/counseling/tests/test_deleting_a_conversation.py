"""A young person deletes their own conversation at once with the resume code: the words go as
retention would take them later, the numbers stay, a live chat ends on the counselor's screen and
the young person's sockets close."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from django.test import Client
from django.utils import timezone

from samraad.counseling import actions
from samraad.counseling.models import Conversation, Message, Note
from samraad.counseling.tests.conftest import Socket, console_socket, open_chat, waiting_chat, young_socket
from samraad.reports.figures import Scope, figures
from samraad.reports.period import Period


@pytest.fixture
def phone() -> Client:
    return Client(enforce_csrf_checks=True, REMOTE_ADDR="198.51.100.23")


def post(client: Client, path: str, payload: object):
    return client.post(path, json.dumps(payload), content_type="application/json")


def around_today() -> Period:
    today = timezone.localdate()
    return Period(today - timedelta(days=1), today + timedelta(days=1))


def talked_and_ended(counselor) -> actions.Opened:
    """A chat from Aarhus about school that a counselor answered, noted on, ended; rated after."""
    opened = waiting_chat(municipality_code="0751", topic="school", nickname="Mo")
    actions.do_post_message(opened.conversation.id, sender="young", author=None, client_id="y1", body="hemmelighed")
    actions.do_set_shift(counselor, on=True)
    actions.do_take(counselor)
    actions.do_post_message(opened.conversation.id, sender="counselor", author=counselor, client_id="c1", body="svar")
    actions.do_add_note(opened.conversation.id, user=counselor, body="en note")
    actions.do_end(opened.conversation.id, side="counselor", user=counselor)
    actions.do_rate(opened.conversation.id, rating=4, comment="det hjalp")
    return opened


@pytest.mark.django_db
def test_the_code_deletes_the_words_at_once_and_the_numbers_stay(phone, counselor_aarhus):
    opened = talked_and_ended(counselor_aarhus)
    before = Conversation.objects.get(pk=opened.conversation.pk)
    numbers = figures(around_today(), Scope())

    response = post(phone, "/api/chat/delete", {"resume_code": opened.resume_code})

    kept = Conversation.objects.get(pk=opened.conversation.pk)
    assert (response.status_code, response.content) == (204, b"")
    assert not Message.objects.filter(conversation=kept).exists()
    assert not Note.objects.filter(conversation=kept).exists()
    assert (kept.nickname, kept.rating_comment) == ("", "")
    assert kept.purged_at is not None
    assert actions.check_conversation_for_token(opened.token) is None
    # What the reports read is untouched, and so are the reports.
    assert (kept.state, kept.municipality_id, kept.topic, kept.rating, kept.triage_level) == (
        before.state,
        before.municipality_id,
        before.topic,
        before.rating,
        before.triage_level,
    )
    assert (kept.queued_at, kept.assigned_at, kept.ended_at, kept.answered_by_id) == (
        before.queued_at,
        before.assigned_at,
        before.ended_at,
        before.answered_by_id,
    )
    assert figures(around_today(), Scope()) == numbers
    assert (numbers.total.conversations, numbers.rated) == (1, 1)


@pytest.mark.django_db
def test_a_wrong_code_and_a_deleted_conversations_code_get_one_answer(phone):
    opened = waiting_chat(municipality_code=None, topic=None, nickname=None)
    post(phone, "/api/chat/delete", {"resume_code": opened.resume_code})

    again = post(phone, "/api/chat/delete", {"resume_code": opened.resume_code})
    resumed = post(phone, "/api/chat/resume", {"resume_code": opened.resume_code})
    never = post(phone, "/api/chat/delete", {"resume_code": "AAAA-BBBB-CCCC"})

    assert again.status_code == resumed.status_code == never.status_code == 404
    assert (
        again.json()
        == resumed.json()
        == never.json()
        == {
            "code": "not_found",
            "detail": "No conversation has that code.",
        }
    )


@pytest.mark.django_db
def test_deleting_and_resuming_share_one_budget_of_attempts_per_source(phone, settings):
    settings.SAMRAAD_RESUME_ATTEMPTS_PER_HOUR = 3
    opened = waiting_chat(municipality_code=None, topic=None, nickname="Mo")
    elsewhere = Client(REMOTE_ADDR="203.0.113.50")

    guesses = [
        post(phone, "/api/chat/resume", {"resume_code": "AAAA-BBBB-CCC1"}).status_code,
        post(phone, "/api/chat/delete", {"resume_code": "AAAA-BBBB-CCC2"}).status_code,
        post(phone, "/api/chat/resume", {"resume_code": "AAAA-BBBB-CCC3"}).status_code,
    ]
    refused = post(phone, "/api/chat/delete", {"resume_code": opened.resume_code})
    from_elsewhere = post(elsewhere, "/api/chat/delete", {"resume_code": opened.resume_code})

    assert guesses == [404, 404, 404]
    assert (refused.status_code, refused.json()["code"]) == (429, "rate_limited")
    assert from_elsewhere.status_code == 204  # the limit is per source, and the refusal deleted nothing first


@pytest.mark.django_db
def test_a_waiting_conversation_leaves_the_queue_as_abandoned(phone):
    opened = waiting_chat(municipality_code="0751", topic=None, nickname="Venter")

    post(phone, "/api/chat/delete", {"resume_code": opened.resume_code})

    kept = Conversation.objects.get(pk=opened.conversation.pk)
    assert (kept.state, kept.nickname) == ("abandoned", "")
    assert kept.ended_at is not None
    assert actions.waiting_chats() == []


@pytest.mark.django_db
def test_a_conversation_on_legal_hold_keeps_its_words(phone, counselor_aarhus):
    opened = talked_and_ended(counselor_aarhus)
    Conversation.objects.filter(pk=opened.conversation.pk).update(legal_hold=True, legal_hold_reason="klage")

    response = post(phone, "/api/chat/delete", {"resume_code": opened.resume_code})

    assert (response.status_code, response.json()["code"]) == (409, "legal_hold")
    assert Message.objects.filter(conversation_id=opened.conversation.pk).count() == 2
    assert post(phone, "/api/chat/resume", {"resume_code": opened.resume_code}).status_code == 200


# --- the sockets --------------------------------------------------------------------------------


async def settle(*sockets: Socket) -> None:
    """Reads what the sockets were told before the deletion (queue positions, snapshots)."""
    for socket in sockets:
        while not await socket.nothing():
            await socket.receive()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("_close_worker_connections")
async def test_deleting_a_live_chat_ends_it_on_the_console_and_closes_the_young_persons_sockets(
    counselor_aarhus, counselor_koebenhavn
):
    opened = await open_chat(nickname="Mo")
    bystander = await open_chat(nickname="Bo")
    phone, tablet = await young_socket(opened.token), await young_socket(opened.token)
    other_young = await young_socket(bystander.token)
    console = await console_socket(counselor_aarhus)
    colleague = await console_socket(counselor_koebenhavn)
    await console.send({"type": "take"})
    taken = (await console.receive_until("assigned"))["conversation"]
    await phone.receive_until("state")
    await tablet.receive_until("state")
    await settle(other_young, colleague)
    assert taken == str(opened.conversation.id)

    response = await sync_to_async(post)(Client(), "/api/chat/delete", {"resume_code": opened.resume_code})

    ended = await console.receive_until("state")
    assert response.status_code == 204
    assert (ended["conversation"], ended["state"]) == (taken, "ended")
    for socket in (phone, tablet):
        assert (await socket.receive_until("deleted")) == {"type": "deleted"}
        closed = await socket.receive_output()
        assert (closed["type"], closed["code"]) == ("websocket.close", 4401)
    # Nobody else hears of it: not a colleague's console, not another young person.
    assert await other_young.nothing()
    assert await colleague.nothing()
    assert not await Message.objects.filter(conversation_id=taken).aexists()
    await console.close()
    await colleague.close()
    await other_young.close()
