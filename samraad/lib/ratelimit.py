"""A fixed-window counter in the cache: memory only, never written to the database.

A window starts with a key's first attempt; its start is kept beside the count, so a refusal can
say how long until attempts are counted afresh (`Retry-After`)."""

from __future__ import annotations

import logging
import math
import time

from django.core.cache import cache
from redis import RedisError

log = logging.getLogger(__name__)


def allow(key: str, *, limit: int, window_s: int) -> bool:
    """Counts one attempt under `key` and returns whether it is within `limit` per window."""
    return wait_s(key, limit=limit, window_s=window_s) == 0


def wait_s(key: str, *, limit: int, window_s: int, now: float | None = None) -> int:
    """Counts one attempt under `key` and returns 0 if it is within `limit` per window, else the
    whole seconds until the window ends and attempts are counted afresh (at least 1).

    When the cache (Redis) cannot be reached the attempt is allowed: the limits keep abuse down,
    and a young person must not be turned away because Redis is restarting."""
    now = time.time() if now is None else now
    cache_key, start_key = f"ratelimit:{key}", f"ratelimit-start:{key}"
    try:
        if cache.add(cache_key, 1, timeout=window_s):
            cache.set(start_key, now, timeout=window_s)
            return 0
        try:
            count = cache.incr(cache_key)
        except ValueError:  # expired between add and incr
            cache.add(cache_key, 1, timeout=window_s)
            cache.set(start_key, now, timeout=window_s)
            return 0
        if count <= limit:
            return 0
        started = cache.get(start_key, now)
    except RedisError as error:
        log.warning("Rate limit not counted, the cache is unreachable (%s)", type(error).__name__)
        return 0
    return max(1, math.ceil(started + window_s - now))
