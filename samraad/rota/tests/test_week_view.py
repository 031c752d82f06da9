"""The week view: who sees it, what it shows hour by hour, and how it moves between weeks."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import make_staff, sign_in
from samraad.accounts.models import Role
from samraad.rota.coverage import LOCAL, monday_of, week_label
from samraad.rota.models import Presence, ShiftChange, ShiftPattern

pytestmark = pytest.mark.django_db

WEEK = reverse("rota:week")


def pattern(staff, weekday: int, starts: str, ends: str, valid_from=date(2026, 1, 1), valid_until=None):
    return ShiftPattern.objects.create(
        staff=staff,
        weekday=weekday,
        starts_at=time.fromisoformat(starts),
        ends_at=time.fromisoformat(ends),
        valid_from=valid_from,
        valid_until=valid_until,
    )


def cells(page: str) -> list[str]:
    """The table's 168 cells, row by row (hour by hour), as text without tags."""
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    found = re.findall(r"<td[^>]*>(.*?)</td>", body, flags=re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in found]


def cell(page: str, weekday: int, hour: int) -> str:
    return cells(page)[hour * 7 + weekday]


# --- Who may see it ---------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["supervisor", "counselor_aarhus", "counselor_koebenhavn", "coordinator_aarhus"])
def test_people_who_work_with_the_chat_see_the_week(client, request, persona):
    sign_in(client, request.getfixturevalue(persona))

    response = client.get(WEEK)

    assert response.status_code == 200
    assert len(cells(response.content.decode())) == 168


@pytest.mark.parametrize("persona", ["outsider", "admin_aarhus"])
def test_people_without_a_chat_role_are_refused(client, request, persona):
    sign_in(client, request.getfixturevalue(persona))

    assert client.get(WEEK).status_code == 403
    assert client.get(reverse("rota:patterns")).status_code == 403
    assert client.get(reverse("rota:changes")).status_code == 403


def test_anonymous_people_are_sent_to_sign_in(client, db):
    response = client.get(f"{WEEK}?week=2026-W48")

    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/rota/%3Fweek%3D2026-W48"


def test_only_supervisors_are_offered_the_forms(client, supervisor, counselor_aarhus, coordinator_aarhus):
    new_pattern = reverse("rota:pattern_create")

    assert new_pattern in sign_in(client, supervisor).get(WEEK).content.decode()
    assert new_pattern not in sign_in(client, counselor_aarhus).get(WEEK).content.decode()
    assert new_pattern not in sign_in(client, coordinator_aarhus).get(WEEK).content.decode()


# --- Which week -------------------------------------------------------------------------------


def test_without_a_week_the_current_week_is_shown(client, counselor_aarhus):
    page = sign_in(client, counselor_aarhus).get(WEEK).content.decode()

    assert f'value="{week_label(monday_of(timezone.localdate()))}"' in page
    assert "Lige nu" in page


def test_a_chosen_week_links_to_its_neighbours(client, counselor_aarhus):
    page = sign_in(client, counselor_aarhus).get(f"{WEEK}?week=2027-W01").content.decode()

    assert "Vagtplan for uge 1, 2027" in page
    assert "mandag 4/1 til søndag 10/1 2027" in page
    assert 'href="/rota/?week=2026-W53"' in page
    assert 'href="/rota/?week=2027-W02"' in page
    assert "Lige nu" not in page


@pytest.mark.parametrize("week", ["2026-W54", "2025-W53", "2026-48", "next", "1999-W10", "2100-W01"])
def test_a_week_that_does_not_exist_or_is_out_of_range_is_not_found(client, counselor_aarhus, week):
    assert sign_in(client, counselor_aarhus).get(WEEK, {"week": week}).status_code == 404


# --- What it shows ----------------------------------------------------------------------------


def test_an_empty_week_is_gaps_everywhere_marked_in_words(client, counselor_aarhus):
    page = sign_in(client, counselor_aarhus).get(f"{WEEK}?week=2027-W10").content.decode()

    assert all(text.startswith("Hul 0 på vagt") for text in cells(page))
    assert "168 timer i denne uge har for få på vagt." in page


