"""A conversation under a legal hold outlives its retention until the hold is lifted; placing and
lifting it is for the coordinators and administrators concerned, and both are audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import make_staff
from samraad.accounts.models import Organisation, Role
from samraad.audit.models import AuditEntry
from samraad.counseling import actions
from samraad.counseling.errors import Refused
from samraad.counseling.models import Conversation, Message, Note

pytestmark = pytest.mark.django_db

REASON = "Underretning til Aarhus Kommune 12.03.2025"


def past_retention(*, municipality: Organisation | None, answered_by: Organisation | None, author) -> Conversation:
    conversation = Conversation.objects.create(
        municipality=municipality,
        answered_by=answered_by,
        state=Conversation.State.ENDED,
        token_hash=f"token-{Conversation.objects.count()}",
        resume_code_hash=f"code-{Conversation.objects.count()}",
        ended_at=timezone.now() - timedelta(days=400),
    )
    Message.objects.create(conversation=conversation, seq=1, sender="young", body="han slår mig")
    Note.objects.create(conversation=conversation, author=author, body="underretning sendt")
    return conversation


def test_a_held_conversation_survives_the_purge_and_goes_once_the_hold_is_lifted(
    coordinator_aarhus, counselor_aarhus, aarhus
):
    held = past_retention(municipality=aarhus, answered_by=aarhus, author=counselor_aarhus)
    other = past_retention(municipality=aarhus, answered_by=aarhus, author=counselor_aarhus)

    actions.do_place_legal_hold(held.id, user=coordinator_aarhus, reason=REASON)
    first = actions.do_purge_transcripts()

    held.refresh_from_db()
    assert first == 1
    assert held.purged_at is None and (held.legal_hold, held.legal_hold_reason) == (True, REASON)
    assert held.legal_hold_by == coordinator_aarhus and held.legal_hold_at is not None
    assert Message.objects.get(conversation=held).body == "han slår mig"
    assert Note.objects.filter(conversation=held).exists()
    assert not Message.objects.filter(conversation=other).exists()

    actions.do_lift_legal_hold(held.id, user=coordinator_aarhus)
    second = actions.do_purge_transcripts()

    held.refresh_from_db()
    assert second == 1
    assert held.purged_at is not None and not held.legal_hold
    assert not Message.objects.filter(conversation=held).exists()
    assert not Note.objects.filter(conversation=held).exists()


def test_placing_and_lifting_a_hold_are_in_the_audit_log(coordinator_aarhus, counselor_aarhus, aarhus):
    held = past_retention(municipality=aarhus, answered_by=aarhus, author=counselor_aarhus)

    actions.do_place_legal_hold(held.id, user=coordinator_aarhus, reason=REASON)
    actions.do_lift_legal_hold(held.id, user=coordinator_aarhus)

    placed, lifted = AuditEntry.objects.filter(subject_id=str(held.pk)).order_by("id")
    for entry in (placed, lifted):
        assert (entry.actor, entry.action, entry.organisation) == (coordinator_aarhus, "change", aarhus)
        assert entry.subject_type == "counseling.conversation"
        assert REASON in entry.reason and "slår" not in entry.reason
    assert placed.reason.startswith("legal hold placed")
    assert lifted.reason.startswith("legal hold lifted")


def test_the_answering_organisation_may_hold_a_conversation_from_another_municipality(
    coordinator_aarhus, counselor_aarhus, aarhus, koebenhavn
):
    from_koebenhavn = past_retention(municipality=koebenhavn, answered_by=aarhus, author=counselor_aarhus)

    actions.do_place_legal_hold(from_koebenhavn.id, user=coordinator_aarhus, reason=REASON)

    from_koebenhavn.refresh_from_db()
    assert from_koebenhavn.legal_hold
    # The municipality is responsible for the conversation, so its audit log has the entry.
    assert AuditEntry.objects.get().organisation == koebenhavn


def test_only_coordinators_and_administrators_concerned_may_hold_and_all_others_hear_no_such_conversation(
    counselor_aarhus, outsider, aarhus
):
    conversation = past_retention(municipality=aarhus, answered_by=aarhus, author=counselor_aarhus)
    refusals = []

    for person, conversation_id in [
        (outsider, conversation.id),  # coordinator and administrator, of Odense
        (counselor_aarhus, conversation.id),  # of Aarhus, without the role
        (make_staff("stray.coordinator", None, Role.COORDINATOR), conversation.id),
        (outsider, "00000000-0000-0000-0000-000000000000"),
    ]:
        with pytest.raises(Refused) as refused:
            actions.do_place_legal_hold(conversation_id, user=person, reason=REASON)
        refusals.append((refused.value.code, refused.value.detail))

    conversation.refresh_from_db()
    assert not conversation.legal_hold
    assert set(refusals) == {("not_found", "No such conversation.")}
    assert not AuditEntry.objects.exists()


def test_a_hold_needs_a_reason_and_a_purged_conversation_cannot_be_held(coordinator_aarhus, counselor_aarhus, aarhus):
    conversation = past_retention(municipality=aarhus, answered_by=aarhus, author=counselor_aarhus)

    with pytest.raises(Refused) as no_reason:
        actions.do_place_legal_hold(conversation.id, user=coordinator_aarhus, reason="  ")
    actions.do_purge_transcripts()
    with pytest.raises(Refused) as too_late:
        actions.do_place_legal_hold(conversation.id, user=coordinator_aarhus, reason=REASON)

    assert no_reason.value.code == "reason_required"
    assert too_late.value.code == "purged"


def hold_form(client, conversation: Conversation, **changes: str):
    url = reverse("admin:counseling_conversation_change", args=[conversation.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    data.pop("legal_hold")
    return client.post(url, {**data, **changes})


def test_an_administrator_places_and_lifts_a_hold_in_the_administration(
    signed_in, admin_aarhus, counselor_aarhus, aarhus
):
    conversation = past_retention(municipality=aarhus, answered_by=aarhus, author=counselor_aarhus)
    client = signed_in(admin_aarhus)

    page = client.get(reverse("admin:counseling_conversation_change", args=[conversation.pk])).content.decode()
    without_reason = hold_form(client, conversation, legal_hold="on", legal_hold_reason="")
    conversation.refresh_from_db()
    held_without_reason = conversation.legal_hold
    placed = hold_form(client, conversation, legal_hold="on", legal_hold_reason=REASON)
    conversation.refresh_from_db()
    held = (conversation.legal_hold, conversation.legal_hold_reason, conversation.legal_hold_by)
    lifted = hold_form(client, conversation)
    conversation.refresh_from_db()

    assert "slår" not in page and "underretning sendt" not in page
    assert without_reason.status_code == 200 and not held_without_reason
    assert "Skriv, hvorfor samtalen tilbageholdes" in without_reason.content.decode()
    assert placed.status_code == 302 and held == (True, REASON, admin_aarhus)
    assert lifted.status_code == 302 and not conversation.legal_hold
    assert [entry.reason.split(":")[0] for entry in AuditEntry.objects.order_by("id")] == [
        "legal hold placed",
        "legal hold lifted; it was held for",
    ]


def test_an_administrator_sees_only_the_conversations_of_their_own_organisation(
    signed_in, admin_aarhus, counselor_aarhus, aarhus, koebenhavn
):
    own = past_retention(municipality=aarhus, answered_by=koebenhavn, author=counselor_aarhus)
    answered = past_retention(municipality=None, answered_by=aarhus, author=counselor_aarhus)
    foreign = past_retention(municipality=koebenhavn, answered_by=koebenhavn, author=counselor_aarhus)

    client = signed_in(admin_aarhus)
    listed = client.get(reverse("admin:counseling_conversation_changelist")).context["cl"]
    found = client.get(reverse("admin:counseling_conversation_changelist"), {"q": str(own.pk)[:8]}).context["cl"]
    hidden = client.get(reverse("admin:counseling_conversation_changelist"), {"q": str(foreign.pk)[:8]}).context["cl"]

    assert set(listed.queryset) == {own, answered}
    assert list(found.queryset) == [own]
    assert list(hidden.queryset) == []
