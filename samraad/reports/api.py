"""The report's numbers as JSON for municipal BI tools, with the same rule as the page: a coordinator
reads their own municipality, the central service any or all.

Mounted in `samraad/api/api.py` with `api.add_router("/reports", reports_router)`, it answers
GET /api/reports/figures?first_day=2025-01-01&last_day=2025-12-31[&municipality=0751].
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.security import django_auth

from samraad.accounts.permissions import Perm, can, get_reported_municipality_for
from samraad.reports.figures import Line, Scope, figures
from samraad.reports.forms import FIRST_DATE, LAST_DATE, LONGEST_PERIOD_DAYS
from samraad.reports.period import Period


class LineOut(Schema):
    code: str
    name: str
    conversations: int
    chats: int
    letters: int
    answered: int
    abandoned: int
    first_day: date | None
    last_day: date | None


class TimesOut(Schema):
    answered_chats: int
    wait_median_s: float | None
    wait_p90_s: float | None
    wait_mean_s: float | None
    answered_within_s: int
    answered_within_share: float | None
    handled_chats: int
    handle_mean_s: float | None
    handle_median_s: float | None


class ShareOut(Schema):
    key: str
    label: str
    count: int
    share: float


class FiguresOut(Schema):
    first_day: date
    last_day: date
    municipality: str | None
    municipalities: list[LineOut]
    organisations: list[LineOut]
    times: TimesOut
    by_hour_of_week: list[int]
    topics: list[ShareOut]
    triage_levels: list[ShareOut]
    ratings: list[ShareOut]


def _staff_auth(request: HttpRequest) -> bool:
    """Session sign-in (CSRF-checked on writes) by an active staff member."""
    return django_auth(request) is not None and can(request.user, Perm.SEE_STAFF_PAGES)


def _line(line: Line) -> LineOut:
    return LineOut(
        code=line.code,
        name=line.name,
        conversations=line.conversations,
        chats=line.chats,
        letters=line.letters,
        answered=line.answered,
        abandoned=line.abandoned,
        first_day=line.first_day,
        last_day=line.last_day,
    )


def build_router() -> Router:
    """Returns a new router with the report endpoints (a router can be mounted on one API only)."""
    router = Router(tags=["reports"])

    @router.get("/figures", response=FiguresOut, auth=_staff_auth)
    def report_figures(
        request: HttpRequest, first_day: date, last_day: date, municipality: str | None = None
    ) -> FiguresOut:
        """Conversations per municipality and per answering organisation, waits, handling times,
        hours of the week (168 counts, Monday 00 first, Copenhagen time), topics, triage levels and
        ratings for the period. Without `municipality`, a coordinator gets their own."""
        try:
            scope = Scope(get_reported_municipality_for(request.user, municipality))
        except PermissionDenied as refused:
            raise HttpError(403, "You may not see numbers.") from refused
        if not FIRST_DATE <= first_day <= LAST_DATE or not FIRST_DATE <= last_day <= LAST_DATE:
            raise HttpError(422, f"Choose dates from {FIRST_DATE.year} to {LAST_DATE.year}.")
        if last_day < first_day or (last_day - first_day).days >= LONGEST_PERIOD_DAYS:
            raise HttpError(422, "Choose a period of at most ten years that does not end before it begins.")
        counted = figures(Period(first_day, last_day), scope)
        return FiguresOut(
            first_day=first_day,
            last_day=last_day,
            municipality=scope.municipality.municipality_code if scope.municipality else None,
            municipalities=[_line(line) for line in counted.lines],
            organisations=[_line(line) for line in counted.answering],
            times=TimesOut(**counted.times.__dict__),
            by_hour_of_week=counted.by_hour_of_week,
            topics=[ShareOut(**share.__dict__) for share in counted.topics],
            triage_levels=[ShareOut(**share.__dict__) for share in counted.levels],
            ratings=[ShareOut(**share.__dict__) for share in counted.ratings],
        )

    return router


router = build_router()
