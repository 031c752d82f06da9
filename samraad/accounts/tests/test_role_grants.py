"""Who may give whom which role: every role, by every kind of granter, to staff of every kind of
organisation; and the administration's form that does it (finding: a municipality's
administrator could make a counselor a supervisor of the whole pool)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from conftest import make_staff, municipality, sign_in
from samraad.accounts.actions import do_grant_role, do_revoke_role
from samraad.accounts.models import Organisation, Role, RoleGrant, User
from samraad.accounts.permissions import Perm, can, grantable_roles, supervises_pool
from samraad.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

ALL = frozenset(Role)
OWN = frozenset({Role.ADMIN, Role.CASEWORKER, Role.DROP_IN_STAFF, Role.CARE_STAFF})
NO_COUNSELING = ALL - {Role.COUNSELOR, Role.SUPERVISOR}
NOTHING: frozenset[str] = frozenset()

# The organisation kinds a grantee may belong to, and the roles allowed there.
ALLOWED_IN = {
    "central": ALL,
    "aarhus": ALL,  # a municipality that takes part in the shared service
    "koebenhavn": ALL,
    "vejle": NO_COUNSELING,  # a municipality that does not take part: no counselors, no supervisors
    "centre": OWN,  # a drop-in centre in Aarhus: its own people only, no numbers, no chat
}
# granter -> the grantees' organisations they administer.
ADMINISTERS = {
    "operator": set(ALLOWED_IN),  # the platform's operator (superuser)
    "admin@central": {"central"},
    "admin@aarhus": {"aarhus"},
    "admin@koebenhavn": {"koebenhavn"},
    "admin@vejle": {"vejle"},
    "admin@centre": {"centre"},
    "supervisor@central": set(),  # a supervisor is no administrator
    "counselor@aarhus": set(),
}


@pytest.fixture
def organisations(db: None) -> dict[str, Organisation]:
    aarhus = municipality("0751")
    return {
        "central": Organisation.objects.create(kind=Organisation.Kind.CENTRAL, name="Samraad central"),
        "aarhus": aarhus,
        "koebenhavn": municipality("0101"),
        "vejle": Organisation.objects.get(municipality_code="0630"),
        "centre": Organisation.objects.create(
            kind=Organisation.Kind.DROP_IN_CENTRE, name="Værestedet", municipality=aarhus
        ),
    }


@pytest.fixture
def granters(organisations: dict[str, Organisation]) -> dict[str, User]:
    people = {"operator": make_staff("operator", None, superuser=True)}
    for name in ADMINISTERS:
        if "@" in name:
            role, where = name.split("@")
            people[name] = make_staff(f"{role}.{where}", organisations[where], role)
    return people


def test_every_role_by_every_granter_to_every_organisation(organisations, granters):
    grantees = {where: make_staff(f"new.{where}", organisation) for where, organisation in organisations.items()}
    wrong = []

    for granter_name, granter in granters.items():
        for where, grantee in grantees.items():
            expected = ALLOWED_IN[where] if where in ADMINISTERS[granter_name] else NOTHING
            for role in Role:
                allowed = role in grantable_roles(granter, grantee)
                if allowed != (role in expected):
                    wrong.append(f"{granter_name} gives {role} to staff of {where}: {allowed}, expected {not allowed}")

    assert wrong == []


def test_a_supervisor_reaches_as_far_as_the_organisation(organisations, granters):
    central = make_staff("signe.central", organisations["central"], Role.SUPERVISOR)
    own = make_staff("ida.aarhus", organisations["aarhus"], Role.SUPERVISOR)

    assert supervises_pool(central)
    assert not supervises_pool(own)
    assert can(own, Perm.SUPERVISE)  # the floor, of their own


def test_a_grant_that_is_not_allowed_writes_nothing(organisations, granters):
    counselor = make_staff("jonas.kbh", organisations["koebenhavn"], Role.COUNSELOR)

    with pytest.raises(PermissionDenied):
        do_grant_role(granters["admin@aarhus"], counselor, Role.SUPERVISOR)
    with pytest.raises(PermissionDenied):
        do_grant_role(granters["admin@vejle"], make_staff("bo.vejle", organisations["vejle"]), Role.COUNSELOR)

    assert not RoleGrant.objects.filter(role=Role.SUPERVISOR).exclude(user__username="supervisor.central").exists()
    assert not RoleGrant.objects.filter(user__username="bo.vejle").exists()


def test_grants_and_revocations_are_audited(organisations, granters):
    person = make_staff("jonas.aarhus", organisations["aarhus"], Role.COUNSELOR)
    admin = granters["admin@aarhus"]

    grant = do_grant_role(admin, person, Role.SUPERVISOR)
    do_revoke_role(admin, grant)

    reasons = list(AuditEntry.objects.filter(person=person).order_by("at", "pk").values_list("actor_id", "reason"))
    assert reasons == [(admin.pk, "role granted: supervisor"), (admin.pk, "role revoked: supervisor")]
    assert set(person.role_grants.values_list("role", flat=True)) == {Role.COUNSELOR}


# --- the administration's form ----------------------------------------------------------------
def _change_form(person: User, *roles: str, existing: list[RoleGrant] = (), delete: set[int] = frozenset()) -> dict:
    data = {
        "username": person.username,
        "first_name": person.first_name,
        "last_name": "",
        "email": person.email,
        "is_active": "on",
        "role_grants-TOTAL_FORMS": str(len(existing) + len(roles)),
        "role_grants-INITIAL_FORMS": str(len(existing)),
        "role_grants-MIN_NUM_FORMS": "0",
        "role_grants-MAX_NUM_FORMS": "1000",
    }
    for index, grant in enumerate(existing):
        data[f"role_grants-{index}-id"] = str(grant.pk)
        data[f"role_grants-{index}-user"] = str(person.pk)
        if grant.pk in delete:
            data[f"role_grants-{index}-DELETE"] = "on"
    for index, role in enumerate(roles, start=len(existing)):
        data[f"role_grants-{index}-role"] = role
        data[f"role_grants-{index}-user"] = str(person.pk)
    return data


def _post_change(admin: User, person: User, data: dict) -> int:
    client = sign_in(Client(), admin)
    return client.post(f"/admin/accounts/user/{person.pk}/change/", data).status_code


def test_a_municipal_administrator_makes_a_supervisor_of_their_own_only(organisations, granters):
    person = make_staff("jonas.aarhus", organisations["aarhus"], Role.COUNSELOR)
    existing = list(person.role_grants.all())

    status = _post_change(granters["admin@aarhus"], person, _change_form(person, Role.SUPERVISOR, existing=existing))

    assert status == 302
    person = User.objects.get(pk=person.pk)
    assert person.roles == {Role.COUNSELOR, Role.SUPERVISOR}
    assert not supervises_pool(person)  # Aarhus's own supervisor, not the pool's


def test_the_form_refuses_a_role_the_organisation_may_not_hold(organisations, granters):
    person = make_staff("bo.vejle", organisations["vejle"])

    client = sign_in(Client(), granters["admin@vejle"])
    response = client.post(f"/admin/accounts/user/{person.pk}/change/", _change_form(person, Role.SUPERVISOR))

    assert response.status_code == 200  # the form again, with the error
    assert "supervisor" not in [
        choice for choice, _ in response.context["inline_admin_formsets"][0].formset.forms[0].fields["role"].choices
    ]
    assert not RoleGrant.objects.filter(user=person).exists()


def test_another_organisations_staff_cannot_be_given_a_role(organisations, granters):
    person = make_staff("freja.kbh", organisations["koebenhavn"], Role.COUNSELOR)

    status = _post_change(granters["admin@aarhus"], person, _change_form(person, Role.SUPERVISOR))

    assert status in (302, 404)  # the administration's "no such record", as for an id that does not exist
    assert set(User.objects.get(pk=person.pk).roles) == {Role.COUNSELOR}


def test_a_role_taken_away_in_the_form_is_revoked_and_audited(organisations, granters):
    person = make_staff("jonas.aarhus", organisations["aarhus"], Role.COUNSELOR, Role.SUPERVISOR)
    existing = list(person.role_grants.order_by("role"))
    supervisor_grant = next(grant for grant in existing if grant.role == Role.SUPERVISOR)

    status = _post_change(
        granters["admin@aarhus"], person, _change_form(person, existing=existing, delete={supervisor_grant.pk})
    )

    assert status == 302
    assert User.objects.get(pk=person.pk).roles == {Role.COUNSELOR}
    assert AuditEntry.objects.filter(person=person, reason="role revoked: supervisor").exists()


def test_a_municipal_administrator_cannot_join_the_shared_service_alone(organisations, granters):
    vejle = organisations["vejle"]
    client = sign_in(Client(), granters["admin@vejle"])

    client.post(
        f"/admin/accounts/organisation/{vejle.pk}/change/",
        {"name": vejle.name, "participating": "on", "assignment": "take_next", "widget_origins": ""},
    )

    vejle.refresh_from_db()
    assert vejle.participating is False
