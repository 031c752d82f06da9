"""The report page and its CSV exports: who sees whose numbers, and what they see."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from conftest import make_staff
from samraad.accounts.models import Role
from samraad.reports.views import REPORT_TABLES

pytestmark = pytest.mark.django_db

MARCH_QUERY = {"first_day": "2025-03-01", "last_day": "2025-03-31"}


def rows_of(response) -> list[dict[str, str]]:
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_the_central_service_sees_every_municipality(signed_in, supervisor, march):
    page = signed_in(supervisor).get(reverse("reports:report"), MARCH_QUERY).content.decode()

    assert "Tal for alle kommuner" in page
    assert "Aarhus" in page
    assert "København" in page
    assert "Kommune ikke oplyst" in page


def test_a_coordinator_sees_their_own_municipality_and_no_other(signed_in, coordinator_aarhus, march):
    response = signed_in(coordinator_aarhus).get(reverse("reports:report"), MARCH_QUERY)

    page = response.content.decode()
    assert response.status_code == 200
    assert "Tal for Aarhus" in page
    assert "København" not in page
    assert "Samraad central" not in page
    assert 'name="municipality"' not in page


@pytest.mark.parametrize("code", ["0101", "9999", "not-a-code"])
def test_a_coordinator_asking_for_another_municipality_gets_not_found(signed_in, coordinator_aarhus, march, code):
    client = signed_in(coordinator_aarhus)

    page = client.get(reverse("reports:report"), {**MARCH_QUERY, "municipality": code})
    export = client.get(reverse("reports:report_csv", args=["municipalities"]), {**MARCH_QUERY, "municipality": code})
    staffing = client.get(reverse("reports:staffing"), {"municipality": code})

    assert (page.status_code, export.status_code, staffing.status_code) == (404, 404, 404)


@pytest.mark.parametrize("table", sorted(REPORT_TABLES))
def test_no_csv_of_a_coordinator_names_another_organisation(signed_in, coordinator_aarhus, march, table):
    response = signed_in(coordinator_aarhus).get(reverse("reports:report_csv", args=[table]), MARCH_QUERY)

    text = response.content.decode()
    assert response.status_code == 200
    assert "København" not in text
    assert "Samraad central" not in text


def test_the_coordinators_csv_holds_their_municipalitys_line(signed_in, coordinator_aarhus, march):
    response = signed_in(coordinator_aarhus).get(reverse("reports:report_csv", args=["municipalities"]), MARCH_QUERY)

    assert rows_of(response) == [
        {
            "municipality_code": "0751",
            "municipality_name": "Aarhus",
            "conversations": "5",
            "chats": "4",
            "letters": "1",
            "answered": "4",
            "abandoned": "1",
            "first_day": "2025-03-01",
            "last_day": "2025-03-06",
        }
    ]
    assert 'filename="samraad-municipalities-0751-2025-03-01-2025-03-31.csv"' in response["Content-Disposition"]


def test_the_central_service_can_look_at_one_municipality(signed_in, supervisor, march):
    response = signed_in(supervisor).get(
        reverse("reports:report_csv", args=["municipalities"]), {**MARCH_QUERY, "municipality": "0101"}
    )

    assert [(row["municipality_name"], row["conversations"]) for row in rows_of(response)] == [("København", "3")]


def test_the_settlement_csv_balances_to_the_central_services_cost(signed_in, supervisor, march):
    response = signed_in(supervisor).get(reverse("reports:report_csv", args=["settlement"]), MARCH_QUERY)

    rows = rows_of(response)
    assert {row["municipality"]: row["balance_dkk"] for row in rows} == {"Aarhus": "4866.67", "København": "2633.33"}


def test_people_without_numbers_are_refused(signed_in, counselor_aarhus, admin_aarhus, march):
    for person in (counselor_aarhus, admin_aarhus):
        client = signed_in(person)

        assert client.get(reverse("reports:report")).status_code == 403
        assert client.get(reverse("reports:report_csv", args=["municipalities"])).status_code == 403
        assert client.get(reverse("reports:staffing")).status_code == 403


def test_a_visitor_who_is_not_signed_in_is_sent_to_sign_in(client):
    response = client.get(reverse("reports:report_csv", args=["municipalities"]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_the_coordinator_of_a_drop_in_centre_sees_no_numbers(signed_in, aarhus):
    from samraad.accounts.models import Organisation

    centre = Organisation.objects.create(kind=Organisation.Kind.DROP_IN_CENTRE, name="Værestedet", municipality=aarhus)
    person = make_staff("bo.vaerested", centre, Role.COORDINATOR)

    assert signed_in(person).get(reverse("reports:report")).status_code == 403


def test_an_unknown_table_is_not_found(signed_in, supervisor):
    assert signed_in(supervisor).get(reverse("reports:report_csv", args=["salaries"])).status_code == 404


def test_a_period_that_ends_before_it_begins_is_explained_and_not_computed(signed_in, supervisor):
    client = signed_in(supervisor)
    backwards = {"first_day": "2025-03-31", "last_day": "2025-03-01"}

    page = client.get(reverse("reports:report"), backwards).content.decode()
    export = client.get(reverse("reports:report_csv", args=["municipalities"]), backwards)

    assert "Den sidste dag må ikke ligge før den første." in page
    assert 'aria-invalid="true"' in page
    assert export.status_code == 400


def test_the_page_is_english_when_chosen(signed_in, supervisor, march):
    client = signed_in(supervisor)
    client.post(reverse("set_language"), {"language": "en", "next": "/reports/"})

    page = client.get(reverse("reports:report"), MARCH_QUERY).content.decode()

    assert "Numbers for all municipalities" in page
    assert "Conversations by the young person's municipality" in page


def test_the_printable_view_leaves_out_the_form(signed_in, supervisor, march):
    page = signed_in(supervisor).get(reverse("reports:report"), {**MARCH_QUERY, "print": "1"}).content.decode()

    assert '<form method="get"' not in page
    assert "<table" in page


def test_charts_are_svg_images_with_a_title_and_description(signed_in, supervisor, march):
    page = signed_in(supervisor).get(reverse("reports:report"), MARCH_QUERY).content.decode()

    assert page.count('<svg class="reports-svg" role="img"') == 6
    assert '<title id="hours-chart-title">' in page
    assert 'aria-labelledby="hours-chart-title hours-chart-desc"' in page


def test_the_start_page_links_coordinators_to_the_numbers(signed_in, coordinator_aarhus):
    page = signed_in(coordinator_aarhus).get(reverse("accounts:start")).content.decode()

    assert f'href="{reverse("reports:report")}"' in page


def test_an_administrator_who_coordinates_is_offered_to_set_the_hourly_cost(signed_in, aarhus, march):
    person = make_staff("lise.aarhus", aarhus, Role.COORDINATOR, Role.ADMIN)

    page = signed_in(person).get(reverse("reports:report"), MARCH_QUERY).content.decode()

    assert reverse("admin:accounts_organisation_change", args=[aarhus.pk]) in page


def test_the_organisations_administrator_sets_the_hourly_cost_in_the_administration(signed_in, admin_aarhus, aarhus):
    url = reverse("admin:accounts_organisation_change", args=[aarhus.pk])
    client = signed_in(admin_aarhus)
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}

    response = client.post(url, {**data, "hourly_cost": "512.50"})

    assert response.status_code == 302
    aarhus.refresh_from_db()
    assert str(aarhus.hourly_cost) == "512.50"


def test_a_coordinator_of_the_central_service_compares_all_municipalities(signed_in, central, march):
    person = make_staff("kim.central", central, Role.COORDINATOR)

    response = signed_in(person).get(reverse("reports:report_csv", args=["municipalities"]), MARCH_QUERY)

    assert {row["municipality_name"] for row in rows_of(response)} == {"Aarhus", "København", ""}
