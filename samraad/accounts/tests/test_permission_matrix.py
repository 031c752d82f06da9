"""Every role, in its own and in another organisation, against every staff URL and API route."""

from __future__ import annotations

import pytest
from django.test import Client

from conftest import make_staff, sign_in
from samraad.accounts.models import Organisation, Role

pytestmark = pytest.mark.django_db

ALL_ROLES = [role.value for role in Role]
ADMIN_ONLY = {Role.ADMIN.value}
ROTA_VIEWERS = {Role.COUNSELOR.value, Role.SUPERVISOR.value, Role.COORDINATOR.value}
ROTA_MANAGERS = {Role.SUPERVISOR.value}


def _admin_refusal(response) -> bool:
    # The admin answers a record outside the person's scope exactly as one that does not exist.
    return response.status_code == 302 and response["Location"] == "/admin/"


# (name, path template, roles allowed on their own organisation's objects, what others get)
# `{own}` / `{other}` become organisation ids, `{own_person}` / `{other_person}` staff ids.
STAFF_URLS = [
    ("start page", "/staff/", ALL_ROLES, None),
    ("own organisation page", "/staff/organisations/{own}/", ALL_ROLES, 403),
    ("other organisation page", "/staff/organisations/{other}/", [], 404),
    ("administration", "/admin/", ADMIN_ONLY, 403),
    ("staff list", "/admin/accounts/user/", ADMIN_ONLY, 403),
    ("own colleague's record", "/admin/accounts/user/{own_person}/change/", ADMIN_ONLY, 403),
    ("other organisation's staff record", "/admin/accounts/user/{other_person}/change/", [], "admin-refusal"),
    ("own organisation settings", "/admin/accounts/organisation/{own}/change/", ADMIN_ONLY, 403),
    ("other organisation settings", "/admin/accounts/organisation/{other}/change/", [], "admin-refusal"),
    ("audit log", "/admin/audit/auditentry/", ADMIN_ONLY, 403),
    ("api: me", "/api/me", ALL_ROLES, None),
    ("api: organisations", "/api/organisations", ALL_ROLES, None),
    ("api: own organisation", "/api/organisations/{own}", ALL_ROLES, None),
    ("api: other organisation", "/api/organisations/{other}", [], 404),
    ("rota week", "/rota/", ROTA_VIEWERS, 403),
    ("rota chosen week", "/rota/?week=2026-W48", ROTA_VIEWERS, 403),
    ("rota weekly shifts", "/rota/patterns/", ROTA_VIEWERS, 403),
    ("rota one-off changes", "/rota/changes/", ROTA_VIEWERS, 403),
    ("rota new weekly shift", "/rota/patterns/new/", ROTA_MANAGERS, 403),
    ("rota new one-off change", "/rota/changes/new/", ROTA_MANAGERS, 403),
]


@pytest.fixture
def world(aarhus: Organisation, koebenhavn: Organisation) -> dict[str, str]:
    own_person = make_staff("colleague.aarhus", aarhus, Role.COUNSELOR)
    other_person = make_staff("stranger.kbh", koebenhavn, Role.COUNSELOR)
    return {
        "own": str(aarhus.pk),
        "other": str(koebenhavn.pk),
        "own_person": str(own_person.pk),
        "other_person": str(other_person.pk),
    }


def _expected_refusal(path: str, refusal: object) -> object:
    if refusal == 403 and "/admin/" in path:
        return 403
    return refusal


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize(("name", "template", "allowed", "refusal"), STAFF_URLS, ids=[row[0] for row in STAFF_URLS])
def test_role_against_url(client: Client, world, aarhus, role, name, template, allowed, refusal):
    person = make_staff(f"{role}.aarhus", aarhus, role)
    sign_in(client, person)

    response = client.get(template.format(**world))

    if role in allowed:
        assert response.status_code == 200, name
    elif refusal == "admin-refusal" and role == Role.ADMIN:
        assert _admin_refusal(response), (name, response.status_code)
    elif refusal == "admin-refusal":
        assert response.status_code == 403, (name, response.status_code)
    else:
        assert response.status_code == _expected_refusal(template, refusal), (name, response.status_code)


@pytest.mark.parametrize(("name", "template", "allowed", "refusal"), STAFF_URLS, ids=[row[0] for row in STAFF_URLS])
def test_anonymous_against_url(client: Client, world, name, template, allowed, refusal):
    response = client.get(template.format(**world))

    if template.startswith("/api/"):
        assert response.status_code == 401
    else:
        assert response.status_code == 302
        assert response["Location"].startswith(("/login/", "/admin/login/"))


def test_the_admin_sign_in_is_the_one_sign_in(client, db):
    response = client.get("/admin/login/?next=/admin/")

    assert response.status_code == 302
    assert response["Location"] == "/login/?next=%2Fadmin%2F"


def test_admin_sees_only_own_organisation_in_lists(client, world, admin_aarhus, aarhus):
    sign_in(client, admin_aarhus)

    staff_list = client.get("/admin/accounts/user/").content.decode()
    organisations = client.get("/api/organisations").json()

    assert "colleague.aarhus" in staff_list
    assert "stranger.kbh" not in staff_list
    assert [row["id"] for row in organisations] == [str(aarhus.pk)]


def test_admin_cannot_move_a_colleague_into_another_organisation(client, world, admin_aarhus, koebenhavn):
    sign_in(client, admin_aarhus)

    client.post(
        f"/admin/accounts/user/{world['own_person']}/change/",
        {
            "username": "colleague.aarhus",
            "organisation": str(koebenhavn.pk),
            "is_active": "on",
            "role_grants-TOTAL_FORMS": "0",
            "role_grants-INITIAL_FORMS": "0",
        },
    )

    from samraad.accounts.models import User

    assert str(User.objects.get(pk=world["own_person"]).organisation_id) == world["own"]


def test_admin_cannot_make_anyone_a_superuser(client, world, admin_aarhus):
    sign_in(client, admin_aarhus)

    page = client.get(f"/admin/accounts/user/{world['own_person']}/change/").content.decode()

    assert 'name="is_superuser"' not in page


def test_nonexistent_and_foreign_ids_get_the_same_answer(client, world, counselor_aarhus):
    sign_in(client, counselor_aarhus)

    foreign = client.get(f"/api/organisations/{world['other']}")
    missing = client.get("/api/organisations/00000000-0000-0000-0000-000000000000")
    malformed = client.get("/api/organisations/not-an-id")
    page_foreign = client.get(f"/staff/organisations/{world['other']}/")
    page_missing = client.get("/staff/organisations/00000000-0000-0000-0000-000000000000/")

    assert foreign.status_code == missing.status_code == 404
    assert foreign.content == missing.content
    assert malformed.status_code in (404, 422)
    assert page_foreign.status_code == page_missing.status_code == 404


def test_staff_without_an_organisation_is_refused(client, db):
    stray = make_staff("stray", None, Role.COUNSELOR)
    sign_in(client, stray)

    assert client.get("/staff/").status_code == 403
    assert client.get("/api/me").status_code == 401


def test_municipality_list_is_public_reference_data(client, db):
    response = client.get("/api/municipalities")

    assert response.status_code == 200
    assert len(response.json()) == 98
    assert response.json()[0] == {
        "code": "0101",
        "name": "København",
        "region": "Region Hovedstaden",
        "participating": False,
    }
