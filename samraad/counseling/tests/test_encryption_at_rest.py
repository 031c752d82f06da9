"""A young person's words are unreadable in the database, and keys can be rotated."""

from __future__ import annotations

from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from samraad.counseling import actions
from samraad.counseling.models import Message, Note

pytestmark = pytest.mark.django_db

SECRET_WORDS = "min stedfar kommer ind på mit værelse om natten"


def raw_bodies(table: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT body FROM {table}")  # noqa: S608 - fixed table names
        return [row[0] for row in cursor.fetchall()]


def test_message_text_is_encrypted_in_the_database_and_plain_in_python():
    opened = actions.do_open_conversation(municipality_code=None, topic=None, nickname=None, letter=SECRET_WORDS)

    stored = raw_bodies("counseling_message")

    assert stored and all(SECRET_WORDS not in body and "stedfar" not in body for body in stored)
    assert Message.objects.get(conversation=opened.conversation).body == SECRET_WORDS


def test_notes_are_encrypted_too(counselor_aarhus):
    opened = actions.do_open_conversation(municipality_code=None, topic=None, nickname=None)
    actions.do_set_shift(counselor_aarhus, on=True)
    actions.do_take(counselor_aarhus)

    actions.do_add_note(opened.conversation.id, user=counselor_aarhus, body="mistanke om overgreb")

    assert all("overgreb" not in body for body in raw_bodies("counseling_note"))
    assert Note.objects.get().body == "mistanke om overgreb"


def test_rotation_moves_every_body_to_the_new_key(settings):
    old = Fernet.generate_key().decode()
    new = Fernet.generate_key().decode()
    settings.SAMRAAD_MESSAGE_KEYS = [old]
    actions.do_open_conversation(municipality_code=None, topic=None, nickname=None, letter=SECRET_WORDS)

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
        actions.do_open_conversation(municipality_code=None, topic=None, nickname=None, letter="hej")
