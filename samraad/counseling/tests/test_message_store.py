"""How a message is stored: the resend check must stay cheap however long the conversation."""

from __future__ import annotations

import pytest
from django.db import connection

from samraad.counseling import actions

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(connection.vendor != "sqlite", reason="reads SQLite's query plan")
def test_a_resend_is_looked_up_through_the_unique_index_not_by_walking_the_conversation():
    opened = actions.do_open_conversation(municipality_code="0751", topic=None, nickname=None)
    sql, params = actions.stored_with_client_id(opened.conversation.pk, "young", "c-1").query.sql_with_params()

    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
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
