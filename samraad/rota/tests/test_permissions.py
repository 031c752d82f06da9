"""Who may see the rota and who may change it, asked of the one permission module."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from conftest import make_staff
from samraad.accounts.models import Organisation, Role
from samraad.accounts.permissions import Perm, can

pytestmark = pytest.mark.django_db


def test_supervisors_manage_and_see_the_rota(supervisor):
    assert can(supervisor, Perm.MANAGE_ROTA)
    assert can(supervisor, Perm.VIEW_ROTA)


def test_counselors_see_the_rota_but_do_not_manage_it(counselor_aarhus, counselor_koebenhavn):
    for counselor in (counselor_aarhus, counselor_koebenhavn):
        assert can(counselor, Perm.VIEW_ROTA)
        assert not can(counselor, Perm.MANAGE_ROTA)


def test_a_coordinator_of_a_taking_part_municipality_sees_the_rota_but_does_not_manage_it(coordinator_aarhus):
    assert can(coordinator_aarhus, Perm.VIEW_ROTA)
    assert not can(coordinator_aarhus, Perm.MANAGE_ROTA)


def test_a_coordinator_of_the_central_service_sees_the_rota(central):
    coordinator = make_staff("lars.central", central, Role.COORDINATOR)

    assert can(coordinator, Perm.VIEW_ROTA)


def test_a_coordinator_of_a_municipality_outside_the_shared_service_does_not_see_it(outsider):
    assert not Organisation.objects.get(municipality_code="0461").participating

    assert not can(outsider, Perm.VIEW_ROTA)
    assert not can(outsider, Perm.MANAGE_ROTA)


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.DROP_IN_STAFF, Role.CARE_STAFF, Role.ADMIN])
def test_roles_that_do_not_work_with_the_chat_neither_see_nor_manage(aarhus, role):
    person = make_staff(f"{role}.aarhus", aarhus, role)

    assert not can(person, Perm.VIEW_ROTA)
    assert not can(person, Perm.MANAGE_ROTA)


def test_superusers_manage_the_rota(db):
    root = make_staff("root", None, superuser=True)

    assert can(root, Perm.MANAGE_ROTA)
    assert can(root, Perm.VIEW_ROTA)


def test_anonymous_deactivated_and_organisationless_people_get_nothing(supervisor):
    stray = make_staff("stray", None, Role.SUPERVISOR)
    supervisor.is_active = False

    for person in (AnonymousUser(), supervisor, stray):
        assert not can(person, Perm.VIEW_ROTA)
        assert not can(person, Perm.MANAGE_ROTA)
