"""Many counselors pressing "take next" at once, from many threads: never a conversation given
twice, never one skipped. Runs on SQLite and, in CI's second pass, on PostgreSQL."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from django.db import connections, transaction
from django.utils import timezone

from conftest import make_staff
from samraad.accounts.models import Organisation, Role
from samraad.counseling import actions, store
from samraad.counseling.errors import Refused
from samraad.counseling.tests.conftest import waiting_chat
from samraad.rota.models import Presence


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_takers_never_share_and_never_skip():
    aarhus = Organisation.objects.get(municipality_code="0751")
    counselors = [make_staff(f"taker{n}", aarhus, Role.COUNSELOR) for n in range(6)]
    for counselor in counselors:
        actions.do_set_shift(counselor, on=True)
        Presence.objects.filter(user=counselor).update(capacity=20)
    opened = [waiting_chat(municipality_code=None, topic=None, nickname=None) for _ in range(40)]
    taken: list[tuple[int, str]] = []
    errors: list[BaseException] = []
    start = threading.Barrier(len(counselors))

    def take_until_empty(counselor):
        try:
            start.wait()
            while True:
                try:
                    conversation = actions.do_take(counselor)
                except Refused as refusal:
                    if refusal.code != "capacity":
                        raise
                    break
                if conversation is None:
                    break
                taken.append((counselor.pk, str(conversation.id)))
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=take_until_empty, args=(counselor,)) for counselor in counselors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    ids = [conversation_id for _, conversation_id in taken]
    assert errors == []
    assert len(ids) == len(set(ids)), "a conversation was given twice"
    assert set(ids) == {str(o.conversation.id) for o in opened}, "a conversation was skipped"
    assert not actions.waiting_chats()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_heartbeat_and_a_batch_of_messages_never_deadlock():
    if connections["default"].vendor != "postgresql":
        pytest.skip("SQLite has one write lock, not row locks: nothing to take in the wrong order")
    opened = [waiting_chat(municipality_code=None, topic=None, nickname=None) for _ in range(6)]
    ids = [str(o.conversation.id) for o in opened]  # in the order the rows were written
    # A row written earlier with a larger id: an update that follows the table takes it first.
    first, second = next((a, b) for n, a in enumerate(ids) for b in ids[n + 1 :] if a > b)
    lower_taken = threading.Event()
    errors: list[BaseException] = []

    def batch() -> None:  # as do_post_messages: the rows in id order, a moment apart
        try:
            with transaction.atomic():
                store.lock(second, timezone.now())
                lower_taken.set()
                time.sleep(0.5)  # meanwhile the heartbeat takes what it can
                store.lock(first, timezone.now())
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    def heartbeat() -> None:
        try:
            lower_taken.wait(5)
            actions.do_touch(young=[], counselor=[first, second], consoles=[])
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=batch), threading.Thread(target=heartbeat)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []  # PostgreSQL ends one of two deadlocked transactions with an error


@contextmanager
def held_open(work: Callable[[], object]) -> Iterator[None]:
    """Runs `work` in a transaction of another thread and keeps that transaction open, with its
    locks, for the block; meanwhile the block runs under a 2 s lock timeout, so waiting on the
    other transaction fails the test."""
    done_work, done = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def hold() -> None:
        try:
            with transaction.atomic():
                work()
                done_work.set()
                done.wait(10)
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=hold)
    thread.start()
    try:
        assert done_work.wait(5)
        with transaction.atomic(), connections["default"].cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '2s'")
            yield
    finally:
        done.set()
        thread.join(timeout=30)
    assert errors == []


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_message_does_not_wait_for_a_heartbeat_to_commit():
    if connections["default"].vendor != "postgresql":
        pytest.skip("SQLite has one writer: there the beat takes its turn in the database thread")
    conversation_id = str(waiting_chat(municipality_code=None, topic=None, nickname=None).conversation.id)

    # A beat over thousands of sockets, caught before it commits.
    with held_open(lambda: actions.do_touch(young=[conversation_id], counselor=[], consoles=[])):
        message, new = actions.do_post_message(conversation_id, sender="young", author=None, client_id="c1", body="Hej")

    assert new and message.seq == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_heartbeat_does_not_wait_for_a_message_to_commit():
    if connections["default"].vendor != "postgresql":
        pytest.skip("SQLite has one writer: there the beat takes its turn in the database thread")
    conversation_id = str(waiting_chat(municipality_code=None, topic=None, nickname=None).conversation.id)

    # A batch of messages holding its conversation, as do_post_messages does. Both sides on this
    # worker: each Seen row is written once, so committing the beat checks no foreign key against
    # the conversation the batch holds.
    with held_open(lambda: store.lock(conversation_id, timezone.now())):
        actions.do_touch(young=[conversation_id], counselor=[conversation_id], consoles=[])
