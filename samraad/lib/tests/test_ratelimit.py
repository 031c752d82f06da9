"""The fixed-window limit: counts per key and window, and does not turn people away when the
cache is down."""

from __future__ import annotations

import socket

from django.core.cache import caches

from samraad.lib.ratelimit import allow, wait_s


def test_the_limit_holds_per_key_within_a_window():
    assert [allow("open:a", limit=3, window_s=60) for _ in range(5)] == [True, True, True, False, False]
    assert allow("open:b", limit=3, window_s=60)  # another source has its own count


def test_an_unreachable_redis_allows_the_attempt_and_says_so(settings, caplog):
    with socket.socket() as sock:  # a port nothing listens on: Redis is down
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": f"redis://127.0.0.1:{port}/0"}
    }
    assert caches["default"].__class__.__name__ == "RedisCache"

    assert all(allow("open:c", limit=1, window_s=60) for _ in range(3))
    assert "the cache is unreachable" in caplog.text


def test_a_refusal_says_how_long_until_the_window_ends():
    assert wait_s("resume:d", limit=2, window_s=600, now=1000.0) == 0
    assert wait_s("resume:d", limit=2, window_s=600, now=1100.0) == 0

    assert wait_s("resume:d", limit=2, window_s=600, now=1200.5) == 400
    assert wait_s("resume:d", limit=2, window_s=600, now=1599.9) == 1
