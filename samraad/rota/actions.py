"""The only door to a change of the rota, and the checks before one.

`check_*` authorise and fetch; `do_*` change rows inside a transaction and write the audit log.
Every one of them asks the permission module: the rota is national, so who may see it depends on
a person's roles; who may change a shift also on whose it is (the central service's supervisors
plan everyone's, a municipality's supervisor its own staff's).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model, Q
from django.http import Http404
from django.utils import timezone

from samraad.accounts.models import User
from samraad.accounts.permissions import Perm, can
from samraad.audit.actions import do_record_access
from samraad.audit.models import AuditEntry
from samraad.rota import coverage
from samraad.rota.models import ShiftChange, ShiftPattern, rota_pool

PATTERN_FIELDS = ("staff", "weekday", "starts_at", "ends_at", "valid_from", "valid_until")
CHANGE_FIELDS = ("staff", "kind", "starts_at", "ends_at")


def check_may_view_rota(user: Any) -> None:
    if not can(user, Perm.VIEW_ROTA):
        raise PermissionDenied


def check_may_manage_rota(user: Any) -> None:
    if not can(user, Perm.MANAGE_ROTA):
        raise PermissionDenied


def check_may_plan_for(user: Any, staff: User) -> None:
    """Raises PermissionDenied unless `user` may plan `staff`'s shifts."""
    if not can(user, Perm.MANAGE_ROTA, staff):
        raise PermissionDenied


def get_pattern_for(user: Any, pattern_id: uuid.UUID | str) -> ShiftPattern:
    """Returns the weekly shift if `user` may see the rota; 404 alike for missing and malformed ids."""
    check_may_view_rota(user)
    try:
        return ShiftPattern.objects.select_related("staff__organisation").get(pk=pattern_id)
    except (ShiftPattern.DoesNotExist, ValidationError, ValueError, TypeError) as error:
        raise Http404 from error


def get_change_for(user: Any, change_id: uuid.UUID | str) -> ShiftChange:
    """Returns the one-off change if `user` may see the rota; 404 alike for missing and malformed ids."""
    check_may_view_rota(user)
    try:
        return ShiftChange.objects.select_related("staff__organisation").get(pk=change_id)
    except (ShiftChange.DoesNotExist, ValidationError, ValueError, TypeError) as error:
        raise Http404 from error


# --- Reading a week ---------------------------------------------------------------------------


def patterns_in_force(first_day: date, last_day: date) -> list[ShiftPattern]:
    """Weekly shifts that can start on a day from `first_day` to `last_day`."""
    return list(
        ShiftPattern.objects.filter(valid_from__lte=last_day)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=first_day))
        .select_related("staff__organisation")
    )


def changes_overlapping(starts: datetime, ends: datetime) -> list[ShiftChange]:
    return list(
        ShiftChange.objects.filter(starts_at__lt=ends, ends_at__gt=starts).select_related("staff__organisation")
    )


def pool_ids() -> frozenset[int]:
    """Ids of the staff whose shifts count: active counselors and supervisors."""
    return frozenset(rota_pool().values_list("pk", flat=True))


def all_patterns() -> list[ShiftPattern]:
    return list(ShiftPattern.objects.select_related("staff__organisation"))


def changes_not_ended(now: datetime) -> list[ShiftChange]:
    return list(ShiftChange.objects.filter(ends_at__gt=now).select_related("staff__organisation"))


@dataclass(frozen=True)
class PlannedWeek:
    """A week's coverage and the weekly shifts and one-off changes it was computed from."""

    week: coverage.Week
    patterns: list[ShiftPattern]
    changes: list[ShiftChange]
    # Staff ids that count: a pattern of someone no longer in the pool is shown but not counted.
    pool: frozenset[int]


