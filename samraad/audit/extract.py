"""One person's access log, as the extract page shows it and as CSV: every time someone read or
changed their data, with when, who, what and why."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.apps import apps
from django.utils import timezone
from django.utils.text import capfirst

from samraad.audit.models import AuditEntry
from samraad.reports.exports import Table, as_csv

# Stable English column names and codes, as the reports' exports have, for spreadsheets.
CSV_HEADER = ["at", "actor", "action", "kind_of_data", "record", "whose_data", "organisation", "reason"]


@dataclass(frozen=True)
class Line:
    """One access as the page shows it, in the reader's language."""

    at: datetime
    actor: str
    action: str
    kind_of_data: str
    whose_data: str
    organisation: str
    reason: str


def kind_of_data(subject_type: str) -> str:
    """The kind of data an entry names, as its model calls it ("Staff member", "Weekly shift")."""
    try:
        model = apps.get_model(subject_type)
    except (LookupError, ValueError):
        return subject_type
    return capfirst(str(model._meta.verbose_name))


def lines(entries: Iterable[AuditEntry]) -> list[Line]:
    return [
        Line(
            at=timezone.localtime(entry.at),
            actor=entry.actor_name,
            action=capfirst(entry.get_action_display()),
            kind_of_data=kind_of_data(entry.subject_type),
            whose_data=entry.subject_label,
            organisation=entry.organisation.name if entry.organisation else "",
            reason=entry.reason,
        )
        for entry in entries
    ]


def csv_text(entries: Iterable[AuditEntry]) -> str:
    rows = [
        [
            timezone.localtime(entry.at).isoformat(timespec="seconds"),
            entry.actor_name,
            entry.action,
            entry.subject_type,
            entry.subject_id,
            entry.subject_label,
            entry.organisation.name if entry.organisation else "",
            entry.reason,
        ]
        for entry in entries
    ]
    return as_csv(Table(CSV_HEADER, rows))
