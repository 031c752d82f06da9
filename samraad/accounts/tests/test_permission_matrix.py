"""Every URL pattern Django knows, as every kind of visitor: anonymous, signed in with the password
but not the second factor, and each role of the organisation that owns the objects named in the
path (Aarhus) and of another municipality (København).

The routes are found by walking Django's URL resolver, so a new URL without a row in `ROUTES`
fails `test_every_url_pattern_has_a_row`. The API's chat routes take no token and read no cookie:
a young person holding a conversation token is anonymous there, so the anonymous column is theirs
(their sockets are walked in `samraad/counseling/tests/test_socket_access.py`).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern

from conftest import make_staff, sign_in
from samraad.accounts.models import Organisation, Role, User

pytestmark = pytest.mark.django_db

ROLES = [role.value for role in Role]  # the column order of the table's role groups

# --- the table ---------------------------------------------------------------------------------
# Each row: the route as the resolver spells it -> (the request made, the expected answers).
# Answers, in columns: anonymous, password-only | the seven roles of Aarhus | of København, roles in
# the order counselor, supervisor, coordinator, caseworker, drop-in staff, care staff, admin.
# A role group of one answer means all seven; `same` repeats the Aarhus group.
#   200 201 401 403 404 405   that status (under /api/ always JSON)
#   login                     302 to the sign-in page
#   2fa                       302 to the second-factor step
#   gone                      302 to /admin/, the administration's "no such record"
#   >/path                    302 to a location starting with /path
#   >…/suffix                 302 to a location ending with /suffix
# {placeholders} name objects of Aarhus (`world` in conftest.py); each path that names one is asked
# again with an id that does not exist, and whoever is refused must get the very same answer both
# times (except the people in `VISIBLE`, who may see the object and only not act on it).
PUBLIC = "200 2fa | 200 | same"
STAFF = "login 2fa | 200 | same"
CONSOLE = "login 2fa | 200 200 403 403 403 403 403 | same"
SUPERVISORS = "login 2fa | 403 200 403 403 403 403 403 | same"
OWN_SUPERVISORS = "login 2fa | 403 200 403 403 403 403 403 | 403"
ROTA_VIEWERS = "login 2fa | 200 200 200 403 403 403 403 | same"
NUMBERS = "login 2fa | 403 403 200 403 403 403 403 | 403 403 404 403 403 403 403"
ADMINS = "login 2fa | 403 403 403 403 403 403 200 | same"
ADMIN_NOBODY = "login 2fa | 403 | same"
OWN_ADMIN = "login 2fa | 403 403 403 403 403 403 200 | 403 403 403 403 403 403 gone"
STAFF_API = "401 401 | 200 | same"

ROUTES: dict[str, tuple[str, str]] = {
    "/": ("GET /", ">/chat/ 2fa | >/chat/ | same"),
    # Sign-in and its second step; both steps stay open to the half-signed-in.
    "/login/": ("GET /login/", "200 >/staff/ | >/staff/ | same"),
    "/login/verify/": ("GET /login/verify/", "login 200 | >/staff/ | same"),
    "/logout/": ("GET /logout/", "405 405 | 405 | same"),  # signing out is a POST
    "/account/two-factor/": ("GET /account/two-factor/", "login 2fa | 200 | same"),
    "/account/two-factor/recovery-codes/": ("POST /account/two-factor/recovery-codes/", STAFF),
    "/password-reset/": ("GET /password-reset/", PUBLIC),
    "/password-reset/sent/": ("GET /password-reset/sent/", PUBLIC),
    "/password-reset/<uidb64>/<token>/": ("GET /password-reset/MQ/not-a-token/", PUBLIC),
    "/password-reset/done/": ("GET /password-reset/done/", PUBLIC),
    "/staff/": ("GET /staff/", STAFF),
    "/staff/organisations/<uuid:organisation_id>/": (
        "GET /staff/organisations/{organisation}/",
        "login 2fa | 200 | 404",
    ),
    # The young person's pages.
    "/chat/": ("GET /chat/", PUBLIC),
    "/chat/widget/": ("GET /chat/widget/", PUBLIC),
    "/widget.js": ("GET /widget.js", PUBLIC),
    # Counselors and supervisors.
    "/console/": ("GET /console/", CONSOLE),
    "/console/floor/": ("GET /console/floor/", SUPERVISORS),
    "/console/answers/": ("GET /console/answers/", CONSOLE),
    # The rota is national: every counselor and supervisor sees it, and coordinators of the
    # municipalities taking part; supervisors change it.
    "/rota/": ("GET /rota/", ROTA_VIEWERS),
    "/rota/patterns/": ("GET /rota/patterns/", ROTA_VIEWERS),
    "/rota/patterns/new/": ("GET /rota/patterns/new/", SUPERVISORS),
    # A shift is changed by the supervisors of its person's organisation (and the central service's).
    "/rota/patterns/<uuid:pattern_id>/": ("GET /rota/patterns/{pattern}/", OWN_SUPERVISORS),
    "/rota/patterns/<uuid:pattern_id>/delete/": ("GET /rota/patterns/{pattern}/delete/", OWN_SUPERVISORS),
    "/rota/changes/": ("GET /rota/changes/", ROTA_VIEWERS),
    "/rota/changes/new/": ("GET /rota/changes/new/", SUPERVISORS),
    "/rota/changes/<uuid:change_id>/": ("GET /rota/changes/{change}/", OWN_SUPERVISORS),
    "/rota/changes/<uuid:change_id>/delete/": ("GET /rota/changes/{change}/delete/", OWN_SUPERVISORS),
    # Aarhus's numbers: its coordinator; another municipality's coordinator is told there is none.
    "/reports/": ("GET /reports/?municipality={municipality}", NUMBERS),
    "/reports/csv/<slug:table>/": ("GET /reports/csv/municipalities/?municipality={municipality}", NUMBERS),
    "/reports/staffing/": ("GET /reports/staffing/?municipality={municipality}", NUMBERS),
    "/reports/staffing/csv/<slug:table>/": (
        "GET /reports/staffing/csv/staffing-hours/?municipality={municipality}",
        NUMBERS,
    ),
    "/i18n/setlang/": ("GET /i18n/setlang/", ">/ >/ | >/ | same"),
    # The administration: an organisation's administrators, each inside their own organisation.
    "/admin/": ("GET /admin/", ADMINS),
    "/admin/login/": ("GET /admin/login/", "login 2fa | 403 | same"),  # the one sign-in is /login/
    "/admin/logout/": ("GET /admin/logout/", ">/admin/ 2fa | 403 403 403 403 403 403 405 | same"),
    "/admin/password_change/": ("GET /admin/password_change/", ADMINS),
    "/admin/password_change/done/": ("GET /admin/password_change/done/", ADMINS),
    "/admin/autocomplete/": ("GET /admin/autocomplete/", ADMIN_NOBODY),
    "/admin/jsi18n/": ("GET /admin/jsi18n/", ADMINS),
    "/admin/r/<path:content_type_id>/<path:object_id>/": (
        "GET /admin/r/{organisation_type}/{organisation}/",
        "login 2fa | 403 403 403 403 403 403 404 | same",
    ),
    "/admin/^(?P<app_label>accounts|audit|rota|counseling)/$": ("GET /admin/accounts/", ADMINS),
    "/admin/(?P<url>.*)$": ("GET /admin/nothing-here/", "login 2fa | 403 403 403 403 403 403 404 | same"),
    "/admin/accounts/organisation/": ("GET /admin/accounts/organisation/", ADMINS),
    "/admin/accounts/organisation/add/": ("GET /admin/accounts/organisation/add/", ADMIN_NOBODY),
    "/admin/accounts/organisation/<path:object_id>/history/": (
        "GET /admin/accounts/organisation/{organisation}/history/",
        OWN_ADMIN,
    ),
    "/admin/accounts/organisation/<path:object_id>/delete/": (
        "GET /admin/accounts/organisation/{organisation}/delete/",
        ADMIN_NOBODY,
    ),
    "/admin/accounts/organisation/<path:object_id>/change/": (
        "GET /admin/accounts/organisation/{organisation}/change/",
        OWN_ADMIN,
    ),
    "/admin/accounts/organisation/<path:object_id>/": (
        "GET /admin/accounts/organisation/{organisation}/",
        "login 2fa | 403 403 403 403 403 403 >…/change/ | same",
    ),
    "/admin/accounts/user/<id>/password/": (
        "GET /admin/accounts/user/{colleague}/password/",
        "login 2fa | 403 403 403 403 403 403 200 | 403 403 403 403 403 403 404",
    ),
    "/admin/accounts/user/": ("GET /admin/accounts/user/", ADMINS),
    "/admin/accounts/user/add/": ("GET /admin/accounts/user/add/", ADMINS),
    "/admin/accounts/user/<path:object_id>/history/": ("GET /admin/accounts/user/{colleague}/history/", OWN_ADMIN),
    "/admin/accounts/user/<path:object_id>/delete/": ("GET /admin/accounts/user/{colleague}/delete/", OWN_ADMIN),
    "/admin/accounts/user/<path:object_id>/change/": ("GET /admin/accounts/user/{colleague}/change/", OWN_ADMIN),
    "/admin/accounts/user/<path:object_id>/": (
        "GET /admin/accounts/user/{colleague}/",
        "login 2fa | 403 403 403 403 403 403 >…/change/ | same",
    ),
    "/admin/audit/auditentry/": ("GET /admin/audit/auditentry/", ADMINS),
    # One staff member's access log: the administrators of their organisation.
    "/admin/audit/auditentry/person/<int:person_id>/": (
        "GET /admin/audit/auditentry/person/{colleague}/",
        "login 2fa | 403 403 403 403 403 403 200 | 403 403 403 403 403 403 404",
    ),
    "/admin/audit/auditentry/add/": ("GET /admin/audit/auditentry/add/", ADMIN_NOBODY),
    "/admin/audit/auditentry/<path:object_id>/history/": ("GET /admin/audit/auditentry/{audit}/history/", OWN_ADMIN),
    "/admin/audit/auditentry/<path:object_id>/delete/": ("GET /admin/audit/auditentry/{audit}/delete/", ADMIN_NOBODY),
    "/admin/audit/auditentry/<path:object_id>/change/": ("GET /admin/audit/auditentry/{audit}/change/", OWN_ADMIN),
    "/admin/audit/auditentry/<path:object_id>/": (
        "GET /admin/audit/auditentry/{audit}/",
        "login 2fa | 403 403 403 403 403 403 >…/change/ | same",
    ),
    # The rota in the administration is the supervisors' to read; an administrator alone gets nothing.
    "/admin/rota/shiftpattern/": ("GET /admin/rota/shiftpattern/", ADMIN_NOBODY),
    "/admin/rota/shiftpattern/add/": ("GET /admin/rota/shiftpattern/add/", ADMIN_NOBODY),
    "/admin/rota/shiftpattern/<path:object_id>/history/": (
        "GET /admin/rota/shiftpattern/{pattern}/history/",
        ADMIN_NOBODY,
    ),
    "/admin/rota/shiftpattern/<path:object_id>/delete/": (
        "GET /admin/rota/shiftpattern/{pattern}/delete/",
        ADMIN_NOBODY,
    ),
    "/admin/rota/shiftpattern/<path:object_id>/change/": (
        "GET /admin/rota/shiftpattern/{pattern}/change/",
        ADMIN_NOBODY,
    ),
    "/admin/rota/shiftpattern/<path:object_id>/": (
        "GET /admin/rota/shiftpattern/{pattern}/",
        "login 2fa | 403 403 403 403 403 403 >…/change/ | same",
    ),
    "/admin/rota/shiftchange/": ("GET /admin/rota/shiftchange/", ADMIN_NOBODY),
    "/admin/rota/shiftchange/add/": ("GET /admin/rota/shiftchange/add/", ADMIN_NOBODY),
    "/admin/rota/shiftchange/<path:object_id>/history/": (
        "GET /admin/rota/shiftchange/{change}/history/",
        ADMIN_NOBODY,
    ),
    "/admin/rota/shiftchange/<path:object_id>/delete/": ("GET /admin/rota/shiftchange/{change}/delete/", ADMIN_NOBODY),
    "/admin/rota/shiftchange/<path:object_id>/change/": ("GET /admin/rota/shiftchange/{change}/change/", ADMIN_NOBODY),
    "/admin/rota/shiftchange/<path:object_id>/": (
        "GET /admin/rota/shiftchange/{change}/",
        "login 2fa | 403 403 403 403 403 403 >…/change/ | same",
    ),
    "/admin/counseling/preparedanswer/": ("GET /admin/counseling/preparedanswer/", ADMINS),
    "/admin/counseling/preparedanswer/add/": ("GET /admin/counseling/preparedanswer/add/", ADMINS),
    "/admin/counseling/preparedanswer/<path:object_id>/history/": (
        "GET /admin/counseling/preparedanswer/{answer}/history/",
        OWN_ADMIN,
    ),
    "/admin/counseling/preparedanswer/<path:object_id>/delete/": (
        "GET /admin/counseling/preparedanswer/{answer}/delete/",
        OWN_ADMIN,
    ),
    "/admin/counseling/preparedanswer/<path:object_id>/change/": (
        "GET /admin/counseling/preparedanswer/{answer}/change/",
        OWN_ADMIN,
    ),
    "/admin/counseling/preparedanswer/<path:object_id>/": (
        "GET /admin/counseling/preparedanswer/{answer}/",
        "login 2fa | 403 403 403 403 403 403 >…/change/ | same",
    ),
    # Legal holds on the organisation's conversations: its administrators, who never add or delete one.
    "/admin/counseling/conversation/": ("GET /admin/counseling/conversation/", ADMINS),
    "/admin/counseling/conversation/add/": ("GET /admin/counseling/conversation/add/", ADMIN_NOBODY),
    "/admin/counseling/conversation/<path:object_id>/history/": (
        "GET /admin/counseling/conversation/{conversation}/history/",
        OWN_ADMIN,
    ),
    "/admin/counseling/conversation/<path:object_id>/delete/": (
        "GET /admin/counseling/conversation/{conversation}/delete/",
        ADMIN_NOBODY,
    ),
    "/admin/counseling/conversation/<path:object_id>/change/": (
        "GET /admin/counseling/conversation/{conversation}/change/",
        OWN_ADMIN,
    ),
    "/admin/counseling/conversation/<path:object_id>/": (
        "GET /admin/counseling/conversation/{conversation}/",
        "login 2fa | 403 403 403 403 403 403 >…/change/ | same",
    ),
    # The JSON API: no redirects, a refusal is a status with a JSON body.
    "/api/openapi.json": ("GET /api/openapi.json", "200 200 | 200 | same"),
    "/api/municipalities": ("GET /api/municipalities", "200 200 | 200 | same"),
    "/api/me": ("GET /api/me", STAFF_API),
    "/api/organisations": ("GET /api/organisations", STAFF_API),
    "/api/organisations/<organisation_id>": ("GET /api/organisations/{organisation}", "401 401 | 200 | 404"),
    "/api/chat/conversations": ("POST /api/chat/conversations {}", "201 201 | 201 | same"),
    "/api/chat/letters": ('POST /api/chat/letters {"body": "hej"}', "201 201 | 201 | same"),
    "/api/chat/resume": ('POST /api/chat/resume {"resume_code": "AAAA-BBBB-CCCC"}', "404 404 | 404 | same"),
    "/api/chat/delete": ('POST /api/chat/delete {"resume_code": "AAAA-BBBB-CCCC"}', "404 404 | 404 | same"),
    "/api/chat/status": ("GET /api/chat/status", "200 200 | 200 | same"),
    "/api/reports/figures": (
        "GET /api/reports/figures?first_day=2025-01-01&last_day=2025-12-31&municipality={municipality}",
        "401 401 | 403 403 200 403 403 403 403 | 403 403 404 403 403 403 403",
    ),
    "/api/": ("GET /api/", "404 404 | 404 | same"),
    "/api/<anything else>": ("GET /api/nothing-here", "404 404 | 404 | same"),
}

PERSONAS = ["anonymous", "password-only"] + [f"{role}@{town}" for town in ("aarhus", "koebenhavn") for role in ROLES]

# People who may see the object a path names and only not change it: for them a missing id may
# answer differently (a 404), since the real one is no secret to them.
_ROTA_VIEWERS = {f"{role}@{town}" for role in ("counselor", "coordinator") for town in ("aarhus", "koebenhavn")}
# Another municipality's supervisor sees the national rota and may change only their own staff's shifts.
_ROTA_VIEWERS |= {"supervisor@koebenhavn"}
VISIBLE: dict[str, set[str]] = {
    "/rota/patterns/<uuid:pattern_id>/": _ROTA_VIEWERS,
    "/rota/patterns/<uuid:pattern_id>/delete/": _ROTA_VIEWERS,
    "/rota/changes/<uuid:change_id>/": _ROTA_VIEWERS,
    "/rota/changes/<uuid:change_id>/delete/": _ROTA_VIEWERS,
}


def expected_answers(cells: str) -> dict[str, str]:
    """Reads one row's answers into {persona: answer}."""
    visitors, aarhus, koebenhavn = (group.split() for group in cells.split("|"))
    aarhus = aarhus * len(ROLES) if len(aarhus) == 1 else aarhus
    koebenhavn = aarhus if koebenhavn == ["same"] else koebenhavn
    koebenhavn = koebenhavn * len(ROLES) if len(koebenhavn) == 1 else koebenhavn
    assert len(visitors) == 2 and len(aarhus) == len(koebenhavn) == len(ROLES), cells
    return dict(zip(PERSONAS, visitors + aarhus + koebenhavn, strict=True))


