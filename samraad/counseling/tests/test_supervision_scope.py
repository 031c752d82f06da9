"""How far a supervisor sees: the central service's supervisors the whole pool, a municipality's
own supervisor its own young people and its own counselors (docs/security.md, "Roles"). The
finding behind it: a supervisor made by a municipality's administrator could read and reassign
another municipality's conversations from the floor."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async

from conftest import make_staff
from samraad.accounts.models import Role, User
from samraad.counseling.tests.conftest import console_socket, floor_socket, open_chat, socket_db, young_socket

pytestmark = socket_db

CRITICAL = "jeg har taget alle mine piller nu og vil dø"


@pytest.fixture
def supervisor_aarhus(aarhus) -> User:
    return make_staff("ida.aarhus", aarhus, Role.SUPERVISOR, Role.COUNSELOR)


async def _held_by(counselor: User, municipality: str) -> tuple[str, object, object]:
    """A conversation from `municipality`, with its young person connected, held by `counselor`."""
    opened = await open_chat(municipality)
    young = await young_socket(opened.token)
    await young.send({"type": "msg", "client_id": "y1", "body": "hej"})
    await young.receive_until("ack")
    console = await console_socket(counselor)
    await console.send({"type": "take"})
    conversation = (await console.receive_until("assigned"))["conversation"]
    return conversation, young, console


async def test_a_municipal_supervisor_cannot_watch_or_move_another_municipalitys_conversation(
    supervisor_aarhus, counselor_koebenhavn, counselor_aarhus
):
    conversation, young, console = await _held_by(counselor_koebenhavn, "0101")
    helper = await console_socket(counselor_aarhus)
    floor = await floor_socket(supervisor_aarhus)
    snapshot = await floor.receive_until("floor")

    await floor.send({"type": "watch", "conversation": conversation})
    watched = await floor.receive_until("error")
    await floor.send({"type": "transfer", "conversation": conversation, "to": counselor_aarhus.pk})
    moved = await floor.receive_until("error")
    await young.send({"type": "msg", "client_id": "y2", "body": "hemmeligt"})
    await young.receive_until("ack")

    assert snapshot["live"] == [] and snapshot["waiting"] == []
    assert {c["name"] for c in snapshot["counselors"]} == {str(counselor_aarhus)}  # their own only
    assert watched["code"] == "not_found"
    assert moved["code"] == "not_yours"
    assert await floor.nothing()  # not a word of it
    for socket in (young, console, helper, floor):
        await socket.close()


async def test_a_municipal_supervisor_watches_their_own_young_persons_conversation(
    supervisor_aarhus, counselor_koebenhavn
):
    conversation, young, console = await _held_by(counselor_koebenhavn, "0751")  # an Aarhus young person
    floor = await floor_socket(supervisor_aarhus)
    snapshot = await floor.receive_until("floor")

    await floor.send({"type": "watch", "conversation": conversation})
    watched = await floor.receive_until("watched")

    assert [item["conversation"] for item in snapshot["live"]] == [conversation]
    assert [m["body"] for m in watched["history"]] == ["hej"]
    for socket in (young, console, floor):
        await socket.close()


async def test_the_pools_supervisor_watches_every_municipalitys_conversation(supervisor, counselor_koebenhavn):
    conversation, young, console = await _held_by(counselor_koebenhavn, "0101")
    floor = await floor_socket(supervisor)
    await floor.receive_until("floor")

    await floor.send({"type": "watch", "conversation": conversation})
    watched = await floor.receive_until("watched")

    assert watched["conversation"] == conversation
    for socket in (young, console, floor):
        await socket.close()


async def test_critical_alerts_reach_the_pool_and_the_young_persons_own_supervisors_only(
    supervisor, supervisor_aarhus, koebenhavn
):
    supervisor_koebenhavn = await sync_to_async(make_staff)("bo.kbh", koebenhavn, Role.SUPERVISOR)
    floors = {
        "pool": await floor_socket(supervisor),
        "aarhus": await floor_socket(supervisor_aarhus),
        "koebenhavn": await floor_socket(supervisor_koebenhavn),
    }
    for floor in floors.values():
        await floor.receive_until("floor")
    opened = await open_chat("0101")
    young = await young_socket(opened.token)

    await young.send({"type": "msg", "client_id": "y1", "body": CRITICAL})
    await young.receive_until("ack")

    assert (await floors["pool"].receive_until("alert"))["conversation"] == str(opened.conversation.id)
    assert (await floors["koebenhavn"].receive_until("alert"))["conversation"] == str(opened.conversation.id)
    frames = []
    while not await floors["aarhus"].nothing(timeout=0.5):
        frames.append(await floors["aarhus"].receive())
    assert [frame["type"] for frame in frames if frame["type"] != "floor"] == []
    assert all(frame["waiting"] == [] for frame in frames)  # nothing of København's queue either
    for socket in (young, *floors.values()):
        await socket.close()


async def test_a_watch_of_an_ended_conversation_is_refused(supervisor, counselor_aarhus):
    conversation, young, console = await _held_by(counselor_aarhus, "0751")
    await console.send({"type": "end", "conversation": conversation})
    await young.receive_until("state")
    floor = await floor_socket(supervisor)
    await floor.receive_until("floor")

    await floor.send({"type": "watch", "conversation": conversation})
    refused = await floor.receive_until("error")

    assert refused["code"] == "not_found"
    for socket in (young, console, floor):
        await socket.close()


@pytest.mark.parametrize(("who", "says"), [("pool", "på tværs af alle kommuner"), ("own", "Aarhus' egne unge")])
def test_the_floor_page_says_whose_conversations_it_shows(who, says, supervisor, supervisor_aarhus, client):
    from conftest import sign_in

    person = supervisor if who == "pool" else supervisor_aarhus
    page = sign_in(client, person).get("/console/floor/").content.decode()

    assert says in page
