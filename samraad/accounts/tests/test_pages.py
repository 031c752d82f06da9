"""What every page carries: Danish first, English on request, strict headers, no outside requests."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.urls import reverse

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def test_pages_are_danish_by_default(client):
    page = client.get(reverse("accounts:login")).content.decode()

    assert '<html lang="da">' in page
    assert "Log ind for medarbejdere" in page


def test_english_when_chosen(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/login/"})

    page = client.get(reverse("accounts:login")).content.decode()

    assert '<html lang="en">' in page
    assert "Sign in for staff" in page


def test_every_danish_string_is_translated():
    with (ROOT / "locale" / "da" / "LC_MESSAGES" / "django.po").open("rb") as handle:
        catalog = read_po(handle)

    untranslated = [message.id for message in catalog if message.id and not message.string]
    fuzzy = [message.id for message in catalog if message.id and message.fuzzy]

    assert untranslated == []
    assert fuzzy == []


def test_security_headers_on_a_page(client):
    response = client.get(reverse("accounts:login"))
    policy = response["Content-Security-Policy"]

    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_templates_hold_no_inline_script_handlers_or_outside_addresses():
    offenders = []
    for template in ROOT.rglob("templates/**/*.html"):
        text = re.sub(r"{% comment %}.*?{% endcomment %}|{#.*?#}", "", template.read_text(encoding="utf-8"), flags=re.S)
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text):
            offenders.append(f"{template}: inline <script>")
        if re.search(r"\son[a-z]+\s*=", text):
            offenders.append(f"{template}: on*= handler")
        if re.search(r"""(src|href|action)=["']https?://""", text):
            offenders.append(f"{template}: outside address")

    assert offenders == []


def test_a_signed_in_staff_page_in_demo_mode_shows_the_banner(client, counselor_aarhus, settings):
    settings.SAMRAAD_DEMO = True
    client.force_login(counselor_aarhus)

    page = client.get(reverse("accounts:start")).content.decode()

    assert "Demotilstand" in page


def test_the_start_page_shows_what_the_roles_give(signed_in, admin_aarhus):
    page = signed_in(admin_aarhus).get(reverse("accounts:start")).content.decode()

    assert "Administrator" in page
    assert "Læs revisionsloggen" in page
    assert "/admin/" in page


def test_a_counselor_is_not_offered_administration(signed_in, counselor_aarhus):
    page = signed_in(counselor_aarhus).get(reverse("accounts:start")).content.decode()

    assert "Rådgiver" in page
    assert "/admin/" not in page


def test_the_front_door_is_the_chat(client):
    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/chat/"


def test_a_counselor_is_offered_the_console_and_a_supervisor_the_floor(signed_in, supervisor):
    page = signed_in(supervisor).get(reverse("accounts:start")).content.decode()

    assert 'href="/console/"' in page
    assert 'href="/console/floor/"' in page
