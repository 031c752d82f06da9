"""The one door into the audit log."""

from __future__ import annotations

from django.db import models, transaction
from django.db.models import QuerySet

from samraad.accounts.models import Organisation, User
from samraad.audit.models import AuditEntry


def do_record_access(
    actor: User,
    action: str,
    subject: models.Model,
    *,
    reason: str,
    organisation: Organisation | None,
    person: User | None = None,
) -> AuditEntry:
    """Records that `actor` did `action` (an `AuditEntry.Action`) to `subject`'s data, and why.
    `person` is the identified person the data is about; a staff record is about its own person."""
    if action not in AuditEntry.Action.values:
        raise ValueError(f"unknown audit action {action!r}")
    if person is None and isinstance(subject, User):
        person = subject
    return AuditEntry.objects.create(
        actor=actor,
        actor_name=actor.get_username(),
        action=action,
        subject_type=subject._meta.label_lower,
        subject_id=str(subject.pk),
        subject_label=str(subject)[:200],
        person=person,
        organisation=organisation,
        reason=reason[:300],
    )


def do_record_system_change(
    action: str,
    *,
    subject_type: str,
    subject_label: str,
    reason: str,
    organisation: Organisation | None = None,
) -> AuditEntry:
    """Records what the system did on its own, with no person behind it (a scheduled task):
    `subject_label` says which data, in counts or names, never its contents."""
    if action not in AuditEntry.Action.values:
        raise ValueError(f"unknown audit action {action!r}")
    return AuditEntry.objects.create(
        actor=None,
        actor_name="system",
        action=action,
        subject_type=subject_type,
        subject_id="",
        subject_label=subject_label[:200],
        organisation=organisation,
        reason=reason[:300],
    )


def entries_about(person: User) -> QuerySet[AuditEntry]:
    """Every entry about `person`'s data, oldest first."""
    return AuditEntry.objects.filter(person=person).select_related("organisation").order_by("at", "id")


@transaction.atomic
def do_extract_access_log(actor: User, person: User, *, reason: str) -> list[AuditEntry]:
    """Returns every access to `person`'s data, oldest first, after writing the extract itself
    to the log (who took whose, when and why), so it is the last entry of what it returns.
    The caller has checked that `actor` administers `person` (`get_staff_member_for`)."""
    do_record_access(
        actor, AuditEntry.Action.EXTRACT, person, reason=reason, organisation=person.organisation, person=person
    )
    return list(entries_about(person))
