"""What `make run` does before serving: migrate, load demo data on a new database, print logins."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

from samraad.accounts.management.commands.load_demo_data import DEMO_PASSWORD, DEMO_STAFF
from samraad.accounts.models import User


class Command(BaseCommand):
    help = "Migrates, loads demo data when the database is new, and prints the demo logins."

    def handle(self, *args: Any, **options: Any) -> None:
        recorder = MigrationRecorder(connection)
        is_new = not recorder.has_table() or not recorder.applied_migrations()
        call_command("migrate", interactive=False, verbosity=0)
        if is_new:
            call_command("load_demo_data", stdout=self.stdout)
            return
        usernames = [row[0] for row in DEMO_STAFF]
        present = set(User.objects.filter(username__in=usernames).values_list("username", flat=True))
        if not present:
            self.stdout.write("Existing database without demo staff; no demo logins.")
            return
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for username in usernames:
            if username in present:
                self.stdout.write(f"  {username}")
