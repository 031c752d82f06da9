"""The reports' choices, read from the address (GET), so every view can be linked and bookmarked."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from samraad.accounts.models import Organisation
from samraad.reports.period import Period

FIRST_DATE = date(2000, 1, 1)
LAST_DATE = date(2099, 12, 31)
# Ten years and a leap day or three: the longest period the pages compute.
LONGEST_PERIOD_DAYS = 3660


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"class": "form-input"}, format="%Y-%m-%d")


def municipality_choices() -> list[tuple[str, Any]]:
    municipalities = Organisation.objects.filter(kind=Organisation.Kind.MUNICIPALITY).order_by("name")
    return [("", _("All municipalities")), *((m.municipality_code or "", m.name) for m in municipalities)]


class PeriodForm(forms.Form):
    """A period of whole days, and for the central service a municipality to look at."""

    first_day = forms.DateField(label=_("From"), widget=_date_input())
    last_day = forms.DateField(label=_("To and including"), widget=_date_input())
    municipality = forms.ChoiceField(
        label=_("Municipality"), required=False, widget=forms.Select(attrs={"class": "form-select"})
    )

    def __init__(self, data: Mapping[str, str], *, choose_municipality: bool) -> None:
        super().__init__(data)
        for name in ("first_day", "last_day"):
            self.fields[name].widget.input_type = "date"
        if choose_municipality:
            self.fields["municipality"].choices = municipality_choices()  # type: ignore[attr-defined]
        else:
            del self.fields["municipality"]

    def _check_range(self, name: str) -> None:
        value = self.cleaned_data.get(name)
        if value is not None and not FIRST_DATE <= value <= LAST_DATE:
            self.add_error(
                name,
                ValidationError(
                    _("Choose a date from %(first)s to %(last)s."),
                    code="date_out_of_range",
                    params={"first": FIRST_DATE.year, "last": LAST_DATE.year},
                ),
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self._check_range("first_day")
        self._check_range("last_day")
        first, last = cleaned.get("first_day"), cleaned.get("last_day")
        if first and last and last < first:
            self.add_error("last_day", ValidationError(_("The last day must not be before the first day."), "order"))
        elif first and last and (last - first).days >= LONGEST_PERIOD_DAYS:
            self.add_error("last_day", ValidationError(_("Choose a period of at most ten years."), "too_long"))
        return cleaned

    def period(self) -> Period:
        """Returns the chosen period; call only on a valid form."""
        return Period(self.cleaned_data["first_day"], self.cleaned_data["last_day"])


def with_defaults(query: Mapping[str, str], defaults: Mapping[str, object]) -> dict[str, str]:
    """Returns the address's choices, with `defaults` for those it leaves out or empty, so a bare
    address shows the default report rather than errors."""
    data = {name: str(value) for name, value in defaults.items()}
    data.update({name: value for name, value in query.items() if value})
    return data


def _number_input(**attrs: Any) -> forms.NumberInput:
    return forms.NumberInput(attrs={"class": "form-input", **attrs})


class StaffingForm(PeriodForm):
    """The period whose arrivals to measure, and the target to staff for."""

    weekly_conversations = forms.IntegerField(
        label=_("Expected chats per week"),
        required=False,
        min_value=1,
        max_value=1_000_000,
        help_text=_("Empty: the chats measured in the period. A number is spread over the week as measured."),
        widget=_number_input(inputmode="numeric"),
    )
    handle_seconds = forms.IntegerField(
        label=_("Mean handling time in seconds"),
        required=False,
        min_value=1,
        max_value=24 * 3600,
        help_text=_("Leave it empty to use the mean measured in the period."),
        widget=_number_input(inputmode="numeric"),
    )
    answer_within = forms.IntegerField(
        label=_("Answer within (seconds)"), min_value=0, max_value=3600, widget=_number_input()
    )
    service_level = forms.IntegerField(
        label=_("Share answered within that time (%)"), min_value=1, max_value=99, widget=_number_input()
    )
    week = forms.CharField(
        label=_("Rota week to compare"),
        required=False,
        help_text=_("Year and week number, e.g. 2026-W48. Empty: this week."),
        widget=forms.TextInput(attrs={"class": "form-input", "type": "week"}),
    )

    def clean_week(self) -> date | None:
        from samraad.rota.coverage import parse_week

        text = self.cleaned_data.get("week") or ""
        if not text:
            return None
        monday = parse_week(text, FIRST_DATE, LAST_DATE)
        if monday is None:
            raise ValidationError(_("Write the week as year and week number, e.g. 2026-W48."), "bad_week")
        return monday
