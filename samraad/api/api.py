"""The JSON API, thin over the domain apps. Its OpenAPI schema is at /api/openapi.json."""

from __future__ import annotations

import uuid

from django.http import HttpRequest
from ninja import Field, NinjaAPI, Schema
from ninja.security import django_auth

from samraad.accounts.models import Organisation, Role
from samraad.accounts.permissions import Perm, can, get_organisation_for, organisations_visible_to
from samraad.counseling.api import router as chat_router

api = NinjaAPI(title="Samraad API", version="1", urls_namespace="api", docs_url=None)
api.add_router("/chat", chat_router)


class MunicipalityOut(Schema):
    code: str = Field(alias="municipality_code")
    name: str
    region: str
    participating: bool


class OrganisationOut(Schema):
    id: uuid.UUID
    kind: str
    name: str
    municipality_code: str | None
    region: str
    participating: bool


class MeOut(Schema):
    username: str
    name: str
    organisation: OrganisationOut | None
    roles: list[str]


def _staff_auth(request: HttpRequest) -> bool:
    """Session sign-in (CSRF-checked on writes) by an active staff member."""
    return django_auth(request) is not None and can(request.user, Perm.SEE_STAFF_PAGES)


@api.get("/municipalities", response=list[MunicipalityOut], auth=None, tags=["reference"])
def municipalities(request: HttpRequest) -> list[Organisation]:
    """All 98 Danish municipalities with their official codes; public reference data."""
    return list(Organisation.objects.filter(kind=Organisation.Kind.MUNICIPALITY).order_by("municipality_code"))


@api.get("/me", response=MeOut, auth=_staff_auth, tags=["staff"])
def me(request: HttpRequest) -> dict[str, object]:
    user = request.user
    return {
        "username": user.get_username(),
        "name": str(user),
        "organisation": user.organisation,  # type: ignore[union-attr]
        "roles": [role.value for role in Role if user.has_role(role)],  # type: ignore[union-attr]
    }


@api.get("/organisations", response=list[OrganisationOut], auth=_staff_auth, tags=["staff"])
def organisations(request: HttpRequest) -> list[Organisation]:
    """The organisations whose settings the signed-in person may see."""
    return list(organisations_visible_to(request.user))


@api.get("/organisations/{organisation_id}", response=OrganisationOut, auth=_staff_auth, tags=["staff"])
def organisation(request: HttpRequest, organisation_id: uuid.UUID) -> Organisation:
    return get_organisation_for(request.user, organisation_id)
