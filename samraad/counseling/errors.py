from __future__ import annotations

from typing import Any


class Refused(Exception):
    """A request the chat will not carry out: `code` is stable for clients, `detail` is for people."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail

    def as_frame(self) -> dict[str, Any]:
        return {"type": "error", "code": self.code, "detail": self.detail}
