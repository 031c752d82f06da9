"""SQL the reports need that Django does not write natively on SQLite: the local hour of the week
and the seconds between two instants.

Django's own Extract functions convert time zones on SQLite through a Python function called once
per row, far too slow for a million conversations. Here SQLite gets its built-in date functions
with the UTC offset in force spelt out as a CASE over the offset changes in the period (see
`period.offset_changes`), and PostgreSQL converts with AT TIME ZONE.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Expression, FloatField, Func, IntegerField
from django.db.models.sql.compiler import SQLCompiler

from samraad.reports.period import offset_changes
from samraad.rota.coverage import LOCAL

Compiled = tuple[str, list[Any]]


class HourOfWeek(Func):
    """The Copenhagen hour of the week of a datetime column: 0 for Monday 00–01, 167 for Sunday 23–24.

    `starts` and `ends` bound the rows it is used on; outside them SQLite would use the offset in
    force at the nearest end."""

    output_field = IntegerField()

    def __init__(self, expression: Any, *, starts: datetime, ends: datetime) -> None:
        super().__init__(expression)
        self.changes = offset_changes(starts, ends)

    def as_sqlite(self, compiler: SQLCompiler, connection: Any, **extra: Any) -> Compiled:
        column, column_params = compiler.compile(self.source_expressions[0])
        offset, offset_params = _sqlite_offset_seconds(column, list(column_params), self.changes, connection)
        # Whole local seconds since 1970, in hours; 1 January 1970 was a Thursday, hour 72 of its week.
        local_seconds = f"(CAST(strftime('%%s', {column}) AS INTEGER) + {offset})"
        return f"(({local_seconds} / 3600 + 72) %% 168)", [*column_params, *offset_params]

    def as_sql(self, compiler: SQLCompiler, connection: Any, **extra: Any) -> Compiled:  # type: ignore[override]
        column, column_params = compiler.compile(self.source_expressions[0])
        local = f"({column} AT TIME ZONE %s)"
        sql = f"((EXTRACT(ISODOW FROM {local})::integer - 1) * 24 + EXTRACT(HOUR FROM {local})::integer)"
        return sql, [*column_params, LOCAL.key, *column_params, LOCAL.key]


def _sqlite_offset_seconds(
    column: str, column_params: list[Any], changes: list[tuple[datetime, int]], connection: Any
) -> Compiled:
    """SQL for the UTC offset in seconds in force at `column`, a CASE over the offset changes."""
    if len(changes) == 1:
        return "%s", [changes[0][1]]
    whens: list[str] = []
    params: list[Any] = []
    # Before each change the offset of the one before it holds.
    for (_, offset), (instant, _) in zip(changes, changes[1:], strict=False):
        whens.append(f"WHEN {column} < %s THEN %s")
        params += [*column_params, connection.ops.adapt_datetimefield_value(instant), offset]
    params.append(changes[-1][1])
    return f"(CASE {' '.join(whens)} ELSE %s END)", params


class Seconds(Func):
    """Real seconds from one datetime column to another (negative if the second is earlier)."""

    output_field = FloatField()

    def __init__(self, start: Expression | str, end: Expression | str) -> None:
        super().__init__(start, end)

    def as_sqlite(self, compiler: SQLCompiler, connection: Any, **extra: Any) -> Compiled:
        (start, start_params), (end, end_params) = (compiler.compile(e) for e in self.source_expressions)
        return f"((julianday({end}) - julianday({start})) * 86400.0)", [*end_params, *start_params]

    def as_sql(self, compiler: SQLCompiler, connection: Any, **extra: Any) -> Compiled:  # type: ignore[override]
        (start, start_params), (end, end_params) = (compiler.compile(e) for e in self.source_expressions)
        return f"EXTRACT(EPOCH FROM ({end} - {start}))::double precision", [*end_params, *start_params]