def test_a_night_shift_shows_who_covers_each_hour_and_where_the_gaps_are(client, counselor_aarhus, supervisor):
    pattern(counselor_aarhus, 1, "22:00", "06:00")

    page = sign_in(client, supervisor).get(f"{WEEK}?week=2027-W10").content.decode()

    assert cell(page, 1, 22) == "1 på vagt Jonas, Aarhus"
    assert cell(page, 2, 5) == "1 på vagt Jonas, Aarhus"
    assert cell(page, 2, 6).startswith("Hul 0 på vagt")
    assert cell(page, 1, 21).startswith("Hul")
    assert "tirsdag 9/3 22:00–onsdag 10/3 06:00" not in page
    assert "mandag 8/3 00:00–tirsdag 9/3 22:00: ingen på vagt" in page
    assert "onsdag 10/3 06:00–mandag 15/3 00:00: ingen på vagt" in page


def test_a_partial_hour_shows_the_times_and_counts_as_a_gap(client, counselor_aarhus):
    pattern(counselor_aarhus, 0, "08:30", "10:00")

    page = sign_in(client, counselor_aarhus).get(f"{WEEK}?week=2027-W10").content.decode()

    assert cell(page, 0, 8) == "Hul 0 på vagt Jonas, Aarhus (08:30–09:00)"
    assert cell(page, 0, 9) == "1 på vagt Jonas, Aarhus"


def test_the_minimum_comes_from_the_setting(client, counselor_aarhus, counselor_koebenhavn, settings):
    settings.SAMRAAD_ROTA_MINIMUM = 2
    pattern(counselor_aarhus, 0, "08:00", "16:00")
    pattern(counselor_koebenhavn, 0, "12:00", "20:00")

    page = sign_in(client, counselor_aarhus).get(f"{WEEK}?week=2027-W10").content.decode()

    assert cell(page, 0, 9).startswith("Hul 1 på vagt")
    assert cell(page, 0, 13) == "2 på vagt Freja, København Jonas, Aarhus"
    assert "mindst 2 på vagt i hver time" in page
    assert "kun 1 af 2 på vagt" in page


def test_an_illness_cancels_planned_hours_and_the_change_is_listed(client, counselor_aarhus, supervisor):
    pattern(counselor_aarhus, 0, "08:00", "16:00")
    ShiftChange.objects.create(
        staff=counselor_aarhus,
        kind=ShiftChange.Kind.CANCELLATION,
        starts_at=datetime(2027, 3, 8, 12, tzinfo=LOCAL),
        ends_at=datetime(2027, 3, 8, 14, tzinfo=LOCAL),
    )

    page = sign_in(client, supervisor).get(f"{WEEK}?week=2027-W10").content.decode()

    assert [cell(page, 0, hour)[:3] for hour in range(8, 16)] == [
        "1 p",
        "1 p",
        "1 p",
        "1 p",
        "Hul",
        "Hul",
        "1 p",
        "1 p",
    ]
    assert "Aflyst tid (fx sygdom eller ferie)" in page
    assert "mandag 8/3 2027 12:00–mandag 8/3 2027 14:00" in page


def test_the_spring_week_shows_the_hour_that_does_not_exist(client, counselor_aarhus):
    pattern(counselor_aarhus, 5, "22:00", "06:00")

    page = sign_in(client, counselor_aarhus).get(f"{WEEK}?week=2026-W13").content.decode()

    assert cell(page, 6, 2) == "Timen findes ikke: uret stilles frem til sommertid."
    assert [cell(page, 6, hour)[:3] for hour in (0, 1, 3, 4, 5, 6)] == ["1 p", "1 p", "1 p", "1 p", "1 p", "Hul"]


def test_the_autumn_week_shows_the_hour_that_happens_twice(client, counselor_aarhus):
    pattern(counselor_aarhus, 5, "22:00", "06:00")

    page = sign_in(client, counselor_aarhus).get(f"{WEEK}?week=2026-W43").content.decode()

    assert cell(page, 6, 2) == "1 på vagt To timer: uret stilles tilbage til vintertid. Jonas, Aarhus"


