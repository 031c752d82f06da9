"""On PostgreSQL the database itself refuses to change or delete an audit entry (migration 0004),
whatever the application sends: raw SQL, or the ORM past the model's own refusals."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from samraad.audit.actions import do_record_access
from samraad.audit.models import AuditEntry

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the trigger is PostgreSQL's; SQLite relies on the model's refusals (test_audit_log.py)",
    ),
]


@pytest.fixture
def entry(admin_aarhus, counselor_aarhus, aarhus) -> AuditEntry:
    return do_record_access(
        admin_aarhus, AuditEntry.Action.READ, counselor_aarhus, reason="checking roles", organisation=aarhus
    )


def refused(sql: str, params: list[object]) -> bool:
    """Whether the database refuses the statement; the refusal rolls back only its savepoint."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    except DatabaseError as error:
        return "audit entries are never changed or deleted" in str(error)
    return False


def test_raw_sql_can_neither_change_nor_delete_an_entry(entry):
    assert refused("UPDATE audit_auditentry SET reason = %s WHERE id = %s", ["nothing happened", entry.pk])
    assert refused("DELETE FROM audit_auditentry WHERE id = %s", [entry.pk])
    assert refused("DELETE FROM audit_auditentry", [])
    assert AuditEntry.objects.get(pk=entry.pk).reason == "checking roles"


def test_the_orm_past_the_models_refusals_is_refused_by_the_database(entry):
    # `objects` refuses in Python (test_audit_log.py); the base manager is what other code paths
    # (cascades, bulk helpers) use, and only the database stands in their way.
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).update(reason="rewritten")
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(DatabaseError, match="never changed or deleted"), transaction.atomic():
        AuditEntry._base_manager.filter(pk=entry.pk).update(reason="rewritten")
    with pytest.raises(DatabaseError, match="never changed or deleted"), transaction.atomic():
        AuditEntry._base_manager.filter(pk=entry.pk)._raw_delete(connection.alias)

    assert AuditEntry.objects.get(pk=entry.pk).reason == "checking roles"


def test_a_deleted_account_lets_go_of_its_id_and_the_entry_keeps_its_names(entry, admin_aarhus, counselor_aarhus):
    admin_aarhus.delete()

    kept = AuditEntry.objects.get(pk=entry.pk)
    assert (kept.actor_id, kept.actor_name) == (None, "karen.aarhus")
    assert (kept.person_id, kept.reason) == (counselor_aarhus.pk, "checking roles")


def test_letting_go_of_an_id_does_not_let_anything_else_change_with_it(entry):
    assert refused("UPDATE audit_auditentry SET actor_id = NULL, reason = %s WHERE id = %s", ["gone", entry.pk])
    assert refused("UPDATE audit_auditentry SET actor_name = %s WHERE id = %s", ["someone else", entry.pk])
    assert refused("UPDATE audit_auditentry SET person_id = %s WHERE id = %s", [entry.actor_id, entry.pk])