def url_patterns() -> list[str]:
    """Every URL pattern of the project, spelt as its route; a catch-all that adds nothing to its
    prefix is named `<anything else>`."""

    def walk(patterns: list[URLResolver | URLPattern], prefix: str) -> Iterator[str]:
        for pattern in patterns:
            text = str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + text)
            elif isinstance(pattern.pattern, RegexPattern) and text == "":
                yield prefix + "<anything else>"
            else:
                yield prefix + text

    return ["/" + route for route in walk(get_resolver().url_patterns, "")]


def test_every_url_pattern_has_a_row():
    found = url_patterns()

    assert len(found) == len(set(found)), "two patterns share a route; give the table a way to tell them apart"
    assert set(found) - set(ROUTES) == set(), "a URL without an expected answer: add it to ROUTES"
    assert set(ROUTES) - set(found) == set(), "ROUTES names a URL that no longer exists"


def test_every_row_reads_as_a_full_set_of_answers():
    for route, (_, cells) in ROUTES.items():
        assert set(expected_answers(cells)) == set(PERSONAS), route


# --- the walk ------------------------------------------------------------------------------------
# Ids of the kinds `world` holds that name nothing.
MISSING = {
    "organisation": str(uuid.UUID(int=0)),
    "municipality": "9999",
    "colleague": "987654321",
    "pattern": str(uuid.UUID(int=1)),
    "change": str(uuid.UUID(int=2)),
    "audit": "987654321",
    "answer": "987654321",
    "conversation": str(uuid.UUID(int=3)),
}


