"""How a message is stored: the resend check must stay cheap however long the conversation."""

from __future__ import annotations

import pytest
from django.db import connection

from samraad.counseling import actions, store
from samraad.counseling.errors import Refused
from samraad.counseling.tests.conftest import waiting_chat

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(connection.vendor != "sqlite", reason="reads SQLite's query plan")
def test_a_resend_is_looked_up_through_the_unique_index_not_by_walking_the_conversation():
    opened = waiting_chat(municipality_code="0751", topic=None, nickname=None)

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + store.RESENT, [opened.conversation.pk.hex, "young", "c-1"])
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())

    assert "one_message_per_client_id" in plan, plan


def test_a_resend_returns_the_stored_message_and_stores_nothing_twice():
    opened = waiting_chat(municipality_code="0751", topic=None, nickname=None)
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
    first = waiting_chat(municipality_code="0751", topic=None, nickname=None).conversation
    second = waiting_chat(municipality_code="0751", topic=None, nickname=None).conversation
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
    opened = waiting_chat(municipality_code="0751", topic=None, nickname=None)
    first, _ = actions.do_post_message(opened.conversation.pk, sender="young", author=None, client_id="c-1", body="Hej")
    actions.do_end(opened.conversation.pk, side="young")

    again, new = actions.do_post_message(
        opened.conversation.pk, sender="young", author=None, client_id="c-1", body="Hej"
    )

    assert (again.pk, again.seq, new) == (first.pk, first.seq, False)
    with pytest.raises(Refused) as refused:
        actions.do_post_message(opened.conversation.pk, sender="young", author=None, client_id="c-2", body="Hej igen")
    assert refused.value.code == "ended"


def test_a_conversation_keeps_the_highest_level_its_messages_raised_it_to():
    opened = waiting_chat(municipality_code="0751", topic=None, nickname=None)
    levels = []
    for number, body in enumerate(
        ["hej", "nogle gange vil jeg bare ikke være her", "ok", "jeg har taget alle mine piller nu og vil dø", "tak"]
    ):
        actions.do_post_message(opened.conversation.pk, sender="young", author=None, client_id=f"c-{number}", body=body)
        opened.conversation.refresh_from_db()
        levels.append((opened.conversation.last_seq, opened.conversation.triage_level))

    assert levels == [(1, 0), (2, 1), (3, 1), (4, 2), (5, 2)]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="reads SQLite's programs")
def test_a_message_that_raises_nothing_rewrites_no_index_of_its_conversation():
    """SQLite rewrites an index entry for every indexed column in an UPDATE's SET, changed or not;
    the conversation's level is in three indexes, and most messages leave it as it was."""
    opened = waiting_chat(municipality_code="0751", topic=None, nickname=None)
    updates: list[str] = []
    connection.ensure_connection()
    connection.connection.set_trace_callback(
        lambda statement: updates.append(statement) if statement.startswith("UPDATE counseling_conversation") else None
    )
    try:
        actions.do_post_message(opened.conversation.pk, sender="young", author=None, client_id="c-1", body="hej")
    finally:
        connection.connection.set_trace_callback(None)

    assert len(updates) == 1
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + updates[0])
        opcodes = {row[1] for row in cursor.fetchall()}
    assert "Update" in opcodes or "Insert" in opcodes  # the row itself is written
    assert not opcodes & {"IdxInsert", "IdxDelete"}, opcodes


def test_no_index_of_a_message_repeats_what_one_message_per_seq_already_orders_by():
    """Every index is one more page written for every message; `one_message_per_seq` begins with
    the conversation and serves every lookup by it."""
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "counseling_message")

    by_conversation = [name for name, c in constraints.items() if c["index"] and c["columns"] == ["conversation_id"]]
    assert constraints["one_message_per_seq"]["columns"] == ["conversation_id", "seq"]
    assert by_conversation == []
