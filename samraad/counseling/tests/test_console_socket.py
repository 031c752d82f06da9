"""The counselor's console: who may connect, taking, holding several, transfer, notes, block."""

from __future__ import annotations

import asyncio

from asgiref.sync import sync_to_async
from django.test import Client

from conftest import make_staff
from samraad.accounts.models import Role
from samraad.counseling import actions
from samraad.counseling.consumers import shared_snapshot
from samraad.counseling.models import Block, Conversation, Message, Note
from samraad.counseling.tests.conftest import (
    Socket,
    console_socket,
    floor_socket,
    open_chat,
    session_cookie,
    socket_db,
    young_socket,
)

pytestmark = socket_db


async def test_an_anonymous_console_is_refused():
    socket = Socket("/ws/console/")

    connected, code = await socket.connect()

    assert connected is False
    assert code == 4403


async def test_staff_without_the_counselor_role_are_refused(coordinator_aarhus):
    cookie = await sync_to_async(session_cookie)(coordinator_aarhus)
    socket = Socket("/ws/console/", [cookie])

    connected, _ = await socket.connect()

    assert connected is False


async def test_a_password_only_session_is_refused_outside_demo_mode(counselor_aarhus):
    def password_only_cookie():
        client = Client()
        client.force_login(counselor_aarhus)
        return (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode())

    socket = Socket("/ws/console/", [await sync_to_async(password_only_cookie)()])

    connected, _ = await socket.connect()

    assert connected is False


async def test_a_password_only_session_is_enough_in_demo_mode(counselor_aarhus, settings):
    settings.SAMRAAD_DEMO = True

    def password_only_cookie():
        client = Client()
        client.force_login(counselor_aarhus)
        return (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode())

    socket = Socket("/ws/console/", [await sync_to_async(password_only_cookie)()])

    connected, _ = await socket.connect()

    assert connected is True
    await socket.close()


async def test_a_foreign_origin_with_a_valid_staff_cookie_is_refused(counselor_aarhus):
    cookie = await sync_to_async(session_cookie)(counselor_aarhus)
    socket = Socket("/ws/console/", [cookie])
    socket.communicator.scope["headers"] = [(b"origin", b"https://evil.example"), cookie]

    connected, _ = await socket.connect()

    assert connected is False


async def test_going_on_shift_brings_the_queue_without_message_text(counselor_aarhus):
    opened = await open_chat(nickname="Lille My")
    young = await young_socket(opened.token)
    await young.send({"type": "msg", "client_id": "y1", "body": "hemmelig tekst"})
    await young.receive_until("ack")

    console = await console_socket(counselor_aarhus)
    queue = await console.receive_until("queue")

    assert [item["conversation"] for item in queue["waiting"]] == [str(opened.conversation.id)]
    assert queue["waiting"][0]["nickname"] == "Lille My"
    assert queue["waiting"][0]["municipality"] == "Aarhus"
    assert "hemmelig" not in str(queue)
    assert queue["colleagues"] == [{"id": counselor_aarhus.pk, "name": str(counselor_aarhus)}]
    await young.close()
    await console.close()


async def test_take_next_when_nobody_waits_says_so(counselor_aarhus):
    console = await console_socket(counselor_aarhus)

    await console.send({"type": "take"})

    assert (await console.receive_until("error"))["code"] == "none_waiting"
    await console.close()


async def test_taking_needs_the_shift(counselor_aarhus):
    await open_chat()
    console = await console_socket(counselor_aarhus, on_shift=False)

    await console.send({"type": "take"})

    assert (await console.receive_until("error"))["code"] == "off_shift"
    await console.close()


async def test_a_counselor_holds_several_up_to_capacity(counselor_aarhus):
    for _ in range(4):
        await open_chat()
    console = await console_socket(counselor_aarhus)

    taken = []
    for _ in range(3):
        await console.send({"type": "take"})
        taken.append((await console.receive_until("assigned"))["conversation"])
    await console.send({"type": "take"})
    refused = await console.receive_until("error")

    assert len(set(taken)) == 3
    assert refused["code"] == "capacity"
    await console.close()


async def test_the_oldest_waiting_conversation_is_taken_first(counselor_aarhus):
    first, second = await open_chat(), await open_chat()
    console = await console_socket(counselor_aarhus)

    await console.send({"type": "take"})

    assert (await console.receive_until("assigned"))["conversation"] == str(first.conversation.id)
    assert second
    await console.close()


async def test_a_reconnected_console_gets_its_conversations_back_with_history(counselor_aarhus):
    opened = await open_chat()
    young = await young_socket(opened.token)
    await young.send({"type": "msg", "client_id": "y1", "body": "er du der?"})
    await young.receive_until("ack")
    console = await console_socket(counselor_aarhus)
    await console.send({"type": "take"})
    await console.receive_until("assigned")
    await console.close()

    again = await console_socket(counselor_aarhus)
    assigned = await again.receive_until("assigned")

    assert assigned["conversation"] == str(opened.conversation.id)
    assert [(m["seq"], m["body"]) for m in assigned["history"]] == [(1, "er du der?")]
    await young.close()
    await again.close()


