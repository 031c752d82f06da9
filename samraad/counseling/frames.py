"""The shapes of WebSocket frames, declared once: consumers, tests and docs/protocol.md use them.

Every frame is one JSON object with a `type`. Incoming frames are parsed strictly: unknown
fields, wrong types and out-of-range values are refused before anything is written.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Annotated, Any, Literal

from django.conf import settings
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, TypeAdapter, ValidationError

from samraad.counseling.errors import Refused

ClientId = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]
Seq = Annotated[int, Field(ge=0, le=2**31 - 1)]
# Row ids are 64-bit: a larger number would overflow the database driver instead of finding nobody.
RowId = Annotated[int, Field(ge=1, le=2**63 - 1)]
# JSON has no UUID type: ids arrive as strings, the one place where strict parsing gives way.
ConversationId = Annotated[uuid.UUID, Field(strict=False)]


class _Frame(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


# --- young person -> server --------------------------------------------------------------------
class Hello(_Frame):
    type: Literal["hello"]
    token: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    last_seq: Seq = 0


class YoungMsg(_Frame):
    type: Literal["msg"]
    client_id: ClientId
    body: str


class Typing(_Frame):
    type: Literal["typing"]


class Read(_Frame):
    type: Literal["read"]
    seq: Seq


class End(_Frame):
    type: Literal["end"]


class Rate(_Frame):
    type: Literal["rate"]
    rating: Annotated[int, Field(ge=1, le=5)]
    comment: Annotated[str, StringConstraints(max_length=1000)] = ""


YoungFrame = Annotated[Hello | YoungMsg | Typing | Read | End | Rate, Field(discriminator="type")]


# --- counselor console -> server ---------------------------------------------------------------
class Shift(_Frame):
    type: Literal["shift"]
    on: bool


class Take(_Frame):
    """Takes the next waiting chat, or (with `conversation`) a waiting letter."""

    type: Literal["take"]
    conversation: ConversationId | None = None


class ConsoleMsg(_Frame):
    type: Literal["msg"]
    conversation: ConversationId
    client_id: ClientId
    body: str


class ConsoleTyping(_Frame):
    type: Literal["typing"]
    conversation: ConversationId


class ConsoleRead(_Frame):
    type: Literal["read"]
    conversation: ConversationId
    seq: Seq


class ConsoleEnd(_Frame):
    type: Literal["end"]
    conversation: ConversationId


class Transfer(_Frame):
    type: Literal["transfer"]
    conversation: ConversationId
    to: RowId


class NoteFrame(_Frame):
    type: Literal["note"]
    conversation: ConversationId
    body: Annotated[str, StringConstraints(min_length=1, max_length=4000)]


class TopicFrame(_Frame):
    type: Literal["topic"]
    conversation: ConversationId
    topic: Annotated[str, StringConstraints(max_length=20)]


class BlockFrame(_Frame):
    type: Literal["block"]
    conversation: ConversationId
    minutes: Annotated[int, Field(ge=1, le=60 * 24 * 30)]
    reason: Annotated[str, StringConstraints(max_length=200)] = ""


class LevelFrame(_Frame):
    """Sets a conversation's triage level by hand, with a short reason: raised when triage missed
    a risk (with the kind of risk, if known), lowered for a false alarm."""

    type: Literal["level"]
    conversation: ConversationId
    level: Literal["normal", "elevated", "critical"]
    reason: Annotated[str, StringConstraints(min_length=1, max_length=300, pattern=r"^[^\x00]*$")]
    category: Annotated[str, StringConstraints(max_length=20)] = ""


class Watch(_Frame):
    """A supervisor reads a live conversation (audited)."""

    type: Literal["watch"]
    conversation: ConversationId


class Unwatch(_Frame):
    """A supervisor stops reading a conversation."""

    type: Literal["unwatch"]
    conversation: ConversationId


class Accept(_Frame):
    """Takes a conversation offered by auto-assignment."""

    type: Literal["accept"]
    conversation: ConversationId


class Decline(_Frame):
    """Passes an offer on to the next counselor."""

    type: Literal["decline"]
    conversation: ConversationId


class Floor(_Frame):
    """A supervisor asks for the floor now."""

    type: Literal["floor"]


ConsoleFrame = Annotated[
    Shift
    | Take
    | ConsoleMsg
    | ConsoleTyping
    | ConsoleRead
    | ConsoleEnd
    | Transfer
    | NoteFrame
    | TopicFrame
    | BlockFrame
    | LevelFrame
    | Accept
    | Decline,
    Field(discriminator="type"),
]

_young = TypeAdapter(YoungFrame)
_console = TypeAdapter(ConsoleFrame)
_floor = TypeAdapter(Annotated[Floor | Watch | Unwatch | Transfer | LevelFrame, Field(discriminator="type")])


def _parse(adapter: TypeAdapter[Any], text: str | None) -> Any:
    if text is None:
        raise Refused("bad_frame", "Frames are JSON text, not binary.")
    if len(text.encode("utf-8", "surrogatepass")) > settings.SAMRAAD_CHAT_MAX_FRAME_BYTES:
        raise Refused("too_large", f"A frame may be at most {settings.SAMRAAD_CHAT_MAX_FRAME_BYTES} bytes.")
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as error:
        raise Refused("bad_json", "The frame is not valid JSON.") from error
    if not isinstance(data, dict) or not isinstance(data.get("type"), str):
        raise Refused("bad_frame", "A frame is a JSON object with a string `type`.")
    try:
        frame = adapter.validate_python(data)
    except ValidationError as error:
        kinds = {item["type"] for item in error.errors()}
        if "union_tag_invalid" in kinds:
            named = f" {data['type']!r}" if _SAFE_NAME.fullmatch(data["type"]) else ""
            raise Refused("unknown_type", f"Unknown frame type{named}.") from error
        fields = ", ".join(sorted({_field_name(item["loc"][1:]) for item in error.errors()})[:5])
        raise Refused("bad_frame", f"Wrong or missing fields: {fields}.") from error
    for name, value in frame:
        if isinstance(value, str):
            check_text(value, name)
    body = getattr(frame, "body", None)
    if body is not None:
        check_body(body)
    return frame


# A client's own text is echoed in an error only when it looks like a name: it could be 16 KiB
# long or hold text that cannot be sent back as UTF-8.
_SAFE_NAME = re.compile(r"[a-z_]{1,20}")


def _field_name(location: tuple[int | str, ...]) -> str:
    name = ".".join(str(part) for part in location)
    if not name:
        return "frame"
    return name if _SAFE_NAME.fullmatch(name) else "an unknown field"


_SURROGATE = re.compile(r"[\ud800-\udfff]")


def check_text(text: str, field: str = "text") -> None:
    """Refuses text no database column can hold: NUL (PostgreSQL refuses it) and halves of
    surrogate pairs (JSON escapes can carry them; UTF-8 cannot)."""
    if "\x00" in text or _SURROGATE.search(text):
        raise Refused("bad_frame", f"The field {field} holds characters that are not valid text.")


def check_body(body: str) -> None:
    """Refuses a message text that is empty, too long or not valid text."""
    if not body.strip():
        raise Refused("empty", "A message needs some text.")
    if len(body) > settings.SAMRAAD_CHAT_MAX_BODY_CHARS:
        raise Refused("too_long", f"A message may be at most {settings.SAMRAAD_CHAT_MAX_BODY_CHARS} characters.")
    check_text(body, "body")


def parse_young_frame(text: str | None) -> Any:
    return _parse(_young, text)


def parse_console_frame(text: str | None) -> Any:
    return _parse(_console, text)


def parse_floor_frame(text: str | None) -> Any:
    return _parse(_floor, text)
