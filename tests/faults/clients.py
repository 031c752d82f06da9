"""Chat clients that behave as docs/protocol.md asks of every client: they keep each message until
it is acknowledged and send it again, with the same `client_id`, after reconnecting; they show
messages in `seq` order (their own by the `seq` of its `ack`, the other side's as they arrive) and
reconnect when a gap stays open; they reconnect by themselves whenever
the socket goes, with a short pause. Everything they saw is kept for the test to check."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import InvalidHandshake, WebSocketException

RECONNECT_PAUSE_S = 0.2
GAP_PATIENCE_S = 1.0  # an ack and the other side's message may cross; a gap older than this is real


@dataclass
class Side:
    """One person in one conversation: the young person (`/ws/chat/`) or the counselor (`/ws/console/`)."""

    name: str
    conversation: str
    urls: list[str]  # tried in turn; one worker's address, or several
    origin: str
    token: str = ""  # the young person's
    cookie: str = ""  # the counselor's session
    transcript: dict[int, tuple[str, str | None]] = field(default_factory=dict)  # seq: (sender, client_id)
    last_seq: int = 0
    outbox: dict[str, str] = field(default_factory=dict)  # client_id: body, not yet acknowledged
    acked: dict[str, int] = field(default_factory=dict)
    sent: list[str] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    closes: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)  # what a client must never see
    states: list[str] = field(default_factory=list)
    held: bool | None = None  # the counselor: whether the last `assigned` set included the conversation
    connections: int = 0
    ws: ClientConnection | None = None
    stopping: bool = False
    gap_check: asyncio.TimerHandle | None = None

    @property
    def is_young(self) -> bool:
        return bool(self.token)

    async def run(self) -> None:
        attempt = 0
        while not self.stopping:
            url = self.urls[attempt % len(self.urls)]
            attempt += 1
            try:
                await self._session(url)
            except InvalidHandshake as refused:
                self.closes[f"handshake {refused}"[:60]] += 1
            except (OSError, TimeoutError, WebSocketException) as error:
                self.closes[type(error).__name__] += 1
            self.ws = None
            if not self.stopping:
                await asyncio.sleep(RECONNECT_PAUSE_S)

    async def _session(self, url: str) -> None:
        path = "/ws/chat/" if self.is_young else "/ws/console/"
        headers = {} if self.is_young else {"Cookie": self.cookie}
        async with connect(
            url + path,
            origin=self.origin,
            additional_headers=headers,
            open_timeout=5,
            close_timeout=1,  # type: ignore[arg-type]
        ) as ws:
            self.connections += 1
            if self.is_young:
                await ws.send(json.dumps({"type": "hello", "token": self.token, "last_seq": self.last_seq}))
            self.ws = ws
            for client_id, body in list(self.outbox.items()):
                await ws.send(self._frame(client_id, body))
            async for raw in ws:
                self._on_frame(json.loads(raw))
            self.closes[str(ws.close_code)] += 1

    def _frame(self, client_id: str, body: str) -> str:
        frame: dict[str, Any] = {"type": "msg", "client_id": client_id, "body": body}
        if not self.is_young:
            frame["conversation"] = self.conversation
        return json.dumps(frame)

    async def say(self, body: str) -> None:
        client_id = f"{self.name}-{len(self.sent) + 1}"
        self.sent.append(client_id)
        self.outbox[client_id] = body
        ws = self.ws
        if ws is not None:
            try:
                await ws.send(self._frame(client_id, body))
            except WebSocketException:
                pass  # sent again after the reconnect

    def _on_frame(self, frame: dict[str, Any]) -> None:
        kind = frame.get("type")
        if frame.get("conversation", self.conversation) != self.conversation:
            return
        if kind == "welcome":
            self.states.append(frame["state"])
        elif kind == "state":
            self.states.append(frame["state"])
        elif kind == "shift":
            self.held = False  # the `assigned` frames follow
        elif kind == "assigned":
            self.held = True
            self.states.append(frame["state"])
            for message in frame["history"]:
                self._record(message["seq"], (message["sender"], message.get("client_id")))
        elif kind == "released":
            self.held = False
        elif kind == "msg":
            self._record(frame["seq"], (frame["sender"], frame.get("client_id")))
        elif kind == "ack":
            seq, client_id = frame["seq"], frame["client_id"]
            if self.acked.setdefault(client_id, seq) != seq:
                self.problems.append(f"{client_id} acknowledged as {seq} and {self.acked[client_id]}")
            self.outbox.pop(client_id, None)
            self._record(seq, ("young" if self.is_young else "counselor", client_id))
        elif kind == "error":
            self.errors[frame.get("code", "?")] += 1
            if "Traceback" in json.dumps(frame):
                self.problems.append(f"a stack trace in {frame}")

    def _record(self, seq: int, seen: tuple[str, str | None]) -> None:
        if self.transcript.setdefault(seq, seen) != seen:
            self.problems.append(f"seq {seq} was {self.transcript[seq]} and is now {seen}")
        while self.last_seq + 1 in self.transcript:
            self.last_seq += 1
        if max(self.transcript) > self.last_seq and self.gap_check is None:
            self.gap_check = asyncio.get_running_loop().call_later(GAP_PATIENCE_S, self._check_gap)

    def _check_gap(self) -> None:
        """A gap still open: reconnect, and `hello` with `last_seq` (or `assigned`) brings the rest."""
        self.gap_check = None
        if max(self.transcript) > self.last_seq and self.ws is not None:
            asyncio.ensure_future(self.ws.close())

    async def stop(self) -> None:
        self.stopping = True
        if self.ws is not None:
            await self.ws.close()


def check_conversation(young: Side, counselor: Side) -> list[str]:
    """What is wrong with one conversation after the clients have settled (empty when all is well)."""
    wrong = [*young.problems, *counselor.problems]
    if young.transcript != counselor.transcript:
        wrong.append(f"{young.conversation}: the two sides saw different transcripts")
    if sorted(young.transcript) != list(range(1, young.last_seq + 1)):
        wrong.append(f"{young.conversation}: the transcript has gaps")
    said = Counter(client_id for _, client_id in young.transcript.values() if client_id)
    for side in (young, counselor):
        for client_id in side.sent:
            if said[client_id] != 1:
                wrong.append(f"{client_id} appears {said[client_id]} times")
            elif client_id in side.acked and side.transcript.get(side.acked[client_id], ("", None))[1] != client_id:
                wrong.append(f"{client_id} was acknowledged as seq {side.acked[client_id]} but is elsewhere")
    return wrong


def settled(young: Side, counselor: Side) -> bool:
    """Every message acknowledged and seen by both sides."""
    if young.outbox or counselor.outbox:
        return False
    everything = set(young.sent) | set(counselor.sent)
    return all({cid for _, cid in side.transcript.values()} >= everything for side in (young, counselor))
