"""The supervisor's forms for weekly shifts and one-off changes. They validate; actions save."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from samraad.accounts.models import User
from samraad.accounts.permissions import staff_planned_by
from samraad.rota.models import ShiftChange, ShiftPattern, rota_pool


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        user: User = obj
        if user.organisation is None:
            return str(user)
        return f"{user} ({user.organisation.name})"


def _time_input() -> forms.TimeInput:
    return forms.TimeInput(attrs={"class": "form-input", "type": "time"}, format="%H:%M")


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"class": "form-input", "type": "date"}, format="%Y-%m-%d")


def _date_time_input() -> forms.DateTimeInput:
    return forms.DateTimeInput(attrs={"class": "form-input", "type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _staff_field() -> StaffChoiceField:
    return StaffChoiceField(
        queryset=rota_pool(),
        label=_("Staff member"),
        help_text=_("Counselors and supervisors from every organisation in the shared service."),
        empty_label=_("Choose a person"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )


class PlannerForm(forms.ModelForm):
    """Offers only the staff whose shifts the planner may plan (`permissions.staff_planned_by`)."""

    staff = _staff_field()

    def __init__(self, *args: Any, planner: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: StaffChoiceField = self.fields["staff"]  # type: ignore[assignment]
        field.queryset = rota_pool().filter(staff_planned_by(planner))


class PatternForm(PlannerForm):
    class Meta:
        model = ShiftPattern
        fields = ["staff", "weekday", "starts_at", "ends_at", "valid_from", "valid_until"]
        widgets = {
            "weekday": forms.Select(attrs={"class": "form-select"}),
            "starts_at": _time_input(),
            "ends_at": _time_input(),
            "valid_from": _date_input(),
            "valid_until": _date_input(),
        }


class ChangeForm(PlannerForm):
    class Meta:
        model = ShiftChange
        fields = ["staff", "kind", "starts_at", "ends_at"]
        widgets = {
            "kind": forms.RadioSelect(attrs={"class": "form-radio"}),
            "starts_at": _date_time_input(),
            "ends_at": _date_time_input(),
        }
        help_texts = {
            "starts_at": _("Date and time, Danish time."),
            "ends_at": _("Date and time, Danish time. Must be after the start."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A radio group has no empty choice: the first is "extra shift".
        self.fields["kind"].choices = ShiftChange.Kind.choices  # type: ignore[attr-defined]
