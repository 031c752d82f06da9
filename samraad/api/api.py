"""The JSON API, thin over the domain apps. Its OpenAPI schema is at /api/openapi.json."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from typing import Any

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.urls import URLPattern, URLResolver, re_path
from ninja import Field, NinjaAPI, Schema
from ninja.security import django_auth

from samraad.accounts.models import Organisation, Role
from samraad.accounts.permissions import Perm, can, get_organisation_for, organisations_visible_to
from samraad.counseling.api import CrossSite, NotJson
from samraad.counseling.api import router as chat_router
from samraad.reports.api import router as reports_router


class SamraadAPI(NinjaAPI):
    """Answers every refusal as JSON, also those the framework answers in plain text or HTML: a
    method the route does not have (405), an address under /api/ that is no route (404) and a body
    over `DATA_UPLOAD_MAX_MEMORY_SIZE` (413, see `_suspicious`); and the chat's front door (415,
    403: `counseling.api.front_door`)."""

    @property
    def urls(self) -> tuple[list[URLResolver | URLPattern], str, str]:
        patterns, app_name, namespace = super().urls
        patterns.append(re_path(r"", _no_such_route, name="no-such-route"))  # last: whatever is left
        _answer_in_json(patterns)
        return patterns, app_name, namespace


def _no_such_route(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def _answer_in_json(patterns: list[URLResolver | URLPattern]) -> None:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            _answer_in_json(pattern.url_patterns)
        else:
            pattern.callback = _refusals_as_json(pattern.callback)


def _refusals_as_json(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            response = view(request, *args, **kwargs)
        except Http404:
            return JsonResponse({"code": "not_found", "detail": "Nothing is here."}, status=404)
        if response.status_code != 405 or response.get("Content-Type", "").startswith("application/json"):
            return response
        answer = JsonResponse({"code": "method_not_allowed", "detail": "This address does not take that method."})
        answer.status_code = 405
        answer["Allow"] = response.get("Allow", "")
        return answer

    # Ninja exempts its operations from Django's CSRF middleware (session auth checks the token
    # itself, on writes); its schema and root views change nothing, so they are exempt too rather
    # than answering a stray POST with the middleware's HTML page.
    wrapper.csrf_exempt = True  # type: ignore[attr-defined]
    return wrapper


api = SamraadAPI(title="Samraad API", version="1", urls_namespace="api", docs_url=None)
api.add_router("/chat", chat_router)
api.add_router("/reports", reports_router)


@api.exception_handler(NotJson)
def _not_json(request: HttpRequest, error: Exception) -> HttpResponse:
    detail = "Send the body as JSON (Content-Type: application/json)."
    return api.create_response(request, {"code": "unsupported_media_type", "detail": detail}, status=415)


@api.exception_handler(CrossSite)
def _cross_site(request: HttpRequest, error: Exception) -> HttpResponse:
    detail = "Open the chat from its own page or a municipality's widget."
    return api.create_response(request, {"code": "cross_site", "detail": detail}, status=403)


@api.exception_handler(SuspiciousOperation)
def _suspicious(request: HttpRequest, error: Exception) -> HttpResponse:
    # Django would answer these with an HTML page; an API client gets JSON like every other refusal.
    if isinstance(error, RequestDataTooBig):
        return api.create_response(
            request, {"code": "too_large", "detail": "The request body is too large."}, status=413
        )
    return api.create_response(request, {"code": "bad_request", "detail": "The request was refused."}, status=400)


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
