"""The channel layer: how an event reaches the sockets that listen to a group.

Channels' in-memory layer starts a task per recipient, copies every event and walks every
channel for expiry on each send, so its cost per chat message grows with the number of sockets
(see docs/performance.md). Samraad's events are few kinds sent to small groups, so `LocalLayer`
hands an event straight to the queues of the process's sockets in the group. Nothing expires and
nothing is dropped: a socket whose queue passes `capacity` is told to close (`layer.overflow`),
and its client reconnects and fetches what it missed by `seq` from the database, which holds
every acknowledged message. It can be given events from a database thread (`send_event` after a
commit) without waiting for the event loop; events keep the order they were given in.

With several workers (`REDIS_URL`), `RedisLayer` adds Redis pub/sub between them: one
subscription per worker, events published in batches from a thread of their own, so a chat
message costs its sender no round trip to Redis and a Redis outage never blocks a commit or an ack.
"""

from __future__ import annotations

import asyncio
import logging
import os
import queue
import secrets
import threading
import time
from collections.abc import Callable
from typing import Any

import msgpack
import redis
from channels.layers import BaseChannelLayer

log = logging.getLogger(__name__)

OVERFLOW = {"type": "layer.overflow"}


class Inbox:
    """One socket's undelivered events, and who to wake when one arrives: a `listener` (the chat's
    sockets, which take events without a task waiting for them) or a waiting `receive`. An
    asyncio.Queue would do, but its three deques cost some 2 KiB on every idle socket, and a
    national service holds tens of thousands of sockets that wait for a counselor."""

    __slots__ = ("events", "waiter", "listener")

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self.waiter: asyncio.Future[None] | None = None
        self.listener: Callable[[], None] | None = None

    def put(self, event: dict[str, Any]) -> None:
        self.events.append(event)
        if self.listener is not None:
            self.listener()
        elif self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(None)

    async def get(self) -> dict[str, Any]:
        while not self.events:  # an event stays here until taken, so a cancelled receive loses none
            self.waiter = asyncio.get_running_loop().create_future()
            try:
                await self.waiter
            finally:
                self.waiter = None
        return self.events.pop(0)


class LocalLayer(BaseChannelLayer):
    extensions = ["groups", "flush"]

    def __init__(self, capacity: int = 1000, **kwargs: Any) -> None:
        super().__init__(capacity=capacity, **kwargs)
        self.inboxes: dict[str, Inbox] = {}
        self.groups: dict[str, set[str]] = {}
        self.memberships: dict[str, set[str]] = {}
        self.loop: asyncio.AbstractEventLoop | None = None
        # Events handed over from other threads wait here; one wake-up of the loop takes them all.
        self._handoff: list[tuple[str, dict[str, Any]]] = []
        self._handoff_lock = threading.Lock()
        self._handoff_to: asyncio.AbstractEventLoop | None = None  # a wake-up is on its way there

    # --- the channel layer API ------------------------------------------------------------------
    async def new_channel(self, prefix: str = "specific.") -> str:
        self.loop = asyncio.get_running_loop()
        name = f"{prefix}local!{secrets.token_hex(8)}"
        self.inboxes[name] = Inbox()
        return name

    async def receive(self, channel: str) -> dict[str, Any]:
        inbox = self.inboxes.setdefault(channel, Inbox())
        try:
            return await inbox.get()
        except asyncio.CancelledError:
            # A consumer cancels its receive only when it stops: the channel goes with it.
            self.close_channel(channel)
            raise

    def listen(self, channel: str, listener: Callable[[], None]) -> Inbox:
        """Instead of `receive`: `listener` is called on the event loop's thread after each event
        is put in the returned inbox, and takes events from it itself. `close_channel` ends it."""
        inbox = self.inboxes.setdefault(channel, Inbox())
        inbox.listener = listener
        return inbox

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
        self.inboxes.clear()
        self.groups.clear()
        self.memberships.clear()

    async def close(self) -> None:
        """Nothing to release: queues live in this process."""

    # --- for code outside the event loop --------------------------------------------------------
    def group_send_from_thread(self, group: str, message: dict[str, Any]) -> None:
        """Hands `message` to the event loop's thread without waiting for it: events given in
        one order are delivered in that order. A batch of messages committed together wakes the
        loop once, not once an event."""
        loop = self.loop
        if loop is None or not loop.is_running() or _runs_in(loop):
            self.deliver(group, message)
            return
        with self._handoff_lock:
            self._handoff.append((group, message))
            if self._handoff_to is loop:
                return
            self._handoff_to = loop
        loop.call_soon_threadsafe(self._take_handoff)

    def _take_handoff(self) -> None:
        with self._handoff_lock:
            handed, self._handoff = self._handoff, []
            self._handoff_to = None
        for group, message in handed:
            self.deliver(group, message)

    # --- inside ---------------------------------------------------------------------------------
    def deliver(self, group: str, message: dict[str, Any]) -> None:
        """To this process's sockets in `group`, except the one named as the event's `origin`:
        the socket that sent a chat message has its answer already (the ack), and handing it its
        own message only for it to drop it cost every message a task (docs/performance.md).
        Events are never changed after they are sent, so every recipient shares one dict."""
        origin = message.get("origin")
        for channel in tuple(self.groups.get(group, ())):
            if channel != origin:
                self._put(channel, message)

    def _put(self, channel: str, message: dict[str, Any]) -> None:
        pending = self.inboxes.get(channel)
        if pending is None:
            return  # the socket has gone
        if len(pending.events) >= self.capacity:
            # A socket this far behind cannot catch up live; it starts over from the database.
            self._overflow((channel,))
            return
        pending.put(message)

    def _overflow(self, channels: Any) -> None:
        """Tells each of `channels` to start over from the database (the client reconnects)."""
        for channel in tuple(channels):
            pending = self.inboxes.get(channel)
            if pending is not None:
                pending.events.clear()
                pending.put(OVERFLOW)

    def close_channel(self, channel: str) -> None:
        """The socket has stopped: its inbox and its place in every group go."""
        self.inboxes.pop(channel, None)
        for group in self.memberships.pop(channel, ()):
            members = self.groups.get(group)
            if members is not None:
                members.discard(channel)
                if not members:
                    del self.groups[group]


