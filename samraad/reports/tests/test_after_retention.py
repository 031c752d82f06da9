"""The reports read only what a conversation row keeps, so they are the same after retention has
deleted the words."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from samraad.accounts.models import Organisation
from samraad.counseling.actions import do_lift_legal_hold, do_place_legal_hold, do_purge_transcripts
from samraad.counseling.models import Conversation, Message
from samraad.reports.figures import Scope, figures
from samraad.reports.tests.conftest import MARCH
from samraad.reports.views import REPORT_TABLES, STAFFING_TABLES

pytestmark = pytest.mark.django_db

QUERY = {"first_day": "2025-03-01", "last_day": "2025-03-31", "week": "2025-W10"}


def every_export(client) -> dict[str, bytes]:
    exports = {}
    for table in REPORT_TABLES:
        exports[table] = client.get(reverse("reports:report_csv", args=[table]), QUERY).content
    for table in STAFFING_TABLES:
        exports[table] = client.get(reverse("reports:staffing_csv", args=[table]), QUERY).content
    return exports


def test_every_number_is_the_same_before_and_after_the_purge(signed_in, supervisor, march, settings):
    client = signed_in(supervisor)
    before = every_export(client)
    national, aarhus = figures(MARCH, Scope()), figures(MARCH, Scope(march.aarhus))

    purged = do_purge_transcripts(now=timezone.now() + timedelta(days=settings.SAMRAAD_RETENTION_DAYS + 1))

    assert purged == Conversation.objects.filter(state__in=["ended", "abandoned"]).count() > 0
    assert not Message.objects.exists()
    assert every_export(client) == before
    assert figures(MARCH, Scope()) == national
    assert figures(MARCH, Scope(march.aarhus)) == aarhus
    assert b"Aarhus" in before["municipalities"]


def test_every_number_is_the_same_while_organisations_keep_words_for_different_times_and_under_a_hold(
    signed_in, supervisor, coordinator_aarhus, march, settings
):
    # Given København keeps words ten years and one Aarhus conversation is held
    client = signed_in(supervisor)
    before = every_export(client)
    national, aarhus = figures(MARCH, Scope()), figures(MARCH, Scope(march.aarhus))
    Organisation.objects.filter(pk=march.koebenhavn.pk).update(retention_days=3650)
    held = march.rows[0]
    do_place_legal_hold(held.id, user=coordinator_aarhus, reason="Klage over rådgivningen")

    # When the purge takes the rest, then what remains once the hold is lifted and København
    # returns to the setting
    do_purge_transcripts()
    partly = every_export(client), figures(MARCH, Scope()), figures(MARCH, Scope(march.aarhus))
    left = set(Message.objects.values_list("conversation_id", flat=True))
    do_lift_legal_hold(held.id, user=coordinator_aarhus)
    Organisation.objects.filter(pk=march.koebenhavn.pk).update(retention_days=None)
    do_purge_transcripts()

    # Then
    koebenhavns = {row.pk for row in Conversation.objects.filter(municipality=march.koebenhavn)}
    assert left == koebenhavns | {held.pk}
    assert partly == (before, national, aarhus)
    assert not Message.objects.exists()
    assert every_export(client) == before
    assert figures(MARCH, Scope()) == national
    assert figures(MARCH, Scope(march.aarhus)) == aarhus
