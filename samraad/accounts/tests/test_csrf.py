"""Every form that posts is protected against cross-site request forgery.

The forms are found, not listed: every page of the URL table in `test_permission_matrix` is opened
by each kind of visitor who can have a form there (anonymous, half-signed-in, and a staff member
holding every role), and every `<form method="post">` on it is sent back once without its CSRF
token (refused) and once with it (let through), by a client that enforces the checks as a
browser's requests meet them.

The JSON API is not walked here: its chat routes read no cookie (so a forged request carries no
credential) and its staff routes only read.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.test import Client
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from conftest import make_staff, sign_in
from samraad.accounts.models import Organisation, Role
from samraad.accounts.tests.test_permission_matrix import ROUTES, expected_answers, fill
from samraad.counseling.models import PreparedAnswer

pytestmark = pytest.mark.django_db

REFUSED = "refused by the CSRF check"


def csrf_refusal(request: HttpRequest, reason: str = "") -> HttpResponse:
    """Stands in for the CSRF failure page, so a refusal by the check is told from any other 403."""
    return HttpResponseForbidden(f"{REFUSED}: {reason}")


@pytest.fixture(autouse=True)
def _recognisable_csrf_refusals(settings) -> None:
    settings.CSRF_FAILURE_VIEW = f"{__name__}.csrf_refusal"


@dataclass
class Form:
    page: str
    action: str
    fields: dict[str, str] = field(default_factory=dict)


class _Forms(HTMLParser):
    """Collects each POST form of a page with the values a browser would send unchanged."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.page = page
        self.forms: list[Form] = []
        self.current: Form | None = None
        self.select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "form" and values.get("method", "get").lower() == "post":
            self.current = Form(self.page, values.get("action") or self.page)
            self.forms.append(self.current)
        elif self.current is None or "name" not in values:
            return
        elif tag == "input" and values.get("type") not in ("submit", "button", "checkbox", "radio", "file"):
            self.current.fields[values["name"]] = values.get("value", "")
        elif tag == "textarea":
            self.current.fields[values["name"]] = ""
        elif tag == "select":
            self.select = values["name"]
        elif tag == "button" and values.get("value"):
            self.current.fields[values["name"]] = values["value"]

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.current = None
        elif tag == "select":
            self.select = None


def forms_on(client: Client, pages: list[str]) -> Iterator[Form]:
    for asked in pages:
        response = client.get(asked, follow=True)
        page = response.redirect_chain[-1][0] if response.redirect_chain else asked
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            parser = _Forms(page)
            parser.feed(response.content.decode())
            yield from parser.forms


def _pages(values: dict[str, str], *personas: str) -> list[str]:
    """The pages of the URL table, outside the JSON API, that the table says open (200) for one
    of `personas` when read with GET."""
    pages = []
    for request, cells in ROUTES.values():
        method, target, *_ = fill(request, values).split(" ")
        answers = expected_answers(cells)
        if method == "GET" and not target.startswith("/api/") and any(answers[who] == "200" for who in personas):
            pages.append(target)
    return pages


@pytest.fixture
def visitors(world, aarhus: Organisation) -> dict[str, tuple[Client, list[str]]]:
    """Each kind of visitor who meets a different set of forms, with the pages they open."""
    everyone = make_staff("all.roles", aarhus, *[role.value for role in Role])
    PreparedAnswer.objects.create(owner=everyone, title="Egen", body="Mit eget svar.")  # its delete form
    enrolled, new = make_staff("enrolled.aarhus", aarhus, Role.COUNSELOR), make_staff("new.aarhus", aarhus)
    sign_in(Client(), enrolled)  # gives the authenticator, so the half-signed-in are asked for the code
    half_enrolled, half_new = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    half_enrolled.force_login(enrolled)
    half_new.force_login(new)
    # After signing in, which changes what the link's token is made from.
    reset_link = (
        f"/password-reset/{urlsafe_base64_encode(force_bytes(new.pk))}/{default_token_generator.make_token(new)}/"
    )
    return {
        "anonymous": (Client(enforce_csrf_checks=True), [*_pages(world, "anonymous"), reset_link]),
        "half-signed-in with an authenticator": (half_enrolled, ["/login/verify/"]),
        "half-signed-in without one": (half_new, ["/account/two-factor/"]),
        "staff with every role": (
            sign_in(Client(enforce_csrf_checks=True), everyone),
            _pages(world, *[f"{role.value}@aarhus" for role in Role]),
        ),
    }


def _without_ids(path: str) -> str:
    path = re.sub(r"^/password-reset/[^/]+/set-password/$", "/password-reset/…/", path)
    return re.sub(r"/([0-9a-f-]{36}|\d+)/", "/…/", path)


def test_every_post_form_is_refused_without_its_csrf_token_and_let_through_with_it(visitors):
    found: dict[str, list[Form]] = {}
    unguarded: list[str] = []

    for who, (client, pages) in visitors.items():
        forms = list(forms_on(client, pages))
        found[who] = forms
        for form in forms:
            assert "csrfmiddlewaretoken" in form.fields, f"{who}: the form to {form.action} on {form.page} has no token"
            forged = {name: value for name, value in form.fields.items() if name != "csrfmiddlewaretoken"}
            response = client.post(form.action, forged)
            if response.status_code != 403 or REFUSED not in response.content.decode():
                unguarded.append(f"{who}: {form.action} (on {form.page}) answered {response.status_code}")

    assert unguarded == []
    # The same forms with their tokens pass the check; signing out goes last, as it ends the session.
    for who, forms in found.items():
        client = visitors[who][0]
        for form in sorted(forms, key=lambda form: form.action == "/logout/"):
            response = client.post(form.action, form.fields)
            assert REFUSED not in response.content.decode(), f"{who}: {form.action} refused with its token"
    actions = {_without_ids(form.action) for forms in found.values() for form in forms}
    assert {
        "/login/",
        "/login/verify/",
        "/account/two-factor/",
        "/logout/",
        "/password-reset/",
        "/password-reset/…/",
        "/i18n/setlang/",
        "/console/answers/",
        "/rota/patterns/new/",
        "/rota/patterns/…/",
        "/rota/patterns/…/delete/",
        "/rota/changes/new/",
        "/rota/changes/…/",
        "/rota/changes/…/delete/",
        "/admin/accounts/user/…/change/",
        "/admin/accounts/organisation/…/change/",
        "/admin/counseling/preparedanswer/add/",
    } <= actions, sorted(actions)
