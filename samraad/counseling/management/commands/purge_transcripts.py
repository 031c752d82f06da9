"""Deletes the words of conversations past their retention period, as the heartbeat does hourly."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from samraad.counseling.actions import do_purge_transcripts


class Command(BaseCommand):
    help = "Deletes transcripts past retention, except those on legal hold; the numbers the reports need are kept."

    def handle(self, *args: Any, **options: Any) -> None:
        purged = do_purge_transcripts()
        self.stdout.write(f"Purged {purged} conversations.")
