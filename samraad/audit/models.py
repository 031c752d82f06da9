"""The audit log: who read or changed whose data, when and why. Written once, never edited: the
model refuses it, and on PostgreSQL so does the database (migration 0004)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditQuerySet(models.QuerySet["AuditEntry"]):
    """Bulk changes bypass `save()` and `delete()`, so they are refused here too."""

    def update(self, **kwargs: Any) -> int:
        raise PermissionError("Audit entries are never changed.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("Audit entries are never deleted.")


class AuditEntry(models.Model):
    class Action(models.TextChoices):
        READ = "read", _("read")
        CHANGE = "change", _("changed")
        CREATE = "create", _("created")
        DELETE = "delete", _("deleted")
        EXTRACT = "extract", _("extracted the access log")

    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    # Kept in text too, so the entry still says who it was after the account is deleted.
    actor_name = models.CharField(_("who (name)"), max_length=150)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    subject_type = models.CharField(_("kind of data"), max_length=100)
    subject_id = models.CharField(_("record"), max_length=64)
    subject_label = models.CharField(_("whose data"), max_length=200)
    # The identified person the data is about (a staff member's record, their shifts), so every
    # access to one person's data can be extracted for them; empty for anonymous data.
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The organisation the data belongs to: an organisation's administrators read its entries.
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    reason = models.CharField(_("why"), max_length=300)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.subject_label}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("Audit entries are never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("Audit entries are never deleted.")
