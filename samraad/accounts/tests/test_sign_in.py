from __future__ import annotations

from datetime import timedelta
from importlib import import_module
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.db.models import F
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import PASSWORD
from samraad.accounts.models import AccountFailures, User

pytestmark = pytest.mark.django_db


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def password_step(client: Client, user: User, password: str = PASSWORD):
    return client.post(reverse("accounts:login"), {"username": user.username, "password": password})


def test_sign_in_without_second_factor_is_sent_to_enrolment(client, counselor_aarhus):
    response = password_step(client, counselor_aarhus)
    start = client.get(reverse("accounts:start"))

    assert response.status_code == 302
    assert start.status_code == 302
    assert start["Location"].startswith(reverse("accounts:two_factor_setup"))


def test_enrolment_with_a_code_from_the_app_signs_in_and_shows_recovery_codes(client, counselor_aarhus):
    password_step(client, counselor_aarhus)
    page = client.get(reverse("accounts:two_factor_setup"))
    device = TOTPDevice.objects.get(user=counselor_aarhus, confirmed=False)

    response = client.post(reverse("accounts:two_factor_setup"), {"token": current_code(device)})

    assert b"<svg" in page.content  # the QR code, drawn on the server
    assert response.status_code == 200
    assert len(response.context["codes"]) == 10
    assert TOTPDevice.objects.get(user=counselor_aarhus).confirmed
    assert client.get(reverse("accounts:start")).status_code == 200


def test_a_wrong_code_at_enrolment_confirms_nothing(client, counselor_aarhus):
    password_step(client, counselor_aarhus)
    client.get(reverse("accounts:two_factor_setup"))

    response = client.post(reverse("accounts:two_factor_setup"), {"token": "000000x"})

    assert response.status_code == 200
    assert not TOTPDevice.objects.filter(user=counselor_aarhus, confirmed=True).exists()
    assert client.get(reverse("accounts:start")).status_code == 302


def test_enrolled_person_must_give_the_code_before_any_staff_page(client, counselor_aarhus):
    device = TOTPDevice.objects.create(user=counselor_aarhus, name="app", confirmed=True)
    password_step(client, counselor_aarhus)

    blocked = client.get(reverse("accounts:start"))
    api_blocked = client.get("/api/me")
    enrol_again = client.get(reverse("accounts:two_factor_setup"))
    verified = client.post(reverse("accounts:verify"), {"token": current_code(device), "next": "/staff/"})

    assert blocked["Location"].startswith(reverse("accounts:verify"))
    assert api_blocked.status_code == 401
    assert enrol_again["Location"] == reverse("accounts:verify")  # no way round by enrolling anew
    assert verified["Location"] == "/staff/"
    assert client.get(reverse("accounts:start")).status_code == 200


def test_a_used_code_cannot_be_replayed(client, counselor_aarhus):
    device = TOTPDevice.objects.create(user=counselor_aarhus, name="app", confirmed=True)
    code = current_code(device)
    password_step(client, counselor_aarhus)
    client.post(reverse("accounts:verify"), {"token": code})
    client.post(reverse("accounts:logout"))

    other = Client()
    password_step(other, counselor_aarhus)
    replay = other.post(reverse("accounts:verify"), {"token": code})

    assert replay.status_code == 200
    assert "token" in replay.context["form"].errors
    assert other.get(reverse("accounts:start")).status_code == 302


def test_a_recovery_code_works_once(client, counselor_aarhus):
    password_step(client, counselor_aarhus)
    client.get(reverse("accounts:two_factor_setup"))
    device = TOTPDevice.objects.get(user=counselor_aarhus)
    codes = client.post(reverse("accounts:two_factor_setup"), {"token": current_code(device)}).context["codes"]
    client.post(reverse("accounts:logout"))

    first, second = Client(), Client()
    password_step(first, counselor_aarhus)
    first.post(reverse("accounts:verify"), {"token": codes[0].upper()})
    password_step(second, counselor_aarhus)
    second.post(reverse("accounts:verify"), {"token": codes[0]})

    assert first.get(reverse("accounts:start")).status_code == 200
    assert second.get(reverse("accounts:start")).status_code == 302
    assert StaticToken.objects.filter(device__user=counselor_aarhus).count() == 9


def test_demo_mode_signs_in_with_the_password_alone(client, counselor_aarhus, settings):
    settings.SAMRAAD_DEMO = True

    password_step(client, counselor_aarhus)
    start = client.get(reverse("accounts:start"))

    assert start.status_code == 200
    assert "Demo" in start.content.decode()


def test_no_demo_banner_outside_demo_mode(signed_in, counselor_aarhus):
    client = signed_in(counselor_aarhus)

    page = client.get(reverse("accounts:start")).content.decode()

    assert "samraad-demo" not in page


