"""The ASGI entry point: HTTP through Django, WebSockets through the chat's own entry."""

from __future__ import annotations

import gc
import os
import sys
from typing import Any

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samraad.settings")
# Queries run in a thread beside the event loop; with Python's default 5 ms switch interval the
# loop waits that long for the GIL after each one, which stretched the chat's latency tails.
sys.setswitchinterval(0.0005)
# Django must be set up before anything imports models.
django_asgi_app = get_asgi_application()

from samraad.counseling import triage_model  # noqa: E402
from samraad.routing import websocket_application  # noqa: E402

# Triage's model is read here, not at the first young person's message (which would wait for it),
# and so is made before the garbage collector's freeze below, out of every later pass.
triage_model.default_model()


async def application(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """HTTP through Django; WebSockets through samraad/routing.py."""
    serve = websocket_application if scope["type"] == "websocket" else django_asgi_app
    await serve(scope, receive, send)


# The garbage collector's full passes stop the event loop for a time that grows with every object
# alive: about 250 ms with 2,000 sockets open on the benchmark machine, which was most of the chat's
# p99 (docs/performance.md). What start-up made lives as long as the process, so it is taken out of
# every later pass; and a larger first generation lets far fewer in-flight objects (a message
# between receipt and commit) be promoted, so full passes become rare instead of once a minute.
gc.collect()
gc.freeze()
gc.set_threshold(10_000, 10, 10)