def check_week(user: Any, monday: date) -> PlannedWeek:
    """Returns the week beginning on `monday` as the rota plans it, for someone who may see the rota.

    Only staff still in the pool (active counselors and supervisors) count towards coverage."""
    check_may_view_rota(user)
    starts, ends = coverage.week_bounds(monday)
    sunday = monday + timedelta(days=6)
    # A pattern that starts on the Sunday before can run into Monday past midnight.
    patterns = patterns_in_force(monday - timedelta(days=1), sunday)
    changes = changes_overlapping(starts, ends)
    pool = pool_ids()
    shifts = coverage.expand(
        [pattern.as_pattern() for pattern in patterns],
        [change.as_change() for change in changes],
        (starts, ends),
        only={str(pk) for pk in pool},
    )
    week = coverage.week_coverage(monday, shifts, settings.SAMRAAD_ROTA_MINIMUM)
    shown = [pattern for pattern in patterns if pattern.valid_until is None or pattern.valid_until >= monday]
    shown.sort(key=lambda pattern: (pattern.weekday, pattern.starts_at, str(pattern.staff).lower()))
    return PlannedWeek(week=week, patterns=shown, changes=changes, pool=pool)


# --- Changing the rota ------------------------------------------------------------------------


def _audit(actor: User, action: str, subject: ShiftPattern | ShiftChange) -> None:
    staff = subject.staff
    do_record_access(actor, action, subject, reason="rota planning", organisation=staff.organisation, person=staff)


def _save(actor: User, instance: ShiftPattern | ShiftChange, action: str) -> None:
    instance.full_clean()
    with transaction.atomic():
        instance.save()
        _audit(actor, action, instance)


def _assign(instance: Model, fields: tuple[str, ...], values: dict[str, Any]) -> None:
    unknown = set(values) - set(fields)
    if unknown:
        raise TypeError(f"unknown fields: {', '.join(sorted(unknown))}")
    for name, value in values.items():
        setattr(instance, name, value)


def do_create_pattern(
    actor: User,
    *,
    staff: User,
    weekday: int,
    starts_at: time,
    ends_at: time,
    valid_from: date,
    valid_until: date | None = None,
) -> ShiftPattern:
    """Creates a weekly shift; raises ValidationError for a bad one (see `ShiftPattern.clean`)."""
    check_may_plan_for(actor, staff)
    pattern = ShiftPattern(
        staff=staff,
        weekday=weekday,
        starts_at=starts_at,
        ends_at=ends_at,
        valid_from=valid_from,
        valid_until=valid_until,
        created_by=actor,
    )
    _save(actor, pattern, AuditEntry.Action.CREATE)
    return pattern


def do_update_pattern(actor: User, pattern: ShiftPattern, **values: Any) -> ShiftPattern:
    """Changes the given fields of a weekly shift (any of `PATTERN_FIELDS`)."""
    check_may_plan_for(actor, pattern.staff)
    _assign(pattern, PATTERN_FIELDS, values)
    check_may_plan_for(actor, pattern.staff)
    _save(actor, pattern, AuditEntry.Action.CHANGE)
    return pattern


def do_delete_pattern(actor: User, pattern: ShiftPattern) -> None:
    check_may_plan_for(actor, pattern.staff)
    with transaction.atomic():
        _audit(actor, AuditEntry.Action.DELETE, pattern)
        pattern.delete()


def do_create_change(actor: User, *, staff: User, kind: str, starts_at: datetime, ends_at: datetime) -> ShiftChange:
    """Records an extra shift or cancelled time; raises ValidationError for a bad one."""
    check_may_plan_for(actor, staff)
    change = ShiftChange(staff=staff, kind=kind, starts_at=starts_at, ends_at=ends_at, created_by=actor)
    _save(actor, change, AuditEntry.Action.CREATE)
    return change


def do_update_change(actor: User, change: ShiftChange, **values: Any) -> ShiftChange:
    """Changes the given fields of a one-off change (any of `CHANGE_FIELDS`)."""
    check_may_plan_for(actor, change.staff)
    _assign(change, CHANGE_FIELDS, values)
    check_may_plan_for(actor, change.staff)
    _save(actor, change, AuditEntry.Action.CHANGE)
    return change


def do_delete_change(actor: User, change: ShiftChange) -> None:
    check_may_plan_for(actor, change.staff)
    with transaction.atomic():
        _audit(actor, AuditEntry.Action.DELETE, change)
        change.delete()


def week_to_show_after_saving(first_day: date, last_day: date | None = None) -> date:
    """Returns the Monday of the week a supervisor most likely wants to see after a change that
    concerns `first_day` to `last_day`: this week if the change is in force now, else its first week."""
    today = timezone.localdate()
    if first_day <= today and (last_day is None or today <= last_day):
        return coverage.monday_of(today)
    return coverage.monday_of(first_day)
