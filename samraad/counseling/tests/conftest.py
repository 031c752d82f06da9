"""Real sockets through the whole ASGI application, for young people and counselors."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import connections
from django.test import Client

from conftest import sign_in
from samraad.accounts.models import User
from samraad.asgi import application
from samraad.counseling import actions

ORIGIN = (b"origin", b"http://localhost")


@pytest.fixture
async def _close_worker_connections() -> AsyncIterator[None]:
    """The thread that runs a consumer's queries keeps its database connection; close it so
    PostgreSQL can drop the test database at the end."""
    yield
    await database_sync_to_async(connections.close_all)()


# Async socket tests need committed rows that other threads can see.
socket_db = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("_close_worker_connections"),
]


class Socket:
    """A WebsocketCommunicator that speaks the protocol's JSON frames."""

    def __init__(self, path: str, headers: list[tuple[bytes, bytes]] | None = None) -> None:
        self.communicator = WebsocketCommunicator(application, path, headers=[ORIGIN, *(headers or [])])
        # The peer address a server would see; the chat keeps only a salted hash of it, in memory.
        self.communicator.scope["client"] = ("203.0.113.9", 50000)

    async def connect(self) -> tuple[bool, int | None]:
        connected, code = await self.communicator.connect()
        return connected, code

    async def send(self, frame: dict[str, Any] | str) -> None:
        text = frame if isinstance(frame, str) else json.dumps(frame)
        await self.communicator.send_to(text_data=text)

    async def receive(self, timeout: float = 2) -> dict[str, Any]:
        return json.loads(await self.communicator.receive_from(timeout=timeout))  # type: ignore[no-any-return]

    async def receive_until(self, frame_type: str, timeout: float = 2) -> dict[str, Any]:
        """Skips frames until one of `frame_type` arrives."""
        while True:
            frame = await self.receive(timeout)
            if frame["type"] == frame_type:
                return frame

    async def receive_output(self, timeout: float = 2) -> dict[str, Any]:
        return await self.communicator.receive_output(timeout=timeout)  # type: ignore[no-any-return]

    async def nothing(self, timeout: float = 0.3) -> bool:
        return await self.communicator.receive_nothing(timeout=timeout)  # type: ignore[no-any-return]

    async def close(self) -> None:
        await self.communicator.disconnect()


def waiting_chat(**fields: Any) -> actions.Opened:
    """A chat opened over HTTP whose young person's socket has said hello: it waits in the queue."""
    opened = actions.do_open_conversation(**fields)
    return replace(opened, conversation=actions.do_join_queue(opened.conversation.id))


async def open_chat(municipality: str | None = "0751", **fields: Any) -> actions.Opened:
    return await sync_to_async(waiting_chat)(
        municipality_code=municipality, topic=fields.get("topic"), nickname=fields.get("nickname")
    )


async def young_socket(token: str, last_seq: int = 0) -> Socket:
    socket = Socket("/ws/chat/")
    connected, _ = await socket.connect()
    assert connected
    await socket.send({"type": "hello", "token": token, "last_seq": last_seq})
    welcome = await socket.receive()
    assert welcome["type"] == "welcome", welcome
    return socket


def session_cookie(user: User) -> tuple[bytes, bytes]:
    client = sign_in(Client(), user)
    return (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode())


async def console_socket(user: User, *, on_shift: bool = True) -> Socket:
    cookie = await sync_to_async(session_cookie)(user)
    socket = Socket("/ws/console/", [cookie])
    connected, code = await socket.connect()
    assert connected, code
    shift = await socket.receive_until("shift")
    if on_shift and not shift["on"]:
        await socket.send({"type": "shift", "on": True})
        assert (await socket.receive_until("shift"))["on"] is True
    return socket


async def floor_socket(user: User) -> Socket:
    cookie = await sync_to_async(session_cookie)(user)
    socket = Socket("/ws/floor/", [cookie])
    connected, code = await socket.connect()
    assert connected, code
    return socket
