"""WebSocket routes. Each app that has consumers adds its own here."""

from __future__ import annotations

from typing import Any

websocket_urlpatterns: list[Any] = []
