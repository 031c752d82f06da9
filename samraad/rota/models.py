"""Who is on shift now. (Weekly rota patterns come with the pooled queue.)"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


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
