"""Guessing a staff member's password from elsewhere slows the guesser down and never locks the
staff member out of their own machine (samraad/accounts/lockout.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import SESSION_KEY
from django.db.models import F
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import PASSWORD, make_staff
from samraad.accounts.lockout import account_delay
from samraad.accounts.models import AccountFailures, KnownSource, User
from samraad.accounts.tests.test_sign_in import current_code

pytestmark = pytest.mark.django_db

OWN_MACHINE = "10.20.30.40"
GUESSER = "203.0.113.9"
ELSEWHERE = "198.51.100.7"


def password_step(user: User, address: str, password: str = PASSWORD, client: Client | None = None):
    return (client or Client()).post(
        reverse("accounts:login"), {"username": user.username, "password": password}, REMOTE_ADDR=address
    )


def full_sign_in(user: User, address: str) -> Client:
    """Signs in with the password and the authenticator's code from `address`, as a person would."""
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    client = Client()
    password_step(user, address, client=client)
    client.post(reverse("accounts:verify"), {"token": current_code(device)}, REMOTE_ADDR=address)
    assert client.get(reverse("accounts:start"), REMOTE_ADDR=address).status_code == 200
    return client


def guess(user: User, address: str, times: int) -> None:
    for _ in range(times):
        password_step(user, address, password="wrong")


def count_as_failed(user: User, failures: int) -> None:
    """Sets the account's counted failures, the latest just now: a delay long enough that no
    test's own running time can see it end."""
    AccountFailures.objects.filter(username=user.username).update(failures=failures, last_failure_at=timezone.now())


def move_failures_back(user: User, seconds: float) -> None:
    AccountFailures.objects.filter(username=user.username).update(
        last_failure_at=F("last_failure_at") - timedelta(seconds=seconds)
    )


# --- the delay, as a plain function ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("failures", "seconds"), [(0, 0), (4, 0), (5, 1), (6, 2), (7, 4), (14, 512), (15, 900), (60, 900), (10**6, 900)]
)
def test_the_delay_doubles_with_each_failure_beyond_the_free_ones_up_to_the_cap(failures, seconds):
    assert account_delay(failures, free=5, cap=timedelta(seconds=900)) == timedelta(seconds=seconds)


# --- two sources ------------------------------------------------------------------------------------


def test_the_right_password_from_the_own_machine_works_while_someone_guesses_elsewhere(counselor_aarhus, settings):
    full_sign_in(counselor_aarhus, OWN_MACHINE).post(reverse("accounts:logout"))
    guess(counselor_aarhus, GUESSER, settings.AXES_FAILURE_LIMIT * 4)

    own = Client()
    answer = password_step(counselor_aarhus, OWN_MACHINE, client=own)

    assert answer.status_code == 302
    assert own.session[SESSION_KEY] == str(counselor_aarhus.pk)


def test_guessing_locks_the_guessers_source_out_of_that_account_even_with_the_right_password(
    counselor_aarhus, settings
):
    guess(counselor_aarhus, GUESSER, settings.AXES_FAILURE_LIMIT)
    move_failures_back(counselor_aarhus, settings.SAMRAAD_SIGN_IN_DELAY_CAP_S)  # past any account delay

    guesser = Client()
    locked = password_step(counselor_aarhus, GUESSER, client=guesser)

    assert locked.status_code == 429
    assert SESSION_KEY not in guesser.session
    assert password_step(counselor_aarhus, ELSEWHERE).status_code == 302  # the account is not locked


def test_an_unknown_source_waits_after_many_failures_and_the_wait_doubles(counselor_aarhus, settings):
    guess(counselor_aarhus, GUESSER, settings.AXES_FAILURE_LIMIT)
    count_as_failed(counselor_aarhus, settings.AXES_FAILURE_LIMIT + 3)

    refused = password_step(counselor_aarhus, ELSEWHERE)
    move_failures_back(counselor_aarhus, 8)
    guess(counselor_aarhus, ELSEWHERE, 1)
    refused_longer = password_step(counselor_aarhus, ELSEWHERE)
    move_failures_back(counselor_aarhus, 16)
    allowed = password_step(counselor_aarhus, ELSEWHERE)

    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 8
    assert refused_longer.status_code == 429
    assert 8 < int(refused_longer["Retry-After"]) <= 16
    assert allowed.status_code == 302


def test_attempts_refused_during_the_delay_are_not_counted(counselor_aarhus, settings):
    guess(counselor_aarhus, GUESSER, settings.AXES_FAILURE_LIMIT)
    count_as_failed(counselor_aarhus, settings.AXES_FAILURE_LIMIT + 10)

    answers = [password_step(counselor_aarhus, f"192.0.2.{attempt}", password="wrong") for attempt in range(10)]

    assert {answer.status_code for answer in answers} == {429}
    assert AccountFailures.objects.get(username=counselor_aarhus.username).failures == settings.AXES_FAILURE_LIMIT + 10


def test_a_name_that_is_no_account_is_slowed_down_alike(settings, db):
    nobody = User(username="nobody.anywhere")
    guess(nobody, GUESSER, settings.AXES_FAILURE_LIMIT)
    count_as_failed(nobody, settings.AXES_FAILURE_LIMIT + 3)

    answer = password_step(nobody, ELSEWHERE)

    assert answer.status_code == 429
    assert 0 < int(answer["Retry-After"]) <= 8


def test_failures_are_forgotten_after_a_quiet_day(counselor_aarhus, settings):
    guess(counselor_aarhus, GUESSER, settings.AXES_FAILURE_LIMIT + 10)
    move_failures_back(counselor_aarhus, 24 * 3600)

    assert password_step(counselor_aarhus, ELSEWHERE).status_code == 302


# --- what is kept about a source ------------------------------------------------------------------


def test_a_known_source_is_kept_only_as_a_keyed_hash_of_person_and_address(counselor_aarhus, aarhus):
    colleague = make_staff("colleague.aarhus", aarhus)
    full_sign_in(counselor_aarhus, OWN_MACHINE)
    full_sign_in(colleague, OWN_MACHINE)

    rows = list(KnownSource.objects.values_list("user__username", "address_hash"))
    stored = " ".join(str(value) for row in KnownSource.objects.values() for value in row.values())

    assert sorted(username for username, _ in rows) == ["colleague.aarhus", "jonas.aarhus"]
    assert OWN_MACHINE not in stored
    assert len({address_hash for _, address_hash in rows}) == 2  # the same address, not recognisable


def test_a_source_not_signed_in_from_for_the_known_days_waits_like_any_other(counselor_aarhus, settings):
    full_sign_in(counselor_aarhus, OWN_MACHINE).post(reverse("accounts:logout"))
    known_days = timedelta(days=settings.SAMRAAD_KNOWN_SOURCE_DAYS)
    KnownSource.objects.update(last_sign_in_at=F("last_sign_in_at") - known_days)
    guess(counselor_aarhus, GUESSER, settings.AXES_FAILURE_LIMIT)
    count_as_failed(counselor_aarhus, settings.AXES_FAILURE_LIMIT + 3)

    assert password_step(counselor_aarhus, OWN_MACHINE).status_code == 429


def test_the_password_alone_does_not_make_a_source_known(counselor_aarhus, settings):
    TOTPDevice.objects.create(user=counselor_aarhus, name="app", confirmed=True)
    password_step(counselor_aarhus, GUESSER)

    assert not KnownSource.objects.exists()