def visitor(persona: str, aarhus: Organisation, koebenhavn: Organisation) -> Client:
    client = Client()
    if persona == "anonymous":
        return client
    if persona == "password-only":
        # Every role there is, so nothing but the missing second factor stands in the way.
        person = make_staff("half.aarhus", aarhus, *ROLES)
        sign_in(Client(), person)  # an enrolled authenticator, so the step to go to is the code
        client.force_login(person)
        return client
    role, town = persona.split("@")
    return sign_in(client, make_staff(f"{role}.{town}", aarhus if town == "aarhus" else koebenhavn, role))


def fill(request: str, values: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda name: values[name[1]], request)


def ask(client: Client, request: str, values: dict[str, str]):
    method, target, *body = fill(request, values).split(" ", 2)
    if method == "POST":
        return client.post(target, body[0] if body else "", content_type="application/json")
    return client.get(target)


def matches(response, answer: str, target: str) -> bool:
    location = response.get("Location", "")
    if answer == "login":
        return response.status_code == 302 and location.startswith(("/login/?next=", "/admin/login/?next="))
    if answer == "2fa":
        return response.status_code == 302 and location.startswith("/login/verify/")
    if answer == "gone":
        return response.status_code == 302 and location == "/admin/"
    if answer.startswith(">…"):
        return response.status_code == 302 and location.endswith(answer[2:])
    if answer.startswith(">"):
        return response.status_code == 302 and location.startswith(answer[1:])
    if target.startswith("/api/") and not response["Content-Type"].startswith("application/json"):
        return False
    return response.status_code == int(answer)