class RedisLayer(LocalLayer):
    """`LocalLayer` for each worker, and Redis pub/sub to carry every event to the other workers.

    A worker delivers its own events to its own sockets at once and publishes them for the rest;
    each worker subscribes once and delivers what the others publish to its sockets in the group.
    Events from one worker arrive in the order it sent them. Across workers the order follows
    Redis, not the database, so a client may see `seq` 6 before 5: it orders by `seq` and
    fetches a gap (docs/protocol.md), exactly as after a reconnect.

    Redis may go away. Events published meanwhile are lost for the other workers, so nothing
    tries to replay them late (a stale `state` or queue frame would be worse than none): when a
    worker's subscription comes back, every socket that was open without it is closed with 1013
    and its client reconnects and reads the truth from the database, where every acknowledged
    message already is. A worker that had to drop events it could not publish tells every other
    worker to do the same once it can publish again.
    """

    BATCH = 256  # events in one PUBLISH
    RECONNECT_S = (0.05, 2.0)  # first and longest pause between attempts to reach Redis
    SUBSCRIBED_WAIT_S = 2.0  # a new socket waits this long for the worker's subscription

    def __init__(self, url: str, capacity: int = 1000, prefix: str = "samraad", **kwargs: Any) -> None:
        super().__init__(capacity=capacity, **kwargs)
        self.url = url
        # Pub/sub ignores Redis's database number: the channel carries it, so two deployments (or
        # test runs) on one Redis stay apart as their caches do.
        database = redis.connection.parse_url(url).get("db", 0)
        self.topic = f"{prefix}:{database}:events"
        self.origin = secrets.token_hex(8)
        self.subscribed = threading.Event()
        self.stale: set[str] = set()  # sockets opened or kept while the subscription was down
        self.outbox: queue.SimpleQueue[tuple[str, dict[str, Any]] | None] = queue.SimpleQueue()
        self._started_in: int | None = None
        self._starting = threading.Lock()

    async def new_channel(self, prefix: str = "specific.") -> str:
        self._start()
        if not self.subscribed.is_set():
            await asyncio.to_thread(self.subscribed.wait, self.SUBSCRIBED_WAIT_S)
        name = await super().new_channel(prefix)
        if not self.subscribed.is_set():
            self.stale.add(name)
        return name

    async def group_send(self, group: str, message: dict[str, Any]) -> None:
        self.deliver(group, message)
        self._publish(group, message)

    def group_send_from_thread(self, group: str, message: dict[str, Any]) -> None:
        super().group_send_from_thread(group, message)
        self._publish(group, message)

    def close_channel(self, channel: str) -> None:
        self.stale.discard(channel)
        super().close_channel(channel)

    # --- the two threads ------------------------------------------------------------------------
    def _start(self) -> None:
        """Starts the publisher and the subscriber once per process (a forked worker starts its own)."""
        if self._started_in == os.getpid():
            return
        with self._starting:
            if self._started_in == os.getpid():
                return
            self.subscribed.clear()
            for target in (self._publishing, self._subscribing):
                threading.Thread(target=target, name=f"redis-layer-{target.__name__}", daemon=True).start()
            self._started_in = os.getpid()

    def _publish(self, group: str, message: dict[str, Any]) -> None:
        self._start()
        self.outbox.put((group, message))

    def _publishing(self) -> None:
        client = redis.Redis.from_url(self.url, socket_connect_timeout=2, socket_timeout=5)
        dropped = False
        pause = self.RECONNECT_S[0]
        while True:
            batch = self._next_batch()
            try:
                if dropped:
                    client.publish(self.topic, msgpack.packb([self.origin, None]))
                    dropped = False
                if batch:
                    client.publish(self.topic, msgpack.packb([self.origin, batch]))
                pause = self.RECONNECT_S[0]
            except redis.RedisError as error:
                # What could not be sent is dropped, not kept for later, where it would be stale:
                # the other workers start over from the database once this one can tell them to.
                if not dropped:
                    log.warning("Could not publish events to Redis (%s); dropping them until it answers", error)
                dropped = True
                time.sleep(pause)
                pause = min(pause * 2, self.RECONNECT_S[1])
                self._discard_outbox()
                self.outbox.put(None)  # try again even if no new event comes

    def _next_batch(self) -> list[tuple[str, dict[str, Any]]]:
        """Waits for an event, then takes what else is waiting, up to `BATCH`."""
        item = self.outbox.get()
        batch = [] if item is None else [item]
        while len(batch) < self.BATCH:
            try:
                item = self.outbox.get_nowait()
            except queue.Empty:
                break
            if item is not None:
                batch.append(item)
        return batch

    def _discard_outbox(self) -> None:
        while True:
            try:
                self.outbox.get_nowait()
            except queue.Empty:
                return

    def _subscribing(self) -> None:
        pause = self.RECONNECT_S[0]
        while True:
            try:
                client = redis.Redis.from_url(self.url, socket_connect_timeout=2, socket_timeout=30)
                with client.pubsub() as subscription:
                    subscription.subscribe(self.topic)
                    # Redis confirms before it delivers anything: from here no event is missed.
                    confirmation = subscription.get_message(timeout=2)
                    if confirmation is None or confirmation["type"] != "subscribe":
                        raise redis.ConnectionError("Redis did not confirm the subscription")
                    self._on_loop(lambda: self._overflow(self._take_stale()))
                    self.subscribed.set()
                    pause = self.RECONNECT_S[0]
                    while True:
                        # A quiet connection is checked every few seconds, so a Redis that died
                        # without closing it is noticed and the sockets resynchronised.
                        message = subscription.get_message(timeout=5)
                        if message is None:
                            subscription.ping()
                        elif message["type"] == "message":
                            self._received(message["data"])
            except redis.RedisError as error:
                if self.subscribed.is_set():
                    log.warning("Lost the Redis subscription (%s); sockets start over when it is back", error)
                self.subscribed.clear()
                self._on_loop(self._mark_all_stale)
                time.sleep(pause)
                pause = min(pause * 2, self.RECONNECT_S[1])

    def _received(self, data: bytes) -> None:
        origin, batch = msgpack.unpackb(data)
        if origin == self.origin:
            return  # delivered here when it was sent
        if batch is None:
            self._on_loop(lambda: self._overflow(self.inboxes))
        else:
            self._on_loop(lambda: self._deliver_batch(batch))

    # --- on the event loop ----------------------------------------------------------------------
    def _on_loop(self, callback: Any) -> None:
        loop = self.loop
        if loop is None:
            return  # no socket has opened in this process: nobody to tell
        try:
            loop.call_soon_threadsafe(callback)
        except RuntimeError:
            pass  # the loop has closed (a test's, or a worker shutting down)

    def _deliver_batch(self, batch: list[list[Any]]) -> None:
        for group, message in batch:
            self.deliver(group, message)

    def _mark_all_stale(self) -> None:
        self.stale.update(self.inboxes)

    def _take_stale(self) -> set[str]:
        stale, self.stale = self.stale, set()
        return stale


def _runs_in(loop: asyncio.AbstractEventLoop) -> bool:
    try:
        return asyncio.get_running_loop() is loop
    except RuntimeError:
        return False
