"""docs/protocol.md names, for each socket, exactly the frames that socket takes: a frame the
document lists is not refused as unknown there, and a frame the socket takes is in its table."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from pydantic import BaseModel

from samraad.counseling import frames
from samraad.counseling.errors import Refused

PROTOCOL = (Path(settings.BASE_DIR) / "docs" / "protocol.md").read_text()

PARSERS = {
    "/ws/chat/": frames.parse_young_frame,
    "/ws/console/": frames.parse_console_frame,
    "/ws/floor/": frames.parse_floor_frame,
}

# Every frame type declared anywhere in frames.py, whichever socket it belongs to.
DECLARED = sorted(
    {
        argument
        for model in vars(frames).values()
        if isinstance(model, type) and issubclass(model, BaseModel) and "type" in model.model_fields
        for argument in model.model_fields["type"].annotation.__args__
    }
)


def documented_client_frames(path: str) -> set[str]:
    """The `type`s in the "client → server" table of the socket's section."""
    section = PROTOCOL.split(f"### `{path}`", 1)[1].split("\n### ", 1)[0].split("\n## ", 1)[0]
    table = section.split("client → server", 1)[1].split("server → client", 1)[0]
    return set(re.findall(r'^\| `\{"type": "([a-z_]+)"', table, re.MULTILINE))


def taken_by(path: str) -> set[str]:
    """The frame types the socket's parser knows (any other is refused as `unknown_type`)."""
    taken = set()
    for frame_type in DECLARED:
        try:
            PARSERS[path](json.dumps({"type": frame_type}))
        except Refused as refusal:
            if refusal.code == "unknown_type":
                continue
        taken.add(frame_type)
    return taken


def test_every_declared_frame_type_is_found():
    assert {"hello", "msg", "shift", "take", "floor", "watch", "unwatch", "accept"} <= set(DECLARED)


@pytest.mark.parametrize("path", sorted(PARSERS))
def test_the_document_lists_exactly_the_frames_each_socket_takes(path):
    assert documented_client_frames(path) == taken_by(path)
