"""What the pool costs and who pays: staffed hours priced at each organisation's hourly cost, cost
per conversation, and a settlement that shares the pool's cost between municipalities by their young
people's conversations and credits the hours their own counselors gave.

Staffed hours are the spans a counselor was on shift with a console connected (`rota.ShiftSpan`),
cut to the period; a span still open counts until now. A conversation counts for cost when a
counselor answered it (chat or letter); for the settlement it counts for the young person's
municipality, and conversations whose municipality is not stated are shared by everyone in the
same proportion (they are simply left out of the shares).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property
from typing import Any, TypeVar

from django.db.models import Q, Sum
from django.db.models.functions import Coalesce, Greatest, Least
from django.utils import timezone

from samraad.accounts.models import Organisation
from samraad.reports.expressions import Seconds
from samraad.reports.figures import Figures
from samraad.reports.period import Period
from samraad.rota.models import ShiftSpan

ORE = Decimal("0.01")
Key = TypeVar("Key")


def staffed_hours(period: Period, now: datetime | None = None) -> dict[Any, float]:
    """Returns the staffed hours in the period per organisation id, from spans cut to the period."""
    now = now or timezone.now()
    ends = min(period.ends, max(now, period.starts))
    spans = ShiftSpan.objects.filter(Q(ended_at__gt=period.starts) | Q(ended_at=None)).filter(started_at__lt=ends)
    rows = (
        spans.annotate(
            span_starts=Greatest("started_at", period.starts),
            span_ends=Least(Coalesce("ended_at", ends), ends),
        )
        .values("organisation_id")
        .annotate(seconds=Sum(Seconds("span_starts", "span_ends")))
        .order_by()
    )
    return {row["organisation_id"]: max(0.0, row["seconds"] or 0.0) / 3600 for row in rows}


def money(value: Decimal) -> Decimal:
    return value.quantize(ORE, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class OrganisationCost:
    """One organisation's staffed hours in the period, what they cost and what a conversation cost."""

    organisation: Organisation
    hours: float
    answered: int

    @property
    def hourly_cost(self) -> Decimal | None:
        return self.organisation.hourly_cost

    @cached_property
    def cost(self) -> Decimal | None:
        if self.hourly_cost is None:
            return None
        return money(Decimal(str(self.hours)) * self.hourly_cost)

    @cached_property
    def per_conversation(self) -> Decimal | None:
        if self.cost is None or not self.answered:
            return None
        return money(self.cost / self.answered)


@dataclass(frozen=True)
class Costs:
    organisations: list[OrganisationCost]

    @property
    def hours(self) -> float:
        return sum(line.hours for line in self.organisations)

    @cached_property
    def cost(self) -> Decimal:
        """The pool's cost: every priced organisation's staffed hours."""
        return sum((line.cost for line in self.organisations if line.cost is not None), Decimal("0"))

    @property
    def answered(self) -> int:
        return sum(line.answered for line in self.organisations)

    @cached_property
    def per_conversation(self) -> Decimal | None:
        return money(self.cost / self.answered) if self.answered and self.cost else None

    @property
    def unpriced(self) -> list[Organisation]:
        """Organisations that gave hours without an hourly cost: their hours are not in the cost."""
        return [line.organisation for line in self.organisations if line.cost is None and line.hours > 0]


def costs(period: Period, figures: Figures, now: datetime | None = None) -> Costs:
    """Returns the cost of every organisation that gave hours or answered conversations in the period."""
    hours = staffed_hours(period, now)
    answered = {line.organisation.pk: line.answered for line in figures.national_answering if line.organisation}
    organisations = Organisation.objects.in_bulk(set(hours) | set(answered))
    lines = [
        OrganisationCost(organisation=organisation, hours=hours.get(pk, 0.0), answered=answered.get(pk, 0))
        for pk, organisation in organisations.items()
    ]
    lines.sort(key=lambda line: (-line.hours, line.organisation.name))
    return Costs(lines)


@dataclass(frozen=True)
class Settlement:
    """One municipality's part of the pool's cost for a period. A positive balance is what it pays,
    a negative one what it is paid back for hours given beyond its share."""

    conversations: int
    share: Decimal
    credit: Decimal

    @property
    def balance(self) -> Decimal:
        return self.share - self.credit


def share_out(amount: Decimal, weights: Mapping[Key, int]) -> dict[Key, Decimal]:
    """Returns `amount` split in proportion to `weights`, in øre, summing exactly to `amount`
    (rounded to øre): the øre left after rounding down go to the largest remainders."""
    total_weight = sum(weights.values())
    amount = money(amount)
    if total_weight == 0:
        return dict.fromkeys(weights, Decimal("0.00"))
    ore = int(amount / ORE)
    exact = {key: Decimal(ore) * weight / total_weight for key, weight in weights.items()}
    shares = {key: int(value) for key, value in exact.items()}
    left = ore - sum(shares.values())
    for key in sorted(exact, key=lambda key: (shares[key] - exact[key], str(key)))[:left]:
        shares[key] += 1
    return {key: Decimal(value) * ORE for key, value in shares.items()}


def settle(
    pool_cost: Decimal, conversations: Mapping[Key, int], credits: Mapping[Key, Decimal]
) -> dict[Key, Settlement]:
    """Returns each municipality's settlement: its share of `pool_cost` by its `conversations`,
    less the `credits` for the hours its own counselors gave to the pool."""
    shares = share_out(pool_cost, conversations)
    keys = [key for key in conversations if conversations[key]] + [
        key for key in credits if key not in conversations or not conversations[key]
    ]
    return {
        key: Settlement(
            conversations=conversations.get(key, 0),
            share=shares.get(key, Decimal("0.00")),
            credit=money(credits.get(key, Decimal("0"))),
        )
        for key in keys
    }


@dataclass(frozen=True)
class SettlementLine:
    municipality: Organisation
    settlement: Settlement
    hours: float


def settlement(figures: Figures, costs: Costs) -> list[SettlementLine]:
    """Returns the settlement of every municipality with conversations or hours in the period."""
    municipalities = {
        line.organisation.pk: line
        for line in costs.organisations
        if line.organisation.kind == Organisation.Kind.MUNICIPALITY
    }
    credits = {pk: line.cost or Decimal("0") for pk, line in municipalities.items()}
    settled = settle(costs.cost, figures.answered_by_municipality, credits)
    organisations = Organisation.objects.in_bulk(list(settled))
    lines = [
        SettlementLine(
            municipality=organisations[pk],
            settlement=value,
            hours=municipalities[pk].hours if pk in municipalities else 0.0,
        )
        for pk, value in settled.items()
    ]
    lines.sort(key=lambda line: (-line.settlement.balance, line.municipality.name))
    return lines
