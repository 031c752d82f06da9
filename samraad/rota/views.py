"""The rota pages: the week hour by hour, and the supervisor's forms. Thin: actions do the work."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import ModelForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from samraad.accounts.models import User
from samraad.accounts.permissions import Perm, can
from samraad.counseling.actions import available_counselors
from samraad.rota import actions, coverage
from samraad.rota.forms import ChangeForm, PatternForm
from samraad.rota.models import FIRST_DATE, LAST_DATE, ShiftChange


def _week_url(monday: date) -> str:
    return f"{reverse('rota:week')}?week={coverage.week_label(monday)}"


def _in_range(monday: date) -> bool:
    return coverage.week_within(monday, FIRST_DATE, LAST_DATE)


def _requested_week(request: HttpRequest) -> date:
    text = request.GET.get("week", "")
    if not text:
        return coverage.monday_of(timezone.localdate())
    monday = coverage.parse_week(text, FIRST_DATE, LAST_DATE)
    if monday is None:
        raise Http404
    return monday


@login_required
@require_GET
def week(request: HttpRequest) -> HttpResponse:
    """The week hour by hour: how many are on shift, who, and where the gaps are."""
    actions.check_may_view_rota(request.user)
    monday = _requested_week(request)
    planned = actions.check_week(request.user, monday)
    this_monday = coverage.monday_of(timezone.localdate())
    context: dict[str, Any] = {
        "week": planned.week,
        "patterns": planned.patterns,
        "changes": planned.changes,
        "pool": planned.pool,
        "may_manage": can(request.user, Perm.MANAGE_ROTA),
        "is_this_week": monday == this_monday,
        "this_week_url": _week_url(this_monday),
        "previous_url": _week_url(planned.week.previous_monday) if _in_range(planned.week.previous_monday) else "",
        "next_url": _week_url(planned.week.next_monday) if _in_range(planned.week.next_monday) else "",
    }
    if monday == this_monday:
        now = timezone.now()
        context["now_hour"] = planned.week.hour_at(now)
        context["present"] = sorted((str(presence.user) for presence in available_counselors(now)), key=str.lower)
    return render(request, "rota/week.html", context)


@login_required
@require_GET
def pattern_list(request: HttpRequest) -> HttpResponse:
    """Every weekly shift, in force or not."""
    actions.check_may_view_rota(request.user)
    context = {
        "patterns": actions.all_patterns(),
        "pool": actions.pool_ids(),
        "today": timezone.localdate(),
        "may_manage": can(request.user, Perm.MANAGE_ROTA),
    }
    return render(request, "rota/pattern_list.html", context)


@login_required
@require_GET
def change_list(request: HttpRequest) -> HttpResponse:
    """One-off changes that have not ended yet; past ones show in their week."""
    actions.check_may_view_rota(request.user)
    context = {
        "changes": actions.changes_not_ended(timezone.now()),
        "pool": actions.pool_ids(),
        "may_manage": can(request.user, Perm.MANAGE_ROTA),
    }
    return render(request, "rota/change_list.html", context)


def _apply(form: ModelForm, save: Any) -> Any:
    """Calls `save(**cleaned_data)`; a ValidationError from the action lands on the form."""
    try:
        return save(**{name: form.cleaned_data[name] for name in form.Meta.fields})  # type: ignore[attr-defined]
    except ValidationError as error:
        form.add_error(None, error)
        return None


def _form_page(request: HttpRequest, form: ModelForm, title: str, intro: str) -> HttpResponse:
    return render(request, "rota/form.html", {"form": form, "title": title, "intro": intro})


@login_required
@require_http_methods(["GET", "POST"])
def pattern_create(request: HttpRequest) -> HttpResponse:
    actions.check_may_manage_rota(request.user)
    actor: User = request.user  # type: ignore[assignment]
    form = PatternForm(request.POST or None, planner=actor, initial={"valid_from": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        pattern = _apply(form, lambda **values: actions.do_create_pattern(actor, **values))
        if pattern is not None:
            messages.success(request, _("The weekly shift was added."))
            return redirect(_week_url(actions.week_to_show_after_saving(pattern.valid_from, pattern.valid_until)))
    return _form_page(
        request, form, _("Add a weekly shift"), _("A shift that repeats every week on the same day, Danish time.")
    )


@login_required
@require_http_methods(["GET", "POST"])
def pattern_edit(request: HttpRequest, pattern_id: str) -> HttpResponse:
    pattern = actions.get_pattern_for(request.user, pattern_id)
    actions.check_may_plan_for(request.user, pattern.staff)
    actor: User = request.user  # type: ignore[assignment]
    intro = str(pattern)
    form = PatternForm(request.POST or None, planner=actor, instance=pattern)
    if request.method == "POST" and form.is_valid():
        saved = _apply(form, lambda **values: actions.do_update_pattern(actor, pattern, **values))
        if saved is not None:
            messages.success(request, _("The weekly shift was changed."))
            return redirect(_week_url(actions.week_to_show_after_saving(saved.valid_from, saved.valid_until)))
    return _form_page(request, form, _("Change a weekly shift"), intro)


@login_required
@require_http_methods(["GET", "POST"])
def pattern_delete(request: HttpRequest, pattern_id: str) -> HttpResponse:
    pattern = actions.get_pattern_for(request.user, pattern_id)
    actions.check_may_plan_for(request.user, pattern.staff)
    if request.method == "POST":
        actions.do_delete_pattern(request.user, pattern)  # type: ignore[arg-type]
        messages.success(request, _("The weekly shift was deleted."))
        return redirect("rota:patterns")
    context = {"title": _("Delete a weekly shift"), "subject": str(pattern), "back_url": reverse("rota:patterns")}
    return render(request, "rota/confirm_delete.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def change_create(request: HttpRequest) -> HttpResponse:
    actions.check_may_manage_rota(request.user)
    actor: User = request.user  # type: ignore[assignment]
    form = ChangeForm(request.POST or None, planner=actor, initial={"kind": ShiftChange.Kind.EXTRA})
    if request.method == "POST" and form.is_valid():
        change = _apply(form, lambda **values: actions.do_create_change(actor, **values))
        if change is not None:
            messages.success(request, _("The one-off change was added."))
            return redirect(_week_url(coverage.monday_of(timezone.localdate(change.starts_at))))
    return _form_page(
        request,
        form,
        _("Add a one-off change"),
        _("An extra shift, or planned time cancelled because of illness, holiday or a swap."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def change_edit(request: HttpRequest, change_id: str) -> HttpResponse:
    change = actions.get_change_for(request.user, change_id)
    actions.check_may_plan_for(request.user, change.staff)
    actor: User = request.user  # type: ignore[assignment]
    intro = str(change)
    form = ChangeForm(request.POST or None, planner=actor, instance=change)
    if request.method == "POST" and form.is_valid():
        saved = _apply(form, lambda **values: actions.do_update_change(actor, change, **values))
        if saved is not None:
            messages.success(request, _("The one-off change was changed."))
            return redirect(_week_url(coverage.monday_of(timezone.localdate(saved.starts_at))))
    return _form_page(request, form, _("Change a one-off change"), intro)


@login_required
@require_http_methods(["GET", "POST"])
def change_delete(request: HttpRequest, change_id: str) -> HttpResponse:
    change = actions.get_change_for(request.user, change_id)
    actions.check_may_plan_for(request.user, change.staff)
    if request.method == "POST":
        monday = coverage.monday_of(timezone.localdate(change.starts_at))
        actions.do_delete_change(request.user, change)  # type: ignore[arg-type]
        messages.success(request, _("The one-off change was deleted."))
        return redirect(_week_url(monday))
    context = {"title": _("Delete a one-off change"), "subject": str(change), "back_url": reverse("rota:changes")}
    return render(request, "rota/confirm_delete.html", context)
