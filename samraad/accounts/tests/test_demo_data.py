from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from samraad.accounts.models import Organisation, Role, User
from samraad.counseling.models import PreparedAnswer

pytestmark = pytest.mark.django_db


def test_demo_data_loads_the_promised_people_and_places():
    out = StringIO()

    call_command("load_demo_data", stdout=out)

    counselor = User.objects.get(username="raadgiver.aarhus")
    assert counselor.organisation.municipality_code == "0751"
    assert counselor.has_role(Role.COUNSELOR)
    assert counselor.check_password("samraad-demo")
    assert set(Organisation.objects.filter(participating=True).values_list("municipality_code", flat=True)) == {
        "0101",
        "0751",
        "0760",
    }
    assert Organisation.objects.filter(kind=Organisation.Kind.CENTRAL).count() == 1
    assert Organisation.objects.filter(kind=Organisation.Kind.DROP_IN_CENTRE).count() == 1
    for code in ("0101", "0751", "0760"):
        assert User.objects.filter(organisation__municipality_code=code, role_grants__role=Role.COORDINATOR).exists()
    assert User.objects.filter(role_grants__role=Role.SUPERVISOR).exists()
    assert User.objects.filter(role_grants__role=Role.ADMIN).exists()
    assert PreparedAnswer.objects.filter(organisation=counselor.organisation).count() >= 3
    assert "raadgiver.aarhus" in out.getvalue()
    assert "samraad-demo" in out.getvalue()


def test_demo_data_twice_changes_nothing():
    call_command("load_demo_data", stdout=StringIO())
    counts = (User.objects.count(), Organisation.objects.count())

    call_command("load_demo_data", stdout=StringIO())

    assert (User.objects.count(), Organisation.objects.count()) == counts


def test_setup_on_an_existing_database_leaves_it_alone_and_prints_logins():
    # The test database is migrated already: setup must not add the demo people to it.
    out = StringIO()

    call_command("setup_demo", stdout=out)

    assert not User.objects.filter(username="raadgiver.aarhus").exists()
    assert "no demo logins" in out.getvalue()
