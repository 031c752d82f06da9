"""uvicorn's connection lines reach the log without the young person's address."""

from __future__ import annotations

import logging

import pytest


@pytest.mark.parametrize(
    ("message", "args"),
    [
        ('%s - "WebSocket %s" [accepted]', ("203.0.113.9:51000", "/ws/chat/")),
        ('%s - "WebSocket %s" 403', ("203.0.113.9:51000", "/ws/chat/")),
        ('%s - "WebSocket %s" %d', ("203.0.113.9:51000", "/ws/chat/", 500)),
    ],
)
def test_a_websocket_handshake_is_logged_without_the_peer_address(caplog, message, args):
    with caplog.at_level(logging.INFO, logger="uvicorn.error"):
        logging.getLogger("uvicorn.error").info(message, *args)

    assert '- "WebSocket /ws/chat/"' in caplog.text
    assert "203.0.113.9" not in caplog.text


def test_other_server_lines_are_left_alone(caplog):
    with caplog.at_level(logging.INFO, logger="uvicorn.error"):
        logging.getLogger("uvicorn.error").info("Uvicorn running on %s", "http://127.0.0.1:8000")

    assert "Uvicorn running on http://127.0.0.1:8000" in caplog.text
