"""The pages of the chat: the young person's chat and widget, and the counselor console."""

from __future__ import annotations

from pathlib import Path
from typing import cast

from csp.constants import SELF
from csp.decorators import csp_replace
from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import translation
from django.views.decorators.cache import cache_control
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_http_methods

from samraad.accounts.embedding import widget_origins
from samraad.accounts.models import Organisation, User
from samraad.accounts.permissions import Perm, can, supervises_pool
from samraad.counseling import actions
from samraad.counseling.errors import Refused
from samraad.counseling.models import Level, PreparedAnswer, RiskCategory, Topic

WIDGET_SCRIPT = Path(__file__).resolve().parent / "static" / "counseling" / "widget.js"


def _chat_context(request: HttpRequest) -> dict[str, object]:
    municipalities = Organisation.objects.filter(kind=Organisation.Kind.MUNICIPALITY).order_by("name")
    return {
        "municipalities": municipalities,
        "topics": Topic.choices,
        "preselected_municipality": request.GET.get("municipality", ""),
    }


def chat_page(request: HttpRequest) -> HttpResponse:
    """The young person's chat: no account, nothing stored on the device."""
    return render(request, "counseling/chat.html", _chat_context(request))


@xframe_options_exempt
def widget_page(request: HttpRequest) -> HttpResponseBase:
    """The chat inside the widget's iframe, framed only by the registered web sites."""
    # Read per request, not fixed by a decorator at import: organisations register sites meanwhile.
    return csp_replace({"frame-ancestors": [SELF, *widget_origins()]})(_widget_page)(request)


def _widget_page(request: HttpRequest) -> HttpResponse:
    # `?lang=en` chooses the language: in a third-party iframe there is no language cookie.
    lang = request.GET.get("lang", "")
    if lang in dict(settings.LANGUAGES):
        translation.activate(lang)
        request.LANGUAGE_CODE = lang
    return render(request, "counseling/widget.html", {**_chat_context(request), "in_widget": True})


@cache_control(public=True, max_age=3600)
def widget_script(request: HttpRequest) -> HttpResponse:
    """`<script src="https://…/widget.js" data-municipality="0751">`: a button that opens the chat
    in an iframe from this origin, so the host page never sees the conversation."""
    return HttpResponse(WIDGET_SCRIPT.read_bytes(), content_type="text/javascript; charset=utf-8")


@login_required
def console_page(request: HttpRequest) -> HttpResponse:
    if not can(request.user, Perm.USE_CONSOLE):
        raise PermissionDenied
    user = cast(User, request.user)
    answers = PreparedAnswer.objects.filter(Q(owner=user) | Q(organisation=user.organisation_id))
    prepared = [{"title": answer.title, "body": answer.body} for answer in answers.order_by("title")]
    levels = [(level.name.lower(), level.label) for level in Level]
    context = {
        "prepared_answers": prepared,
        "topics": Topic.choices,
        "levels": levels,
        "risk_categories": RiskCategory.choices,
    }
    return render(request, "counseling/console.html", context)


@login_required
def floor_page(request: HttpRequest) -> HttpResponse:
    """The supervisor's floor: the queue by municipality and level, counselors' load, alerts."""
    if not can(request.user, Perm.SUPERVISE):
        raise PermissionDenied
    context = {
        "long_wait_s": settings.SAMRAAD_FLOOR_LONG_WAIT_S,
        "topics": Topic.choices,
        "supervises_pool": supervises_pool(request.user),
    }
    return render(request, "counseling/floor.html", context)


class PreparedAnswerForm(forms.ModelForm):
    class Meta:
        model = PreparedAnswer
        fields = ["title", "body"]
        widgets = {
            "title": forms.TextInput(attrs={"class": "form-input"}),
            "body": forms.Textarea(attrs={"class": "form-input", "rows": 4}),
        }


@login_required
@require_http_methods(["GET", "POST"])
def own_answers_page(request: HttpRequest) -> HttpResponse:
    """A counselor's own prepared answers: add and delete (the shared ones are the administrators')."""
    if not can(request.user, Perm.USE_CONSOLE):
        raise PermissionDenied
    user = cast(User, request.user)
    form = PreparedAnswerForm(request.POST or None)
    if request.method == "POST" and "delete" in request.POST:
        try:
            actions.do_delete_prepared_answer(user, int(request.POST["delete"]))
        except (Refused, ValueError) as error:
            raise Http404 from error
        return redirect("counseling:answers")
    if request.method == "POST" and form.is_valid():
        actions.do_add_prepared_answer(user, title=form.cleaned_data["title"], body=form.cleaned_data["body"])
        return redirect("counseling:answers")
    answers = PreparedAnswer.objects.filter(owner=user).order_by("title")
    return render(request, "counseling/answers.html", {"form": form, "answers": answers})
