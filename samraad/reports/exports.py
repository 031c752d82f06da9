"""Every table of the reports as rows for CSV: stable English column names for spreadsheets and
BI tools, numbers with a decimal point, dates as ISO 8601, durations in seconds, money in DKK."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from samraad.reports.charts import weekday_names
from samraad.reports.cost import Costs, SettlementLine
from samraad.reports.figures import Figures, Line, Share
from samraad.reports.staffing import Plan

Row = list[Any]


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: list[Row]


def _day(value: date | None) -> str:
    return value.isoformat() if value else ""


def _number(value: float | Decimal | None, decimals: int = 1) -> str:
    if value is None:
        return ""
    return f"{value:.{decimals}f}"


def _line_rows(lines: Iterable[Line]) -> list[Row]:
    return [
        [
            line.code,
            line.name,
            line.conversations,
            line.chats,
            line.letters,
            line.answered,
            line.abandoned,
            _day(line.first_day),
            _day(line.last_day),
        ]
        for line in lines
    ]


LINE_HEADER = ["code", "name", "conversations", "chats", "letters", "answered", "abandoned", "first_day", "last_day"]


def municipalities(figures: Figures) -> Table:
    return Table(
        ["municipality_" + name if name in {"code", "name"} else name for name in LINE_HEADER],
        _line_rows(figures.lines),
    )


def organisations(figures: Figures) -> Table:
    header = ["organisation_code", "organisation", *LINE_HEADER[2:], "mean_handling_s"]
    rows = [
        [*row, _number(line.mean_handle_s)]
        for row, line in zip(_line_rows(figures.answering), figures.answering, strict=True)
    ]
    return Table(header, rows)


def hours_of_week(figures: Figures) -> Table:
    names = weekday_names()
    rows = [
        [index // 24 + 1, names[index // 24], index % 24, count] for index, count in enumerate(figures.by_hour_of_week)
    ]
    return Table(["isoweekday", "weekday", "hour", "conversations"], rows)


def _shares(shares: list[Share], key: str) -> Table:
    return Table(
        [key, "label", "conversations", "share"], [[s.key, s.label, s.count, _number(s.share, 4)] for s in shares]
    )


def topics(figures: Figures) -> Table:
    return _shares(figures.topics, "topic")


def levels(figures: Figures) -> Table:
    return _shares(figures.levels, "triage_level")


def corrections(figures: Figures) -> Table:
    rows = [[line.key, line.label, line.raised, line.lowered] for line in figures.corrections]
    return Table(["risk_category", "risk_category_label", "raised", "lowered"], rows)


def ratings(figures: Figures) -> Table:
    return _shares(figures.ratings, "rating")


def times(figures: Figures) -> Table:
    t = figures.times
    return Table(
        ["measure", "value"],
        [
            ["answered_chats", t.answered_chats],
            ["wait_median_s", _number(t.wait_median_s)],
            ["wait_p90_s", _number(t.wait_p90_s)],
            ["wait_mean_s", _number(t.wait_mean_s)],
            [f"answered_within_{t.answered_within_s}_s_share", _number(t.answered_within_share, 4)],
            ["ended_chats", t.handled_chats],
            ["handling_mean_s", _number(t.handle_mean_s)],
            ["handling_median_s", _number(t.handle_median_s)],
        ],
    )


def cost(costs: Costs, visible: Callable[[Any], bool]) -> Table:
    rows = [
        [
            line.organisation.municipality_code or "",
            line.organisation.name,
            _number(line.hours, 2),
            _number(line.hourly_cost, 2),
            _number(line.cost, 2),
            line.answered,
            _number(line.per_conversation, 2),
        ]
        for line in costs.organisations
        if visible(line.organisation)
    ]
    rows.append(
        [
            "",
            "total",
            _number(costs.hours, 2),
            "",
            _number(costs.cost, 2),
            costs.answered,
            _number(costs.per_conversation, 2),
        ]
    )
    return Table(
        [
            "organisation_code",
            "organisation",
            "staffed_hours",
            "hourly_cost_dkk",
            "cost_dkk",
            "answered",
            "cost_per_conversation_dkk",
        ],
        rows,
    )


def settlement(lines: list[SettlementLine]) -> Table:
    rows = [
        [
            line.municipality.municipality_code or "",
            line.municipality.name,
            line.settlement.conversations,
            _number(line.settlement.share, 2),
            _number(line.hours, 2),
            _number(line.settlement.credit, 2),
            _number(line.settlement.balance, 2),
        ]
        for line in lines
    ]
    return Table(
        [
            "municipality_code",
            "municipality",
            "answered_conversations",
            "share_dkk",
            "hours_given",
            "credit_dkk",
            "balance_dkk",
        ],
        rows,
    )


def staffing_hours(plan: Plan) -> Table:
    names = weekday_names()
    rows = [
        [
            hour.weekday + 1,
            names[hour.weekday],
            hour.hour,
            _number(hour.rate_per_hour, 3),
            hour.pooled,
            hour.alone,
            "" if hour.rostered is None else hour.rostered,
            hour.shortfall,
        ]
        for hour in plan.hours
    ]
    return Table(
        ["isoweekday", "weekday", "hour", "chats_per_hour", "needed_pooled", "needed_alone", "rostered", "shortfall"],
        rows,
    )


def staffing_municipalities(plan: Plan) -> Table:
    rows = [
        [
            line.municipality.municipality_code or "",
            line.municipality.name,
            line.chats,
            line.alone_hours,
            _number(line.pooled_share_hours, 1),
            _number(line.saved_hours, 1),
        ]
        for line in plan.municipalities
    ]
    return Table(
        [
            "municipality_code",
            "municipality",
            "chats",
            "counselor_hours_alone",
            "counselor_hours_pooled_share",
            "hours_saved",
        ],
        rows,
    )


def _inert(value: Any) -> Any:
    """Returns a text cell a spreadsheet would run as a formula with a quote in front; numbers as they are."""
    if not isinstance(value, str) or not value.startswith(("=", "+", "-", "@", "\t", "\r")):
        return value
    try:
        float(value)
    except ValueError:
        return "'" + value
    return value


def as_csv(table: Table) -> str:
    output = io.StringIO()
    writer = csv.writer(output, lineterminator="\r\n")
    writer.writerow(table.header)
    writer.writerows([_inert(value) for value in row] for row in table.rows)
    return output.getvalue()