async def test_a_counselor_cannot_write_into_a_conversation_that_is_not_theirs(counselor_aarhus, counselor_koebenhavn):
    opened = await open_chat()
    mine = await console_socket(counselor_aarhus)
    await mine.send({"type": "take"})
    await mine.receive_until("assigned")
    other = await console_socket(counselor_koebenhavn)

    conversation = str(opened.conversation.id)
    await other.send({"type": "msg", "conversation": conversation, "client_id": "x", "body": "snyd"})
    refused = await other.receive_until("error")
    await other.send({"type": "end", "conversation": conversation})
    refused_end = await other.receive_until("error")
    await other.send(
        {"type": "msg", "conversation": "00000000-0000-0000-0000-000000000000", "client_id": "x", "body": "?"}
    )
    missing = await other.receive_until("error")

    assert refused["code"] == refused_end["code"] == "not_yours"
    assert missing["code"] in ("not_found", "not_yours")
    assert not await Message.objects.filter(conversation_id=conversation).aexists()
    assert (await Conversation.objects.aget(pk=conversation)).state == "active"
    await mine.close()
    await other.close()


async def test_a_note_reaches_the_counselor_and_never_the_young_person(counselor_aarhus):
    opened = await open_chat()
    young = await young_socket(opened.token)
    console = await console_socket(counselor_aarhus)
    await console.send({"type": "take"})
    conversation = (await console.receive_until("assigned"))["conversation"]
    await young.receive_until("state")

    await console.send({"type": "note", "conversation": conversation, "body": "virker bange for far"})
    note = await console.receive_until("note")

    assert note["body"] == "virker bange for far"
    assert await young.nothing()
    assert await Note.objects.filter(conversation_id=conversation).acount() == 1
    await young.close()
    await console.close()


async def test_transfer_to_a_colleague_on_shift(counselor_aarhus, counselor_koebenhavn):
    opened = await open_chat()
    mine = await console_socket(counselor_aarhus)
    colleague = await console_socket(counselor_koebenhavn)
    await mine.send({"type": "take"})
    conversation = (await mine.receive_until("assigned"))["conversation"]

    await mine.send({"type": "transfer", "conversation": conversation, "to": counselor_koebenhavn.pk})
    released = await mine.receive_until("released")
    arrived = await colleague.receive_until("assigned")

    assert released["conversation"] == arrived["conversation"] == conversation
    assert (await Conversation.objects.aget(pk=opened.conversation.id)).counselor_id == counselor_koebenhavn.pk
    await mine.close()
    await colleague.close()


async def test_transfer_to_someone_off_shift_or_outside_the_console_is_refused(counselor_aarhus, coordinator_aarhus):
    await open_chat()
    off_shift = await sync_to_async(make_staff)("sleepy.aarhus", counselor_aarhus.organisation, Role.COUNSELOR)
    mine = await console_socket(counselor_aarhus)
    await mine.send({"type": "take"})
    conversation = (await mine.receive_until("assigned"))["conversation"]

    for target in (off_shift.pk, coordinator_aarhus.pk, counselor_aarhus.pk, 999999):
        await mine.send({"type": "transfer", "conversation": conversation, "to": target})
        assert (await mine.receive_until("error"))["code"] == "bad_colleague"
    assert (await Conversation.objects.aget(pk=conversation)).counselor_id == counselor_aarhus.pk
    await mine.close()


async def test_topic_is_set_from_the_console(counselor_aarhus):
    await open_chat()
    console = await console_socket(counselor_aarhus)
    await console.send({"type": "take"})
    conversation = (await console.receive_until("assigned"))["conversation"]

    await console.send({"type": "topic", "conversation": conversation, "topic": "school"})
    confirmed = await console.receive_until("topic")
    await console.send({"type": "topic", "conversation": conversation, "topic": "nonsense"})
    refused = await console.receive_until("error")

    assert confirmed["topic"] == "school"
    assert refused["code"] == "bad_topic"
    await console.close()


async def test_blocking_ends_the_conversation_and_keeps_the_source_out(counselor_aarhus):
    opened = await open_chat()
    young = await young_socket(opened.token)
    console = await console_socket(counselor_aarhus)
    await console.send({"type": "take"})
    conversation = (await console.receive_until("assigned"))["conversation"]
    await young.receive_until("state")

    await console.send({"type": "block", "conversation": conversation, "minutes": 60, "reason": "trusler"})
    ended = await young.receive_until("state")
    closed = await young.receive_output()
    block = await Block.objects.aget()
    again = Socket("/ws/chat/")
    await again.connect()
    await again.send({"type": "hello", "token": opened.token, "last_seq": 0})
    refused = await again.receive()

    assert ended["state"] == "ended"
    assert closed["code"] == 4403
    assert len(block.source_hash) == 64  # a salted hash, never the address
    assert refused["code"] == "blocked"
    await console.close()


