from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from django.utils.translation import gettext_lazy as _


def _dkfds_inputs(form: forms.BaseForm) -> None:
    """Gives every input the design system's class; the template does the rest."""
    for field in form.fields.values():
        field.widget.attrs.setdefault("class", "form-input")


class LoginForm(AuthenticationForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _dkfds_inputs(self)


class SecondFactorForm(forms.Form):
    token = forms.CharField(
        label=_("Code"),
        help_text=_("The six digits from your authenticator app, or one of your recovery codes."),
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _dkfds_inputs(self)

    def clean_token(self) -> str:
        return "".join(self.cleaned_data["token"].split()).lower()


class ResetRequestForm(PasswordResetForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _dkfds_inputs(self)


class NewPasswordForm(SetPasswordForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _dkfds_inputs(self)
