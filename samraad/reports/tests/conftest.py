"""A small, hand-built March 2025 whose every number is known: nine conversations in the period
and two just outside, including an abandoned chat, a letter, a transfer, a chat across midnight
and one across the change to summer time (Sunday 30 March, 02:00 became 03:00).

| # | young person | opened (Copenhagen)  | kind   | what happened                                   | answered by |
|---|--------------|----------------------|--------|-------------------------------------------------|-------------|
| 1 | Aarhus       | Mon 3 Mar 10:00      | chat   | wait 30 s, 20 min, topic family, rating 5       | Aarhus      |
| 2 | Aarhus       | Tue 4 Mar 22:00      | chat   | wait 90 s, 40 min, feelings, elevated, rating 4 | central     |
| 3 | Aarhus       | Wed 5 Mar 23:50      | chat   | left after 5 min waiting, self-harm, critical   | –           |
| 4 | Aarhus       | Thu 6 Mar 03:00      | letter | answered the next day, topic school             | Aarhus      |
| 5 | København    | Fri 7 Mar 23:55      | chat   | wait 10 s, ends 00:25 on Saturday, love, 5      | København   |
| 6 | København    | Sun 30 Mar 01:50 CET | chat   | wait 20 s, ends 03:10 summer time, feelings     | central     |
| 7 | not stated   | Mon 10 Mar 14:00     | chat   | wait 45 s, transferred to central, 60 min, 3    | Aarhus      |
| 8 | Aarhus       | Sat 1 Mar 00:30      | chat   | wait 300 s, 10 min, family (Friday in UTC)      | Aarhus      |
| 9 | København    | Sun 30 Mar 03:05     | chat   | left after 2 min waiting (summer time)          | –           |
| – | Aarhus       | Tue 1 Apr 00:10      | chat   | outside: March in UTC, April in Copenhagen      | Aarhus      |
| – | Aarhus       | Fri 28 Feb 23:30     | chat   | outside: before the period                      | Aarhus      |

Staffed hours: Aarhus 10 (one span cut by the period's start), central 15 (one night across the
change to summer time: 7 real hours), København 4. Hourly cost: Aarhus 400, central 500,
København 450 kr.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from conftest import make_staff
from samraad.accounts.models import Organisation, Role, User
from samraad.counseling.models import Conversation, Level, Message
from samraad.reports.period import Period
from samraad.rota.models import ShiftSpan

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
MARCH = Period(date(2025, 3, 1), date(2025, 3, 31))


def local(year: int, month: int, day: int, hour: int, minute: int = 0, *, fold: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=COPENHAGEN, fold=fold)


def conversation(
    *,
    municipality: Organisation | None,
    opened: datetime,
    kind: str = Conversation.Kind.CHAT,
    wait_s: float | None = None,
    ends_after_s: float | None = None,
    ended_at: datetime | None = None,
    abandoned_after_s: float | None = None,
    answered_by: Organisation | None = None,
    counselor: User | None = None,
    topic: str = "",
    level: int = Level.NORMAL,
    rating: int | None = None,
) -> Conversation:
    """Creates a conversation whose facts are as given; times are set after saving, since
    `created_at` is written by the database's clock on insert."""
    assigned = opened + timedelta(seconds=wait_s) if wait_s is not None else None
    state = Conversation.State.WAITING
    ended = ended_at
    if abandoned_after_s is not None:
        state, ended = Conversation.State.ABANDONED, opened + timedelta(seconds=abandoned_after_s)
    elif assigned is not None:
        state = Conversation.State.ENDED
        if ended is None and ends_after_s is not None:
            ended = assigned + timedelta(seconds=ends_after_s)
    row = Conversation.objects.create(
        kind=kind,
        state=state,
        municipality=municipality,
        topic=topic,
        triage_level=level,
        rating=rating,
        token_hash=f"token-{opened.isoformat()}-{topic}-{kind}",
        resume_code_hash=f"code-{opened.isoformat()}-{topic}-{kind}",
        answered_by=answered_by,
        counselor=counselor,
    )
    Conversation.objects.filter(pk=row.pk).update(
        created_at=opened, queued_at=opened, assigned_at=assigned, ended_at=ended
    )
    # Words that the retention purge deletes; the reports must not need them.
    Message.objects.create(conversation=row, seq=1, sender=Conversation.Side.YOUNG, body="Hej, jeg har det svært")
    row.refresh_from_db()
    return row


