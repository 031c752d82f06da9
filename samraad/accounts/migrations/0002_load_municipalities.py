"""Loads the 98 Danish municipalities, with their official codes, as reference data."""

import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "municipalities.json"


def load(apps, schema_editor):
    Organisation = apps.get_model("accounts", "Organisation")
    for row in json.loads(DATA.read_text(encoding="utf-8")):
        Organisation.objects.update_or_create(
            municipality_code=row["code"],
            defaults={"kind": "municipality", "name": row["name"], "region": row["region"]},
        )


def unload(apps, schema_editor):
    Organisation = apps.get_model("accounts", "Organisation")
    codes = [row["code"] for row in json.loads(DATA.read_text(encoding="utf-8"))]
    Organisation.objects.filter(kind="municipality", municipality_code__in=codes, staff__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
