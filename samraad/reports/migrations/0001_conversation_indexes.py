"""Indexes for the reports' queries on counseling's conversations, kept here beside the queries
that use them, as plain SQL that SQLite and PostgreSQL both accept; Django's model state is
unchanged. Each leads with what a report groups or filters by and carries the columns the query
reads, so a year of a national service is counted from the index alone (docs/performance.md)."""

from django.db import migrations

INDEXES = {
    # Every conversation opened in a period: waits, handling times and hours of the week.
    "reports_conversation_opened": "(created_at, kind, state, queued_at, assigned_at, ended_at)",
    # By the young person's municipality, and everything one municipality sees.
    "reports_conversation_municipality": (
        "(municipality_id, created_at, kind, state, assigned_at, queued_at, ended_at, topic, triage_level, rating)"
    ),
    # By the organisation that answered first.
    "reports_conversation_answered_by": "(answered_by_id, created_at, kind, state, assigned_at, ended_at)",
    # Topics, triage levels and ratings.
    "reports_conversation_topic": "(topic, triage_level, rating, created_at)",
}


class Migration(migrations.Migration):
    dependencies = [("counseling", "0007_answered_by")]

    operations = [
        migrations.RunSQL(
            sql=f"CREATE INDEX {name} ON counseling_conversation {columns}",
            reverse_sql=f"DROP INDEX {name}",
        )
        for name, columns in INDEXES.items()
    ]
