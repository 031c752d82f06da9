"""Ten years of a national service in a database of its own, then the report pages timed on it.

Generates `--conversations` (1,000,000) conversations over `--years` (10) across all 98
municipalities, weighted by population, with an hour-of-week pattern that is quiet in the morning
and busiest in the evening and at night; chats and letters, answered and abandoned, topics, triage
levels, ratings and the organisation that answered; and the counselors' staffed spans, priced at
an hourly cost per organisation. Rows go in with bulk inserts.

Then it signs in a supervisor of the central service through Django's test client and times each
report page for the last whole year, all municipalities, and prints one JSON line.

    .venv/bin/python bench/report_data.py                          # SQLite in /tmp/samraad-reports-bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/samraad_bench .venv/bin/python bench/report_data.py
    .venv/bin/python bench/report_data.py --keep                   # time again without generating

The database is emptied of conversations and spans first, unless `--keep`. Never point it at a
database you care about.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SAMRAAD_VAR_DIR", str(Path(tempfile.gettempdir()) / "samraad-reports-bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samraad.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("SAMRAAD_HTTPS", "0")
os.environ.setdefault("DEBUG", "0")

import django  # noqa: E402

django.setup()
# Each timed request signs nobody in; the sign-ins before them need not fill the terminal.
logging.getLogger("axes").setLevel(logging.WARNING)

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django_otp import DEVICE_ID_SESSION_KEY  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402

from samraad.accounts.models import Organisation, Role, RoleGrant, User  # noqa: E402
from samraad.counseling.models import Conversation, Level, Topic  # noqa: E402
from samraad.rota.coverage import LOCAL  # noqa: E402
from samraad.rota.models import ShiftSpan  # noqa: E402

# Inhabitants in thousands, rounded (Statistics Denmark, about 2024): only the weights matter.
POPULATION = {
    "0101": 660, "0147": 105, "0151": 52, "0153": 39, "0155": 15, "0157": 75, "0159": 70, "0161": 24,
    "0163": 30, "0165": 28, "0167": 54, "0169": 57, "0173": 57, "0175": 41, "0183": 24, "0185": 44,
    "0187": 17, "0190": 42, "0201": 26, "0210": 41, "0217": 64, "0219": 53, "0223": 25, "0230": 57,
    "0240": 44, "0250": 46, "0253": 51, "0259": 62, "0260": 32, "0265": 90, "0269": 24, "0270": 42,
    "0306": 33, "0316": 73, "0320": 38, "0326": 49, "0329": 36, "0330": 80, "0336": 23, "0340": 30,
    "0350": 29, "0360": 40, "0370": 84, "0376": 60, "0390": 46, "0400": 39, "0410": 40, "0420": 41,
    "0430": 52, "0440": 24, "0450": 32, "0461": 207, "0479": 59, "0480": 30, "0482": 12, "0492": 6,
    "0510": 55, "0530": 27, "0540": 74, "0550": 37, "0561": 116, "0563": 3.5, "0573": 50, "0575": 43,
    "0580": 59, "0607": 52, "0615": 97, "0621": 95, "0630": 120, "0657": 90, "0661": 59, "0665": 19,
    "0671": 21, "0706": 44, "0707": 37, "0710": 50, "0727": 23, "0730": 99, "0740": 100, "0741": 3.7,
    "0746": 64, "0751": 367, "0756": 42, "0760": 56, "0766": 47, "0773": 20, "0779": 46, "0787": 43,
    "0791": 98, "0810": 36, "0813": 58, "0820": 36, "0825": 1.8, "0840": 31, "0846": 42, "0849": 38,
    "0851": 222, "0860": 64,
}  # fmt: skip
# Arrivals by hour of the day (Copenhagen time): quiet in the morning, busiest in the evening, and
# still busy past midnight, as youth lines report. Weekends are a little busier at night.
HOUR_WEIGHTS = [6, 4, 3, 2, 1, 1, 1, 1, 2, 2, 3, 3, 4, 4, 5, 6, 7, 8, 10, 12, 14, 15, 14, 10]
WEEKDAY_WEIGHTS = [1.0, 1.0, 1.0, 1.0, 0.95, 0.9, 1.1]
NOT_STATED = 0.08
LETTERS = 0.10
ABANDONED = 0.07
RATED = 0.30
TOPIC_WEIGHTS = {
    Topic.FAMILY: 14, Topic.FRIENDS: 12, Topic.LOVE: 10, Topic.SCHOOL: 9, Topic.BODY: 6, Topic.FEELINGS: 20,
    Topic.SELF_HARM: 5, Topic.ABUSE: 4, Topic.ONLINE: 5, Topic.ALCOHOL_DRUGS: 3, Topic.OTHER: 4, "": 8,
}  # fmt: skip
SHIFTS = [(0, 8), (8, 16), (16, 24)]
# Counselors on shift in each of the day's three shifts: a rota planned for the pattern above.
ON_SHIFT = [5, 4, 9]
BATCH = 5_000
RETENTION = timedelta(days=180)


def reset(keep: bool) -> None:
    call_command("migrate", verbosity=0)
    if keep and connection.vendor == "sqlite":
        # Time as a fresh installation would run: the app gathers SQLite's statistics itself.
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS sqlite_stat1")
    # The pages name their static files by the manifest collectstatic writes.
    call_command("collectstatic", interactive=False, verbosity=0)
    if keep:
        return
    with transaction.atomic():
        ShiftSpan.objects.all().delete()
        Conversation.objects.all().delete()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM")


def organisations(rng: random.Random) -> tuple[Organisation, list[Organisation], list[float], dict[Any, User]]:
    municipalities = list(
        Organisation.objects.filter(kind=Organisation.Kind.MUNICIPALITY).order_by("municipality_code")
    )
    central = Organisation.objects.filter(kind=Organisation.Kind.CENTRAL).first() or Organisation.objects.create(
        kind=Organisation.Kind.CENTRAL, name="Samraad central"
    )
    for organisation in [central, *municipalities]:
        organisation.participating = True
        organisation.hourly_cost = Decimal(rng.randrange(380, 560, 5))
    Organisation.objects.bulk_update([central, *municipalities], ["participating", "hourly_cost"])
    counselors = {}
    for organisation in [central, *municipalities]:
        username = f"bench.{organisation.municipality_code or 'central'}"
        counselors[organisation.pk], _ = User.objects.get_or_create(
            username=username, defaults={"organisation": organisation}
        )
    weights = [POPULATION[organisation.municipality_code or ""] for organisation in municipalities]
    return central, municipalities, weights, counselors


def instants(count: int, first_day: date, days: int, rng: random.Random) -> list[datetime]:
    """`count` opening times over `days` from `first_day`, with the hour-of-week pattern and a
    service that grows a little every year."""
    hour_weights = [WEEKDAY_WEIGHTS[weekday] * weight for weekday in range(7) for weight in HOUR_WEIGHTS]
    day_weights = [1.0 + 0.06 * offset / 365 for offset in range(days)]
    picked_days = rng.choices(range(days), weights=day_weights, k=count)
    picked = []
    for offset in picked_days:
        day = first_day + timedelta(days=offset)
        hour = rng.choices(range(24), weights=hour_weights[day.weekday() * 24 : day.weekday() * 24 + 24])[0]
        local = datetime(day.year, day.month, day.day, hour, tzinfo=LOCAL) + timedelta(seconds=rng.randrange(3600))
        picked.append(local.astimezone(UTC))
    picked.sort()
    return picked


def conversation(
    index: int,
    opened: datetime,
    now: datetime,
    rng: random.Random,
    central: Organisation,
    municipalities: list[Organisation],
    weights: list[float],
) -> Conversation:
    municipality = None if rng.random() < NOT_STATED else rng.choices(municipalities, weights=weights)[0]
    kind = Conversation.Kind.LETTER if rng.random() < LETTERS else Conversation.Kind.CHAT
    assigned: datetime | None = None
    answered_by = None
    if kind == Conversation.Kind.CHAT and rng.random() < ABANDONED:
        state = Conversation.State.ABANDONED
        ended = opened + timedelta(seconds=rng.uniform(20, 600))
    else:
        state = Conversation.State.ENDED
        wait = rng.expovariate(1 / 45) if kind == Conversation.Kind.CHAT else rng.uniform(3600, 30 * 3600)
        assigned = opened + timedelta(seconds=wait)
        handle = rng.lognormvariate(7.0, 0.5) if kind == Conversation.Kind.CHAT else rng.uniform(300, 1800)
        ended = assigned + timedelta(seconds=handle)
        draw = rng.random()
        if municipality is not None and draw < 0.4:
            answered_by = municipality
        elif draw < 0.75:
            answered_by = central
        else:
            answered_by = rng.choices(municipalities, weights=weights)[0]
    level = rng.choices([Level.NORMAL, Level.ELEVATED, Level.CRITICAL], weights=[85, 12, 3])[0]
    rated = state == Conversation.State.ENDED and rng.random() < RATED
    rating = rng.choices([1, 2, 3, 4, 5], weights=[3, 5, 15, 35, 42])[0] if rated else None
    return Conversation(
        id=uuid.UUID(int=rng.getrandbits(128), version=4),
        kind=kind,
        state=state,
        municipality=municipality,
        topic=rng.choices(list(TOPIC_WEIGHTS), weights=list(TOPIC_WEIGHTS.values()))[0],
        triage_level=level,
        token_hash=f"bench-token-{index}",
        resume_code_hash=f"bench-code-{index}",
        answered_by=answered_by,
        created_at=opened,
        updated_at=ended or opened,
        queued_at=opened,
        assigned_at=assigned,
        ended_at=ended,
        rating=rating,
        # Retention has long since deleted the words of all but the last half year.
        purged_at=ended + RETENTION if ended + RETENTION < now else None,
    )


def generate(count: int, years: int, seed: int) -> dict[str, float]:
    rng = random.Random(seed)
    central, municipalities, weights, counselors = organisations(rng)
    today = datetime.now(LOCAL).date()
    first_day = date(today.year - years, 1, 1)
    days = (date(today.year, 1, 1) - first_day).days
    started = time.perf_counter()
    now = datetime.now(UTC)
    opened = instants(count, first_day, days, rng)
    # Rows carry their own times: the bench writes history, not the present.
    created_at, updated_at = Conversation._meta.get_field("created_at"), Conversation._meta.get_field("updated_at")
    created_at.auto_now_add = updated_at.auto_now = False
    try:
        for start in range(0, count, BATCH):
            rows = [
                conversation(index, opened[index], now, rng, central, municipalities, weights)
                for index in range(start, min(count, start + BATCH))
            ]
            with transaction.atomic():
                Conversation.objects.bulk_create(rows, batch_size=BATCH)
    finally:
        created_at.auto_now_add = updated_at.auto_now = True
    conversations_s = time.perf_counter() - started
    started = time.perf_counter()
    organisations_by_weight = [central, *municipalities]
    span_weights = [sum(weights) * 0.6, *weights]
    spans = []
    for offset in range(days):
        day = first_day + timedelta(days=offset)
        for (starts, ends), staffed in zip(SHIFTS, ON_SHIFT, strict=True):
            shift_starts = datetime(day.year, day.month, day.day, starts, tzinfo=LOCAL)
            shift_ends = shift_starts + timedelta(hours=ends - starts)
            for organisation in rng.choices(organisations_by_weight, weights=span_weights, k=staffed):
                spans.append(
                    ShiftSpan(
                        user=counselors[organisation.pk],
                        organisation=organisation,
                        started_at=shift_starts.astimezone(UTC),
                        ended_at=shift_ends.astimezone(UTC),
                    )
                )
    with transaction.atomic():
        ShiftSpan.objects.bulk_create(spans, batch_size=BATCH)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # What autovacuum does after a bulk load, so index-only scans can skip the table.
            cursor.execute("VACUUM ANALYZE")
        else:
            # The app keeps SQLite's statistics itself (samraad/reports/planner.py); start without.
            cursor.execute("DROP TABLE IF EXISTS sqlite_stat1")
    return {"conversations_s": round(conversations_s, 1), "spans_s": round(time.perf_counter() - started, 1)}


def signed_in_client(username: str, organisation: Organisation, role: str) -> Client:
    user, _ = User.objects.get_or_create(username=username, defaults={"organisation": organisation})
    RoleGrant.objects.get_or_create(user=user, role=role)
    client = Client()
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="bench", confirmed=True
    )
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def timed(client: Client, url: str, repeats: int) -> dict[str, float]:
    durations = []
    for _ in range(repeats):
        started = time.perf_counter()
        response = client.get(url)
        durations.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
    return {"first_s": round(durations[0], 3), "median_s": round(statistics.median(durations), 3)}


def time_pages(repeats: int) -> dict[str, dict[str, float]]:
    central = Organisation.objects.get(kind=Organisation.Kind.CENTRAL)
    aarhus = Organisation.objects.get(municipality_code="0751")
    national = signed_in_client("bench.supervisor", central, Role.SUPERVISOR)
    coordinator = signed_in_client("bench.coordinator", aarhus, Role.COORDINATOR)
    last_year = datetime.now(LOCAL).year - 1
    year = f"first_day={last_year}-01-01&last_day={last_year}-12-31"
    pages = {
        "report_all": (national, f"/reports/?{year}"),
        "report_aarhus_by_coordinator": (coordinator, f"/reports/?{year}"),
        "report_print_all": (national, f"/reports/?{year}&print=1"),
        "csv_municipalities_all": (national, f"/reports/csv/municipalities/?{year}"),
        "csv_settlement_all": (national, f"/reports/csv/settlement/?{year}"),
        "staffing_all": (national, f"/reports/staffing/?{year}"),
        "staffing_csv_hours_all": (national, f"/reports/staffing/csv/staffing-hours/?{year}"),
    }
    # One request to the start page first, so the timings are of the reports, not of a process
    # loading its templates and translations.
    for client in (national, coordinator):
        client.get("/staff/")
    return {name: timed(client, url, repeats) for name, (client, url) in pages.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--conversations", type=int, default=1_000_000)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="time the pages on the data already there")
    arguments = parser.parse_args()

    reset(arguments.keep)
    generated = {} if arguments.keep else generate(arguments.conversations, arguments.years, arguments.seed)
    result = {
        "database": connection.vendor,
        "conversations": Conversation.objects.count(),
        "spans": ShiftSpan.objects.count(),
        "generate": generated,
        "pages": time_pages(arguments.repeats),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