async def test_a_supervisor_sees_the_floor_without_message_text(supervisor, counselor_aarhus):
    opened = await open_chat(nickname="Sol")
    young = await young_socket(opened.token)
    await young.send({"type": "msg", "client_id": "y1", "body": "privat"})
    await young.receive_until("ack")
    counselor = await console_socket(counselor_aarhus)

    floor = await floor_socket(supervisor)
    snapshot = await floor.receive_until("floor")

    assert [item["nickname"] for item in snapshot["waiting"]] == ["Sol"]
    assert snapshot["waiting"][0]["triage_level"] == "normal"
    assert {c["name"] for c in snapshot["counselors"]} == {str(counselor_aarhus)}
    assert "privat" not in str(snapshot)
    await young.close()
    await counselor.close()
    await floor.close()


async def test_a_supervisor_reads_a_live_conversation_and_the_read_is_audited(supervisor, counselor_aarhus):
    from samraad.audit.models import AuditEntry

    opened = await open_chat()
    young = await young_socket(opened.token)
    await young.send({"type": "msg", "client_id": "y1", "body": "hjælp"})
    await young.receive_until("ack")
    counselor = await console_socket(counselor_aarhus)
    await counselor.send({"type": "take"})
    conversation = (await counselor.receive_until("assigned"))["conversation"]
    floor = await floor_socket(supervisor)

    await floor.send({"type": "watch", "conversation": conversation})
    watched = await floor.receive_until("watched")
    await young.send({"type": "msg", "client_id": "y2", "body": "er du der"})
    live = await floor.receive_until("msg")

    assert [m["body"] for m in watched["history"]] == ["hjælp"]
    assert live["body"] == "er du der"
    entry = await AuditEntry.objects.aget(subject_id=conversation)
    assert entry.actor_id == supervisor.pk and entry.action == "read"
    await young.close()
    await counselor.close()
    await floor.close()


async def test_a_counselor_cannot_open_the_floor_or_watch_from_the_console(counselor_aarhus):
    opened = await open_chat()
    cookie = await sync_to_async(session_cookie)(counselor_aarhus)
    floor = Socket("/ws/floor/", [cookie])
    connected, _ = await floor.connect()
    console = await console_socket(counselor_aarhus)

    await console.send({"type": "watch", "conversation": str(opened.conversation.id)})
    refused = await console.receive_until("error")

    assert connected is False
    assert refused["code"] == "unknown_type"
    await console.close()


async def test_the_floor_is_not_a_console(supervisor):
    floor = await floor_socket(supervisor)
    await floor.receive_until("floor")

    await floor.send({"type": "shift", "on": True})
    refused = await floor.receive_until("error")

    assert refused["code"] == "unknown_type"
    assert not await sync_to_async(lambda: supervisor.presence.on_shift if hasattr(supervisor, "presence") else False)()
    await floor.close()


async def test_unwatch_stops_the_live_reading(supervisor, counselor_aarhus):
    opened = await open_chat()
    young = await young_socket(opened.token)
    counselor = await console_socket(counselor_aarhus)
    await counselor.send({"type": "take"})
    conversation = (await counselor.receive_until("assigned"))["conversation"]
    floor = await floor_socket(supervisor)
    await floor.send({"type": "watch", "conversation": conversation})
    await floor.receive_until("watched")

    await floor.send({"type": "unwatch", "conversation": conversation})
    await floor.send({"type": "floor"})
    await floor.receive_until("floor")
    await young.send({"type": "msg", "client_id": "y9", "body": "ikke til dig"})
    await young.receive_until("ack")

    frames = []
    while not await floor.nothing(0.3):
        frames.append(await floor.receive())
    assert all(frame["type"] != "msg" for frame in frames)
    await young.close()
    await counselor.close()
    await floor.close()


async def test_a_supervisor_reassigns_a_live_conversation(supervisor, counselor_aarhus, counselor_koebenhavn):
    await open_chat()
    mine = await console_socket(counselor_aarhus)
    colleague = await console_socket(counselor_koebenhavn)
    await mine.send({"type": "take"})
    conversation = (await mine.receive_until("assigned"))["conversation"]
    floor = await floor_socket(supervisor)

    await floor.send({"type": "transfer", "conversation": conversation, "to": counselor_koebenhavn.pk})
    released = await mine.receive_until("released")
    arrived = await colleague.receive_until("assigned")
    confirmed = await floor.receive_until("transferred")

    assert released["conversation"] == arrived["conversation"] == conversation
    assert confirmed == {"type": "transferred", "conversation": conversation, "to": counselor_koebenhavn.pk}
    await mine.close()
    await colleague.close()
    await floor.close()


