"""A fixed-window counter in the cache: memory only, never written to the database."""

from __future__ import annotations

import logging

from django.core.cache import cache
from redis import RedisError

log = logging.getLogger(__name__)


def allow(key: str, *, limit: int, window_s: int) -> bool:
    """Counts one attempt under `key` and returns whether it is within `limit` per window.

    When the cache (Redis) cannot be reached the attempt is allowed: the limits keep abuse down,
    and a young person must not be turned away because Redis is restarting."""
    cache_key = f"ratelimit:{key}"
    try:
        if cache.add(cache_key, 1, timeout=window_s):
            return True
        try:
            count = cache.incr(cache_key)
        except ValueError:  # expired between add and incr
            cache.add(cache_key, 1, timeout=window_s)
            return True
    except RedisError as error:
        log.warning("Rate limit not counted, the cache is unreachable (%s)", type(error).__name__)
        return True
    return count <= limit
