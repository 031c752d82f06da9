"""A young person's words are triaged as they arrive: a critical message jumps the queue, alerts
the supervisors and shows the counselor why, and the young person never sees any of it."""

from __future__ import annotations

from samraad.counseling.models import Conversation, Message
from samraad.counseling.tests.conftest import console_socket, floor_socket, open_chat, socket_db, young_socket

pytestmark = socket_db

CRITICAL = "jeg har taget alle mine piller nu og vil dø"


async def test_a_critical_message_jumps_the_queue_and_alerts_the_supervisor(supervisor, counselor_aarhus):
    first = await open_chat()
    second = await open_chat()
    floor = await floor_socket(supervisor)
    await floor.receive_until("floor")
    young = await young_socket(second.token)
    await young.receive_until("queue")

    await young.send({"type": "msg", "client_id": "y1", "body": CRITICAL})
    await young.receive_until("ack")
    alert = await floor.receive_until("alert")
    moved = await young.receive_until("queue")
    counselor = await console_socket(counselor_aarhus)
    await counselor.send({"type": "take"})
    taken = await counselor.receive_until("assigned")

    assert alert["conversation"] == str(second.conversation.id)
    assert alert["level"] == "critical"
    assert alert["reasons"]
    assert moved["position"] == 1
    assert taken["conversation"] == str(second.conversation.id)
    assert taken["triage_level"] == "critical"
    assert taken["history"][0]["triage"]["level"] == "critical"
    assert (await Conversation.objects.aget(pk=second.conversation.id)).triage_level == 2
    assert first
    await young.close()
    await floor.close()
    await counselor.close()


async def test_the_holding_counselor_sees_the_level_and_why_but_the_young_person_does_not(counselor_aarhus):
    opened = await open_chat()
    young = await young_socket(opened.token)
    counselor = await console_socket(counselor_aarhus)
    await counselor.send({"type": "take"})
    await counselor.receive_until("assigned")
    await young.receive_until("state")

    await young.send({"type": "msg", "client_id": "y1", "body": "nogle gange vil jeg bare ikke være her"})
    await young.receive_until("ack")
    triage = await counselor.receive_until("triage")
    message = await Message.objects.aget(conversation_id=opened.conversation.id)

    assert triage["level"] == "elevated"
    assert triage["seq"] == 1
    assert message.triage_level == 1
    assert await young.nothing()  # no triage frame, no echo
    await young.close()
    await counselor.close()


async def test_an_idiom_raises_nothing(counselor_aarhus):
    opened = await open_chat()
    young = await young_socket(opened.token)

    await young.send({"type": "msg", "client_id": "y1", "body": "haha jeg dør af grin"})
    await young.receive_until("ack")

    assert (await Conversation.objects.aget(pk=opened.conversation.id)).triage_level == 0
    await young.close()


async def test_a_place_after_an_intent_in_the_message_before_makes_the_conversation_critical(supervisor):
    opened = await open_chat()
    young = await young_socket(opened.token)
    floor = await floor_socket(supervisor)
    await floor.receive_until("floor")

    await young.send({"type": "msg", "client_id": "y1", "body": "jeg vil ikke leve mere"})
    await young.receive_until("ack")
    elevated = (await Conversation.objects.aget(pk=opened.conversation.id)).triage_level
    await young.send({"type": "msg", "client_id": "y2", "body": "jeg er på broen"})
    await young.receive_until("ack")
    alert = await floor.receive_until("alert")

    assert elevated == 1
    assert (await Conversation.objects.aget(pk=opened.conversation.id)).triage_level == 2
    assert (alert["seq"], alert["level"]) == (2, "critical")
    await young.close()
    await floor.close()


async def test_a_calm_message_never_lowers_the_conversation(counselor_aarhus):
    opened = await open_chat()
    young = await young_socket(opened.token)

    for number, body in enumerate([CRITICAL, "okay", "tak fordi du lytter", "hej"]):
        await young.send({"type": "msg", "client_id": f"y{number}", "body": body})
        await young.receive_until("ack")

    assert (await Conversation.objects.aget(pk=opened.conversation.id)).triage_level == 2
    await young.close()
