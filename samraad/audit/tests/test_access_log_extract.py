"""An administrator extracts, for one staff member, every access to their data with time and
purpose: on a page in the administration and as CSV. Each extract is written to the log too."""

from __future__ import annotations

import csv
import io
from datetime import date, time

import pytest
from django.test import Client
from django.utils import timezone

from conftest import make_staff, sign_in
from samraad.accounts.models import Role, User
from samraad.audit.models import AuditEntry
from samraad.rota import actions as rota

pytestmark = pytest.mark.django_db


def extract_url(person: User) -> str:
    return f"/admin/audit/auditentry/person/{person.pk}/"


@pytest.fixture
def accesses(client: Client, admin_aarhus, counselor_aarhus, supervisor, coordinator_aarhus):
    """Jonas's staff record opened by Karen, and a weekly shift planned for him by Signe; Mette's
    record opened too, which is not Jonas's business."""
    sign_in(client, admin_aarhus)
    client.get(f"/admin/accounts/user/{counselor_aarhus.pk}/change/")
    client.get(f"/admin/accounts/user/{coordinator_aarhus.pk}/change/")
    rota.do_create_pattern(
        supervisor,
        staff=counselor_aarhus,
        weekday=0,
        starts_at=time(8),
        ends_at=time(16),
        valid_from=date(2026, 1, 5),
    )
    return client


def test_the_extract_lists_every_access_to_the_persons_data_with_time_and_purpose(accesses, counselor_aarhus):
    page = accesses.post(extract_url(counselor_aarhus), {"reason": "Jonas bad om indsigt", "show": "1"})

    text = page.content.decode()
    lines = page.context["lines"]
    assert page.status_code == 200
    assert [(line.actor, line.action, line.reason) for line in lines] == [
        ("karen.aarhus", "Læst", "administration: staff record opened"),
        ("signe.central", "Oprettet", "rota planning"),
        ("karen.aarhus", "Udtrak adgangsloggen", "Jonas bad om indsigt"),
    ]
    assert [line.kind_of_data for line in lines] == ["Medarbejder", "Ugentlig vagt", "Medarbejder"]
    assert all(line.at.tzinfo is not None for line in lines)
    assert "Adgangslog for Jonas" in text
    assert "3 adgange til data om Jonas" in text
    assert timezone.localtime(AuditEntry.objects.latest("at").at).strftime("%H:%M:%S") in text
    assert "mette.aarhus" not in text and "Mette" not in text


def test_the_extract_is_itself_written_to_the_audit_log(accesses, admin_aarhus, counselor_aarhus, aarhus):
    accesses.post(extract_url(counselor_aarhus), {"reason": "Jonas bad om indsigt"})

    entry = AuditEntry.objects.filter(action=AuditEntry.Action.EXTRACT).get()
    assert (entry.actor, entry.person, entry.organisation) == (admin_aarhus, counselor_aarhus, aarhus)
    assert (entry.subject_type, entry.subject_id) == ("accounts.user", str(counselor_aarhus.pk))
    assert entry.reason == "Jonas bad om indsigt"
    assert entry.at is not None


def test_the_extract_downloads_as_csv(accesses, counselor_aarhus):
    response = accesses.post(extract_url(counselor_aarhus), {"reason": "=HYPERLINK(1)", "csv": "1"})

    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith(
        f'attachment; filename="samraad-access-log-{counselor_aarhus.pk}-'
    )
    assert rows[0] == ["at", "actor", "action", "kind_of_data", "record", "whose_data", "organisation", "reason"]
    assert [(row[1], row[2], row[3], row[7]) for row in rows[1:]] == [
        ("karen.aarhus", "read", "accounts.user", "administration: staff record opened"),
        ("signe.central", "create", "rota.shiftpattern", "rota planning"),
        ("karen.aarhus", "extract", "accounts.user", "'=HYPERLINK(1)"),  # never a formula in a spreadsheet
    ]
    assert all(timezone.datetime.fromisoformat(row[0]).tzinfo is not None for row in rows[1:])


def test_another_organisations_administrator_is_told_there_is_no_such_person(accesses, counselor_aarhus, koebenhavn):
    admin_kbh = make_staff("admin.kbh", koebenhavn, Role.ADMIN)
    outsider = sign_in(Client(), admin_kbh)

    shown = outsider.get(extract_url(counselor_aarhus))
    extracted = outsider.post(extract_url(counselor_aarhus), {"reason": "nysgerrig", "csv": "1"})
    missing = outsider.get("/admin/audit/auditentry/person/987654321/")

    assert shown.status_code == extracted.status_code == missing.status_code == 404
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.EXTRACT).exists()


def test_staff_without_the_administrator_role_may_not_extract(accesses, counselor_aarhus, coordinator_aarhus):
    coordinator = sign_in(Client(), coordinator_aarhus)

    assert coordinator.post(extract_url(counselor_aarhus), {"reason": "x"}).status_code == 403
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.EXTRACT).exists()


def test_the_platform_operator_extracts_for_anyone(accesses, counselor_aarhus, central):
    operator = sign_in(Client(), make_staff("ada.platform", central, superuser=True))

    page = operator.post(extract_url(counselor_aarhus), {"reason": "tilsyn"})

    assert page.status_code == 200
    assert len(page.context["lines"]) == 3


def test_without_a_purpose_nothing_is_extracted(accesses, counselor_aarhus):
    page = accesses.post(extract_url(counselor_aarhus), {"reason": "  "})

    assert page.status_code == 200
    assert page.context["lines"] is None
    assert page.context["form"].errors["reason"]
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.EXTRACT).exists()


def test_the_page_is_danish_by_default_and_english_when_chosen(accesses, counselor_aarhus):
    danish = accesses.get(extract_url(counselor_aarhus)).content.decode()
    accesses.post("/i18n/setlang/", {"language": "en", "next": "/staff/"})
    english = accesses.post(extract_url(counselor_aarhus), {"reason": "asked"}).content.decode()

    assert "Formål med udtrækket" in danish and "Vis adgange" in danish
    assert "Purpose of the extract" in english
    assert "3 accesses to Jonas’s data" in english
    assert "Extracted the access log" in english


def test_a_staff_record_links_to_its_access_log(accesses, counselor_aarhus):
    record = accesses.get(f"/admin/accounts/user/{counselor_aarhus.pk}/change/").content.decode()

    assert f'href="{extract_url(counselor_aarhus)}"' in record
    assert "Adgangslog" in record
