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


def test_a_counselor_adds_and_deletes_their_own_answers(client, counselor_aarhus):
    sign_in(client, counselor_aarhus)

    client.post("/console/answers/", {"title": "Min hilsen", "body": "Hej, jeg hedder Jonas."})
    answer = PreparedAnswer.objects.get(owner=counselor_aarhus)
    in_console = [a["title"] for a in client.get("/console/").context["prepared_answers"]]
    client.post("/console/answers/", {"delete": str(answer.pk)})

    assert (answer.title, answer.organisation) == ("Min hilsen", None)
    assert in_console == ["Min hilsen"]
    assert not PreparedAnswer.objects.exists()


def test_a_counselor_cannot_delete_a_colleagues_or_shared_answer(client, counselor_aarhus, aarhus):
    colleague = make_staff("other.aarhus", aarhus, Role.COUNSELOR)
    theirs = PreparedAnswer.objects.create(owner=colleague, title="Kollegas", body="x")
    shared = PreparedAnswer.objects.create(organisation=aarhus, title="Fælles", body="y")
    sign_in(client, counselor_aarhus)

    refused = [client.post("/console/answers/", {"delete": str(answer.pk)}).status_code for answer in (theirs, shared)]
    nonsense = client.post("/console/answers/", {"delete": "abc"}).status_code

    assert refused == [404, 404]
    assert nonsense == 404
    assert PreparedAnswer.objects.count() == 2


def test_an_empty_answer_is_refused_with_a_message(client, counselor_aarhus):
    sign_in(client, counselor_aarhus)

    response = client.post("/console/answers/", {"title": "", "body": ""})

    assert response.status_code == 200
    assert response.context["form"].errors
    assert not PreparedAnswer.objects.exists()


def test_staff_outside_the_console_have_no_answers_page(client, coordinator_aarhus):
    sign_in(client, coordinator_aarhus)

    assert client.get("/console/answers/").status_code == 403
