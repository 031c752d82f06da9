"""Re-encrypts every message and note body with the newest key in SAMRAAD_MESSAGE_KEYS."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import connection, transaction

from samraad.lib import crypto

TABLES = ["counseling_message", "counseling_note"]
BATCH = 1000


class Command(BaseCommand):
    help = "Re-encrypts message and note bodies with the newest key; then the older keys can go."

    def handle(self, *args: Any, **options: Any) -> None:
        total = 0
        for table in TABLES:
            last_id = 0
            while True:
                with transaction.atomic(), connection.cursor() as cursor:
                    cursor.execute(
                        f"SELECT id, body FROM {table} WHERE id > %s ORDER BY id LIMIT %s",  # noqa: S608 - fixed names
                        [last_id, BATCH],
                    )
                    rows = cursor.fetchall()
                    for row_id, body in rows:
                        cursor.execute(
                            f"UPDATE {table} SET body = %s WHERE id = %s",  # noqa: S608 - fixed names
                            [crypto.rotate(body), row_id],
                        )
                if not rows:
                    break
                last_id = rows[-1][0]
                total += len(rows)
        self.stdout.write(f"Re-encrypted {total} bodies with the newest key.")
