"""The report pages, their CSV exports and the staffing page. Thin: the numbers come from
`figures`, `cost` and `staffing`; who may see whose comes from the permission module."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from samraad.accounts.models import Organisation
from samraad.accounts.permissions import (
    Perm,
    can,
    get_reported_municipality_for,
    sees_every_municipality,
)
from samraad.reports import charts, exports
from samraad.reports.cost import Costs, SettlementLine, costs, settlement
from samraad.reports.figures import Figures, Scope, figures
from samraad.reports.forms import PeriodForm, StaffingForm, with_defaults
from samraad.reports.period import Period, this_year
from samraad.reports.staffing import Plan, Target, mean_handle_seconds, plan
from samraad.rota import coverage

STAFFING_WEEKS = 12


@dataclass(frozen=True)
class Numbers:
    """Everything the report page and its exports show, as the scope may see it."""

    figures: Figures
    costs: Costs
    settlement: list[SettlementLine]

    @property
    def scope(self) -> Scope:
        return self.figures.scope

    def visible(self, organisation: Organisation) -> bool:
        return self.scope.is_national or organisation == self.scope.municipality

    @property
    def cost_lines(self) -> list[Any]:
        return [line for line in self.costs.organisations if self.visible(line.organisation)]

    @property
    def settlement_lines(self) -> list[SettlementLine]:
        return [line for line in self.settlement if self.visible(line.municipality)]


def _scope(request: HttpRequest) -> Scope:
    return Scope(get_reported_municipality_for(request.user, request.GET.get("municipality")))


def _default_report_period() -> Period:
    return this_year(timezone.localdate())


def _default_staffing_period() -> Period:
    """The last twelve whole weeks, Monday to Sunday."""
    this_monday = coverage.monday_of(timezone.localdate())
    return Period(this_monday - timedelta(weeks=STAFFING_WEEKS), this_monday - timedelta(days=1))


def _period_defaults(period: Period) -> dict[str, object]:
    return {"first_day": period.first_day.isoformat(), "last_day": period.last_day.isoformat()}


def _numbers(period: Period, scope: Scope) -> Numbers:
    counted = figures(period, scope)
    spent = costs(period, counted)
    return Numbers(figures=counted, costs=spent, settlement=settlement(counted, spent))


def _report_form(request: HttpRequest) -> PeriodForm:
    defaults = _period_defaults(_default_report_period())
    return PeriodForm(with_defaults(request.GET, defaults), choose_municipality=sees_every_municipality(request.user))


def _charts(numbers: Numbers) -> dict[str, Any]:
    counted = numbers.figures
    lines = [line for line in counted.lines if line.organisation is not None]
    if counted.scope.is_national:
        lines = lines[:20]
    municipality_chart = charts.bar_chart(
        _("Conversations by the young person's municipality"),
        _("The municipalities with most conversations in the period; the table below holds every number."),
        [(line.name, line.conversations) for line in lines],
    )
    organisation_chart = charts.bar_chart(
        _("Conversations answered by each organisation's counselors"),
        _("Conversations first answered by counselors of each organisation; the table below holds every number."),
        [(line.name, line.answered) for line in counted.answering],
    )
    hour_chart = charts.week_heat_map(
        _("Conversations by hour of the week"),
        _("Darker cells had more conversations opened in that hour, Danish time; the table below holds every number."),
        [float(count) for count in counted.by_hour_of_week],
    )
    topic_chart = charts.bar_chart(
        _("Topics"), _("Conversations by topic."), [(share.label, share.count) for share in counted.topics]
    )
    level_chart = charts.bar_chart(
        _("Triage levels"),
        _("Conversations by the highest risk level triage gave them."),
        [(share.label, share.count) for share in counted.levels],
    )
    rating_chart = charts.bar_chart(
        _("Ratings"),
        _("Ratings the young people gave, from 1 to 5."),
        [(share.label, share.count) for share in counted.ratings],
    )
    return {
        "municipality_chart": municipality_chart,
        "organisation_chart": organisation_chart,
        "hour_chart": hour_chart,
        "topic_chart": topic_chart,
        "level_chart": level_chart,
        "rating_chart": rating_chart,
    }


def _hour_rows(values: list[Any]) -> list[tuple[str, list[Any]]]:
    """Returns a week's 168 values as 24 rows (one per hour) of 7 (one per weekday)."""
    return [(f"{hour:02d}:00", [values[day * 24 + hour] for day in range(7)]) for hour in range(24)]


def _page_context(request: HttpRequest, form: Any, scope: Any) -> dict[str, Any]:
    """What both report pages show whether or not the period is valid."""
    return {
        "form": form,
        "scope": scope,
        "printable": request.GET.get("print") == "1",
        "query": request.GET.urlencode(),
        "weekdays": charts.weekday_names(),
    }


