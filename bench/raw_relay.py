"""The reference server for the chat benchmark: the hot path of docs/protocol.md on the bare
`websockets` library (asyncio on uvloop), with one SQLite INSERT + COMMIT per message.

What it serves, frame for frame as Samraad does:
- `/ws/chat/`: the first frame is `hello {token, last_seq}`; the token is looked up by its
  SHA-256 hash; `welcome {conversation, kind, state, last_seq}` then every stored message with
  `seq > last_seq`. `msg {client_id, body}` is stored, acknowledged (`ack {client_id, seq}`)
  and relayed to the counselor's console as `msg {conversation, seq, sender, body, at, client_id}`.
- `/ws/console/`: authenticated by the `sessionid` cookie of the upgrade request (the value
  `bench/prepare.py` wrote for Samraad), otherwise refused with HTTP 403; on connect
  `shift {on, capacity}` then one `assigned {...}` per conversation held. `msg {conversation,
  client_id, body}` is stored, acknowledged (`ack {conversation, client_id, seq}`) and relayed.

What it leaves out (the difference to Samraad that the benchmark measures): Django, Channels and
its layer, sessions and the second factor (a cookie is a dictionary lookup), triage, encryption
at rest, the rate limit, heartbeats, typing/read/end and every other frame. `seq` is counted in
memory (the single process is the only writer) and one row is written per message; a resend
with a stored `client_id` gets the stored `seq` and stores nothing, as in Samraad.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import http
import json
import signal
import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from websockets.asyncio.server import Request, Response, ServerConnection, serve
from websockets.exceptions import ConnectionClosed

CLOSE_UNAUTHENTICATED = 4401
SCHEMA = """
CREATE TABLE IF NOT EXISTS conversation (
    id TEXT PRIMARY KEY, token_hash TEXT NOT NULL UNIQUE, session TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS conversation_session ON conversation (session);
CREATE TABLE IF NOT EXISTS message (
    id INTEGER PRIMARY KEY, conversation_id TEXT NOT NULL, seq INTEGER NOT NULL, sender TEXT NOT NULL,
    client_id TEXT NOT NULL, body TEXT NOT NULL, created_at TEXT NOT NULL,
    UNIQUE (conversation_id, sender, client_id)
);
CREATE INDEX IF NOT EXISTS message_seq ON message (conversation_id, seq);
"""


def dumps(frame: dict[str, Any]) -> str:
    return json.dumps(frame, ensure_ascii=False, separators=(",", ":"))


@dataclass
class Conversation:
    id: str
    last_seq: int
    young: set[ServerConnection] = field(default_factory=set)
    consoles: set[ServerConnection] = field(default_factory=set)


class Relay:
    def __init__(self, db_path: Path, pairs_path: Path | None) -> None:
        self.db = sqlite3.connect(db_path, isolation_level=None)
        self.db.executescript("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;" + SCHEMA)
        if pairs_path is not None:
            pairs = json.loads(pairs_path.read_text())["pairs"]
            self.db.execute("BEGIN")
            self.db.executemany(
                "INSERT OR IGNORE INTO conversation (id, token_hash, session) VALUES (?, ?, ?)",
                [
                    (pair["conversation"], hashlib.sha256(pair["token"].encode()).hexdigest(), pair["session"])
                    for pair in pairs
                ],
            )
            self.db.execute("COMMIT")
        self.conversations: dict[str, Conversation] = {}
        self.by_token: dict[str, str] = {}
        self.by_session: dict[str, list[str]] = {}
        rows = self.db.execute(
            "SELECT c.id, c.token_hash, c.session, COALESCE(MAX(m.seq), 0) FROM conversation c "
            "LEFT JOIN message m ON m.conversation_id = c.id GROUP BY c.id"
        )
        for conversation_id, token_hash, session, last_seq in rows:
            self.conversations[conversation_id] = Conversation(conversation_id, last_seq)
            self.by_token[token_hash] = conversation_id
            self.by_session.setdefault(session, []).append(conversation_id)

    def store(self, conversation: Conversation, sender: str, client_id: str, body: str) -> tuple[dict[str, Any], bool]:
        """Returns the message frame, and whether it is new (INSERT + COMMIT before any answer)."""
        at = datetime.now(UTC).isoformat()
        seq = conversation.last_seq + 1
        try:
            self.db.execute(
                "INSERT INTO message (conversation_id, seq, sender, client_id, body, created_at) VALUES (?,?,?,?,?,?)",
                (conversation.id, seq, sender, client_id, body, at),
            )
        except sqlite3.IntegrityError:
            row = self.db.execute(
                "SELECT seq, body, created_at FROM message WHERE conversation_id=? AND sender=? AND client_id=?",
                (conversation.id, sender, client_id),
            ).fetchone()
            seq, body, at = row
            new = False
        else:
            conversation.last_seq = seq
            new = True
        frame = {
            "type": "msg",
            "conversation": conversation.id,
            "seq": seq,
            "sender": sender,
            "body": body,
            "at": at,
            "client_id": client_id,
        }
        return frame, new

    def history(self, conversation_id: str, after: int) -> list[dict[str, Any]]:
        rows = self.db.execute(
            "SELECT seq, sender, body, created_at, client_id FROM message"
            " WHERE conversation_id=? AND seq>? ORDER BY seq",
            (conversation_id, after),
        )
        return [
            {
                "type": "msg",
                "conversation": conversation_id,
                "seq": seq,
                "sender": sender,
                "body": body,
                "at": at,
                "client_id": client_id,
            }
            for seq, sender, body, at, client_id in rows
        ]

    # --- sockets ----------------------------------------------------------------------------
    def check_request(self, connection: ServerConnection, request: Request) -> Response | None:
        if request.path == "/ws/chat/":
            return None
        if request.path == "/ws/console/":
            if self._session(request) in self.by_session:
                return None
            return connection.respond(http.HTTPStatus.FORBIDDEN, "Forbidden\n")
        return connection.respond(http.HTTPStatus.NOT_FOUND, "Not found\n")

    @staticmethod
    def _session(request: Request) -> str:
        for part in request.headers.get("Cookie", "").split(";"):
            name, _, value = part.strip().partition("=")
            if name == "sessionid":
                return value
        return ""

    async def handle(self, socket: ServerConnection) -> None:
        assert socket.request is not None  # noqa: S101 - set once the handshake is done
        try:
            if socket.request.path == "/ws/chat/":
                await self.young(socket)
            else:
                await self.console(socket, self._session(socket.request))
        except ConnectionClosed:
            pass

    async def young(self, socket: ServerConnection) -> None:
        try:
            hello = json.loads(await asyncio.wait_for(socket.recv(), timeout=10))
        except (TimeoutError, ValueError):
            await socket.close(CLOSE_UNAUTHENTICATED)
            return
        conversation_id = self.by_token.get(hashlib.sha256(str(hello.get("token", "")).encode()).hexdigest())
        if hello.get("type") != "hello" or conversation_id is None:
            await socket.send(dumps({"type": "error", "code": "bad_token", "detail": "Unknown conversation."}))
            await socket.close(CLOSE_UNAUTHENTICATED)
            return
        conversation = self.conversations[conversation_id]
        welcome = {
            "type": "welcome",
            "conversation": conversation.id,
            "kind": "chat",
            "state": "active",
            "last_seq": conversation.last_seq,
        }
        await socket.send(dumps(welcome))
        for frame in self.history(conversation.id, int(hello.get("last_seq") or 0)):
            await socket.send(dumps(frame))
        conversation.young.add(socket)
        try:
            async for text in socket:
                data = json.loads(text)
                if data.get("type") != "msg":
                    continue
                client_id, body = str(data["client_id"]), str(data["body"])
                frame, new = self.store(conversation, "young", client_id, body)
                await socket.send(dumps({"type": "ack", "client_id": client_id, "seq": frame["seq"]}))
                if new:
                    await self.relay(conversation.consoles, frame)
        finally:
            conversation.young.discard(socket)

    async def console(self, socket: ServerConnection, session: str) -> None:
        held = [self.conversations[conversation_id] for conversation_id in self.by_session.get(session, [])]
        await socket.send(dumps({"type": "shift", "on": True, "capacity": 100}))
        for conversation in held:
            assigned = {
                "type": "assigned",
                "conversation": conversation.id,
                "kind": "chat",
                "state": "active",
                "last_seq": conversation.last_seq,
                "history": [],
            }
            await socket.send(dumps(assigned))
            conversation.consoles.add(socket)
        mine = {conversation.id: conversation for conversation in held}
        try:
            async for text in socket:
                data = json.loads(text)
                if data.get("type") != "msg":
                    continue
                target = mine.get(str(data.get("conversation")))
                client_id, body = str(data["client_id"]), str(data["body"])
                if target is None:
                    refusal = {"type": "error", "code": "not_yours", "detail": "Not yours.", "client_id": client_id}
                    await socket.send(dumps(refusal))
                    continue
                frame, new = self.store(target, "counselor", client_id, body)
                ack = {"type": "ack", "conversation": target.id, "client_id": client_id, "seq": frame["seq"]}
                await socket.send(dumps(ack))
                if new:
                    await self.relay(target.young, frame)
        finally:
            for conversation in held:
                conversation.consoles.discard(socket)

    @staticmethod
    async def relay(sockets: set[ServerConnection], frame: dict[str, Any]) -> None:
        text = dumps(frame)
        for peer in list(sockets):
            try:
                await peer.send(text)
            except ConnectionClosed:
                pass


async def main(arguments: argparse.Namespace) -> None:
    relay = Relay(Path(arguments.db), Path(arguments.pairs) if arguments.pairs else None)
    stop = asyncio.get_running_loop().create_future()
    for signum in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(signum, stop.set_result, None)
    async with serve(
        relay.handle,
        arguments.host,
        arguments.port,
        process_request=relay.check_request,
        origins=[None, *arguments.origin],
        compression=None,
        max_size=65536,
        backlog=4096,
    ):
        print(f"raw relay on ws://{arguments.host}:{arguments.port}/", flush=True)
        await stop


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--db", required=True, help="SQLite file (created if missing)")
    parser.add_argument("--pairs", help="the JSON written by bench/prepare.py: conversations, tokens, sessions")
    parser.add_argument("--origin", action="append", default=[], help="an allowed Origin (repeatable)")
    return parser.parse_args()


if __name__ == "__main__":
    import uvloop

    uvloop.run(main(parse_arguments()))
