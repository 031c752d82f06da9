"""Encrypts message and note bodies written before encryption at rest (data only)."""

from django.db import migrations

from samraad.lib import crypto

TABLES = ["counseling_message", "counseling_note"]


def encrypt_plain_rows(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"SELECT id, body FROM {table}")  # noqa: S608 - fixed table names
            for row_id, body in cursor.fetchall():
                try:
                    crypto.decrypt(body)
                except (crypto.InvalidToken, UnicodeEncodeError, ValueError):
                    cursor.execute(f"UPDATE {table} SET body = %s WHERE id = %s", [crypto.encrypt(body), row_id])  # noqa: S608


class Migration(migrations.Migration):
    dependencies = [("counseling", "0004_encrypt_bodies")]

    operations = [migrations.RunPython(encrypt_plain_rows, migrations.RunPython.noop)]