@login_required
@require_GET
def report(request: HttpRequest) -> HttpResponse:
    """Numbers for a period: conversations per municipality and organisation, waits, hours of the
    week, topics, triage levels, ratings, cost and settlement."""
    scope = _scope(request)
    form = _report_form(request)
    context = _page_context(request, form, scope)
    if form.is_valid():
        numbers = _numbers(form.period(), scope)
        context.update(
            numbers=numbers,
            period=form.period(),
            hour_rows=_hour_rows(numbers.figures.by_hour_of_week),
            may_set_cost=[
                organisation
                for organisation in _own_organisation(request)
                if can(request.user, Perm.ADMINISTER_ORGANISATION, organisation)
            ],
            **_charts(numbers),
        )
    return render(request, "reports/report.html", context)


def _own_organisation(request: HttpRequest) -> list[Organisation]:
    organisation = getattr(request.user, "organisation", None)
    return [organisation] if organisation is not None else []


REPORT_TABLES = {
    "municipalities": lambda numbers: exports.municipalities(numbers.figures),
    "organisations": lambda numbers: exports.organisations(numbers.figures),
    "times": lambda numbers: exports.times(numbers.figures),
    "hours": lambda numbers: exports.hours_of_week(numbers.figures),
    "topics": lambda numbers: exports.topics(numbers.figures),
    "levels": lambda numbers: exports.levels(numbers.figures),
    "corrections": lambda numbers: exports.corrections(numbers.figures),
    "ratings": lambda numbers: exports.ratings(numbers.figures),
    "cost": lambda numbers: exports.cost(numbers.costs, numbers.visible),
    "settlement": lambda numbers: exports.settlement(numbers.settlement_lines),
}
STAFFING_TABLES = {
    "staffing-hours": exports.staffing_hours,
    "staffing-municipalities": exports.staffing_municipalities,
}


def _csv_response(table: exports.Table, name: str, period: Period, scope: Scope) -> HttpResponse:
    who = scope.municipality.municipality_code if scope.municipality is not None else "all"
    filename = f"samraad-{name}-{who}-{period.first_day.isoformat()}-{period.last_day.isoformat()}.csv"
    response = HttpResponse(exports.as_csv(table), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_GET
def report_csv(request: HttpRequest, table: str) -> HttpResponse:
    """One table of the report page as CSV, for the same period and municipality."""
    scope = _scope(request)
    if table not in REPORT_TABLES:
        raise Http404
    form = _report_form(request)
    if not form.is_valid():
        return HttpResponseBadRequest(_("Choose a valid period."))
    numbers = _numbers(form.period(), scope)
    return _csv_response(REPORT_TABLES[table](numbers), table, form.period(), scope)


def _staffing_form(request: HttpRequest) -> StaffingForm:
    defaults = {**_period_defaults(_default_staffing_period()), "answer_within": 60, "service_level": 80}
    return StaffingForm(with_defaults(request.GET, defaults), choose_municipality=sees_every_municipality(request.user))


def _plan(form: StaffingForm, scope: Scope) -> Plan:
    period = form.period()
    data = form.cleaned_data
    measured = mean_handle_seconds(period)
    return plan(
        period,
        scope,
        Target(answer_within_s=data["answer_within"], service_level=data["service_level"] / 100),
        handle_seconds=data.get("handle_seconds"),
        measured_handle_seconds=measured,
        weekly_chats=data.get("weekly_conversations"),
        rota_monday=data.get("week") or coverage.monday_of(timezone.localdate()),
    )


@login_required
@require_GET
def staffing(request: HttpRequest) -> HttpResponse:
    """Counselors needed hour by hour of the week by Erlang C, pooled and alone, against the rota."""
    scope = _scope(request)
    form = _staffing_form(request)
    context = _page_context(request, form, scope)
    if form.is_valid():
        planned = _plan(form, scope)
        names = charts.weekday_names()
        tooltips = [
            _("%(day)s %(hour)02d:00: %(needed)d needed, %(rostered)s rostered")
            % {
                "day": names[hour.weekday],
                "hour": hour.hour,
                "needed": hour.pooled,
                "rostered": "–" if hour.rostered is None else hour.rostered,
            }
            for hour in planned.hours
        ]
        context.update(
            plan=planned,
            period=form.period(),
            rota_week=coverage.week_label(planned.rota_monday),
            hour_rows=_hour_rows(planned.hours),
            need_chart=charts.week_heat_map(
                _("Counselors needed and rostered by hour of the week"),
                _(
                    "Darker cells need more counselors in the pool; a cell marked with a cross has fewer on the "
                    "rota than needed. The table below gives both numbers for every hour."
                ),
                [float(hour.pooled) for hour in planned.hours],
                tooltips=tooltips,
                marked=[hour.shortfall > 0 for hour in planned.hours],
            ),
        )
    return render(request, "reports/staffing.html", context)


@login_required
@require_GET
def staffing_csv(request: HttpRequest, table: str) -> HttpResponse:
    scope = _scope(request)
    if table not in STAFFING_TABLES:
        raise Http404
    form = _staffing_form(request)
    if not form.is_valid():
        return HttpResponseBadRequest(_("Choose a valid period."))
    return _csv_response(STAFFING_TABLES[table](_plan(form, scope)), table, form.period(), scope)
