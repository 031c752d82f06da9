"""The report's numbers as JSON: the same rule as the page and the CSV."""

from __future__ import annotations

import pytest
from ninja import NinjaAPI
from ninja.testing import TestClient

from samraad.reports.api import build_router

pytestmark = pytest.mark.django_db

MARCH = "first_day=2025-03-01&last_day=2025-03-31"


@pytest.fixture
def api() -> TestClient:
    # A router of its own on an API of its own, as samraad/api mounts another instance.
    reports = NinjaAPI(urls_namespace="reports-api-test")
    reports.add_router("/reports", build_router())
    return TestClient(reports)


def test_a_coordinator_reads_their_own_municipalitys_numbers(api, coordinator_aarhus, march):
    response = api.get(f"/reports/figures?{MARCH}", user=coordinator_aarhus)

    body = response.json()
    assert response.status_code == 200
    assert body["municipality"] == "0751"
    assert [(line["name"], line["conversations"]) for line in body["municipalities"]] == [("Aarhus", 5)]
    assert [line["name"] for line in body["organisations"]] == ["Aarhus"]
    assert len(body["by_hour_of_week"]) == 168
    assert body["times"]["wait_median_s"] == pytest.approx(90)


def test_a_coordinator_cannot_read_another_municipality(api, coordinator_aarhus, march):
    response = api.get(f"/reports/figures?{MARCH}&municipality=0101", user=coordinator_aarhus)

    assert response.status_code == 404
    assert "København" not in response.content.decode()


def test_the_central_service_reads_all_municipalities(api, supervisor, march):
    body = api.get(f"/reports/figures?{MARCH}", user=supervisor).json()

    assert body["municipality"] is None
    assert {line["name"] for line in body["municipalities"]} == {"Aarhus", "København", ""}


def test_a_counselor_is_refused(api, counselor_aarhus, march):
    response = api.get(f"/reports/figures?{MARCH}", user=counselor_aarhus)

    assert response.status_code == 403
    assert "Aarhus" not in response.content.decode()


@pytest.mark.parametrize(
    "days", ["first_day=9999-12-31&last_day=9999-12-31", "first_day=0001-01-01&last_day=0001-01-02"]
)
def test_a_date_outside_the_calendar_we_report_on_is_refused_not_a_server_error(api, supervisor, days):
    response = api.get(f"/reports/figures?{days}", user=supervisor)

    assert response.status_code == 422
