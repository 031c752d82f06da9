"""Which web sites may show the chat widget: the frame-ancestors of the widget's page."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from samraad.accounts.models import Organisation
from samraad.lib.origins import origins_in

CACHE_KEY = "samraad:widget-origins"
# Every young person opening the widget asks; a save clears the entry at once, and the expiry
# bounds what a bulk update (which sends no signal) can leave behind.
CACHE_SECONDS = 60


def widget_origins() -> list[str]:
    """Returns the origins allowed to frame the widget: SAMRAAD_WIDGET_ORIGINS and those registered
    by every organisation that takes part in the shared service (and the central service)."""
    cached: list[str] | None = cache.get(CACHE_KEY)
    if cached is not None:
        return cached
    taking_part = Organisation.objects.filter(
        Q(participating=True) | Q(kind=Organisation.Kind.CENTRAL), ~Q(widget_origins="")
    )
    registered = "\n".join(taking_part.order_by("pk").values_list("widget_origins", flat=True))
    origins = origins_in("\n".join([*settings.SAMRAAD_WIDGET_ORIGINS, registered]))
    cache.set(CACHE_KEY, origins, CACHE_SECONDS)
    return origins


def forget_widget_origins() -> None:
    cache.delete(CACHE_KEY)


@receiver([post_save, post_delete], sender=Organisation, dispatch_uid="forget_widget_origins")
def _organisation_changed(sender: type[Organisation], **kwargs: Any) -> None:
    # After the commit: cleared earlier, a request could cache the old rows again meanwhile.
    transaction.on_commit(forget_widget_origins)
