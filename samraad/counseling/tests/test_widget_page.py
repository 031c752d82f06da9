from __future__ import annotations

import pytest
from django.urls import reverse

from samraad.accounts.models import Organisation

pytestmark = pytest.mark.django_db


def test_the_widget_takes_its_language_from_the_address(client):
    danish = client.get("/chat/widget/?municipality=0751").content.decode()
    english = client.get("/chat/widget/?municipality=0751&lang=en").content.decode()
    nonsense = client.get("/chat/widget/?lang=xx").content.decode()

    assert '<html lang="da">' in danish
    assert '<html lang="en">' in english
    assert 'name="municipality" value="0751"' in english
    assert '<html lang="da">' in nonsense


def frame_ancestors(response) -> list[str]:
    for directive in response["Content-Security-Policy"].split(";"):
        name, *sources = directive.split()
        if name == "frame-ancestors":
            return sources
    return []


def test_a_site_registered_by_a_municipality_may_frame_the_widget(client, aarhus, koebenhavn):
    aarhus.widget_origins = "https://www.aarhus.dk\nhttps://ung.aarhus.dk:8443"
    aarhus.save()

    response = client.get("/chat/widget/")

    assert frame_ancestors(response) == ["'self'", "https://www.aarhus.dk", "https://ung.aarhus.dk:8443"]
    assert "X-Frame-Options" not in response


def test_an_unregistered_site_may_not_frame_the_widget(client, aarhus):
    aarhus.widget_origins = "https://www.aarhus.dk"
    aarhus.save()

    sources = frame_ancestors(client.get("/chat/widget/"))

    assert "https://www.kk.dk" not in sources
    assert "https://aarhus.dk" not in sources  # the registered host only, not its parent domain
    assert not any("*" in source for source in sources)


def test_a_municipality_outside_the_shared_service_cannot_have_the_widget_framed(client, db):
    odense = Organisation.objects.get(municipality_code="0461")
    odense.widget_origins = "https://www.odense.dk"
    odense.save()

    assert not odense.participating
    assert frame_ancestors(client.get("/chat/widget/")) == ["'self'"]


def test_sites_from_the_setting_and_the_organisations_frame_the_widget_together(client, settings, aarhus):
    settings.SAMRAAD_WIDGET_ORIGINS = ["https://samraad-partner.dk"]
    aarhus.widget_origins = "https://www.aarhus.dk"
    aarhus.save()

    sources = frame_ancestors(client.get("/chat/widget/"))

    assert sources == ["'self'", "https://samraad-partner.dk", "https://www.aarhus.dk"]


def test_a_site_saved_in_the_administration_frames_the_widget_at_once(
    client, signed_in, admin_aarhus, aarhus, django_capture_on_commit_callbacks
):
    before = frame_ancestors(client.get("/chat/widget/"))  # now in the cache
    url = reverse("admin:accounts_organisation_change", args=[aarhus.pk])
    administrator = signed_in(admin_aarhus)
    form = administrator.get(url).context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}

    with django_capture_on_commit_callbacks(execute=True):
        saved = administrator.post(url, {**data, "widget_origins": "https://www.aarhus.dk"})
    administrator.logout()
    after = frame_ancestors(client.get("/chat/widget/"))

    assert saved.status_code == 302
    assert before == ["'self'"]
    assert after == ["'self'", "https://www.aarhus.dk"]


def test_every_other_page_stays_unframeable_when_sites_are_registered(client, aarhus):
    aarhus.widget_origins = "https://www.aarhus.dk"
    aarhus.save()

    for address in ("/chat/", "/login/", "/widget.js", "/api/chat/status"):
        response = client.get(address)

        assert frame_ancestors(response) == ["'none'"], address
        assert response["X-Frame-Options"] == "DENY", address
