"""The channel layer: how an event reaches the sockets that listen to a group.

Channels' in-memory layer starts a task per recipient, copies every event and walks every
channel for expiry on each send, so its cost per chat message grows with the number of sockets
(see docs/performance.md). Samraad's events are few kinds sent to small groups, so `LocalLayer`
hands an event straight to the queues of the process's sockets in the group. Nothing expires and
nothing is dropped: a socket whose queue passes `capacity` is told to close (`layer.overflow`),
and its client reconnects and fetches what it missed by `seq` from the database, which holds
every acknowledged message. It can be given events from a database thread (`send_event` after a
commit) without waiting for the event loop; events keep the order they were given in.

With several workers (`REDIS_URL`), channels_redis carries events between them.
"""

from __future__ import annotations

import asyncio
import secrets
from typing import Any

from channels.layers import BaseChannelLayer

OVERFLOW = {"type": "layer.overflow"}


class LocalLayer(BaseChannelLayer):
    extensions = ["groups", "flush"]

    def __init__(self, capacity: int = 1000, **kwargs: Any) -> None:
        super().__init__(capacity=capacity, **kwargs)
        self.queues: dict[str, asyncio.Queue[dict[str, Any]]] = {}
        self.groups: dict[str, set[str]] = {}
        self.memberships: dict[str, set[str]] = {}
        self.loop: asyncio.AbstractEventLoop | None = None

    # --- the channel layer API ------------------------------------------------------------------
    async def new_channel(self, prefix: str = "specific.") -> str:
        self.loop = asyncio.get_running_loop()
        name = f"{prefix}local!{secrets.token_hex(8)}"
        self.queues[name] = asyncio.Queue()
        return name

    async def receive(self, channel: str) -> dict[str, Any]:
        queue = self.queues.setdefault(channel, asyncio.Queue())
        try:
            return await queue.get()
        except asyncio.CancelledError:
            # A consumer cancels its receive only when it stops: the channel goes with it.
            self._forget(channel)
            raise

    async def send(self, channel: str, message: dict[str, Any]) -> None:
        self._put(channel, message)

    async def group_add(self, group: str, channel: str) -> None:
        self.require_valid_group_name(group)
        self.groups.setdefault(group, set()).add(channel)
        self.memberships.setdefault(channel, set()).add(group)

    async def group_discard(self, group: str, channel: str) -> None:
        members = self.groups.get(group)
        if members is not None:
            members.discard(channel)
            if not members:
                del self.groups[group]
        joined = self.memberships.get(channel)
        if joined is not None:
            joined.discard(group)

    async def group_send(self, group: str, message: dict[str, Any]) -> None:
        self.deliver(group, message)

    async def flush(self) -> None:
        self.queues.clear()
        self.groups.clear()
        self.memberships.clear()

    async def close(self) -> None:
        """Nothing to release: queues live in this process."""

    # --- for code outside the event loop --------------------------------------------------------
    def group_send_from_thread(self, group: str, message: dict[str, Any]) -> None:
        """Hands `message` to the event loop's thread without waiting for it: events given in
        one order are delivered in that order."""
        loop = self.loop
        if loop is not None and loop.is_running() and not _runs_in(loop):
            loop.call_soon_threadsafe(self.deliver, group, message)
        else:
            self.deliver(group, message)

    # --- inside ---------------------------------------------------------------------------------
    def deliver(self, group: str, message: dict[str, Any]) -> None:
        """To this process's sockets in `group`. Events are never changed after they are sent,
        so every recipient shares one dict."""
        for channel in tuple(self.groups.get(group, ())):
            self._put(channel, message)

    def _put(self, channel: str, message: dict[str, Any]) -> None:
        queue = self.queues.get(channel)
        if queue is None:
            return  # the socket has gone
        if queue.qsize() >= self.capacity:
            # A socket this far behind cannot catch up live; it starts over from the database.
            while not queue.empty():
                queue.get_nowait()
            queue.put_nowait(OVERFLOW)
            return
        queue.put_nowait(message)

    def _forget(self, channel: str) -> None:
        self.queues.pop(channel, None)
        for group in self.memberships.pop(channel, ()):
            members = self.groups.get(group)
            if members is not None:
                members.discard(channel)
                if not members:
                    del self.groups[group]


def _runs_in(loop: asyncio.AbstractEventLoop) -> bool:
    try:
        return asyncio.get_running_loop() is loop
    except RuntimeError:
        return False
