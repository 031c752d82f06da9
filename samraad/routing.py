"""WebSocket routes. Each app that has consumers adds its own before the catch-all."""

from __future__ import annotations

from typing import Any

from channels.generic.websocket import WebsocketConsumer
from django.urls import re_path

from samraad.counseling.websocket_urls import websocket_urlpatterns as counseling_routes


class UnknownPathConsumer(WebsocketConsumer):
    """Refuses a socket to a path nobody serves, without a server error in the log."""

    def connect(self) -> None:
        self.close()


websocket_urlpatterns: list[Any] = [
    *counseling_routes,
    re_path(r"", UnknownPathConsumer.as_asgi()),
]
