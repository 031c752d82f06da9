"""Named people who appear in the tests, built once per test (see CONVENTIONS.md, "Tests")."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from samraad.accounts.models import Organisation, Role, RoleGrant, User

PASSWORD = "correct horse battery staple"


class CheapArgon2PasswordHasher(Argon2PasswordHasher):
    """Real argon2, at a cost that lets hundreds of tests create accounts quickly."""

    time_cost = 1
    memory_cost = 1024
    parallelism = 1


@pytest.fixture(autouse=True)
def _cheap_password_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["conftest.CheapArgon2PasswordHasher"]


def municipality(code: str) -> Organisation:
    """One of the 98 municipalities the migrations load, marked as taking part."""
    organisation = Organisation.objects.get(municipality_code=code)
    if not organisation.participating:
        organisation.participating = True
        organisation.save(update_fields=["participating"])
    return organisation


def make_staff(username: str, organisation: Organisation | None, *roles: str, superuser: bool = False) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, organisation=organisation)
    user.email = f"{username}@example.org"
    user.first_name = username.split(".")[0].capitalize()
    user.is_superuser = superuser
    user.save()
    for role in roles:
        RoleGrant.objects.create(user=user, role=role)
    return user


@pytest.fixture
def central(db: None) -> Organisation:
    return Organisation.objects.create(kind=Organisation.Kind.CENTRAL, name="Samraad central")


@pytest.fixture
def aarhus(db: None) -> Organisation:
    return municipality("0751")


@pytest.fixture
def koebenhavn(db: None) -> Organisation:
    return municipality("0101")


@pytest.fixture
def counselor_aarhus(aarhus: Organisation) -> User:
    return make_staff("jonas.aarhus", aarhus, Role.COUNSELOR)


@pytest.fixture
def counselor_koebenhavn(koebenhavn: Organisation) -> User:
    return make_staff("freja.kbh", koebenhavn, Role.COUNSELOR)


@pytest.fixture
def supervisor(central: Organisation) -> User:
    return make_staff("signe.central", central, Role.SUPERVISOR, Role.COUNSELOR)


@pytest.fixture
def coordinator_aarhus(aarhus: Organisation) -> User:
    return make_staff("mette.aarhus", aarhus, Role.COORDINATOR)


@pytest.fixture
def admin_aarhus(aarhus: Organisation) -> User:
    return make_staff("karen.aarhus", aarhus, Role.ADMIN)


@pytest.fixture
def outsider(db: None) -> User:
    """Staff of a municipality that shares nothing with the people above."""
    return make_staff("olga.odense", Organisation.objects.get(municipality_code="0461"), Role.ADMIN, Role.COORDINATOR)


def sign_in(client: Client, user: User) -> Client:
    """Signs `user` in with both factors, as the sign-in pages would."""
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def signed_in(client: Client) -> Callable[[User], Client]:
    return lambda user: sign_in(client, user)


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Rate-limit counters live in the cache: one test's sockets must not count against the next."""
    from django.core.cache import cache

    cache.clear()