async def test_signing_out_closes_the_console(counselor_aarhus):
    cookie = await sync_to_async(session_cookie)(counselor_aarhus)
    console = Socket("/ws/console/", [cookie])
    await console.connect()
    await console.receive_until("shift")

    def sign_out():
        client = Client()
        client.cookies["sessionid"] = cookie[1].decode().split("=", 1)[1]
        client.post("/logout/")

    await sync_to_async(sign_out)()

    assert (await console.receive_output(timeout=3))["code"] == 4401


async def test_deactivating_an_account_closes_its_console(counselor_aarhus):
    console = await console_socket(counselor_aarhus)

    def deactivate():
        counselor_aarhus.is_active = False
        counselor_aarhus.save()

    await sync_to_async(deactivate)()
    closed = await console.receive_output(timeout=3)
    while closed["type"] != "websocket.close":
        closed = await console.receive_output(timeout=3)

    assert closed["code"] == 4401


async def test_losing_the_role_closes_the_console_and_it_cannot_come_back(counselor_aarhus):
    cookie = await sync_to_async(session_cookie)(counselor_aarhus)
    console = Socket("/ws/console/", [cookie])
    await console.connect()
    await console.receive_until("shift")

    await sync_to_async(lambda: counselor_aarhus.role_grants.all().delete())()
    closed = await console.receive_output(timeout=3)
    while closed["type"] != "websocket.close":
        closed = await console.receive_output(timeout=3)
    again = Socket("/ws/console/", [cookie])
    connected, _ = await again.connect()

    assert closed["code"] == 4401
    assert connected is False


async def test_an_auto_assigning_counselor_is_offered_a_chat_and_accepts(counselor_aarhus, aarhus):
    from samraad.accounts.models import Organisation

    aarhus.assignment = Organisation.Assignment.AUTO
    await aarhus.asave()
    console = await console_socket(counselor_aarhus)

    opened = await open_chat()
    offer = await console.receive_until("offer")
    await console.send({"type": "accept", "conversation": offer["conversation"]})
    assigned = await console.receive_until("assigned")

    assert offer["conversation"] == str(opened.conversation.id)
    assert 0 < offer["expires_in_s"] <= 30
    assert assigned["conversation"] == offer["conversation"]
    await console.close()


async def test_a_burst_from_both_sides_is_stored_once_in_order_and_every_ack_follows_its_commit(counselor_aarhus):
    opened = await open_chat()
    young = await young_socket(opened.token)
    console = await console_socket(counselor_aarhus)
    await console.send({"type": "take"})
    conversation = (await console.receive_until("assigned"))["conversation"]
    await young.receive_until("state")

    # Sent without waiting, so the server stores them in batches (group commit); the same
    # frame three times over must still be one message.
    for n in range(15):
        await young.send({"type": "msg", "client_id": f"y{n}", "body": f"ung {n}"})
        await console.send({"type": "msg", "conversation": conversation, "client_id": f"c{n}", "body": f"rådgiver {n}"})
    for _ in range(3):
        await young.send({"type": "msg", "client_id": "y-twice", "body": "igen"})

    young_acks = [(await young.receive_until("ack"))["seq"] for _ in range(18)]
    console_acks = [(await console.receive_until("ack"))["seq"] for _ in range(15)]
    rows = await sync_to_async(lambda: list(Message.objects.filter(conversation_id=conversation).order_by("seq")))()

    assert [row.seq for row in rows] == list(range(1, 32))  # 15 + 15 + one for the three twins
    assert len(set(young_acks[-3:])) == 1  # the three twins share one seq
    assert young_acks[:15] == sorted(young_acks[:15]) and console_acks == sorted(console_acks)
    assert [row.body for row in rows if row.sender == "young"][:15] == [f"ung {n}" for n in range(15)]
    await young.close()
    await console.close()


async def test_consoles_connecting_together_share_one_queue_snapshot_no_older_than_their_request(
    monkeypatch, counselor_aarhus
):
    computed = []
    real = actions.queue_snapshot

    def counted(*args, **kwargs) -> dict:
        computed.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(actions, "queue_snapshot", counted)
    await open_chat()
    computed.clear()

    snapshots = await asyncio.gather(*(shared_snapshot.get() for _ in range(20)))
    assert 1 <= len(computed) <= 2  # one running when the rest asked, then one for all of them
    assert all(len(snapshot["waiting"]) == 1 for snapshot in snapshots)

    await open_chat()  # a change after the last computation is seen by the next request
    assert len((await shared_snapshot.get())["waiting"]) == 2
