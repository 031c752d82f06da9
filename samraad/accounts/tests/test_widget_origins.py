"""An organisation's administrator registers the web sites that may show the chat widget."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def save_sites(client: Client, organisation, sites: str):
    url = reverse("admin:accounts_organisation_change", args=[organisation.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    return client.post(url, {**data, "widget_origins": sites})


def test_the_administrator_registers_the_sites_in_canonical_form(signed_in, admin_aarhus, aarhus):
    response = save_sites(signed_in(admin_aarhus), aarhus, " https://WWW.Aarhus.dk/\n\nhttp://localhost:8000\n")

    assert response.status_code == 302
    aarhus.refresh_from_db()
    assert aarhus.widget_origins == "https://www.aarhus.dk\nhttp://localhost:8000"


@pytest.mark.parametrize(
    "site",
    [
        "www.aarhus.dk",  # no scheme
        "https://www.aarhus.dk/ung/chat",  # a path
        "https://*.aarhus.dk",  # a wildcard
        "https://www.aarhus.dk?chat=1",  # a query
        "https://www.aarhus.dk; script-src *",  # another directive smuggled in
        "'self'",
    ],
)
def test_something_that_is_no_site_is_refused_in_danish(signed_in, admin_aarhus, aarhus, site):
    response = save_sites(signed_in(admin_aarhus), aarhus, f"https://www.aarhus.dk\n{site}")

    assert response.status_code == 200
    page = response.content.decode()
    assert "er ikke en adresse på en hjemmeside" in page
    assert "uden sti, jokertegn eller andet efter den" in page
    aarhus.refresh_from_db()
    assert aarhus.widget_origins == ""


def test_plain_http_is_refused_except_for_localhost(signed_in, admin_aarhus, aarhus):
    response = save_sites(signed_in(admin_aarhus), aarhus, "http://www.aarhus.dk")

    assert response.status_code == 200
    assert "“http://www.aarhus.dk” skal begynde med https://" in response.content.decode()
    aarhus.refresh_from_db()
    assert aarhus.widget_origins == ""


def test_the_refusal_is_in_english_when_english_is_chosen(signed_in, admin_aarhus, aarhus):
    client = signed_in(admin_aarhus)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    page = save_sites(client, aarhus, "https://*.aarhus.dk\nhttp://www.aarhus.dk").content.decode()

    assert "“https://*.aarhus.dk” is not a web site address." in page
    assert "“http://www.aarhus.dk” must begin with https:// (plain http is allowed only for localhost)." in page


def test_the_field_is_offered_on_the_organisation_page(signed_in, admin_aarhus, aarhus):
    url = reverse("admin:accounts_organisation_change", args=[aarhus.pk])

    page = signed_in(admin_aarhus).get(url).content.decode()

    assert 'name="widget_origins"' in page
    assert "Hjemmesider med chatten" in page
