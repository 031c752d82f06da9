"""Supervisors add, change and delete weekly shifts and one-off changes; nobody else can."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from conftest import make_staff, sign_in
from samraad.accounts.models import Role
from samraad.audit.models import AuditEntry
from samraad.rota import actions
from samraad.rota.models import ShiftChange, ShiftPattern

pytestmark = pytest.mark.django_db

NEW_PATTERN = reverse("rota:pattern_create")
NEW_CHANGE = reverse("rota:change_create")


def pattern_form(person, **overrides) -> dict[str, object]:
    values: dict[str, object] = {
        "staff": person.pk,
        "weekday": 1,
        "starts_at": "22:00",
        "ends_at": "06:00",
        "valid_from": "2027-03-01",
        "valid_until": "",
    }
    return {**values, **overrides}


def change_form(person, **overrides) -> dict[str, object]:
    values: dict[str, object] = {
        "staff": person.pk,
        "kind": "cancellation",
        "starts_at": "2027-03-09T22:00",
        "ends_at": "2027-03-10T06:00",
    }
    return {**values, **overrides}


@pytest.fixture
def night_shift(supervisor, counselor_aarhus) -> ShiftPattern:
    return actions.do_create_pattern(
        supervisor,
        staff=counselor_aarhus,
        weekday=1,
        starts_at=time(22),
        ends_at=time(6),
        valid_from=date(2027, 3, 1),
    )


@pytest.fixture
def illness(supervisor, counselor_aarhus) -> ShiftChange:
    return actions.do_create_change(
        supervisor,
        staff=counselor_aarhus,
        kind=ShiftChange.Kind.CANCELLATION,
        starts_at=datetime(2027, 3, 9, 21, tzinfo=UTC),
        ends_at=datetime(2027, 3, 10, 5, tzinfo=UTC),
    )


# --- Weekly shifts ----------------------------------------------------------------------------


def test_a_supervisor_adds_a_night_shift_and_sees_its_week(client, supervisor, counselor_aarhus):
    sign_in(client, supervisor)

    response = client.post(NEW_PATTERN, pattern_form(counselor_aarhus), follow=True)

    pattern = ShiftPattern.objects.get()
    assert (pattern.staff, pattern.weekday, pattern.starts_at, pattern.ends_at) == (
        counselor_aarhus,
        1,
        time(22),
        time(6),
    )
    assert pattern.created_by == supervisor
    assert pattern.valid_until is None
    assert response.redirect_chain == [("/rota/?week=2027-W09", 302)]
    assert "Den ugentlige vagt er tilføjet." in response.content.decode()
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.action, entry.subject_id) == (supervisor, "create", str(pattern.pk))
    assert entry.organisation == counselor_aarhus.organisation


def test_a_supervisor_can_put_a_counselor_from_any_organisation_on_the_rota(client, supervisor, counselor_koebenhavn):
    sign_in(client, supervisor)

    client.post(NEW_PATTERN, pattern_form(counselor_koebenhavn))

    assert ShiftPattern.objects.get().staff == counselor_koebenhavn


def test_the_form_page_is_danish_with_dkfds_fields(client, supervisor):
    page = sign_in(client, supervisor).get(NEW_PATTERN).content.decode()

    assert "Tilføj en ugentlig vagt" in page
    assert 'type="time"' in page and 'type="date"' in page
    assert 'class="form-select"' in page
    assert "csrfmiddlewaretoken" in page


def test_a_supervisor_changes_a_weekly_shift(client, supervisor, night_shift):
    sign_in(client, supervisor)

    response = client.post(
        reverse("rota:pattern_edit", args=[night_shift.pk]),
        pattern_form(night_shift.staff, starts_at="20:00", ends_at="23:00", valid_until="2027-06-30"),
    )

    night_shift.refresh_from_db()
    assert response.status_code == 302
    assert (night_shift.starts_at, night_shift.ends_at, night_shift.valid_until) == (
        time(20),
        time(23),
        date(2027, 6, 30),
    )
    assert AuditEntry.objects.filter(action="change", subject_id=str(night_shift.pk)).exists()


def test_a_supervisor_deletes_a_weekly_shift_after_confirming(client, supervisor, night_shift):
    sign_in(client, supervisor)
    url = reverse("rota:pattern_delete", args=[night_shift.pk])

    confirmation = client.get(url)
    response = client.post(url)

    assert confirmation.status_code == 200 and "Slet en ugentlig vagt" in confirmation.content.decode()
    assert response.status_code == 302 and response["Location"] == reverse("rota:patterns")
    assert not ShiftPattern.objects.exists()
    assert AuditEntry.objects.filter(action="delete", subject_id=str(night_shift.pk)).exists()


@pytest.mark.parametrize("persona", ["counselor_aarhus", "coordinator_aarhus"])
def test_people_who_may_only_view_get_403_on_every_form(client, request, persona, night_shift, illness):
    sign_in(client, request.getfixturevalue(persona))
    forms = [
        (NEW_PATTERN, pattern_form(night_shift.staff)),
        (reverse("rota:pattern_edit", args=[night_shift.pk]), pattern_form(night_shift.staff, starts_at="08:00")),
        (reverse("rota:pattern_delete", args=[night_shift.pk]), {}),
        (NEW_CHANGE, change_form(night_shift.staff)),
        (reverse("rota:change_edit", args=[illness.pk]), change_form(night_shift.staff, kind="extra")),
        (reverse("rota:change_delete", args=[illness.pk]), {}),
    ]

    for url, data in forms:
        assert client.get(url).status_code == 403, url
        assert client.post(url, data).status_code == 403, url

    assert ShiftPattern.objects.get() == night_shift and night_shift.starts_at == time(22)
    assert ShiftChange.objects.get().kind == ShiftChange.Kind.CANCELLATION


@pytest.mark.parametrize("persona", ["outsider", "admin_aarhus"])
def test_people_without_a_chat_role_get_403_on_the_forms(client, request, persona, counselor_aarhus):
    sign_in(client, request.getfixturevalue(persona))

    assert client.post(NEW_PATTERN, pattern_form(counselor_aarhus)).status_code == 403
    assert client.post(NEW_CHANGE, change_form(counselor_aarhus)).status_code == 403
    assert not ShiftPattern.objects.exists() and not ShiftChange.objects.exists()


def test_anonymous_posts_are_sent_to_sign_in(client, counselor_aarhus):
    response = client.post(NEW_PATTERN, pattern_form(counselor_aarhus))

    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert not ShiftPattern.objects.exists()


def test_a_post_without_the_csrf_token_is_refused(supervisor, counselor_aarhus):
    from django.test import Client

    client = sign_in(Client(enforce_csrf_checks=True), supervisor)

    assert client.post(NEW_PATTERN, pattern_form(counselor_aarhus)).status_code == 403
    assert not ShiftPattern.objects.exists()


def test_unknown_and_malformed_ids_are_not_found(client, supervisor):
    sign_in(client, supervisor)

    assert client.get("/rota/patterns/00000000-0000-0000-0000-000000000000/").status_code == 404
    assert client.get("/rota/changes/00000000-0000-0000-0000-000000000000/delete/").status_code == 404
    assert client.get("/rota/patterns/not-an-id/").status_code == 404


# --- Bad input to a weekly shift --------------------------------------------------------------


def _errors(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def test_an_end_before_the_start_is_fine_as_a_shift_past_midnight(client, supervisor, counselor_aarhus):
    sign_in(client, supervisor)

    client.post(NEW_PATTERN, pattern_form(counselor_aarhus, starts_at="23:00", ends_at="07:00"))

    assert ShiftPattern.objects.get().crosses_midnight


def test_a_shift_that_ends_when_it_starts_is_refused(client, supervisor, counselor_aarhus):
    page = _errors(sign_in(client, supervisor).post(NEW_PATTERN, pattern_form(counselor_aarhus, ends_at="22:00")))

    assert "En vagt skal slutte på et andet tidspunkt, end den begynder." in page
    assert 'href="#id_ends_at"' in page
    assert not ShiftPattern.objects.exists()


def test_a_last_day_before_the_first_is_refused(client, supervisor, counselor_aarhus):
    page = _errors(
        sign_in(client, supervisor).post(NEW_PATTERN, pattern_form(counselor_aarhus, valid_until="2027-02-28"))
    )

    assert "Den sidste dag må ikke ligge før den første." in page
    assert not ShiftPattern.objects.exists()


@pytest.mark.parametrize(("field", "value"), [("valid_from", "1999-12-31"), ("valid_until", "2100-01-01")])
def test_a_date_out_of_range_is_refused(client, supervisor, counselor_aarhus, field, value):
    page = _errors(sign_in(client, supervisor).post(NEW_PATTERN, pattern_form(counselor_aarhus, **{field: value})))

    assert "Vælg en dato fra 2000 til 2099." in page
    assert not ShiftPattern.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"), [("starts_at", "25:00"), ("valid_from", "2027-02-30"), ("weekday", "7"), ("staff", "x")]
)
def test_malformed_values_are_refused_with_an_error_not_a_crash(client, supervisor, counselor_aarhus, field, value):
    page = _errors(sign_in(client, supervisor).post(NEW_PATTERN, pattern_form(counselor_aarhus, **{field: value})))

    assert 'class="form-error-message"' in page
    assert not ShiftPattern.objects.exists()


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.CASEWORKER, Role.ADMIN])
def test_a_staff_member_who_is_not_a_counselor_or_supervisor_is_refused(client, supervisor, aarhus, role):
    other = make_staff(f"{role}.person", aarhus, role)

    page = _errors(sign_in(client, supervisor).post(NEW_PATTERN, pattern_form(other)))

    assert 'class="form-error-message"' in page
    assert not ShiftPattern.objects.exists()


def test_a_deactivated_counselor_is_refused(client, supervisor, counselor_aarhus):
    counselor_aarhus.is_active = False
    counselor_aarhus.save()

    _errors(sign_in(client, supervisor).post(NEW_PATTERN, pattern_form(counselor_aarhus)))

    assert not ShiftPattern.objects.exists()


# --- One-off changes --------------------------------------------------------------------------


def test_a_supervisor_records_an_illness(client, supervisor, counselor_aarhus):
    sign_in(client, supervisor)

    response = client.post(NEW_CHANGE, change_form(counselor_aarhus))

    change = ShiftChange.objects.get()
    assert change.cancels
    # Typed in Danish time: 22:00 in March is 21:00 UTC.
    assert change.starts_at == datetime(2027, 3, 9, 21, tzinfo=UTC)
    assert change.ends_at == datetime(2027, 3, 10, 5, tzinfo=UTC)
    assert response["Location"] == "/rota/?week=2027-W10"


def test_a_supervisor_adds_an_extra_shift_in_summer_time(client, supervisor, counselor_koebenhavn):
    sign_in(client, supervisor)

    client.post(
        NEW_CHANGE,
        change_form(counselor_koebenhavn, kind="extra", starts_at="2027-07-01T10:00", ends_at="2027-07-01T14:00"),
    )

    change = ShiftChange.objects.get()
    assert not change.cancels
    assert change.starts_at == datetime(2027, 7, 1, 8, tzinfo=UTC)


def test_a_change_that_ends_before_it_starts_is_refused(client, supervisor, counselor_aarhus):
    page = _errors(
        sign_in(client, supervisor).post(
            NEW_CHANGE, change_form(counselor_aarhus, starts_at="2027-03-10T06:00", ends_at="2027-03-09T22:00")
        )
    )

    assert "Ændringen skal slutte, efter den begynder." in page
    assert 'aria-invalid="true"' in page
    assert not ShiftChange.objects.exists()


def test_a_change_that_ends_when_it_starts_is_refused(client, supervisor, counselor_aarhus):
    _errors(
        sign_in(client, supervisor).post(
            NEW_CHANGE, change_form(counselor_aarhus, starts_at="2027-03-10T06:00", ends_at="2027-03-10T06:00")
        )
    )

    assert not ShiftChange.objects.exists()


def test_a_change_out_of_range_is_refused(client, supervisor, counselor_aarhus):
    page = _errors(
        sign_in(client, supervisor).post(
            NEW_CHANGE, change_form(counselor_aarhus, starts_at="1970-01-01T00:00", ends_at="2100-01-01T00:00")
        )
    )

    assert page.count("Vælg en dato fra 2000 til 2099.") >= 2
    assert not ShiftChange.objects.exists()


def test_a_time_the_clock_skips_is_refused_with_an_error(client, supervisor, counselor_aarhus):
    page = _errors(
        sign_in(client, supervisor).post(
            NEW_CHANGE, change_form(counselor_aarhus, starts_at="2027-03-28T02:30", ends_at="2027-03-28T06:00")
        )
    )

    assert 'class="form-error-message"' in page
    assert not ShiftChange.objects.exists()


def test_a_coordinator_cannot_be_given_an_extra_shift(client, supervisor, coordinator_aarhus):
    _errors(sign_in(client, supervisor).post(NEW_CHANGE, change_form(coordinator_aarhus, kind="extra")))

    assert not ShiftChange.objects.exists()


def test_a_supervisor_changes_and_deletes_a_one_off_change(client, supervisor, illness):
    sign_in(client, supervisor)

    client.post(reverse("rota:change_edit", args=[illness.pk]), change_form(illness.staff, kind="extra"))
    illness.refresh_from_db()
    response = client.post(reverse("rota:change_delete", args=[illness.pk]))

    assert illness.kind == ShiftChange.Kind.EXTRA
    assert response["Location"] == "/rota/?week=2027-W10"
    assert not ShiftChange.objects.exists()
    assert list(AuditEntry.objects.order_by("at", "id").values_list("action", flat=True)) == [
        "create",
        "change",
        "delete",
    ]


# --- The actions on their own -----------------------------------------------------------------


def test_actions_refuse_someone_who_may_not_manage(counselor_aarhus, night_shift, illness):
    with pytest.raises(PermissionDenied):
        actions.do_create_pattern(
            counselor_aarhus,
            staff=counselor_aarhus,
            weekday=0,
            starts_at=time(8),
            ends_at=time(9),
            valid_from=date(2027, 1, 1),
        )
    with pytest.raises(PermissionDenied):
        actions.do_update_pattern(counselor_aarhus, night_shift, starts_at=time(8))
    with pytest.raises(PermissionDenied):
        actions.do_delete_change(counselor_aarhus, illness)

    assert ShiftPattern.objects.count() == 1 and ShiftChange.objects.count() == 1


def test_actions_validate_as_the_forms_do(supervisor, coordinator_aarhus, counselor_aarhus, night_shift):
    with pytest.raises(ValidationError) as refused:
        actions.do_create_pattern(
            supervisor,
            staff=coordinator_aarhus,
            weekday=0,
            starts_at=time(8),
            ends_at=time(8),
            valid_from=date(2027, 1, 1),
        )
    with pytest.raises(ValidationError):
        actions.do_create_change(
            supervisor,
            staff=counselor_aarhus,
            kind="extra",
            starts_at=datetime(2027, 1, 2, tzinfo=UTC),
            ends_at=datetime(2027, 1, 1, tzinfo=UTC),
        )
    with pytest.raises(TypeError):
        actions.do_update_pattern(supervisor, night_shift, created_by=coordinator_aarhus)

    assert set(refused.value.message_dict) == {"staff", "ends_at"}
    assert ShiftPattern.objects.count() == 1 and not ShiftChange.objects.exists()


def test_the_database_refuses_a_change_that_ends_before_it_starts(counselor_aarhus):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        ShiftChange.objects.create(
            staff=counselor_aarhus,
            kind="extra",
            starts_at=datetime(2027, 1, 2, tzinfo=UTC),
            ends_at=datetime(2027, 1, 1, tzinfo=UTC),
        )


def test_the_week_shown_after_saving_is_this_week_while_the_pattern_is_in_force(supervisor):
    from django.utils import timezone

    from samraad.rota.coverage import monday_of

    today = timezone.localdate()

    assert actions.week_to_show_after_saving(date(2020, 1, 1)) == monday_of(today)
    assert actions.week_to_show_after_saving(date(2020, 1, 1), date(2020, 2, 1)) == monday_of(date(2020, 1, 1))
    assert actions.week_to_show_after_saving(date(2099, 1, 1)) == monday_of(date(2099, 1, 1))


# --- The start page ---------------------------------------------------------------------------


def test_the_start_page_links_to_the_rota_once_for_the_roles_that_see_it(
    client, supervisor, counselor_aarhus, coordinator_aarhus, admin_aarhus
):
    supervisor_page = sign_in(client, supervisor).get("/staff/").content.decode()
    counselor_page = sign_in(client, counselor_aarhus).get("/staff/").content.decode()
    coordinator_page = sign_in(client, coordinator_aarhus).get("/staff/").content.decode()
    admin_page = sign_in(client, admin_aarhus).get("/staff/").content.decode()

    assert supervisor_page.count('href="/rota/"') == 1 and "Planlæg vagtplanen og se dens huller" in supervisor_page
    assert counselor_page.count('href="/rota/"') == 1 and "Se vagtplanen" in counselor_page
    assert coordinator_page.count('href="/rota/"') == 1
    assert 'href="/rota/"' not in admin_page
