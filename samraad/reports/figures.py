"""The numbers of a period, from the facts each conversation row keeps after retention has deleted
its words: kind, state, the young person's municipality,
topic, triage level, rating, when it was opened, queued, first answered and ended, and the
organisation that first answered it. Nothing here reads a message or a note.

A conversation belongs to the period, the day and the hour of the week in which it was opened
(Copenhagen time). Waits are those of answered chats, queue to first answer; handling time runs
from the first answer to the end of an ended chat, through any transfer. Durations are real
seconds, so a conversation across a daylight-saving change is neither an hour longer nor shorter.

Counts come from GROUP BY in the database, over indexes that carry every column they read
(migrations/0001); percentiles from one fetch of the durations, sorted here.
"""

from __future__ import annotations

import bisect
import math
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db import connections
from django.db.models import Avg, Case, Count, FloatField, Max, Min, Q, QuerySet, When
from django.utils import timezone

from samraad.accounts.models import Organisation
from samraad.counseling.models import Conversation, Level, RiskCategory, Topic, TriageCorrection
from samraad.reports.expressions import HourOfWeek, Seconds
from samraad.reports.period import HOURS_PER_WEEK, Period
from samraad.reports.planner import keep_statistics_fresh

State = Conversation.State
Kind = Conversation.Kind
# Conversations are counted by a column every report index carries (never null), so the database
# counts from the index alone instead of reading each row for its id.
OPENED = "created_at"
# The service level the reports measure against: answered within a minute.
ANSWER_WITHIN_S = 60


@dataclass(frozen=True)
class Scope:
    """Whose numbers: one municipality's, or (None) every municipality's."""

    municipality: Organisation | None = None

    @property
    def is_national(self) -> bool:
        return self.municipality is None

    @property
    def municipality_id(self) -> Any:
        return self.municipality.pk if self.municipality is not None else None


@dataclass(frozen=True)
class Line:
    """One line of the seed-001 table: conversations of one municipality's young people, or of
    one organisation's counselors. `organisation` None is "municipality not stated"."""

    organisation: Organisation | None
    conversations: int = 0
    chats: int = 0
    letters: int = 0
    answered: int = 0
    abandoned: int = 0
    first_day: date | None = None
    last_day: date | None = None
    mean_handle_s: float | None = None

    @property
    def name(self) -> str:
        return self.organisation.name if self.organisation is not None else ""

    @property
    def code(self) -> str:
        return (self.organisation.municipality_code or "") if self.organisation is not None else ""


@dataclass(frozen=True)
class Times:
    """Waits of answered chats and handling times of ended ones, in seconds."""

    answered_chats: int = 0
    wait_median_s: float | None = None
    wait_p90_s: float | None = None
    wait_mean_s: float | None = None
    answered_within_s: int = ANSWER_WITHIN_S
    answered_within_share: float | None = None
    handled_chats: int = 0
    handle_mean_s: float | None = None
    handle_median_s: float | None = None


@dataclass(frozen=True)
class Share:
    """How many conversations had one value (a topic, a level, a rating), and their share."""

    key: str
    label: str
    count: int
    share: float


@dataclass(frozen=True)
class Corrections:
    """How often counselors set the triage level of conversations about one kind of risk by hand:
    raised (triage missed it) and lowered (a false alarm)."""

    key: str
    label: str
    raised: int
    lowered: int


@dataclass(frozen=True)
class Figures:
    period: Period
    scope: Scope
    # Every municipality with conversations, nationally; `lines` is what the scope may see.
    national_lines: list[Line]
    lines: list[Line]
    total: Line
    # Organisations whose counselors answered, nationally; `answering` is what the scope may see.
    national_answering: list[Line]
    answering: list[Line]
    times: Times
    by_hour_of_week: list[int]
    topics: list[Share]
    levels: list[Share]
    ratings: list[Share]
    mean_rating: float | None
    rated: int
    answered_by_municipality: dict[Any, int] = field(default_factory=dict)
    corrections: list[Corrections] = field(default_factory=list)

    @property
    def corrections_total(self) -> Corrections:
        return Corrections(
            "",
            "",
            sum(line.raised for line in self.corrections),
            sum(line.lowered for line in self.corrections),
        )


def conversations_in(period: Period) -> QuerySet[Conversation]:
    """Conversations opened in the period, without the model's default ordering."""
    # A chat whose socket never said hello was never in the queue (and is soon deleted).
    return (
        Conversation.objects.filter(created_at__gte=period.starts, created_at__lt=period.ends)
        .exclude(state=State.OPENED)
        .order_by()
    )


def _local_day(instant: datetime | None) -> date | None:
    return timezone.localdate(instant) if instant is not None else None


