"""`python manage.py triage`: scores messages read from standard input, one per line.

Each input line gives one output line, a JSON object with exactly the keys ``level``, ``score``
and ``reasons`` (see `samraad.counseling.triage`). It reads and writes UTF-8 whatever the locale,
so any text a young person can type passes through, and nothing is stored.

    printf 'jeg har taget alle mine piller\\n' | python manage.py triage
"""

from __future__ import annotations

import json
import sys
from typing import Any, TextIO

from django.core.management.base import BaseCommand

from samraad.counseling.triage import score_message


class Command(BaseCommand):
    help = "Scores messages read from standard input (one per line) and writes one JSON object per line."
    # Scoring needs neither the database nor the system checks; skipping them keeps a pipe fast.
    requires_system_checks: list[str] = []
    # `call_command("triage", stdin=..., stdout=...)` in tests.
    stealth_options = ("stdin",)

    def handle(self, *args: Any, **options: Any) -> None:
        source: TextIO = options.get("stdin") or sys.stdin
        if source is sys.stdin:
            # Invalid bytes must not stop the stream: they become U+FFFD and the line is scored.
            _reconfigure(sys.stdin, errors="replace")
        if options.get("stdout") is None:
            _reconfigure(sys.stdout, errors="strict")
        for line in source:
            assessment = score_message(line.rstrip("\r\n"))
            result = {"level": assessment.level, "score": assessment.score, "reasons": list(assessment.reasons)}
            self.stdout.write(json.dumps(result, ensure_ascii=False))
            self.stdout.flush()


def _reconfigure(stream: TextIO, errors: str) -> None:
    reconfigure = getattr(stream, "reconfigure", None)
    if reconfigure is not None:
        reconfigure(encoding="utf-8", errors=errors)
