import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("counseling", "0008_legal_hold")]

    operations = [
        migrations.CreateModel(
            name="Seen",
            fields=[
                (
                    "conversation",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="seen",
                        serialize=False,
                        to="counseling.conversation",
                    ),
                ),
                ("young_at", models.DateTimeField(blank=True, null=True)),
                ("counselor_at", models.DateTimeField(blank=True, null=True)),
            ],
        ),
    ]