def _counts() -> dict[str, Any]:
    return {
        "conversations": Count(OPENED),
        "chats": Count(OPENED, filter=Q(kind=Kind.CHAT)),
        "letters": Count(OPENED, filter=Q(kind=Kind.LETTER)),
        "answered": Count(OPENED, filter=Q(assigned_at__isnull=False)),
        "abandoned": Count(OPENED, filter=Q(state=State.ABANDONED)),
        "first": Min("created_at"),
        "last": Max("created_at"),
    }


def _line(organisation: Organisation | None, row: dict[str, Any]) -> Line:
    return Line(
        organisation=organisation,
        conversations=row["conversations"],
        chats=row["chats"],
        letters=row["letters"],
        answered=row["answered"],
        abandoned=row["abandoned"],
        first_day=_local_day(row["first"]),
        last_day=_local_day(row["last"]),
        mean_handle_s=row.get("handle"),
    )


def _sort_key(line: Line) -> tuple[int, int, str]:
    # Most conversations first; "not stated" last; then by name for a stable order.
    return (line.organisation is None, -line.conversations, line.name)


def by_municipality(period: Period) -> list[Line]:
    """Returns one line per municipality whose young people opened conversations in the period,
    and one (organisation None) for those who did not say where they live."""
    rows = list(conversations_in(period).values("municipality_id").annotate(**_counts()))
    organisations = Organisation.objects.in_bulk([row["municipality_id"] for row in rows if row["municipality_id"]])
    lines = [_line(organisations.get(row["municipality_id"]), row) for row in rows]
    return sorted(lines, key=_sort_key)


def by_answering_organisation(period: Period) -> list[Line]:
    """Returns one line per organisation whose counselors first answered conversations opened in
    the period, with their mean handling time of ended chats."""
    ended_chat = Q(kind=Kind.CHAT, state=State.ENDED, ended_at__isnull=False)
    rows = list(
        conversations_in(period)
        .filter(answered_by__isnull=False)
        .values("answered_by_id")
        .annotate(**_counts(), handle=Avg(Seconds("assigned_at", "ended_at"), filter=ended_chat))
    )
    organisations = Organisation.objects.in_bulk([row["answered_by_id"] for row in rows])
    lines = [_line(organisations[row["answered_by_id"]], row) for row in rows]
    return sorted(lines, key=_sort_key)


def total_of(lines: list[Line]) -> Line:
    """Returns the sum of `lines`, from the earliest first day to the latest last day."""
    firsts = [line.first_day for line in lines if line.first_day is not None]
    lasts = [line.last_day for line in lines if line.last_day is not None]
    return Line(
        organisation=None,
        conversations=sum(line.conversations for line in lines),
        chats=sum(line.chats for line in lines),
        letters=sum(line.letters for line in lines),
        answered=sum(line.answered for line in lines),
        abandoned=sum(line.abandoned for line in lines),
        first_day=min(firsts) if firsts else None,
        last_day=max(lasts) if lasts else None,
    )


def nearest_rank(ordered: list[float], fraction: float) -> float | None:
    """Returns the `fraction` percentile of sorted values by nearest rank: the smallest value with
    at least that share of the values at or below it."""
    if not ordered:
        return None
    return ordered[max(1, math.ceil(fraction * len(ordered))) - 1]


def durations(conversations: QuerySet[Conversation]) -> tuple[list[float], list[float]]:
    """Returns, each sorted, the waits (queue to first answer) of the answered chats among
    `conversations` and the handling times (first answer to end) of those that have ended.

    One pass over the rows fetches both; sorting a year's hundred thousand numbers here is quicker
    than three ORDER BY … OFFSET queries, one per percentile, on SQLite (see docs/performance.md)."""
    ended = Q(state=State.ENDED, ended_at__isnull=False)
    rows = (
        conversations.filter(kind=Kind.CHAT, assigned_at__isnull=False)
        .annotate(
            wait=Seconds("queued_at", "assigned_at"),
            handle=Case(When(ended, then=Seconds("assigned_at", "ended_at")), output_field=FloatField()),
        )
        .values_list("wait", "handle")
    )
    sql, params = rows.query.sql_with_params()
    with connections[rows.db].cursor() as cursor:
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
    waits = [wait for wait, _ in fetched if wait is not None]
    handles = [handle for _, handle in fetched if handle is not None]
    waits.sort()
    handles.sort()
    return waits, handles


def times(conversations: QuerySet[Conversation]) -> Times:
    """Returns waits (median, 90th percentile, mean, share answered within a minute) of answered
    chats and handling times of ended chats among `conversations`."""
    waits, handles = durations(conversations)
    within = bisect.bisect_right(waits, ANSWER_WITHIN_S)
    return Times(
        answered_chats=len(waits),
        wait_median_s=nearest_rank(waits, 0.5),
        wait_p90_s=nearest_rank(waits, 0.9),
        wait_mean_s=statistics.fmean(waits) if waits else None,
        answered_within_share=within / len(waits) if waits else None,
        handled_chats=len(handles),
        handle_mean_s=statistics.fmean(handles) if handles else None,
        handle_median_s=nearest_rank(handles, 0.5),
    )


