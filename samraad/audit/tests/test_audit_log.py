from __future__ import annotations

import pytest

from conftest import make_staff, sign_in
from samraad.accounts.models import Role
from samraad.audit.actions import do_record_access
from samraad.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_recording_says_who_did_what_to_whom_and_why(admin_aarhus, counselor_aarhus, aarhus):
    entry = do_record_access(
        admin_aarhus, AuditEntry.Action.READ, counselor_aarhus, reason="checking roles", organisation=aarhus
    )

    assert entry.actor == admin_aarhus
    assert entry.actor_name == "karen.aarhus"
    assert entry.subject_type == "accounts.user"
    assert entry.subject_id == str(counselor_aarhus.pk)
    assert entry.reason == "checking roles"
    assert entry.at is not None


def test_an_entry_can_be_neither_changed_nor_deleted(admin_aarhus, counselor_aarhus, aarhus):
    entry = do_record_access(admin_aarhus, AuditEntry.Action.READ, counselor_aarhus, reason="x", organisation=aarhus)

    entry.reason = "nothing happened"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).update(reason="nothing happened")
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get(pk=entry.pk).reason == "x"


def test_an_unknown_action_is_refused(admin_aarhus, counselor_aarhus, aarhus):
    with pytest.raises(ValueError, match="unknown audit action"):
        do_record_access(admin_aarhus, "peek", counselor_aarhus, reason="x", organisation=aarhus)


def test_opening_a_staff_record_in_the_administration_is_logged(client, admin_aarhus, counselor_aarhus):
    sign_in(client, admin_aarhus)

    client.get(f"/admin/accounts/user/{counselor_aarhus.pk}/change/")

    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.action, entry.subject_id) == (admin_aarhus, "read", str(counselor_aarhus.pk))


def test_saving_a_staff_record_is_logged(client, admin_aarhus, counselor_aarhus):
    sign_in(client, admin_aarhus)

    client.post(
        f"/admin/accounts/user/{counselor_aarhus.pk}/change/",
        {
            "username": counselor_aarhus.username,
            "first_name": "Jonas",
            "is_active": "on",
            "role_grants-TOTAL_FORMS": "0",
            "role_grants-INITIAL_FORMS": "0",
        },
    )

    counselor_aarhus.refresh_from_db()
    assert counselor_aarhus.first_name == "Jonas"
    assert AuditEntry.objects.filter(action="change", subject_id=str(counselor_aarhus.pk)).exists()


def test_administrators_read_their_own_organisations_entries_only(
    client, admin_aarhus, counselor_aarhus, aarhus, koebenhavn
):
    admin_kbh = make_staff("admin.kbh", koebenhavn, Role.ADMIN)
    do_record_access(admin_aarhus, "read", counselor_aarhus, reason="aarhus business", organisation=aarhus)
    do_record_access(admin_kbh, "read", admin_kbh, reason="copenhagen business", organisation=koebenhavn)
    sign_in(client, admin_aarhus)

    page = client.get("/admin/audit/auditentry/").content.decode()
    foreign = AuditEntry.objects.get(organisation=koebenhavn)
    foreign_page = client.get(f"/admin/audit/auditentry/{foreign.pk}/change/")

    assert "aarhus business" in page
    assert "copenhagen business" not in page
    assert foreign_page.status_code == 302  # answered as if it did not exist


def test_the_administration_offers_no_way_to_edit_an_entry(client, admin_aarhus, counselor_aarhus, aarhus):
    entry = do_record_access(admin_aarhus, "read", counselor_aarhus, reason="x", organisation=aarhus)
    sign_in(client, admin_aarhus)

    client.post(f"/admin/audit/auditentry/{entry.pk}/change/", {"reason": "rewritten"})
    delete = client.post(f"/admin/audit/auditentry/{entry.pk}/delete/", {"post": "yes"})

    assert AuditEntry.objects.get(pk=entry.pk).reason == "x"
    assert delete.status_code == 403
