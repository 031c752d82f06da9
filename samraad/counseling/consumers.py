"""The chat's three sockets: the young person's (`/ws/chat/`), the counselor's console
(`/ws/console/`) and the supervisor's floor (`/ws/floor/`). Thin: parse a frame, call an action,
send the answer. See docs/protocol.md."""

from __future__ import annotations

import asyncio
import contextvars
import json
import logging
import time
from datetime import datetime
from typing import Any

from asgiref.sync import sync_to_async
from channels.consumer import get_handler_name
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import DatabaseError

from samraad.accounts.permissions import Perm, can, supervised_organisation_id
from samraad.accounts.second_factor import session_is_verified
from samraad.counseling import actions, frames
from samraad.counseling.errors import Refused
from samraad.counseling.group_commit import group_commit
from samraad.counseling.heartbeat import heartbeat
from samraad.counseling.models import Conversation
from samraad.counseling.sources import scope_source_hash
from samraad.lib.asyncdb import db
from samraad.lib.events import (
    alerts_group,
    conversation_group,
    counselor_group,
    pool_group,
    staff_group,
    supervisors_group,
    waiting_group,
)
from samraad.lib.outage import answer_unavailable
from samraad.lib.ratelimit import allow

log = logging.getLogger(__name__)

Side = Conversation.Side
State = Conversation.State

# Close codes (docs/protocol.md).
CLOSE_TOO_LARGE = 1009
CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_HELLO_TIMEOUT = 4408
CLOSE_FLOOD = 4429

CLOSE_SERVER_ERROR = 1011
CLOSE_TRY_AGAIN_LATER = 1013  # too far behind to catch up live: reconnect and fetch