def span(user: User, starts: datetime, ends: datetime | None) -> ShiftSpan:
    assert user.organisation is not None
    return ShiftSpan.objects.create(user=user, organisation=user.organisation, started_at=starts, ended_at=ends)


@dataclass
class March:
    central: Organisation
    aarhus: Organisation
    koebenhavn: Organisation
    rows: list[Conversation]


@pytest.fixture
def march(central: Organisation, aarhus: Organisation, koebenhavn: Organisation) -> March:
    counselor_central = make_staff("mikkel.central", central, Role.COUNSELOR)
    counselor_aarhus = make_staff("anders.aarhus", aarhus, Role.COUNSELOR)
    counselor_kbh = make_staff("ida.kbh", koebenhavn, Role.COUNSELOR)
    for organisation, cost in ((aarhus, "400"), (central, "500"), (koebenhavn, "450")):
        organisation.hourly_cost = Decimal(cost)
        organisation.save(update_fields=["hourly_cost"])

    rows = [
        conversation(
            municipality=aarhus,
            opened=local(2025, 3, 3, 10),
            wait_s=30,
            ends_after_s=1200,
            answered_by=aarhus,
            counselor=counselor_aarhus,
            topic="family",
            rating=5,
        ),
        conversation(
            municipality=aarhus,
            opened=local(2025, 3, 4, 22),
            wait_s=90,
            ends_after_s=2400,
            answered_by=central,
            counselor=counselor_central,
            topic="feelings",
            level=Level.ELEVATED,
            rating=4,
        ),
        conversation(
            municipality=aarhus,
            opened=local(2025, 3, 5, 23, 50),
            abandoned_after_s=300,
            topic="self_harm",
            level=Level.CRITICAL,
        ),
        conversation(
            municipality=aarhus,
            opened=local(2025, 3, 6, 3),
            kind=Conversation.Kind.LETTER,
            wait_s=86_400,
            ends_after_s=600,
            answered_by=aarhus,
            counselor=counselor_aarhus,
            topic="school",
        ),
        conversation(
            municipality=koebenhavn,
            opened=local(2025, 3, 7, 23, 55),
            wait_s=10,
            ended_at=local(2025, 3, 8, 0, 25),
            answered_by=koebenhavn,
            counselor=counselor_kbh,
            topic="love",
            rating=5,
        ),
        conversation(
            municipality=koebenhavn,
            opened=local(2025, 3, 30, 1, 50),
            wait_s=20,
            ended_at=local(2025, 3, 30, 3, 10),
            answered_by=central,
            counselor=counselor_central,
            topic="feelings",
        ),
        # Answered in Aarhus, then handed to a counselor of the central service: Aarhus keeps it.
        conversation(
            municipality=None,
            opened=local(2025, 3, 10, 14),
            wait_s=45,
            ends_after_s=3600,
            answered_by=aarhus,
            counselor=counselor_central,
            rating=3,
        ),
        conversation(
            municipality=aarhus,
            opened=local(2025, 3, 1, 0, 30),
            wait_s=300,
            ends_after_s=600,
            answered_by=aarhus,
            counselor=counselor_aarhus,
            topic="family",
        ),
        conversation(municipality=koebenhavn, opened=local(2025, 3, 30, 3, 5), abandoned_after_s=120),
    ]
    for outside in (local(2025, 4, 1, 0, 10), local(2025, 2, 28, 23, 30)):
        conversation(
            municipality=aarhus,
            opened=outside,
            wait_s=5,
            ends_after_s=60,
            answered_by=aarhus,
            counselor=counselor_aarhus,
            topic="family",
            rating=1,
        )

    span(counselor_aarhus, local(2025, 3, 3, 8), local(2025, 3, 3, 16))
    span(counselor_aarhus, local(2025, 2, 28, 20), local(2025, 3, 1, 2))
    span(counselor_central, local(2025, 3, 4, 20), local(2025, 3, 5, 4))
    span(counselor_central, local(2025, 3, 30, 0), local(2025, 3, 30, 8))
    span(counselor_kbh, local(2025, 3, 7, 22), local(2025, 3, 8, 2))
    span(counselor_kbh, local(2025, 4, 2, 22), local(2025, 4, 3, 2))  # outside the period
    return March(central=central, aarhus=aarhus, koebenhavn=koebenhavn, rows=rows)