def test_someone_no_longer_a_counselor_is_shown_but_not_counted(client, counselor_aarhus, supervisor):
    pattern(counselor_aarhus, 0, "08:00", "16:00")
    counselor_aarhus.is_active = False
    counselor_aarhus.save()

    page = sign_in(client, supervisor).get(f"{WEEK}?week=2027-W10").content.decode()

    assert cell(page, 0, 9).startswith("Hul 0 på vagt")
    assert "Tælles ikke med: ikke længere aktiv rådgiver eller supervisor." in page


def test_right_now_shows_who_is_planned_and_who_is_on_shift_in_the_console(
    client, counselor_aarhus, counselor_koebenhavn, supervisor
):
    now = timezone.now()
    ShiftChange.objects.create(
        staff=counselor_aarhus, kind="extra", starts_at=now - timedelta(hours=2), ends_at=now + timedelta(hours=2)
    )
    Presence.objects.create(user=counselor_koebenhavn, on_shift=True, seen_at=now)

    page = sign_in(client, supervisor).get(WEEK).content.decode()
    right_now = page.split("Lige nu", 1)[1].split("</dl>", 1)[0]

    assert "Planlagt på vagt</dt>\n  <dd>Jonas</dd>" in right_now
    assert "På vagt i konsollen</dt>\n  <dd>Freja</dd>" in right_now


def test_right_now_says_the_chat_takes_letters_when_nobody_is_on_shift(client, counselor_aarhus):
    page = sign_in(client, counselor_aarhus).get(WEEK).content.decode()

    assert "Ingen. Unge får tilbudt et brev i stedet for en chat." in page


def test_in_english_when_chosen(client, counselor_aarhus):
    sign_in(client, counselor_aarhus)
    client.post(reverse("set_language"), {"language": "en", "next": WEEK})

    page = client.get(f"{WEEK}?week=2027-W10").content.decode()

    assert '<html lang="en">' in page
    assert "Rota for week 10, 2027" in page
    assert cells(page)[0].startswith("Gap 0 on shift")


def test_the_table_is_a_named_scrollable_region_with_a_caption(client, counselor_aarhus):
    page = sign_in(client, counselor_aarhus).get(WEEK).content.decode()

    assert re.search(r'<div class="[^"]*table--responsive-scroll[^"]*" tabindex="0" role="region"', page)
    assert '<caption id="rota-caption">' in page
    assert page.count('<th scope="col">') == 8
    assert page.count('<th scope="row">') == 24


def test_the_lists_show_every_pattern_and_the_coming_changes(client, counselor_aarhus, coordinator_aarhus):
    pattern(counselor_aarhus, 2, "09:00", "17:00", valid_until=date(2026, 2, 1))
    now = timezone.now()
    ShiftChange.objects.create(
        staff=counselor_aarhus,
        kind="extra",
        starts_at=now + timedelta(days=1),
        ends_at=now + timedelta(days=1, hours=3),
    )
    ShiftChange.objects.create(
        staff=counselor_aarhus, kind="extra", starts_at=now - timedelta(days=3), ends_at=now - timedelta(days=2)
    )
    sign_in(client, coordinator_aarhus)

    patterns = client.get(reverse("rota:patterns")).content.decode()
    changes = client.get(reverse("rota:changes")).content.decode()

    assert "onsdag 09:00–17:00" in patterns.replace("Onsdag", "onsdag")
    assert changes.count("<strong>Ekstra vagt</strong>") == 1
    assert "/edit" not in patterns and "/delete/" not in changes


def test_a_staff_member_from_another_kind_of_organisation_is_never_listed(client, counselor_aarhus, supervisor):
    caseworker = make_staff("case.worker", counselor_aarhus.organisation, Role.CASEWORKER)

    page = sign_in(client, supervisor).get(reverse("rota:pattern_create")).content.decode()

    staff_choices = page.split('name="staff"', 1)[1].split("</select>", 1)[0]
    assert f'value="{counselor_aarhus.pk}"' in staff_choices
    assert f'value="{supervisor.pk}"' in staff_choices
    assert f'value="{caseworker.pk}"' not in staff_choices
