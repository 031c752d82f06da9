"""The WebSocket entry: from the handshake to the close in one coroutine and the socket's own.

Channels' stack (origin check, URL router, cookie, session and authentication middleware) is a
chain of coroutines, each awaiting the next with its own copy of the scope, and every socket keeps
the whole chain for its whole life: some KiB on each of the tens of thousands of idle sockets a
national service holds (docs/performance.md). Here the same checks run once, before the socket
starts, and only the socket's coroutine stays."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any
from urllib.parse import urlparse

from channels.security.websocket import AllowedHostsOriginValidator, WebsocketDenier
from django.conf import settings
from django.contrib import auth
from django.db import DatabaseError
from django.http.cookie import parse_cookie
from django.utils.module_loading import import_string

from samraad.counseling.consumers import Socket
from samraad.counseling.websocket_urls import websocket_routes as counseling_routes
from samraad.lib.asyncdb import db

# Each app that has sockets adds its own.
websocket_routes: dict[str, type[Socket]] = {**counseling_routes}

# Channels' check of the Origin header against ALLOWED_HOSTS, used as a function.
_origins = AllowedHostsOriginValidator(None)


async def websocket_application(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Refuses a socket to a path nobody serves or from a foreign page; runs the others.

    A socket that meets an unavailable database (PostgreSQL restarting: the session lookup of a
    connecting console, a young person's hello, a message's transaction) is told `error
    unavailable` and closed with 1013, try again later, rather than given a crash
    (lib/outage.py)."""
    socket_class = websocket_routes.get(_path(scope))
    if socket_class is None or not _origins.valid_origin(_origin(scope)):
        await WebsocketDenier()(scope, receive, send)
        return
    socket = socket_class()
    try:
        if socket.reads_session:
            scope = await db(signed_in)(scope)
        await socket(scope, receive, send)
    except DatabaseError as error:
        await socket.answer_unavailable(send, error)


def signed_in(scope: dict[str, Any]) -> dict[str, Any]:
    """`scope` with the `session` its cookie names and that session's `user` (or an anonymous
    one), as Django's session and authentication middleware give a request."""
    cookies = parse_cookie(dict(scope["headers"]).get(b"cookie", b"").decode("latin1"))
    session = import_string(f"{settings.SESSION_ENGINE}.SessionStore")(cookies.get(settings.SESSION_COOKIE_NAME))
    return {**scope, "session": session, "user": auth.get_user(SimpleNamespace(session=session))}  # type: ignore[arg-type]


def _path(scope: dict[str, Any]) -> str:
    path: str = scope["path"]
    root_path = scope.get("root_path", "")
    return path[len(root_path) :] if root_path and path.startswith(root_path) else path


def _origin(scope: dict[str, Any]) -> Any:
    for name, value in scope.get("headers", []):
        if name == b"origin":
            try:
                return urlparse(value.decode("latin1"))
            except UnicodeDecodeError:
                return None
    return None
