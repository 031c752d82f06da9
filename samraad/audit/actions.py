"""The one door into the audit log."""

from __future__ import annotations

from django.db import models

from samraad.accounts.models import Organisation, User
from samraad.audit.models import AuditEntry


def do_record_access(
    actor: User,
    action: str,
    subject: models.Model,
    *,
    reason: str,
    organisation: Organisation | None,
) -> AuditEntry:
    """Records that `actor` did `action` (an `AuditEntry.Action`) to `subject`'s data, and why."""
    if action not in AuditEntry.Action.values:
        raise ValueError(f"unknown audit action {action!r}")
    return AuditEntry.objects.create(
        actor=actor,
        actor_name=actor.get_username(),
        action=action,
        subject_type=subject._meta.label_lower,
        subject_id=str(subject.pk),
        subject_label=str(subject)[:200],
        organisation=organisation,
        reason=reason[:300],
    )
