"""Loads made-up organisations and staff for a demonstration; running it twice changes nothing."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from samraad.accounts.models import Organisation, Role, RoleGrant, User
from samraad.counseling.models import PreparedAnswer

DEMO_PASSWORD = "samraad-demo"  # noqa: S105 - documented, demo mode only

# username, first name, last name, organisation (code or "central"), roles
DEMO_STAFF: list[tuple[str, str, str, str, list[str]]] = [
    ("admin", "Ada", "Andersen", "central", [Role.ADMIN]),
    ("supervisor", "Signe", "Holm", "central", [Role.SUPERVISOR, Role.COUNSELOR]),
    ("raadgiver.central", "Mikkel", "Lund", "central", [Role.COUNSELOR]),
    ("raadgiver.kbh", "Freja", "Nielsen", "0101", [Role.COUNSELOR]),
    ("raadgiver.aarhus", "Jonas", "Poulsen", "0751", [Role.COUNSELOR]),
    ("raadgiver.rksk", "Ida", "Kristensen", "0760", [Role.COUNSELOR]),
    ("koordinator.kbh", "Lars", "Møller", "0101", [Role.COORDINATOR]),
    ("koordinator.aarhus", "Mette", "Jensen", "0751", [Role.COORDINATOR]),
    ("koordinator.rksk", "Henrik", "Sørensen", "0760", [Role.COORDINATOR]),
    ("admin.aarhus", "Karen", "Thomsen", "0751", [Role.ADMIN]),
    ("sagsbehandler.aarhus", "Emil", "Rasmussen", "0751", [Role.CASEWORKER]),
    ("vaerested", "Birgit", "Hansen", "vaerested", [Role.DROP_IN_STAFF]),
]
PARTICIPATING = ["0101", "0751", "0760"]
DEMO_PREPARED_ANSWERS = [
    ("Velkommen", "Hej, og tak fordi du skriver. Jeg er rådgiver her. Hvad fylder for dig lige nu?"),
    ("Tavshedspligt", "Du er anonym her. Jeg kan ikke se, hvem du er, og jeg har tavshedspligt."),
    (
        "Akut fare",
        "Det du skriver, lyder alvorligt. Hvis du er i fare lige nu, så ring 112. Jeg bliver her og skriver med dig.",
    ),
    ("Afslutning", "Tak for snakken. Du er altid velkommen til at skrive igen – vi er her døgnet rundt."),
]


class Command(BaseCommand):
    help = "Loads demo organisations and staff (password: samraad-demo) and prints the logins."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        central, _ = Organisation.objects.get_or_create(
            kind=Organisation.Kind.CENTRAL, name="Samraad – den fælles rådgivning"
        )
        Organisation.objects.filter(municipality_code__in=PARTICIPATING).update(participating=True)
        aarhus = Organisation.objects.get(municipality_code="0751")
        drop_in, _ = Organisation.objects.get_or_create(
            kind=Organisation.Kind.DROP_IN_CENTRE, name="Værestedet Trøjborg", defaults={"municipality": aarhus}
        )
        for organisation in [central, *Organisation.objects.filter(municipality_code__in=PARTICIPATING)]:
            for title, body in DEMO_PREPARED_ANSWERS:
                PreparedAnswer.objects.get_or_create(organisation=organisation, title=title, defaults={"body": body})
        places = {"central": central, "vaerested": drop_in}
        rows = []
        for username, first, last, place, roles in DEMO_STAFF:
            organisation = places.get(place) or Organisation.objects.get(municipality_code=place)
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User(username=username, first_name=first, last_name=last, organisation=organisation)
                user.email = f"{username}@demo.samraad.invalid"
                user.set_password(DEMO_PASSWORD)
                # The platform operator: the central administrator may create organisations too.
                user.is_superuser = username == "admin"
                user.save()
            for role in roles:
                RoleGrant.objects.get_or_create(user=user, role=role)
            rows.append((username, organisation.name, ", ".join(str(Role(r).label) for r in roles)))
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for username, organisation_name, role_names in rows:
            self.stdout.write(f"  {username:<22} {organisation_name} – {role_names}")
