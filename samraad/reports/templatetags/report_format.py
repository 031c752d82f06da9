"""How the report pages write numbers: durations in words, shares as percentages, Danish separators."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def duration(seconds: float | None) -> str:
    """Returns seconds as "45 s", "2 min 5 s" or "1 h 20 min"; a dash when there is nothing to show."""
    if seconds is None:
        return "–"
    whole = round(seconds)
    if whole < 60:
        return _("%(seconds)d s") % {"seconds": whole}
    if whole < 3600:
        return _("%(minutes)d min %(seconds)d s") % {"minutes": whole // 60, "seconds": whole % 60}
    return _("%(hours)d h %(minutes)d min") % {"hours": whole // 3600, "minutes": whole % 3600 // 60}


@register.filter
def percent(share: float | None, decimals: int = 0) -> str:
    """Returns a share (0.25) as a percentage ("25 %"), in the current language's notation."""
    if share is None:
        return "–"
    return _("%(number)s %%") % {"number": number_format(share * 100, decimal_pos=decimals)}


@register.filter
def amount(value: float | Decimal | int | None, decimals: int = 0) -> str:
    """Returns a number with the current language's decimal and thousands separators; a dash for none."""
    if value is None:
        return "–"
    return number_format(value, decimal_pos=decimals, force_grouping=True)
