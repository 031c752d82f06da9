"""Re-encrypts every encrypted column with the newest key in SAMRAAD_MESSAGE_KEYS.

Every model field that is an `EncryptedTextField` is covered (messages, letters among them, and
notes today), so a new encrypted column needs no change here. The work goes in batches, each its
own transaction, and a value the newest key already opens is left alone: an interrupted run is
simply started again, and the app keeps reading old and new values meanwhile since every key in
the setting decrypts. When a run reports nothing left under an older key, that key can go.
"""

from __future__ import annotations

from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction

from samraad.lib import crypto
from samraad.lib.fields import EncryptedTextField


def encrypted_columns() -> list[tuple[str, str, str]]:
    """Returns (table, primary key column, encrypted column) for every encrypted field."""
    return [
        (model._meta.db_table, model._meta.pk.column, field.column)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, EncryptedTextField)
    ]


class Command(BaseCommand):
    help = (
        "Re-encrypts messages, letters and notes with the newest key in SAMRAAD_MESSAGE_KEYS, in batches; "
        "values already under it are skipped, so an interrupted run can simply be started again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=1000, help="Rows read and written per transaction.")
        parser.add_argument(
            "--limit",
            type=int,
            default=None,
            help="Stop after re-encrypting this many values (to spread the work); run again to go on.",
        )

    def handle(self, *args: Any, batch_size: int, limit: int | None, **options: Any) -> None:
        if batch_size < 1 or (limit is not None and limit < 0):
            raise CommandError("--batch-size must be at least 1 and --limit at least 0.")
        crypto.cipher()  # a bad key setting stops here, before any row is touched
        newest = Fernet(settings.SAMRAAD_MESSAGE_KEYS[0].encode("ascii")) if settings.SAMRAAD_MESSAGE_KEYS else None
        rotated = current = 0
        for table, pk, column in encrypted_columns():
            if limit is not None and rotated >= limit:
                break
            done, kept = self._rotate_column(
                table, pk, column, newest, batch_size, None if limit is None else limit - rotated
            )
            rotated += done
            current += kept
        finished = limit is None or rotated < limit
        self.stdout.write(
            f"Re-encrypted {rotated} values with the newest key; {current} already were."
            + ("" if finished else " Stopped at --limit: run again to go on.")
        )

    def _rotate_column(
        self, table: str, pk: str, column: str, newest: Fernet | None, batch_size: int, limit: int | None
    ) -> tuple[int, int]:
        quote = connection.ops.quote_name
        table, pk, column = quote(table), quote(pk), quote(column)
        # Compare-and-set: a value changed meanwhile is left as the newer writer made it.
        update = f"UPDATE {table} SET {column} = %s WHERE {pk} = %s AND {column} = %s"  # noqa: S608 - model names
        rotated = current = 0
        last: Any = None
        while limit is None or rotated < limit:
            after, parameters = ("", [batch_size]) if last is None else (f"{pk} > %s AND ", [last, batch_size])
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT {pk}, {column} FROM {table} WHERE {after}{column} IS NOT NULL ORDER BY {pk} LIMIT %s",  # noqa: S608 - model names
                    parameters,
                )
                rows = cursor.fetchall()
                for row_pk, value in rows:
                    last = row_pk
                    if _under(newest, value):
                        current += 1
                        continue
                    cursor.execute(update, [crypto.rotate(value), row_pk, value])
                    rotated += 1
                    if limit is not None and rotated >= limit:
                        break
            if len(rows) < batch_size:
                break
        return rotated, current


def _under(newest: Fernet | None, value: str) -> bool:
    """Whether the newest key opens `value`. Without the setting there is one (generated) key, so
    every value is under it."""
    if newest is None:
        return True
    try:
        newest.decrypt(value.encode("ascii"))
    except InvalidToken:
        return False
    return True
