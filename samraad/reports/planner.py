"""Table statistics for SQLite's query planner, which nothing else keeps.

Without them SQLite counts a year's conversations by sorting them for every GROUP BY; with them it
walks the report indexes municipality by municipality (a skip-scan) and counts from the index
alone, several times faster (docs/performance.md). A sampled ANALYZE of the two tables the reports
read takes some tens of milliseconds at national scale, so it runs at most every few hours per
process, when a report is asked for. PostgreSQL's autovacuum keeps its own statistics.
"""

from __future__ import annotations

import time

from django.db import connection

REFRESH_AFTER_S = 6 * 3600
# Rows sampled per index: enough to see that many conversations share a municipality or a topic.
SAMPLE_ROWS = 10_000
_refreshed_at: float | None = None


def keep_statistics_fresh() -> None:
    """Refreshes SQLite's statistics of the reports' tables if this process has not lately."""
    global _refreshed_at
    if connection.vendor != "sqlite":
        return
    now = time.monotonic()
    if _refreshed_at is not None and now - _refreshed_at < REFRESH_AFTER_S:
        return
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA analysis_limit={SAMPLE_ROWS:d}")
        cursor.execute("ANALYZE counseling_conversation")
        cursor.execute("ANALYZE rota_shiftspan")
    _refreshed_at = now
