"""Logging filters that keep what Samraad never logs out of the server's output."""

from __future__ import annotations

import logging


class WithoutClientAddress(logging.Filter):
    """Blanks the client's address in uvicorn's connection lines.

    With the access log off, uvicorn still logs every WebSocket handshake on `uvicorn.error` as
    `'%s - "WebSocket %s" [accepted]'` (or 403, or a status) with the peer's `address:port` first:
    for the chat that is a young person's IP address. The line stays, with "-" in its place."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and record.msg.startswith('%s - "'):
            if isinstance(record.args, tuple) and record.args:
                record.args = ("-", *record.args[1:])
        return True
