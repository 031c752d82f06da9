"""An organisation's administrator chooses how long its conversations' words are kept."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from samraad.accounts.models import Organisation

pytestmark = pytest.mark.django_db


def save_retention(client: Client, organisation: Organisation, days: str):
    url = reverse("admin:accounts_organisation_change", args=[organisation.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    return client.post(url, {**data, "retention_days": days})


def test_the_administrator_sets_and_clears_the_organisations_retention(signed_in, admin_aarhus, aarhus):
    client = signed_in(admin_aarhus)

    chosen = save_retention(client, aarhus, "90")
    aarhus.refresh_from_db()
    after_choosing = aarhus.retention_days
    cleared = save_retention(client, aarhus, "")
    aarhus.refresh_from_db()

    assert chosen.status_code == cleared.status_code == 302
    assert after_choosing == 90
    assert aarhus.retention_days is None


def test_no_retention_of_zero_days(signed_in, admin_aarhus, aarhus):
    response = save_retention(signed_in(admin_aarhus), aarhus, "0")

    assert response.status_code == 200
    aarhus.refresh_from_db()
    assert aarhus.retention_days is None


def test_another_organisations_retention_is_out_of_reach(signed_in, admin_aarhus, koebenhavn):
    client = signed_in(admin_aarhus)

    response = client.post(
        reverse("admin:accounts_organisation_change", args=[koebenhavn.pk]),
        {"name": koebenhavn.name, "assignment": koebenhavn.assignment, "retention_days": "1"},
    )

    assert response.status_code == 302 and response["Location"] == "/admin/"
    koebenhavn.refresh_from_db()
    assert koebenhavn.retention_days is None
