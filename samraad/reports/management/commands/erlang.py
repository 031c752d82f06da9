"""`python manage.py erlang`: the fewest counselors that meet a service level, by Erlang C.

    python manage.py erlang --rate-per-hour 200 --handle-seconds 180 --answer-within 20 --service-level 0.8
    {"agents": 14, "service_level": 0.88835, "average_wait_s": 7.835937}

`--service-level` is a share (0.8) or a percentage (80). The output is one JSON object with
exactly the keys ``agents``, ``service_level`` (the share achieved) and ``average_wait_s`` (the
mean wait over all conversations, in seconds).
"""

from __future__ import annotations

import json
import math
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from samraad.reports.erlang import agents_needed


def _number(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(text)
    return value


class Command(BaseCommand):
    help = "Prints, as JSON, the fewest counselors for which Erlang C meets the service level."
    # Pure arithmetic: no database and no system checks needed.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rate-per-hour", type=_number, required=True, help="Arrivals per hour.")
        parser.add_argument("--handle-seconds", type=_number, required=True, help="Mean handling time in seconds.")
        parser.add_argument(
            "--answer-within", type=_number, default=60.0, help="Seconds within which to answer (default 60)."
        )
        parser.add_argument(
            "--service-level",
            type=_number,
            default=0.8,
            help="Share to answer within that time: 0.8 or 80 (default 0.8).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        target = options["service_level"]
        # 80 means 80 %; a share is at most 1.
        if target > 1:
            target /= 100
        try:
            staffing = agents_needed(
                options["rate_per_hour"], options["handle_seconds"], options["answer_within"], target
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        result = {
            "agents": staffing.agents,
            "service_level": round(staffing.service_level, 6),
            "average_wait_s": round(staffing.average_wait_s, 6),
        }
        self.stdout.write(json.dumps(result))
