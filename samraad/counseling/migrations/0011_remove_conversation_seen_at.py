from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("counseling", "0010_copy_seen")]

    operations = [
        migrations.RemoveField(model_name="conversation", name="counselor_seen_at"),
        migrations.RemoveField(model_name="conversation", name="young_seen_at"),
    ]