def test_repeated_wrong_passwords_lock_the_account(client, counselor_aarhus, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        password_step(client, counselor_aarhus, password="wrong")

    locked = password_step(client, counselor_aarhus)

    assert locked.status_code == 429
    assert SESSION_KEY not in client.session


def test_a_forged_forwarded_for_header_does_not_escape_the_lock_out(client, counselor_aarhus, settings):
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            reverse("accounts:login"),
            {"username": counselor_aarhus.username, "password": "x"},
            HTTP_X_FORWARDED_FOR=f"203.0.113.{attempt}",
        )
    # Past the account's delay: only the lock of this account and this source is left.
    AccountFailures.objects.update(last_failure_at=F("last_failure_at") - timedelta(hours=1))

    locked = client.post(
        reverse("accounts:login"),
        {"username": counselor_aarhus.username, "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="198.51.100.7",
    )

    assert locked.status_code == 429


def test_sign_out_ends_the_session_for_good(signed_in, counselor_aarhus):
    client = signed_in(counselor_aarhus)
    old_session = client.cookies["sessionid"].value

    client.post(reverse("accounts:logout"))
    thief = Client()
    thief.cookies["sessionid"] = old_session

    assert thief.get(reverse("accounts:start")).status_code == 302
    assert thief.get("/api/me").status_code == 401


def test_password_reset_sends_a_link_that_sets_a_new_password(client, counselor_aarhus):
    client.post(reverse("accounts:password_reset"), {"email": counselor_aarhus.email})
    link = next(line for line in mail.outbox[0].body.splitlines() if "/password-reset/" in line)
    path = link.split("://", 1)[1].split("/", 1)[1]

    form_page = client.get("/" + path, follow=True)
    client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a brand new long passphrase", "new_password2": "a brand new long passphrase"},
    )

    assert len(mail.outbox) == 1
    counselor_aarhus.refresh_from_db()
    assert counselor_aarhus.check_password("a brand new long passphrase")


def test_password_reset_for_an_unknown_address_sends_nothing_and_says_the_same(client):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.org"})

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert mail.outbox == []


def test_passwords_are_hashed_with_argon2(counselor_aarhus):
    assert counselor_aarhus.password.startswith("argon2")


def _sessions() -> Any:
    return import_module(django_settings.SESSION_ENGINE).SessionStore


def _session_key(client: Client) -> str:
    return client.cookies["sessionid"].value


def _holder_of(session_key: str) -> Client:
    """Another browser that presents the given session key, as a thief or a fixer would."""
    browser = Client()
    browser.cookies["sessionid"] = session_key
    return browser


def test_the_password_step_replaces_a_planted_session(client, counselor_aarhus):
    TOTPDevice.objects.create(user=counselor_aarhus, name="app", confirmed=True)
    planted = _sessions()()
    planted["chosen_by"] = "someone else"
    planted.create()
    client.cookies["sessionid"] = planted.session_key

    password_step(client, counselor_aarhus)

    assert _session_key(client) != planted.session_key
    assert not _sessions()().exists(planted.session_key)
    assert (
        _holder_of(planted.session_key)
        .get(reverse("accounts:verify"))["Location"]
        .startswith(reverse("accounts:login"))
    )


def test_the_second_factor_step_gives_a_new_session_key(client, counselor_aarhus):
    device = TOTPDevice.objects.create(user=counselor_aarhus, name="app", confirmed=True)
    password_step(client, counselor_aarhus)
    half = _session_key(client)

    client.post(reverse("accounts:verify"), {"token": current_code(device)})

    assert client.get(reverse("accounts:start")).status_code == 200
    assert _session_key(client) != half
    # The password-only session is gone, not promoted: whoever knew its key has nothing.
    assert _holder_of(half).get(reverse("accounts:start"))["Location"].startswith(reverse("accounts:login"))


def test_enrolling_the_authenticator_gives_a_new_session_key(client, counselor_aarhus):
    password_step(client, counselor_aarhus)
    client.get(reverse("accounts:two_factor_setup"))
    device = TOTPDevice.objects.get(user=counselor_aarhus, confirmed=False)
    half = _session_key(client)

    client.post(reverse("accounts:two_factor_setup"), {"token": current_code(device)})

    assert client.get(reverse("accounts:start")).status_code == 200
    assert _session_key(client) != half
    assert _holder_of(half).get(reverse("accounts:start"))["Location"].startswith(reverse("accounts:login"))


def test_the_code_that_confirmed_the_authenticator_cannot_be_replayed_at_sign_in(client, counselor_aarhus):
    password_step(client, counselor_aarhus)
    client.get(reverse("accounts:two_factor_setup"))
    device = TOTPDevice.objects.get(user=counselor_aarhus, confirmed=False)
    code = current_code(device)
    client.post(reverse("accounts:two_factor_setup"), {"token": code})
    client.post(reverse("accounts:logout"))

    other = Client()
    password_step(other, counselor_aarhus)
    replay = other.post(reverse("accounts:verify"), {"token": code})

    assert "token" in replay.context["form"].errors
    assert other.get(reverse("accounts:start"))["Location"].startswith(reverse("accounts:verify"))


def test_guessing_at_one_account_from_ever_new_addresses_still_slows_it(client, counselor_aarhus, settings):
    # Each guess from another peer with another forged forwarded-for: only the account's own
    # count can stop it.
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            reverse("accounts:login"),
            {"username": counselor_aarhus.username, "password": "wrong"},
            REMOTE_ADDR=f"192.0.2.{attempt}",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{attempt}",
            HTTP_X_REAL_IP=f"203.0.113.{attempt}",
        )
    # Beyond the free failures, as a guesser with many addresses soon would be.
    AccountFailures.objects.update(failures=settings.AXES_FAILURE_LIMIT + 5)

    refused = client.post(
        reverse("accounts:login"),
        {"username": counselor_aarhus.username, "password": PASSWORD},
        REMOTE_ADDR="192.0.2.200",
        HTTP_X_FORWARDED_FOR="198.51.100.7",
        HTTP_X_REAL_IP="198.51.100.7",
    )

    assert refused.status_code == 429
    assert SESSION_KEY not in client.session
