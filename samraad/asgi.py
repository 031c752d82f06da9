"""The ASGI entry point: HTTP through Django, WebSockets through Channels."""

from __future__ import annotations

import gc
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

# The garbage collector's full passes stop the event loop for a time that grows with every object
# alive: about 250 ms with 2,000 sockets open on the benchmark machine, which was most of the chat's
# p99 (docs/performance.md). What start-up made lives as long as the process, so it is taken out of
# every later pass; and a larger first generation lets far fewer in-flight objects (a message
# between receipt and commit) be promoted, so full passes become rare instead of once a minute.
gc.collect()
gc.freeze()
gc.set_threshold(10_000, 10, 10)
