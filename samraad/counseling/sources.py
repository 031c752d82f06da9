"""A connection's source, reduced to a salted hash that changes every day; never kept in clear."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.crypto import salted_hmac


def source_hash(client_address: str | None, *, day: str | None = None) -> str:
    if not client_address:
        return ""
    day = day or timezone.now().date().isoformat()
    return salted_hmac(f"samraad.source.{day}", client_address, algorithm="sha256").hexdigest()


def scope_source_hash(scope: dict[str, Any]) -> str:
    client = scope.get("client") or (None, None)
    return source_hash(client[0])
