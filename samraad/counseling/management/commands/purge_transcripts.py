"""Deletes the words of conversations past the retention period (SAMRAAD_RETENTION_DAYS)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from samraad.counseling.actions import do_purge_transcripts


class Command(BaseCommand):
    help = "Deletes transcripts past retention; the numbers the reports need are kept."

    def handle(self, *args: Any, **options: Any) -> None:
        total = 0
        while batch := do_purge_transcripts():
            total += batch
        self.stdout.write(f"Purged {total} conversations.")