def by_hour_of_week(conversations: QuerySet[Conversation], period: Period) -> list[int]:
    """Returns how many of `conversations` were opened in each local hour of the week, Monday 00 first."""
    counts = [0] * HOURS_PER_WEEK
    rows = (
        conversations.annotate(hour=HourOfWeek("created_at", starts=period.starts, ends=period.ends))
        .values("hour")
        .annotate(count=Count(OPENED))
        .order_by()
    )
    for row in rows:
        counts[row["hour"]] = row["count"]
    return counts


def _shares(counter: Counter[Any], labels: list[tuple[Any, str]]) -> list[Share]:
    total = sum(counter.values())
    return [
        Share(key=str(key), label=label, count=counter[key], share=counter[key] / total if total else 0.0)
        for key, label in labels
    ]


def _topics_levels_ratings(
    conversations: QuerySet[Conversation],
) -> tuple[list[Share], list[Share], list[Share], float | None, int]:
    topics: Counter[str] = Counter()
    levels: Counter[int] = Counter()
    ratings: Counter[int] = Counter()
    # One pass over the rows for three small tables.
    for row in conversations.values("topic", "triage_level", "rating").annotate(count=Count(OPENED)).order_by():
        topics[row["topic"]] += row["count"]
        levels[row["triage_level"]] += row["count"]
        if row["rating"] is not None:
            ratings[row["rating"]] += row["count"]
    topic_labels = [(topic.value, str(topic.label)) for topic in Topic]
    if topics[""]:
        topic_labels.append(("", _not_chosen()))
    rated = sum(ratings.values())
    mean_rating = sum(rating * count for rating, count in ratings.items()) / rated if rated else None
    return (
        _shares(topics, topic_labels),
        _shares(levels, [(level.value, str(level.label)) for level in Level]),
        _shares(ratings, [(rating, str(rating)) for rating in range(1, 6)]),
        mean_rating,
        rated,
    )


def triage_corrections(period: Period, municipality_id: Any = None) -> list[Corrections]:
    """Corrections made in the period (of one municipality's young people, or all), by kind of
    risk in the vocabulary's order, those without a kind last; kinds never corrected are left out."""
    corrections = TriageCorrection.objects.filter(created_at__gte=period.starts, created_at__lt=period.ends)
    if municipality_id is not None:
        corrections = corrections.filter(municipality_id=municipality_id)
    counted: Counter[tuple[str, str]] = Counter()
    for row in corrections.values("category", "direction").annotate(count=Count("pk")).order_by():
        counted[row["category"], row["direction"]] += row["count"]
    up, down = TriageCorrection.Direction.UP, TriageCorrection.Direction.DOWN
    labels = [(category.value, str(category.label)) for category in RiskCategory] + [("", _kind_not_given())]
    return [
        Corrections(key, label, counted[key, up], counted[key, down])
        for key, label in labels
        if counted[key, up] or counted[key, down]
    ]


def _kind_not_given() -> str:
    from django.utils.translation import gettext

    return gettext("Kind of risk not given")


def _not_chosen() -> str:
    from django.utils.translation import gettext

    return gettext("No topic chosen")


def figures(period: Period, scope: Scope) -> Figures:
    """Returns every number of the report page for `period`, as `scope` may see them."""
    keep_statistics_fresh()
    national_lines = by_municipality(period)
    national_answering = by_answering_organisation(period)
    scoped = conversations_in(period)
    if scope.is_national:
        lines, answering = national_lines, national_answering
    else:
        scoped = scoped.filter(municipality_id=scope.municipality_id)
        lines = [line for line in national_lines if line.organisation == scope.municipality]
        answering = [line for line in national_answering if line.organisation == scope.municipality]
    topics, levels, ratings, mean_rating, rated = _topics_levels_ratings(scoped)
    answered_by_municipality: dict[Any, int] = defaultdict(int)
    for line in national_lines:
        if line.organisation is not None:
            answered_by_municipality[line.organisation.pk] = line.answered
    return Figures(
        period=period,
        scope=scope,
        national_lines=national_lines,
        lines=lines,
        total=total_of(lines) if scope.is_national else (lines[0] if lines else Line(scope.municipality)),
        national_answering=national_answering,
        answering=answering,
        times=times(scoped),
        by_hour_of_week=by_hour_of_week(scoped, period),
        topics=topics,
        levels=levels,
        ratings=ratings,
        mean_rating=mean_rating,
        rated=rated,
        answered_by_municipality=dict(answered_by_municipality),
        corrections=triage_corrections(period, None if scope.is_national else scope.municipality_id),
    )
