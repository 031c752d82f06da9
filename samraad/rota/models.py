"""Who is on shift now (presence), and who is planned to be (weekly patterns and one-off changes)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samraad.accounts.models import Role, User
from samraad.rota import coverage


class Presence(models.Model):
    """A counselor's shift switch, their console's heartbeat and how many chats they carry."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="presence")
    on_shift = models.BooleanField(_("on shift"), default=False)
    capacity = models.PositiveSmallIntegerField(_("conversations at once"), default=3)
    # Refreshed while a console is connected: on shift with no console for long is not available.
    seen_at = models.DateTimeField(null=True, blank=True)
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("presence")
        verbose_name_plural = _("presence")
        ordering = ["user"]

    def __str__(self) -> str:
        return f"{self.user}: {'on' if self.on_shift else 'off'} shift"


# The rota plans no earlier and no later than this: a date outside is a typing error.
FIRST_DATE = date(2000, 1, 1)
LAST_DATE = date(2099, 12, 31)
# Who may be put on the rota: the national pool of counselors and supervisors.
ROTA_ROLES = (Role.COUNSELOR, Role.SUPERVISOR)


def rota_pool() -> models.QuerySet[User]:
    """Staff who may be put on the rota: active counselors and supervisors of any organisation."""
    return (
        User.objects.filter(is_active=True, organisation__isnull=False, role_grants__role__in=ROTA_ROLES)
        .select_related("organisation")
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def _check_date_in_range(value: date | None, field: str, errors: dict[str, list[ValidationError]]) -> None:
    if value is not None and not FIRST_DATE <= value <= LAST_DATE:
        errors.setdefault(field, []).append(
            ValidationError(
                _("Choose a date from %(first)s to %(last)s."),
                code="date_out_of_range",
                params={"first": FIRST_DATE.year, "last": LAST_DATE.year},
            )
        )


def _check_in_pool(staff_id: int | None, errors: dict[str, list[ValidationError]]) -> None:
    if staff_id is not None and not rota_pool().filter(pk=staff_id).exists():
        errors.setdefault("staff", []).append(
            ValidationError(_("Only active counselors and supervisors can be put on the rota."), code="not_in_pool")
        )


def _person(user: User) -> coverage.Person:
    organisation = user.organisation.name if user.organisation else ""
    return coverage.Person(key=str(user.pk), name=str(user), organisation=organisation)


class ShiftPattern(models.Model):
    """A weekly shift of one staff member, e.g. every Tuesday 22:00–06:00 from 1 December.

    Times are Copenhagen wall-clock time; an end at or before the start runs past midnight."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member"),
        on_delete=models.CASCADE,
        related_name="shift_patterns",
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    starts_at = models.TimeField(_("starts"))
    ends_at = models.TimeField(
        _("ends"),
        help_text=_("An end before the start means the shift runs past midnight, e.g. 22:00 to 06:00."),
    )
    valid_from = models.DateField(_("valid from"), help_text=_("The first day the shift can start."))
    valid_until = models.DateField(
        _("valid until"),
        null=True,
        blank=True,
        help_text=_("The last day the shift can start. Leave it empty if the pattern has no end."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("weekly shift")
        verbose_name_plural = _("weekly shifts")
        ordering = ["weekday", "starts_at", "valid_from", "staff"]
        constraints = [
            models.CheckConstraint(condition=models.Q(weekday__lte=6), name="rota_pattern_weekday_in_week"),
            models.CheckConstraint(
                condition=~models.Q(starts_at=models.F("ends_at")), name="rota_pattern_has_a_length"
            ),
            models.CheckConstraint(
                condition=models.Q(valid_until__isnull=True) | models.Q(valid_until__gte=models.F("valid_from")),
                name="rota_pattern_valid_until_after_from",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.staff}: {self.get_weekday_display()} {self.starts_at:%H:%M}–{self.ends_at:%H:%M}"

    def clean(self) -> None:
        errors: dict[str, list[ValidationError]] = {}
        if self.starts_at is not None and self.starts_at == self.ends_at:
            errors.setdefault("ends_at", []).append(
                ValidationError(_("A shift must end at another time than it starts."), code="no_length")
            )
        _check_date_in_range(self.valid_from, "valid_from", errors)
        _check_date_in_range(self.valid_until, "valid_until", errors)
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            errors.setdefault("valid_until", []).append(
                ValidationError(_("The last day must not be before the first day."), code="until_before_from")
            )
        _check_in_pool(self.staff_id, errors)
        if errors:
            raise ValidationError(errors)

    @property
    def crosses_midnight(self) -> bool:
        return self.ends_at <= self.starts_at

    def in_force_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)

    def as_pattern(self) -> coverage.Pattern:
        return coverage.Pattern(
            person=_person(self.staff),
            weekday=self.weekday,
            starts=self.starts_at,
            ends=self.ends_at,
            valid_from=self.valid_from,
            valid_until=self.valid_until,
        )


class ShiftChange(models.Model):
    """A one-off change for one staff member: an extra shift, or planned time cancelled (illness,
    holiday, a swap). A cancellation wins over any planned or extra time it overlaps."""

    class Kind(models.TextChoices):
        EXTRA = "extra", _("Extra shift")
        CANCELLATION = "cancellation", _("Cancelled time (e.g. illness or holiday)")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member"),
        on_delete=models.CASCADE,
        related_name="shift_changes",
    )
    kind = models.CharField(_("kind of change"), max_length=20, choices=Kind.choices)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("one-off change")
        verbose_name_plural = _("one-off changes")
        ordering = ["starts_at", "staff"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="rota_change_ends_after_it_starts"
            ),
        ]

    def __str__(self) -> str:
        starts = timezone.localtime(self.starts_at)
        ends = timezone.localtime(self.ends_at)
        return f"{self.staff}: {self.get_kind_display()} {starts:%Y-%m-%d %H:%M}–{ends:%Y-%m-%d %H:%M}"

    def clean(self) -> None:
        errors: dict[str, list[ValidationError]] = {}
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors.setdefault("ends_at", []).append(
                ValidationError(_("The change must end after it starts."), code="ends_before_start")
            )
        for field in ("starts_at", "ends_at"):
            value: datetime | None = getattr(self, field)
            _check_date_in_range(timezone.localdate(value) if value else None, field, errors)
        _check_in_pool(self.staff_id, errors)
        if errors:
            raise ValidationError(errors)

    @property
    def cancels(self) -> bool:
        return self.kind == self.Kind.CANCELLATION

    def as_change(self) -> coverage.Change:
        return coverage.Change(
            person=_person(self.staff), starts=self.starts_at, ends=self.ends_at, cancels=self.cancels
        )


class ShiftSpan(models.Model):
    """A stretch of time a counselor was on shift with their console connected: the staffed hours
    that reports cost and credit to their organisation. Written by `rota.history`."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="shift_spans")
    # The organisation the counselor gave the hours from, kept should they move later.
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("staffed span")
        verbose_name_plural = _("staffed spans")
        ordering = ["started_at"]
        indexes = [models.Index(fields=["organisation", "started_at"], name="span_by_organisation")]
        constraints = [
            models.UniqueConstraint(fields=["user"], condition=models.Q(ended_at__isnull=True), name="one_open_span"),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.started_at:%Y-%m-%d %H:%M}–{self.ended_at or ''}"
