"""Staffed hours as they happen: a span opens when a counselor goes on shift with a console
connected and closes when they go off shift or their console has been gone past the grace period.
The chat's actions call these inside their own transactions."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db.models import F, OuterRef, Subquery
from django.db.models.functions import Greatest

from samraad.accounts.models import User
from samraad.rota.models import Presence, ShiftSpan


def shift_started(user: User, at: datetime) -> None:
    if user.organisation_id is None or ShiftSpan.objects.filter(user=user, ended_at__isnull=True).exists():
        return
    ShiftSpan.objects.create(user=user, organisation_id=user.organisation_id, started_at=at)


def shift_ended(user_id: int, at: datetime) -> None:
    ShiftSpan.objects.filter(user_id=user_id, ended_at__isnull=True).update(ended_at=at)


def consoles_seen(user_ids: Iterable[int], at: datetime) -> None:
    """A heartbeat from these consoles: reopens the span of anyone on shift whose console came back."""
    without_span = (
        Presence.objects.filter(user_id__in=list(user_ids), on_shift=True, user__organisation__isnull=False)
        .exclude(user__shift_spans__ended_at__isnull=True)
        .values_list("user_id", "user__organisation_id")
    )
    ShiftSpan.objects.bulk_create(
        [ShiftSpan(user_id=user_id, organisation_id=org_id, started_at=at) for user_id, org_id in without_span]
    )


def close_absent(seen_before: datetime) -> int:
    """Ends, at their last heartbeat, the spans of counselors whose console has been gone too long."""
    absent = Presence.objects.filter(seen_at__lt=seen_before)
    last_seen = Subquery(absent.filter(user_id=OuterRef("user_id")).values("seen_at")[:1])
    return ShiftSpan.objects.filter(ended_at__isnull=True, user_id__in=absent.values("user_id")).update(
        ended_at=Greatest(last_seen, F("started_at"))
    )
