"""The messages' index on `conversation_id` alone goes: `one_message_per_seq` (conversation_id,
seq) serves every lookup by conversation, and each index is one more page written for every
message. Only the index is dropped; as an AlterField, SQLite would copy the whole table."""

import django.db.models.deletion
from django.db import migrations, models

INDEX = "counseling_message_conversation_id_7c9cdf07"  # the name Django gave it in 0001


class Migration(migrations.Migration):
    dependencies = [("counseling", "0011_remove_conversation_seen_at")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="message",
                    name="conversation",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="messages",
                        to="counseling.conversation",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{INDEX}"',
                    reverse_sql=f'CREATE INDEX "{INDEX}" ON "counseling_message" ("conversation_id")',
                ),
            ],
        ),
    ]
