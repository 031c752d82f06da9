"""A young person's words are unreadable in the database, and keys can be rotated."""

from __future__ import annotations

from io import StringIO

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.management import call_command
from django.db import connection

from samraad.counseling import actions
from samraad.counseling.management.commands.rotate_keys import encrypted_columns
from samraad.counseling.models import Message, Note
from samraad.counseling.tests.conftest import waiting_chat

pytestmark = pytest.mark.django_db

SECRET_WORDS = "min stedfar kommer ind på mit værelse om natten"


def raw_bodies(table: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT body FROM {table}")  # noqa: S608 - fixed table names
        return [row[0] for row in cursor.fetchall()]


def test_message_text_is_encrypted_in_the_database_and_plain_in_python():
    opened = waiting_chat(municipality_code=None, topic=None, nickname=None, letter=SECRET_WORDS)

    stored = raw_bodies("counseling_message")

    assert stored and all(SECRET_WORDS not in body and "stedfar" not in body for body in stored)
    assert Message.objects.get(conversation=opened.conversation).body == SECRET_WORDS


def test_notes_are_encrypted_too(counselor_aarhus):
    opened = waiting_chat(municipality_code=None, topic=None, nickname=None)
    actions.do_set_shift(counselor_aarhus, on=True)
    actions.do_take(counselor_aarhus)

    actions.do_add_note(opened.conversation.id, user=counselor_aarhus, body="mistanke om overgreb")

    assert all("overgreb" not in body for body in raw_bodies("counseling_note"))
    assert Note.objects.get().body == "mistanke om overgreb"


def test_rotation_moves_every_body_to_the_new_key(settings):
    old = Fernet.generate_key().decode()
    new = Fernet.generate_key().decode()
    settings.SAMRAAD_MESSAGE_KEYS = [old]
    waiting_chat(municipality_code=None, topic=None, nickname=None, letter=SECRET_WORDS)

    settings.SAMRAAD_MESSAGE_KEYS = [new, old]
    readable_during_rotation = Message.objects.get().body
    out = StringIO()
    call_command("rotate_message_keys", stdout=out)
    settings.SAMRAAD_MESSAGE_KEYS = [new]

    assert readable_during_rotation == SECRET_WORDS
    assert Message.objects.get().body == SECRET_WORDS
    assert "Re-encrypted 1" in out.getvalue()


def test_a_bad_key_setting_fails_loudly(settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.SAMRAAD_MESSAGE_KEYS = ["not a key"]

    with pytest.raises(ImproperlyConfigured):
        waiting_chat(municipality_code=None, topic=None, nickname=None, letter="hej")


def under_key(key: str, table: str) -> list[bool]:
    """For each stored value of `table`, whether `key` alone opens it."""
    fernet = Fernet(key.encode())
    opened = []
    for body in raw_bodies(table):
        try:
            fernet.decrypt(body.encode())
        except InvalidToken:
            opened.append(False)
        else:
            opened.append(True)
    return opened


def test_rotate_keys_covers_every_encrypted_column():
    assert {("counseling_message", "body"), ("counseling_note", "body")} <= {
        (table, column) for table, _, column in encrypted_columns()
    }


def test_rotate_keys_goes_in_batches_resumes_where_it_stopped_and_old_rows_read_throughout(counselor_aarhus, settings):
    # Given letters, chat messages and notes written under the old key
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.SAMRAAD_MESSAGE_KEYS = [old]
    for number in range(3):
        waiting_chat(municipality_code=None, topic=None, nickname=None, letter=f"brev {number}")
    chat = waiting_chat(municipality_code=None, topic=None, nickname=None)
    actions.do_post_message(chat.conversation.id, sender="young", author=None, client_id="c1", body=SECRET_WORDS)
    actions.do_set_shift(counselor_aarhus, on=True)
    actions.do_take(counselor_aarhus)
    actions.do_add_note(chat.conversation.id, user=counselor_aarhus, body="mistanke om overgreb")
    actions.do_add_note(chat.conversation.id, user=counselor_aarhus, body="ring til kommunen")
    words = sorted(Message.objects.values_list("body", flat=True)) + sorted(Note.objects.values_list("body", flat=True))
    stored = len(raw_bodies("counseling_message")) + len(raw_bodies("counseling_note"))

    # When the new key is put in front and a run is stopped part of the way
    settings.SAMRAAD_MESSAGE_KEYS = [new, old]
    partial = StringIO()
    call_command("rotate_keys", "--batch-size", "2", "--limit", "3", stdout=partial)
    during = sorted(Message.objects.values_list("body", flat=True)) + sorted(
        Note.objects.values_list("body", flat=True)
    )
    rotated_during = under_key(new, "counseling_message") + under_key(new, "counseling_note")

    # Then the rest is done by running it again, and a third run finds nothing to do
    rest, again = StringIO(), StringIO()
    call_command("rotate_keys", "--batch-size", "2", stdout=rest)
    call_command("rotate_keys", stdout=again)
    settings.SAMRAAD_MESSAGE_KEYS = [new]

    assert "Re-encrypted 3 values" in partial.getvalue() and "run again" in partial.getvalue()
    assert during == words
    assert rotated_during.count(True) == 3 and rotated_during.count(False) == stored - 3
    assert f"Re-encrypted {stored - 3} values with the newest key; 3 already were." in rest.getvalue()
    assert f"Re-encrypted 0 values with the newest key; {stored} already were." in again.getvalue()
    assert (
        sorted(Message.objects.values_list("body", flat=True)) + sorted(Note.objects.values_list("body", flat=True))
        == words
    )
    assert all(under_key(new, "counseling_message") + under_key(new, "counseling_note"))
    assert all("brev" not in body and "stedfar" not in body for body in raw_bodies("counseling_message"))
    assert all("overgreb" not in body for body in raw_bodies("counseling_note"))