class FrameBudget:
    """A token bucket: `rate` frames a second with bursts of `burst`, counted in memory only."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate, self.burst = rate, burst
        self.tokens = float(burst)
        self.stamp = time.monotonic()
        self.refusals = 0

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        self.refusals += 1
        return False


class SharedSnapshot:
    """One queue snapshot for every console that asks at about the same time.

    When a thousand consoles connect at once (a worker restarting), each wants the same queue;
    computed per console, the copies kept the database thread busy for tens of seconds while
    messages waited behind them. Requests are collected while one computation runs and answered
    by the next, which starts after they asked, so no console gets a view older than its request
    (and every later change reaches it through the pool group it has joined)."""

    def __init__(self) -> None:
        self.next: asyncio.Future[dict[str, Any]] | None = None
        self.runner: asyncio.Task[None] | None = None

    async def get(self) -> dict[str, Any]:
        loop = asyncio.get_running_loop()
        if self.next is None or self.next.get_loop() is not loop:
            self.next = loop.create_future()
        answer = self.next
        if self.runner is None or self.runner.done() or self.runner.get_loop() is not loop:
            self.runner = loop.create_task(self._compute())
        # Shielded: a console that leaves while waiting must not cancel the others' answer.
        return await asyncio.shield(answer)

    async def _compute(self) -> None:
        while self.next is not None:
            answer, self.next = self.next, None
            try:
                answer.set_result(await db(actions.queue_snapshot)())
            except Exception as error:  # every console waiting hears it, as if it had asked alone
                answer.set_exception(error)


shared_snapshot = SharedSnapshot()


class Socket(AsyncWebsocketConsumer):
    # Set once the consumer has sent its close. Frames the client sent before it saw the close
    # still arrive, and group events keep coming until the server reports the disconnect; none of
    # them is handled, so a refused socket (over the source limit, bad hello, signed out) can
    # neither store anything nor hear anything more.
    closing = False
    accepted = False
    reads_session = False  # staff sockets: the entry (samraad/routing.py) puts session and user in the scope
    _drainer: asyncio.Task[None] | None = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        """Runs the socket. Channels' runtime waits for the client and for the channel layer with
        two tasks per socket and makes a new task for every frame and every event. Here the
        socket's own task reads the client, and group events are handled by a task that exists
        only while there are events to handle: an idle socket, which is most sockets, holds one
        task, and a frame costs none (docs/performance.md). One at a time, as before: a frame
        and an event are never handled at once, and events keep their order."""
        self.scope = scope
        self.base_send = send
        self.channel_layer = get_channel_layer(self.channel_layer_alias)
        self.channel_name = await self.channel_layer.new_channel()
        self.inbox = self.channel_layer.listen(self.channel_name, self._events_arrived)
        self.turn = asyncio.Lock()
        # Events can be put in the inbox from a callback that carries a database thread's
        # context; they are handled in the socket's own.
        self.context = contextvars.copy_context()
        try:
            while True:
                message = await receive()
                async with self.turn:
                    await self.dispatch(message)
        except StopConsumer:
            pass
        finally:
            self.channel_layer.close_channel(self.channel_name)
            if self._drainer is not None:
                self._drainer.cancel()

    def _events_arrived(self) -> None:
        if self._drainer is None:
            self._drainer = asyncio.get_running_loop().create_task(self._drain(), context=self.context)

    async def _drain(self) -> None:
        try:
            async with self.turn:
                while self.inbox.events:
                    await self.dispatch(self.inbox.events.pop(0))
        except DatabaseError as error:  # as a frame's would (samraad/routing.py)
            await self.answer_unavailable(self.base_send, error)
        except Exception:
            log.exception("A socket's event failed; the socket is closed")
            await self.close(code=CLOSE_SERVER_ERROR)
        finally:
            self._drainer = None

    async def dispatch(self, message: dict[str, Any]) -> None:
        if self.closing and message["type"] != "websocket.disconnect":
            return
        # Channels closes "old" database connections before every event, through a thread hop;
        # our connections stay open and are checked when a call fails (lib/asyncdb.py).
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def answer_unavailable(self, send: Any, error: DatabaseError) -> None:
        """Tells the client to come back later (lib/outage.py), unless it has had its close."""
        if not self.closing:
            self.closing = True
            await answer_unavailable(send, error, accepted=self.accepted)

    async def accept(self, subprotocol: str | None = None, headers: Any = None) -> None:
        self.accepted = True
        await super().accept(subprotocol, headers)

    async def close(self, code: int | bool | None = None, reason: str | None = None) -> None:
        if self.closing:
            return  # one close per socket: a later refusal must not send a second
        self.closing = True
        await super().close(code=code, reason=reason)

    async def layer_overflow(self, event: dict[str, Any]) -> None:
        await self.close(code=CLOSE_TRY_AGAIN_LATER)

    async def send_frame(self, frame: dict[str, Any]) -> None:
        await self.send(text_data=json.dumps(frame, ensure_ascii=False, separators=(",", ":")))

    def _budget(self) -> FrameBudget:
        return FrameBudget(settings.SAMRAAD_CHAT_FRAMES_PER_SECOND, settings.SAMRAAD_CHAT_FRAME_BURST)

    async def _within_budget(self) -> bool:
        """Refuses a frame over the rate; closes a socket that keeps flooding."""
        if self.budget.take():
            return True
        if self.budget.refusals > settings.SAMRAAD_CHAT_FRAME_BURST * 2:
            await self.send_frame(Refused("flood", "Too many frames; the connection is closed.").as_frame())
            await self.close(code=CLOSE_FLOOD)
        else:
            await self.send_frame(Refused("rate_limited", "Too many frames; slow down. Nothing was stored.").as_frame())
        return False

    async def _refuse(self, refusal: Refused, frame: Any = None) -> None:
        answer = refusal.as_frame()
        # A refused message is named, so the client knows which one was not stored.
        for field in ("client_id", "conversation"):
            if getattr(frame, field, None) is not None:
                answer[field] = str(getattr(frame, field))
        await self.send_frame(answer)
        if refusal.code == "too_large":
            await self.close(code=CLOSE_TOO_LARGE)


class ChatConsumer(Socket):
    """The young person's socket. Nothing but `hello` is accepted until it has named a
    conversation by its token."""

    conversation_id: str | None = None
    state: str = ""
    hello_timer: asyncio.TimerHandle | None = None

    async def connect(self) -> None:
        self.budget = self._budget()
        self.source = scope_source_hash(self.scope)  # in memory only; written only into a block
        await self.accept()
        if self.source and not await sync_to_async(allow)(
            f"socket:{self.source}", limit=settings.SAMRAAD_CHAT_CONNECTIONS_PER_MINUTE, window_s=60
        ):
            # Accepted first, so the browser can read why (a refused handshake says nothing).
            await self.send_frame(
                Refused("rate_limited", "Too many new connections from here; wait a minute.").as_frame()
            )
            await self.close(code=CLOSE_FLOOD)
            return
        self.hello_timer = asyncio.get_running_loop().call_later(
            settings.SAMRAAD_CHAT_HELLO_TIMEOUT_S, lambda: asyncio.ensure_future(self._hello_timeout())
        )

    async def _hello_timeout(self) -> None:
        # The timer is dropped when a hello arrives; a socket already closing has had its answer.
        if self.hello_timer is not None and not self.closing:
            await self.send_frame(Refused("hello_timeout", "Send hello first.").as_frame())
            await self.close(code=CLOSE_HELLO_TIMEOUT)

    def _stop_hello_timer(self) -> None:
        if self.hello_timer is not None:
            self.hello_timer.cancel()
            self.hello_timer = None

    async def disconnect(self, code: int) -> None:
        self._stop_hello_timer()
        if self.conversation_id is not None:
            heartbeat.remove(heartbeat.young, self.conversation_id)
            await self.channel_layer.group_discard(conversation_group(self.conversation_id), self.channel_name)
            await self.channel_layer.group_discard(waiting_group(), self.channel_name)
            await db(actions.do_touch)(young=[self.conversation_id], counselor=[], consoles=[])

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if not await self._within_budget():
            return
        frame: Any = None
        try:
            frame = frames.parse_young_frame(text_data)
            if self.conversation_id is None:
                if not isinstance(frame, frames.Hello):
                    await self.send_frame(Refused("hello_first", "The first frame must be hello.").as_frame())
                    await self.close(code=CLOSE_UNAUTHENTICATED)
                    return
                await self.hello(frame)
            elif isinstance(frame, frames.Hello):
                raise Refused("bad_frame", "Hello is sent once.")
            elif isinstance(frame, frames.YoungMsg):
                message, _ = await group_commit.post(
                    actions.Post(self.conversation_id, Side.YOUNG, None, frame.client_id, frame.body, self.channel_name)
                )
                await self.send_frame({"type": "ack", "client_id": frame.client_id, "seq": message.seq})
            elif isinstance(frame, frames.Typing):
                await self._typing()
            elif isinstance(frame, frames.Read):
                await db(actions.do_mark_read)(self.conversation_id, side=Side.YOUNG, seq=frame.seq)
            elif isinstance(frame, frames.End):
                await db(actions.do_end)(self.conversation_id, side=Side.YOUNG)
            elif isinstance(frame, frames.Rate):
                await db(actions.do_rate)(self.conversation_id, rating=frame.rating, comment=frame.comment)
                await self.send_frame({"type": "rated", "rating": frame.rating})
        except Refused as refusal:
            await self._refuse(refusal, frame)
            if self.conversation_id is None:
                # Before a hello the socket can do nothing else, so a first frame that is not a
                # valid hello (malformed or not) is answered with its error and a close, rather
                # than left open until the hello timeout.
                await self.close(code=CLOSE_UNAUTHENTICATED)

    async def hello(self, frame: frames.Hello) -> None:
        # The hello came in time: the timeout must not fire while the token is being checked.
        self._stop_hello_timer()
        conversation = await db(actions.check_conversation_for_token)(frame.token)
        if conversation is None:
            await self.send_frame(Refused("bad_token", "Unknown or expired conversation.").as_frame())
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        if await db(actions.is_source_blocked)(self.source):
            await self.send_frame(Refused("blocked", "This connection is closed for now.").as_frame())
            await self.close(code=CLOSE_FORBIDDEN)
            return
        if conversation.state == State.OPENED:
            conversation = await db(actions.do_join_queue)(conversation.id)
        self.conversation_id = str(conversation.id)
        self.state = conversation.state
        await self.channel_layer.group_add(conversation_group(conversation.id), self.channel_name)
        heartbeat.add(heartbeat.young, self.conversation_id)
        await db(actions.do_touch)(young=[self.conversation_id], counselor=[], consoles=[])
        await self.send_frame(
            {
                "type": "welcome",
                "conversation": self.conversation_id,
                "kind": conversation.kind,
                "state": conversation.state,
                "last_seq": conversation.last_seq,
            }
        )
        for message in await db(actions.messages_after)(conversation.id, frame.last_seq):
            await self.send_frame(actions.message_frame(message))
        if conversation.counselor_read_seq:
            await self.send_frame({"type": "read", "side": Side.COUNSELOR, "seq": conversation.counselor_read_seq})
        if conversation.state == State.WAITING and conversation.kind == Conversation.Kind.CHAT:
            await self.channel_layer.group_add(waiting_group(), self.channel_name)
            order = [str(c.id) for c in await db(actions.waiting_chats)()]
            await self._send_position(order, await db(actions.queue_estimates)())

    async def _typing(self) -> None:
        # Typing is not stored: nothing to commit, so it goes straight to the group.
        frame = {"type": "typing", "conversation": self.conversation_id, "side": Side.YOUNG}
        await self.channel_layer.group_send(
            conversation_group(self.conversation_id),  # type: ignore[arg-type]
            {"type": "deliver", "frame": frame, "origin": self.channel_name},
        )

    async def _send_position(self, order: list[str], estimates: dict[str, Any]) -> None:
        frame = actions.queue_frame(self.conversation_id or "", order, estimates)
        if frame is not None:
            await self.send_frame(frame)

    # --- group events --------------------------------------------------------------------------
    async def deliver(self, event: dict[str, Any]) -> None:
        frame = event["frame"]
        if frame.get("side") == Side.YOUNG and frame["type"] == "typing":
            return
        if frame["type"] == "state":
            self.state = frame["state"]
            if self.state == State.WAITING:
                # Back in the queue (the counselor's connection dropped): positions again.
                await self.channel_layer.group_add(waiting_group(), self.channel_name)
            else:
                await self.channel_layer.group_discard(waiting_group(), self.channel_name)
        await self.send_frame(frame)
        if frame["type"] == "state" and self.state == State.WAITING:
            order = [str(c.id) for c in await db(actions.waiting_chats)()]
            await self._send_position(order, await db(actions.queue_estimates)())

    async def queue_positions(self, event: dict[str, Any]) -> None:
        if self.state == State.WAITING:
            await self._send_position(event["order"], event["estimates"])

    async def blocked(self, event: dict[str, Any]) -> None:
        await db(actions.do_attach_block_source)(event["block"], self.source)
        await self.close(code=CLOSE_FORBIDDEN)

    async def deleted(self, event: dict[str, Any]) -> None:
        # Deleted with its resume code, on this device or another: nothing is left to show here.
        await self.send_frame({"type": "deleted"})
        await self.close(code=CLOSE_UNAUTHENTICATED)


class ConsoleConsumer(Socket):
    """A counselor's console: signed in with both factors and holding the counselor role."""

    reads_session = True

    async def connect(self) -> None:
        self.user = self.scope.get("user")
        verified = await db(session_is_verified)(self.user, self.scope.get("session"))
        try:
            await db(actions.check_console_user)(self.user)
        except Refused:
            verified = False
        if not verified:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.budget = self._budget()
        self.held: set[str] = set()
        self.on_shift = False
        self.alerts: str | None = None
        if await db(can)(self.user, Perm.SUPERVISE):
            self.alerts = alerts_group(await db(supervised_organisation_id)(self.user))
        await self.accept()
        await self.channel_layer.group_add(counselor_group(self.user.pk), self.channel_name)
        await self.channel_layer.group_add(staff_group(self.user.pk), self.channel_name)
        if self.alerts is not None:
            await self.channel_layer.group_add(self.alerts, self.channel_name)
        heartbeat.add(heartbeat.consoles, self.user.pk)
        presence = await db(actions._presence)(self.user)
        await self._set_shift_locally(presence.on_shift)
        await self.send_frame({"type": "shift", "on": presence.on_shift, "capacity": presence.capacity})
        for conversation in await db(actions.held_by)(self.user):
            await self.assigned({"conversation": str(conversation.id)})
        if self.on_shift:
            await self._send_snapshot()

    async def disconnect(self, code: int) -> None:
        if not hasattr(self, "held"):
            return
        heartbeat.remove(heartbeat.consoles, self.user.pk)
        for conversation_id in self.held:
            heartbeat.remove(heartbeat.counselor, conversation_id)
        for conversation_id in self.held:
            await self.channel_layer.group_discard(conversation_group(conversation_id), self.channel_name)
        for group in (counselor_group(self.user.pk), staff_group(self.user.pk), pool_group(), self.alerts):
            if group is not None:
                await self.channel_layer.group_discard(group, self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if not await self._within_budget():
            return
        frame: Any = None
        try:
            frame = frames.parse_console_frame(text_data)
            await self.dispatch_frame(frame)
        except Refused as refusal:
            await self._refuse(refusal, frame)

    async def dispatch_frame(self, frame: Any) -> None:  # noqa: C901 - one branch per frame type
        user = self.user
        if isinstance(frame, frames.Shift):
            presence = await db(actions.do_set_shift)(user, on=frame.on)
            await self._set_shift_locally(presence.on_shift)
            await self.send_frame({"type": "shift", "on": presence.on_shift, "capacity": presence.capacity})
            if presence.on_shift:
                await self._send_snapshot()
        elif isinstance(frame, frames.Take):
            taken = await db(actions.do_take)(user, frame.conversation)
            if taken is None:
                raise Refused("none_waiting", "Nobody is waiting right now.")
        elif isinstance(frame, frames.ConsoleMsg):
            message, _ = await group_commit.post(
                actions.Post(frame.conversation, Side.COUNSELOR, user, frame.client_id, frame.body, self.channel_name)
            )
            ack = {
                "type": "ack",
                "conversation": str(frame.conversation),
                "client_id": frame.client_id,
                "seq": message.seq,
            }
            await self.send_frame(ack)
        elif isinstance(frame, frames.ConsoleTyping):
            if str(frame.conversation) not in self.held:
                raise Refused("not_yours", "This conversation is not yours.")
            event_frame = {"type": "typing", "conversation": str(frame.conversation), "side": Side.COUNSELOR}
            await self.channel_layer.group_send(
                conversation_group(frame.conversation),
                {"type": "deliver", "frame": event_frame, "origin": self.channel_name},
            )
        elif isinstance(frame, frames.ConsoleRead):
            await db(actions.do_mark_read)(frame.conversation, side=Side.COUNSELOR, seq=frame.seq, user=user)
        elif isinstance(frame, frames.ConsoleEnd):
            await db(actions.do_end)(frame.conversation, side=Side.COUNSELOR, user=user)
        elif isinstance(frame, frames.Transfer):
            await db(actions.do_transfer)(frame.conversation, user=user, to_user_id=frame.to)
            await self.send_frame({"type": "transferred", "conversation": str(frame.conversation), "to": frame.to})
        elif isinstance(frame, frames.NoteFrame):
            await db(actions.do_add_note)(frame.conversation, user=user, body=frame.body)
        elif isinstance(frame, frames.TopicFrame):
            conversation = await db(actions.do_set_topic)(frame.conversation, user=user, topic=frame.topic)
            await self.send_frame({"type": "topic", "conversation": str(conversation.id), "topic": conversation.topic})
        elif isinstance(frame, frames.BlockFrame):
            await db(actions.do_block)(frame.conversation, user=user, minutes=frame.minutes, reason=frame.reason)
        elif isinstance(frame, frames.LevelFrame):
            await db(actions.do_correct_triage)(
                frame.conversation, user=user, level=frame.level, reason=frame.reason, category=frame.category
            )
        elif isinstance(frame, frames.Accept):
            await db(actions.do_accept_offer)(user, frame.conversation)
        elif isinstance(frame, frames.Decline):
            await db(actions.do_decline_offer)(user, frame.conversation)

    async def _set_shift_locally(self, on: bool) -> None:
        self.on_shift = on
        if on:
            await self.channel_layer.group_add(pool_group(), self.channel_name)
        else:
            await self.channel_layer.group_discard(pool_group(), self.channel_name)

    async def _send_snapshot(self) -> None:
        await self.queue_snapshot(await shared_snapshot.get())

    # --- group events --------------------------------------------------------------------------
    async def assigned(self, event: dict[str, Any]) -> None:
        conversation_id = event["conversation"]
        details = await db(actions.console_view)(conversation_id, self.user)
        if details is None:
            return
        if conversation_id not in self.held:
            self.held.add(conversation_id)
            heartbeat.add(heartbeat.counselor, conversation_id)
            await self.channel_layer.group_add(conversation_group(conversation_id), self.channel_name)
        await self.send_frame({"type": "assigned", **details})

    async def released(self, event: dict[str, Any]) -> None:
        conversation_id = event["conversation"]
        if conversation_id in self.held:
            self.held.discard(conversation_id)
            heartbeat.remove(heartbeat.counselor, conversation_id)
            await self.channel_layer.group_discard(conversation_group(conversation_id), self.channel_name)
        await self.send_frame({"type": "released", "conversation": conversation_id})

    async def deliver(self, event: dict[str, Any]) -> None:
        frame = event["frame"]
        if frame["type"] == "typing" and frame.get("side") == Side.COUNSELOR:
            return
        await self.send_frame(frame)

    async def queue_snapshot(self, event: dict[str, Any]) -> None:
        if not self.on_shift:
            return
        now = time.time()
        waiting = []
        for item in event["waiting"]:
            queued = item.get("queued_at")
            waited = None
            if queued:
                waited = max(0, int(now - datetime.fromisoformat(queued).timestamp()))
            waiting.append({**item, "waiting_s": waited})
        await self.send_frame({"type": "queue", "waiting": waiting, "colleagues": event.get("colleagues", [])})

    async def queue_positions(self, event: dict[str, Any]) -> None:
        """Meant for waiting young people; a console ignores it."""

    async def blocked(self, event: dict[str, Any]) -> None:
        """Meant for the blocked young person's socket; the console has its state frame."""

    async def deleted(self, event: dict[str, Any]) -> None:
        """Meant for the young person's sockets; the console has its state frame."""

    async def offer(self, event: dict[str, Any]) -> None:
        summary = await db(actions.offer_view)(event["conversation"], self.user)
        if summary is not None:
            await self.send_frame({"type": "offer", **summary})

    async def offer_withdrawn(self, event: dict[str, Any]) -> None:
        await self.send_frame({"type": "offer_withdrawn", "conversation": event["conversation"]})

    async def signed_out(self, event: dict[str, Any]) -> None:
        await self.close(code=CLOSE_UNAUTHENTICATED)

    async def alert(self, event: dict[str, Any]) -> None:
        await self.send_frame(event["frame"])


class FloorConsumer(Socket):
    """The supervisor's floor (`/ws/floor/`): the queue, the counselors' load, critical alerts,
    live reading (audited) and reassignment. Not a console: it holds no conversations, has no
    shift and does not count as the supervisor being present."""

    reads_session = True

    async def connect(self) -> None:
        self.user = self.scope.get("user")
        allowed = await db(session_is_verified)(self.user, self.scope.get("session")) and await db(can)(
            self.user, Perm.SUPERVISE
        )
        if not allowed:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.budget = self._budget()
        self.watching: set[str] = set()
        self.groups_joined = (
            supervisors_group(),
            alerts_group(await db(supervised_organisation_id)(self.user)),
            staff_group(self.user.pk),
        )
        await self.accept()
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.floor_changed({})

    async def disconnect(self, code: int) -> None:
        if not hasattr(self, "watching"):
            return
        for conversation_id in self.watching:
            await self.channel_layer.group_discard(conversation_group(conversation_id), self.channel_name)
        for group in self.groups_joined:
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if not await self._within_budget():
            return
        frame: Any = None
        try:
            frame = frames.parse_floor_frame(text_data)
            if isinstance(frame, frames.Floor):
                await self.floor_changed({})
            elif isinstance(frame, frames.Watch):
                view = await db(actions.do_watch)(frame.conversation, user=self.user)
                conversation_id = str(frame.conversation)
                if conversation_id not in self.watching:
                    self.watching.add(conversation_id)
                    await self.channel_layer.group_add(conversation_group(conversation_id), self.channel_name)
                await self.send_frame({"type": "watched", **view})
            elif isinstance(frame, frames.Unwatch):
                conversation_id = str(frame.conversation)
                self.watching.discard(conversation_id)
                await self.channel_layer.group_discard(conversation_group(conversation_id), self.channel_name)
            elif isinstance(frame, frames.Transfer):
                await db(actions.do_transfer)(frame.conversation, user=self.user, to_user_id=frame.to)
                transferred = {"type": "transferred", "conversation": str(frame.conversation), "to": frame.to}
                await self.send_frame(transferred)
            elif isinstance(frame, frames.LevelFrame):
                await db(actions.do_correct_triage)(
                    frame.conversation, user=self.user, level=frame.level, reason=frame.reason, category=frame.category
                )
                await self.send_frame({"type": "level", "conversation": str(frame.conversation), "level": frame.level})
        except Refused as refusal:
            await self._refuse(refusal, frame)

    async def floor_changed(self, event: dict[str, Any]) -> None:
        await self.send_frame({"type": "floor", **await db(actions.floor_snapshot)(self.user)})

    async def alert(self, event: dict[str, Any]) -> None:
        await self.send_frame(event["frame"])

    async def deliver(self, event: dict[str, Any]) -> None:
        if event["frame"].get("conversation") in self.watching:
            await self.send_frame(event["frame"])

    async def blocked(self, event: dict[str, Any]) -> None:
        """Meant for the blocked young person's socket."""

    async def deleted(self, event: dict[str, Any]) -> None:
        """Meant for the young person's sockets."""

    async def signed_out(self, event: dict[str, Any]) -> None:
        await self.close(code=CLOSE_UNAUTHENTICATED)
