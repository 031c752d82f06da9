from __future__ import annotations

import pytest
from django.db import IntegrityError

from samraad.accounts.models import Organisation

pytestmark = pytest.mark.django_db


def test_all_98_municipalities_are_loaded_with_official_codes():
    municipalities = Organisation.objects.filter(kind=Organisation.Kind.MUNICIPALITY)
    by_code = dict(municipalities.values_list("municipality_code", "name"))

    assert municipalities.count() == 98
    assert by_code["0101"] == "København"
    assert by_code["0751"] == "Aarhus"
    assert by_code["0760"] == "Ringkøbing-Skjern"
    assert by_code["0851"] == "Aalborg"
    assert "0411" not in by_code  # Christiansø is not a municipality
    assert all(len(code) == 4 and code.isdigit() for code in by_code)


def test_regions_hold_their_municipalities():
    counts = {
        region: Organisation.objects.filter(region=region).count()
        for region in (
            "Region Hovedstaden",
            "Region Sjælland",
            "Region Syddanmark",
            "Region Midtjylland",
            "Region Nordjylland",
        )
    }

    assert counts == {
        "Region Hovedstaden": 29,
        "Region Sjælland": 17,
        "Region Syddanmark": 22,
        "Region Midtjylland": 19,
        "Region Nordjylland": 11,
    }


def test_only_municipalities_carry_a_municipality_code():
    with pytest.raises(IntegrityError):
        Organisation.objects.create(kind=Organisation.Kind.DROP_IN_CENTRE, name="Stedet", municipality_code="9999")
