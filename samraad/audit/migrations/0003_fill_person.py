"""Names the person in the entries written before the audit log had a `person`: the staff member
whose record it was, or whose shift. Runs before 0004, after which no entry can change."""

import uuid

from django.db import migrations

ROTA_SUBJECTS = {"rota.shiftpattern": "ShiftPattern", "rota.shiftchange": "ShiftChange"}


def _uuids(values):
    found = []
    for value in values:
        try:
            found.append(uuid.UUID(value))
        except ValueError:
            continue
    return found


def fill_person(apps, schema_editor):
    AuditEntry = apps.get_model("audit", "AuditEntry")
    User = apps.get_model("accounts", "User")
    unnamed = AuditEntry.objects.filter(person__isnull=True)
    staff_ids = {str(pk) for pk in User.objects.values_list("pk", flat=True)}
    for subject_id in set(unnamed.filter(subject_type="accounts.user").values_list("subject_id", flat=True)):
        if subject_id in staff_ids:
            unnamed.filter(subject_type="accounts.user", subject_id=subject_id).update(person_id=int(subject_id))
    for subject_type, model_name in ROTA_SUBJECTS.items():
        shifts = apps.get_model("rota", model_name)
        ids = set(unnamed.filter(subject_type=subject_type).values_list("subject_id", flat=True))
        # A shift deleted since leaves its entries without a person: its row named the staff member.
        for pk, staff_id in shifts.objects.filter(pk__in=_uuids(ids)).values_list("pk", "staff_id"):
            unnamed.filter(subject_type=subject_type, subject_id=str(pk)).update(person_id=staff_id)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_person_and_extract"),
        ("accounts", "0001_initial"),
        ("rota", "0002_shiftchange_shiftpattern"),
    ]

    operations = [migrations.RunPython(fill_person, migrations.RunPython.noop)]
