"""Counselors correct triage: a conversation's level set by hand, with a reason, from the console
or the floor; the queue reorders at once, the change is audited and counted without the words."""

from __future__ import annotations

from asgiref.sync import sync_to_async

from samraad.audit.models import AuditEntry
from samraad.counseling.models import Conversation, Level, Note, TriageCorrection
from samraad.counseling.tests.conftest import console_socket, floor_socket, open_chat, socket_db, young_socket

pytestmark = socket_db

CRITICAL = "jeg har taget alle mine piller nu og vil dø"


async def _held(counselor, body: str = "hej") -> tuple[str, object, object]:
    opened = await open_chat()
    young = await young_socket(opened.token)
    await young.send({"type": "msg", "client_id": "y1", "body": body})
    await young.receive_until("ack")
    console = await console_socket(counselor)
    await console.send({"type": "take"})
    conversation = (await console.receive_until("assigned"))["conversation"]
    await young.receive_until("state")  # active: a counselor has it
    return conversation, young, console


async def test_a_counselor_raises_a_missed_risk_with_a_reason(counselor_aarhus):
    conversation, young, console = await _held(counselor_aarhus, "hej, jeg har brug for at snakke med nogen")

    await console.send(
        {
            "type": "level",
            "conversation": conversation,
            "level": "critical",
            "reason": "Står på en bro og har skrevet farvel",
            "category": "suicide",
        }
    )
    changed = await console.receive_until("level")
    note = await console.receive_until("note")

    assert (changed["level"], changed["by"]) == ("critical", str(counselor_aarhus))
    assert note["body"] == "Normal → Kritisk: Står på en bro og har skrevet farvel"  # in the platform's language
    stored = await Conversation.objects.aget(pk=conversation)
    assert stored.triage_level == Level.CRITICAL
    correction = await TriageCorrection.objects.aget(conversation_id=conversation)
    assert (correction.direction, correction.from_level, correction.to_level) == ("up", 0, 2)
    assert correction.category == "suicide" and correction.corrected_by_id == counselor_aarhus.pk
    entry = await AuditEntry.objects.aget(subject_id=conversation, action="change")
    assert entry.reason == "triage level set by hand: normal → critical"
    assert "bro" not in entry.reason  # the words stay in the note, which retention deletes
    assert await young.nothing()  # the young person never hears of triage
    await young.close()
    await console.close()


async def test_a_lowered_level_stays_until_a_new_message_raises_it(counselor_aarhus):
    conversation, young, console = await _held(counselor_aarhus, CRITICAL)

    await console.send({"type": "level", "conversation": conversation, "level": "normal", "reason": "Sangtekst"})
    await console.receive_until("level")
    await young.send({"type": "msg", "client_id": "y2", "body": "haha ja"})
    await young.receive_until("ack")
    calm = (await Conversation.objects.aget(pk=conversation)).triage_level
    await young.send({"type": "msg", "client_id": "y3", "body": CRITICAL})
    await young.receive_until("ack")
    raised = (await Conversation.objects.aget(pk=conversation)).triage_level

    assert calm == Level.NORMAL
    assert raised == Level.CRITICAL
    assert await TriageCorrection.objects.filter(direction="down").acount() == 1
    await young.close()
    await console.close()


async def test_another_counselor_cannot_correct_a_conversation_they_do_not_hold(counselor_aarhus, counselor_koebenhavn):
    conversation, young, console = await _held(counselor_aarhus)
    other = await console_socket(counselor_koebenhavn)

    await other.send({"type": "level", "conversation": conversation, "level": "critical", "reason": "nej"})
    refused = await other.receive_until("error")

    assert refused["code"] == "not_yours"
    assert (await Conversation.objects.aget(pk=conversation)).triage_level == Level.NORMAL
    assert not await TriageCorrection.objects.aexists()
    assert not await Note.objects.filter(conversation_id=conversation).aexists()
    for socket in (young, console, other):
        await socket.close()


async def test_a_supervisor_lowers_a_false_alarm_and_the_queue_reorders(supervisor, counselor_aarhus):
    calm = await open_chat()
    waiting = await young_socket(calm.token)
    alarm = await open_chat()
    alarmed = await young_socket(alarm.token)
    await alarmed.send({"type": "msg", "client_id": "y1", "body": CRITICAL})
    await alarmed.receive_until("ack")
    first = await waiting.receive_until("queue")
    while first["position"] != 2:  # the critical one has gone ahead
        first = await waiting.receive_until("queue")
    floor = await floor_socket(supervisor)
    await floor.receive_until("floor")

    await floor.send(
        {"type": "level", "conversation": str(alarm.conversation.id), "level": "normal", "reason": "Citat fra en film"}
    )
    await floor.receive_until("level")
    moved = await waiting.receive_until("queue")
    while moved["position"] != 1:  # announcements made before the correction may still arrive
        moved = await waiting.receive_until("queue")
    counselor = await console_socket(counselor_aarhus)
    await counselor.send({"type": "take"})
    taken = await counselor.receive_until("assigned")

    assert taken["conversation"] == str(calm.conversation.id)
    assert await sync_to_async(TriageCorrection.objects.filter(direction="down", corrected_by=supervisor).count)() == 1
    for socket in (alarmed, waiting, floor, counselor):
        await socket.close()


async def test_a_correction_to_the_same_level_or_an_unknown_kind_changes_nothing(counselor_aarhus):
    conversation, young, console = await _held(counselor_aarhus)

    await console.send({"type": "level", "conversation": conversation, "level": "normal", "reason": "x"})
    same = await console.receive_until("error")
    await console.send(
        {"type": "level", "conversation": conversation, "level": "critical", "reason": "x", "category": "weather"}
    )
    unknown = await console.receive_until("error")
    await console.send({"type": "level", "conversation": conversation, "level": "critical", "reason": ""})
    empty = await console.receive_until("error")

    assert (same["code"], unknown["code"], empty["code"]) == ("same_level", "bad_category", "bad_frame")
    assert not await TriageCorrection.objects.aexists()
    await young.close()
    await console.close()


def test_the_kinds_of_risk_a_counselor_names_are_the_kinds_triage_knows():
    from samraad.counseling import triage, triage_model
    from samraad.counseling.models import RiskCategory

    model = triage_model.default_model()

    assert tuple(RiskCategory.values) == triage.CATEGORIES
    assert model is not None and set(model.categories) <= set(triage.CATEGORIES)
