"""A fixed-window counter in the cache: memory only, never written to the database."""

from __future__ import annotations

from django.core.cache import cache


def allow(key: str, *, limit: int, window_s: int) -> bool:
    """Counts one attempt under `key` and returns whether it is within `limit` per window."""
    cache_key = f"ratelimit:{key}"
    if cache.add(cache_key, 1, timeout=window_s):
        return True
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.add(cache_key, 1, timeout=window_s)
        return True
    return count <= limit
