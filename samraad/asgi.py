"""The ASGI entry point: HTTP through Django, WebSockets through Channels."""

from __future__ import annotations

import os
import sys

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samraad.settings")
# Queries run in a thread beside the event loop; with Python's default 5 ms switch interval the
# loop waits that long for the GIL after each one, which stretched the chat's latency tails.
sys.setswitchinterval(0.0005)
# Django must be set up before anything imports models.
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from samraad.lib.outage import DatabaseOutage  # noqa: E402
from samraad.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": DatabaseOutage(AllowedHostsOriginValidator(URLRouter(websocket_urlpatterns))),
    }
)
