"""Organisations that choose auto-assignment: offers, answers, and never waiting on the absent."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import make_staff
from samraad.accounts.models import Organisation, Role
from samraad.counseling import actions
from samraad.counseling.errors import Refused
from samraad.counseling.models import Conversation, Offer
from samraad.counseling.tests.conftest import waiting_chat
from samraad.rota.models import Presence

pytestmark = pytest.mark.django_db


@pytest.fixture
def auto_aarhus(aarhus):
    aarhus.assignment = Organisation.Assignment.AUTO
    aarhus.save()
    return aarhus


def on_shift(*people):
    for person in people:
        actions.do_set_shift(person, on=True)


def open_chat():
    return waiting_chat(municipality_code=None, topic=None, nickname=None).conversation


def test_a_waiting_chat_is_offered_to_an_auto_counselor(auto_aarhus, counselor_aarhus):
    on_shift(counselor_aarhus)
    conversation = open_chat()

    actions.do_dispatch_offers()

    offer = Offer.objects.get(conversation=conversation)
    assert (offer.counselor, offer.answer) == (counselor_aarhus, "pending")


def test_accepting_an_offer_assigns_the_conversation(auto_aarhus, counselor_aarhus):
    on_shift(counselor_aarhus)
    conversation = open_chat()
    actions.do_dispatch_offers()

    actions.do_accept_offer(counselor_aarhus, conversation.id)

    conversation.refresh_from_db()
    assert (conversation.state, conversation.counselor) == ("active", counselor_aarhus)
    assert Offer.objects.get(conversation=conversation).answer == "accepted"


def test_a_declined_offer_goes_to_the_next_counselor(auto_aarhus, counselor_aarhus):
    colleague = make_staff("colleague.aarhus", auto_aarhus, Role.COUNSELOR)
    on_shift(counselor_aarhus, colleague)
    conversation = open_chat()
    actions.do_dispatch_offers()
    first = Offer.objects.get(conversation=conversation).counselor

    actions.do_decline_offer(first, conversation.id)
    actions.do_dispatch_offers()

    second = Offer.objects.get(conversation=conversation, answer="pending").counselor
    assert {first, second} == {counselor_aarhus, colleague}


def test_an_unanswered_offer_runs_out_and_moves_on(auto_aarhus, counselor_aarhus, settings):
    colleague = make_staff("colleague.aarhus", auto_aarhus, Role.COUNSELOR)
    on_shift(counselor_aarhus, colleague)
    conversation = open_chat()
    actions.do_dispatch_offers()
    absent = Offer.objects.get(conversation=conversation).counselor

    later = timezone.now() + timedelta(seconds=settings.SAMRAAD_OFFER_TIMEOUT_S + 1)
    actions.do_touch(young=[], counselor=[], consoles=[counselor_aarhus.pk, colleague.pk], now=later)
    actions.do_dispatch_offers(later)

    assert Offer.objects.get(conversation=conversation, counselor=absent).answer == "expired"
    assert Offer.objects.get(conversation=conversation, answer="pending").counselor != absent


def test_nobody_left_to_offer_to_leaves_it_for_take_next(auto_aarhus, counselor_aarhus, counselor_koebenhavn):
    on_shift(counselor_aarhus, counselor_koebenhavn)
    conversation = open_chat()
    actions.do_dispatch_offers()
    actions.do_decline_offer(counselor_aarhus, conversation.id)
    actions.do_dispatch_offers()

    taken = actions.do_take(counselor_koebenhavn)

    assert taken.pk == conversation.pk
    assert not Offer.objects.filter(answer="pending").exists()


def test_take_next_by_someone_else_withdraws_the_offer(auto_aarhus, counselor_aarhus, counselor_koebenhavn):
    on_shift(counselor_aarhus, counselor_koebenhavn)
    conversation = open_chat()
    actions.do_dispatch_offers()

    actions.do_take(counselor_koebenhavn)

    assert Offer.objects.get(conversation=conversation).answer == "withdrawn"
    with pytest.raises(Refused) as refused:
        actions.do_accept_offer(counselor_aarhus, conversation.id)
    assert refused.value.code == "offer_gone"
    assert Conversation.objects.get(pk=conversation.pk).counselor == counselor_koebenhavn


def test_take_next_organisations_get_no_offers(counselor_aarhus):
    on_shift(counselor_aarhus)
    open_chat()

    assert actions.do_dispatch_offers() == 0
    assert not Offer.objects.exists()


def test_offers_respect_capacity(auto_aarhus, counselor_aarhus):
    on_shift(counselor_aarhus)
    for _ in range(5):
        open_chat()

    actions.do_dispatch_offers()

    assert Offer.objects.filter(answer="pending").count() == 3  # capacity 3


def test_with_nobody_waiting_the_beat_loads_no_counselors(auto_aarhus, counselor_aarhus):
    # Every heartbeat dispatches; with an empty queue, loading everyone on shift (thousands of model
    # objects in reference cycles) only fed the garbage collector's full passes.
    on_shift(counselor_aarhus)

    with CaptureQueriesContext(connection) as queries:
        assert actions.do_dispatch_offers() == 0

    assert not [query["sql"] for query in queries if Presence._meta.db_table in query["sql"]]
