"""Events to sockets: group names from server-side ids only, and sending only after commit."""

from __future__ import annotations

import uuid
from typing import Any

from channels.layers import get_channel_layer
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from samraad.lib.layers import LocalLayer


def conversation_group(conversation_id: uuid.UUID | str) -> str:
    return f"conversation-{uuid.UUID(str(conversation_id)).hex}"


def counselor_group(user_id: int) -> str:
    return f"counselor-{int(user_id)}"


def staff_group(user_id: int) -> str:
    """Every socket of one staff member, console and floor alike: closed when they sign out."""
    return f"staff-{int(user_id)}"


def pool_group() -> str:
    """Every console of a counselor on shift: queue snapshots."""
    return "pool"


def supervisors_group() -> str:
    """Every supervisor's floor: that it changed (never what changed; each floor asks for its own view)."""
    return "supervisors"


def alerts_group(organisation_id: uuid.UUID | str | None) -> str:
    """The consoles and floors of the supervisors who hear of critical messages: with None those
    of the whole pool, else those of one organisation's own supervisors."""
    if organisation_id is None:
        return "alerts"
    return f"alerts-{uuid.UUID(str(organisation_id)).hex}"


def waiting_group() -> str:
    """Every young person still waiting: queue positions."""
    return "waiting"


def send_event(group: str, event: dict[str, Any]) -> None:
    """Sends `event` to `group` once the surrounding transaction commits (at once outside one),
    so no client hears of a row that was rolled back."""

    def deliver() -> None:
        layer = get_channel_layer()
        if not isinstance(layer, LocalLayer):
            raise ImproperlyConfigured("CHANNEL_LAYERS must name LocalLayer or RedisLayer (samraad.lib.layers)")
        layer.group_send_from_thread(group, event)  # no wait for the event loop

    transaction.on_commit(deliver)
