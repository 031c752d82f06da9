"""A socket that meets an unavailable database is told to try again later, not given a crash.

When PostgreSQL restarts, every statement fails for a few seconds: the session lookup of a
connecting console, a young person's hello, a message's transaction. Left alone, each failure is a
500 on the handshake or a socket dropped with 1011 and a traceback in the log. The WebSocket entry
(samraad/routing.py) and a socket's events answer them all alike: the socket is accepted if it was not yet, told
`error unavailable` (nothing was stored; the client sends unacknowledged messages again) and
closed with 1013, try again later. The next statement after a failure opens a new database
connection (lib/asyncdb.py), so the worker recovers by itself when the database is back.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from django.db import DatabaseError

log = logging.getLogger(__name__)

CLOSE_TRY_AGAIN_LATER = 1013
UNAVAILABLE = json.dumps(
    {"type": "error", "code": "unavailable", "detail": "Not stored: the service is briefly unavailable. Try again."}
)


async def answer_unavailable(send: Any, error: DatabaseError, *, accepted: bool) -> None:
    """Tells a socket that met `error` to try again later, and closes it."""
    log.warning("A socket met an unavailable database (%s); told to try again later", type(error).__name__)
    try:
        if not accepted:
            await send({"type": "websocket.accept"})
        await send({"type": "websocket.send", "text": UNAVAILABLE})
        await send({"type": "websocket.close", "code": CLOSE_TRY_AGAIN_LATER})
    except Exception:  # noqa: BLE001 - the client has gone meanwhile: nobody to tell
        log.debug("the socket closed before it could be told")
