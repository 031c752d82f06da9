"""Organisations, the staff who belong to them and the roles they hold."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractUser
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from samraad.lib.origins import origins_in, validate_origin_lines
from samraad.lib.text import without_format_characters


class Organisation(models.Model):
    """A body that takes part in Samraad: the central service, a municipality, a centre."""

    class Kind(models.TextChoices):
        CENTRAL = "central", _("Central service")
        MUNICIPALITY = "municipality", _("Municipality")
        DROP_IN_CENTRE = "drop_in_centre", _("Drop-in centre")
        RESIDENTIAL = "residential", _("Residential service")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200)
    # The official four-digit municipality code (kommunekode), only for municipalities.
    municipality_code = models.CharField(_("municipality code"), max_length=4, unique=True, null=True, blank=True)
    region = models.CharField(_("region"), max_length=100, blank=True)
    # A drop-in centre or residential service lies in a municipality.
    municipality = models.ForeignKey(
        "self",
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="institutions",
        limit_choices_to={"kind": "municipality"},
    )
    # A municipality that has joined the shared counseling pool.
    participating = models.BooleanField(_("takes part in the shared service"), default=False)

    class Assignment(models.TextChoices):
        TAKE_NEXT = "take_next", _("Counselors take the next conversation themselves")
        AUTO = "auto", _("Conversations are offered to counselors automatically")

    # How this organisation's counselors get conversations.
    assignment = models.CharField(
        _("assignment"), max_length=10, choices=Assignment.choices, default=Assignment.TAKE_NEXT
    )
    # What an hour of this organisation's counselors costs, in DKK: reports price the staffed
    # hours with it. Empty until the organisation sets it.
    hourly_cost = models.DecimalField(
        _("hourly staff cost (DKK)"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_(
            "What one hour of a counselor's time costs, in Danish kroner. Reports price staffed hours with it."
        ),
    )
    # The organisation's own web sites that may show the chat widget (CSP frame-ancestors), one
    # origin a line; see samraad/accounts/embedding.py.
    widget_origins = models.TextField(
        _("web sites with the chat widget"),
        blank=True,
        validators=[validate_origin_lines],
        help_text=_(
            "The addresses of the organisation's web sites that may show the chat widget, one a line, "
            "e.g. https://www.aarhus.dk. Only an organisation that takes part in the shared service can show it."
        ),
    )
    # Days after a conversation ends before its words are deleted, for the conversations this
    # organisation is responsible for (`Conversation.responsible_organisation`). Empty: the
    # platform's SAMRAAD_RETENTION_DAYS. At most ten years, to catch a mistyped number.
    retention_days = models.PositiveSmallIntegerField(
        _("retention (days)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
        help_text=_(
            "Days after a conversation ends before its messages, letters and notes are deleted. "
            "Empty: the platform's setting."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["kind", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="municipality", municipality_code__isnull=False)
                | (~models.Q(kind="municipality") & models.Q(municipality_code__isnull=True)),
                name="municipality_code_only_on_municipalities",
            ),
        ]

    def __str__(self) -> str:
        if self.municipality_code:
            return f"{self.name} ({self.municipality_code})"
        return self.name

    def clean(self) -> None:
        # Stored as browsers compare them, so the policy and the form show the same text.
        self.widget_origins = "\n".join(origins_in(self.widget_origins))

    @property
    def is_central(self) -> bool:
        return self.kind == self.Kind.CENTRAL


class Role(models.TextChoices):
    COUNSELOR = "counselor", _("Counselor")
    SUPERVISOR = "supervisor", _("Supervisor")
    COORDINATOR = "coordinator", _("Coordinator")
    CASEWORKER = "caseworker", _("Caseworker")
    DROP_IN_STAFF = "drop_in_staff", _("Drop-in staff")
    CARE_STAFF = "care_staff", _("Care staff")
    ADMIN = "admin", _("Administrator")


class User(AbstractUser):
    """A member of staff. Young people never have an account."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="staff",
        null=True,
        blank=True,
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")
        ordering = ["username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The name is shown to colleagues (the floor, transfers, notes): it must read as it is.
        self.first_name = without_format_characters(self.first_name)
        self.last_name = without_format_characters(self.last_name)
        super().save(*args, **kwargs)

    @property
    def roles(self) -> frozenset[str]:
        """The roles this person holds, read once per request."""
        cached: frozenset[str] | None = getattr(self, "_roles_cache", None)
        if cached is None:
            cached = frozenset(self.role_grants.values_list("role", flat=True)) if self.pk else frozenset()
            self._roles_cache = cached
        return cached

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))


class RoleGrant(models.Model):
    """One role held by one staff member in their organisation."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        ordering = ["user", "role"]
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="one_grant_per_role")]

    def __str__(self) -> str:
        return self.get_role_display()


class KnownSource(models.Model):
    """A source a staff member has signed in from with every factor, kept only as an HMAC of the
    member and the address: failures elsewhere do not slow their sign-in from here
    (`samraad/accounts/lockout.py`). Young people never sign in, so no address of theirs is here."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="known_sources")
    address_hash = models.CharField(max_length=64)
    last_sign_in_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("known sign-in source")
        verbose_name_plural = _("known sign-in sources")
        ordering = ["user", "-last_sign_in_at"]
        constraints = [models.UniqueConstraint(fields=["user", "address_hash"], name="one_row_per_known_source")]

    def __str__(self) -> str:
        return f"{self.user}: {self.address_hash[:8]}…"


class AccountFailures(models.Model):
    """Failed passwords given for one username from any source since the last quiet day: the
    account's guess budget, which slows sign-in from unknown sources (`samraad/accounts/lockout.py`).
    Kept for any username typed, so a name that is no account is answered alike."""

    username = models.CharField(max_length=255, unique=True)
    failures = models.PositiveIntegerField(default=0)
    last_failure_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("failed sign-ins at an account")
        verbose_name_plural = _("failed sign-ins at accounts")
        ordering = ["username"]

    def __str__(self) -> str:
        return f"{self.username}: {self.failures}"
