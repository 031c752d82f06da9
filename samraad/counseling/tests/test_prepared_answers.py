from __future__ import annotations

import pytest

from conftest import make_staff, sign_in
from samraad.accounts.models import Role
from samraad.counseling.models import PreparedAnswer

pytestmark = pytest.mark.django_db


def test_an_administrator_keeps_their_organisations_shared_answers(client, admin_aarhus, aarhus):
    sign_in(client, admin_aarhus)

    client.post("/admin/counseling/preparedanswer/add/", {"title": "Hilsen", "body": "Hej, jeg hedder …"})

    answer = PreparedAnswer.objects.get()
    assert (answer.title, answer.organisation, answer.owner) == ("Hilsen", aarhus, None)


def test_another_organisations_answers_are_out_of_reach(client, admin_aarhus, koebenhavn):
    theirs = PreparedAnswer.objects.create(organisation=koebenhavn, title="KBH", body="…")
    sign_in(client, admin_aarhus)

    listing = client.get("/admin/counseling/preparedanswer/").content.decode()
    change = client.post(f"/admin/counseling/preparedanswer/{theirs.pk}/change/", {"title": "hacked", "body": "x"})

    assert "KBH" not in listing
    assert change.status_code == 302 and change["Location"] == "/admin/"
    assert PreparedAnswer.objects.get(pk=theirs.pk).title == "KBH"


def test_the_console_offers_own_and_shared_answers_only(client, counselor_aarhus, aarhus, koebenhavn):
    PreparedAnswer.objects.create(organisation=aarhus, title="Fælles Aarhus", body="a")
    PreparedAnswer.objects.create(owner=counselor_aarhus, title="Min egen", body="b")
    PreparedAnswer.objects.create(organisation=koebenhavn, title="Fælles KBH", body="c")
    colleague = make_staff("other.aarhus", aarhus, Role.COUNSELOR)
    PreparedAnswer.objects.create(owner=colleague, title="Kollegas egen", body="d")
    sign_in(client, counselor_aarhus)

    titles = [answer["title"] for answer in client.get("/console/").context["prepared_answers"]]

    assert titles == ["Fælles Aarhus", "Min egen"]
