"""Copies each side's last heartbeat from the conversation's row to its own (data only; the
columns go in the next migration: on PostgreSQL a table cannot be altered in the transaction
that wrote rows referring to it)."""

from django.db import migrations

BATCH = 1000


def copy_to_seen(apps, schema_editor):
    Conversation = apps.get_model("counseling", "Conversation")
    Seen = apps.get_model("counseling", "Seen")
    rows = (
        Conversation.objects.exclude(young_seen_at=None, counselor_seen_at=None)
        .values_list("id", "young_seen_at", "counselor_seen_at")
        .iterator(chunk_size=BATCH)
    )
    Seen.objects.bulk_create(
        (Seen(conversation_id=pk, young_at=young, counselor_at=counselor) for pk, young, counselor in rows),
        batch_size=BATCH,
    )


def copy_back(apps, schema_editor):
    Conversation = apps.get_model("counseling", "Conversation")
    Seen = apps.get_model("counseling", "Seen")
    for seen in Seen.objects.iterator(chunk_size=BATCH):
        Conversation.objects.filter(pk=seen.conversation_id).update(
            young_seen_at=seen.young_at, counselor_seen_at=seen.counselor_at
        )


class Migration(migrations.Migration):
    dependencies = [("counseling", "0009_seen")]

    operations = [migrations.RunPython(copy_to_seen, copy_back)]
