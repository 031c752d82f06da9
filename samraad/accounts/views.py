"""Sign-in, the second factor, the staff start page and organisation pages."""

from __future__ import annotations

import base64
from typing import Any

import django_otp
import segno
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from samraad.accounts import actions, lockout
from samraad.accounts.forms import LoginForm, NewPasswordForm, ResetRequestForm, SecondFactorForm
from samraad.accounts.middleware import needs_second_factor
from samraad.accounts.permissions import Perm, can, get_organisation_for
from samraad.accounts.start import sections_for


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        if settings.SAMRAAD_DEMO:  # the password is every factor there is
            _remember_source(self.request)
        return response


def _remember_source(request: HttpRequest) -> None:
    actions.do_remember_sign_in_source(request.user, lockout.source_of(request), timezone.now())  # type: ignore[arg-type]


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return str(reverse_lazy("accounts:start"))


@never_cache
@sensitive_post_parameters("token")
@login_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """The second step of sign-in: a code from the authenticator or a recovery code."""
    if not needs_second_factor(request):
        return redirect(_next_url(request))
    if not django_otp.user_has_device(request.user):
        return redirect("accounts:two_factor_setup")
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = django_otp.match_token(request.user, form.cleaned_data["token"])
        if device is not None:
            request.session.cycle_key()
            django_otp.login(request, device)
            _remember_source(request)
            return redirect(_next_url(request))
        form.add_error("token", _("That code is not valid. Try the newest code from your app."))
    return render(request, "accounts/verify.html", {"form": form, "next": _next_url(request)})


@never_cache
@sensitive_post_parameters("token")
@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Enrolment of an authenticator app; ends by showing the recovery codes once."""
    if django_otp.user_has_device(request.user) and needs_second_factor(request):
        # Replacing an authenticator needs the current one first.
        return redirect("accounts:verify")
    device = actions.check_pending_authenticator(request.user)  # type: ignore[arg-type]
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        confirmed = actions.do_confirm_authenticator(request.user, form.cleaned_data["token"])  # type: ignore[arg-type]
        if confirmed is not None:
            authenticator, codes = confirmed
            request.session.cycle_key()
            django_otp.login(request, authenticator)
            _remember_source(request)
            return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": _next_url(request)})
        form.add_error("token", _("That code is not valid. Check the time on your phone and try again."))
    secret = base64.b32encode(device.bin_key).decode("ascii")
    qr_svg = segno.make(device.config_url, error="m").svg_inline(scale=5, dark="#000", light="#fff")
    context = {
        "form": form,
        # segno writes the SVG itself from the URL; nothing of the user's input reaches it.
        "qr_svg": mark_safe(qr_svg),  # noqa: S308
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        "next": _next_url(request),
    }
    return render(request, "accounts/two_factor_setup.html", context)


@never_cache
@login_required
@require_http_methods(["POST"])
def new_recovery_codes(request: HttpRequest) -> HttpResponse:
    codes = actions.do_replace_recovery_codes(request.user)  # type: ignore[arg-type]
    return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": _next_url(request)})


class LogoutView(auth_views.LogoutView):
    template_name = "accounts/logged_out.html"


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    form_class = ResetRequestForm
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    form_class = NewPasswordForm
    success_url = reverse_lazy("accounts:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


def _staff_only(request: HttpRequest) -> None:
    if not can(request.user, Perm.SEE_STAFF_PAGES):
        raise PermissionDenied


@login_required
def start(request: HttpRequest) -> HttpResponse:
    """The staff start page: what the signed-in person's roles give them."""
    _staff_only(request)
    context: dict[str, Any] = {"sections": sections_for(request.user)}  # type: ignore[arg-type]
    return render(request, "accounts/start.html", context)


@login_required
def organisation_detail(request: HttpRequest, organisation_id: str) -> HttpResponse:
    _staff_only(request)
    organisation = get_organisation_for(request.user, organisation_id)
    staff = None
    if can(request.user, Perm.ADMINISTER_ORGANISATION, organisation):
        staff = organisation.staff.prefetch_related("role_grants").order_by("username")
    context = {"organisation": organisation, "staff": staff}
    return render(request, "accounts/organisation_detail.html", context)
