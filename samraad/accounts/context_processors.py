from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def samraad(request: HttpRequest) -> dict[str, Any]:
    return {"samraad_demo": settings.SAMRAAD_DEMO}
