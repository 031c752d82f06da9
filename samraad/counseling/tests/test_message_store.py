"""How a message is stored: the resend check must stay cheap however long the conversation."""

from __future__ import annotations

import pytest
from django.db import connection

from samraad.counseling import actions, store
from samraad.counseling.errors import Refused

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(connection.vendor != "sqlite", reason="reads SQLite's query plan")
def test_a_resend_is_looked_up_through_the_unique_index_not_by_walking_the_conversation():
    opened = actions.do_open_conversation(municipality_code="0751", topic=None, nickname=None)

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + store.RESENT, [opened.conversation.pk.hex, "young", "c-1"])
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())

    assert "one_message_per_client_id" in plan, plan


def test_a_resend_returns_the_stored_message_and_stores_nothing_twice():
    opened = actions.do_open_conversation(municipality_code="0751", topic=None, nickname=None)
    first, new = actions.do_post_message(
        opened.conversation.pk, sender="young", author=None, client_id="c-1", body="Hej"
    )
    again, new_again = actions.do_post_message(
        opened.conversation.pk, sender="young", author=None, client_id="c-1", body="Hej"
    )

    assert (new, new_again) == (True, False)
    assert again.pk == first.pk
    assert opened.conversation.messages.count() == 1


def test_a_batch_stores_each_post_or_refuses_it_alone_in_one_transaction(counselor_aarhus):
    first = actions.do_open_conversation(municipality_code="0751", topic=None, nickname=None).conversation
    second = actions.do_open_conversation(municipality_code="0751", topic=None, nickname=None).conversation
    Post = actions.Post

    answers = actions.do_post_messages(
        [
            Post(first.pk, "young", None, "a", "hej"),
            Post(first.pk, "counselor", counselor_aarhus, "b", "not mine to answer"),
            Post(first.pk, "young", None, "a", "hej"),  # a twin of the first, in the same batch
            Post("not-an-id", "young", None, "c", "?"),
            Post(second.pk, "young", None, "d", "også hej"),
        ]
    )

    stored, refused, twin, unknown, other = answers
    assert stored[1] is True and stored[0].seq == 1
    assert isinstance(refused, Refused) and refused.code == "not_yours"
    assert (twin[0].pk, twin[1]) == (stored[0].pk, False)
    assert isinstance(unknown, Refused) and unknown.code == "not_found"
    assert other[0].seq == 1 and other[0].conversation_id == second.pk
    assert [m.body for m in first.messages.order_by("seq")] == ["hej"]


def test_a_resend_after_the_conversation_ended_still_gets_its_ack():
    opened = actions.do_open_conversation(municipality_code="0751", topic=None, nickname=None)
    first, _ = actions.do_post_message(opened.conversation.pk, sender="young", author=None, client_id="c-1", body="Hej")
    actions.do_end(opened.conversation.pk, side="young")

    again, new = actions.do_post_message(
        opened.conversation.pk, sender="young", author=None, client_id="c-1", body="Hej"
    )

    assert (again.pk, again.seq, new) == (first.pk, first.seq, False)
    with pytest.raises(Refused) as refused:
        actions.do_post_message(opened.conversation.pk, sender="young", author=None, client_id="c-2", body="Hej igen")
    assert refused.value.code == "ended"