_VARYING = [
    re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]+'),  # masked anew on every page
    re.compile(r'(nonce=")[^"]+'),  # the CSP nonce
]


def shape(response, target: str) -> tuple[int, str, str]:
    """What a person learns from an answer, with the address they asked for taken out."""
    body = response.content.decode("utf-8", "replace")
    location = response.get("Location", "")
    for spelling in (target, quote(target, safe=""), quote(target)):
        body, location = body.replace(spelling, "{asked}"), location.replace(spelling, "{asked}")
    for varying in _VARYING:
        body = varying.sub(r"\1…", body)
    return response.status_code, location, body


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_url_answers_each_person_as_the_table_says(persona, world, aarhus, koebenhavn):
    client = visitor(persona, aarhus, koebenhavn)
    wrong: list[str] = []

    for route, (request, cells) in ROUTES.items():
        answer = expected_answers(cells)[persona]
        target = fill(request, world).split(" ")[1]
        response = ask(client, request, world)
        if not matches(response, answer, target):
            wrong.append(f"{route}: expected {answer}, got {response.status_code} {response.get('Location', '')}")
            continue
        named = {key for key in MISSING if "{" + key + "}" in request}
        if not named or answer.startswith("2") or persona in VISIBLE.get(route, set()):
            continue
        missing = {**world, **MISSING}
        twin = ask(client, request, missing)
        if shape(twin, fill(request, missing).split(" ")[1]) != shape(response, target):
            wrong.append(f"{route}: a missing id got {twin.status_code}, an existing one {response.status_code}")

    assert wrong == [], "\n".join(wrong)


def test_the_admin_sign_in_is_the_one_sign_in(client, db):
    response = client.get("/admin/login/?next=/admin/")

    assert response.status_code == 302
    assert response["Location"] == "/login/?next=%2Fadmin%2F"


def test_admin_sees_only_own_organisation_in_lists(client, world, admin_aarhus, aarhus, koebenhavn):
    make_staff("stranger.kbh", koebenhavn, Role.COUNSELOR)
    sign_in(client, admin_aarhus)

    staff_list = client.get("/admin/accounts/user/").content.decode()
    organisations = client.get("/api/organisations").json()

    assert "colleague.aarhus" in staff_list
    assert "stranger.kbh" not in staff_list
    assert [row["id"] for row in organisations] == [str(aarhus.pk)]


def test_admin_cannot_move_a_colleague_into_another_organisation(client, world, admin_aarhus, koebenhavn):
    sign_in(client, admin_aarhus)

    client.post(
        f"/admin/accounts/user/{world['colleague']}/change/",
        {
            "username": "colleague.aarhus",
            "organisation": str(koebenhavn.pk),
            "is_active": "on",
            "role_grants-TOTAL_FORMS": "0",
            "role_grants-INITIAL_FORMS": "0",
        },
    )

    assert str(User.objects.get(pk=world["colleague"]).organisation_id) == world["organisation"]


def test_admin_cannot_make_anyone_a_superuser(client, world, admin_aarhus):
    sign_in(client, admin_aarhus)

    page = client.get(f"/admin/accounts/user/{world['colleague']}/change/").content.decode()

    assert 'name="is_superuser"' not in page


def test_nonexistent_and_foreign_ids_get_the_same_answer(client, counselor_aarhus, koebenhavn):
    sign_in(client, counselor_aarhus)

    foreign = client.get(f"/api/organisations/{koebenhavn.pk}")
    missing = client.get("/api/organisations/00000000-0000-0000-0000-000000000000")
    malformed = client.get("/api/organisations/not-an-id")
    page_foreign = client.get(f"/staff/organisations/{koebenhavn.pk}/")
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
