"""Every staff sign-in needs a second factor, except in demo mode."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

# Reachable between password and second factor: the steps themselves and leaving.
_OPEN_URL_NAMES = (
    "accounts:login",
    "accounts:verify",
    "accounts:two_factor_setup",
    "accounts:logout",
    "set_language",
)


def needs_second_factor(request: HttpRequest) -> bool:
    """Returns whether the signed-in person still has to give a second factor."""
    user = request.user
    if settings.SAMRAAD_DEMO or not user.is_authenticated:
        return False
    return not user.is_verified()  # type: ignore[attr-defined]


class SecondFactorMiddleware:
    """Sends a half-signed-in person to the second-factor step; elsewhere they are anonymous."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if needs_second_factor(request) and not self._is_open(request.path):
            if request.path.startswith(("/api/", "/static/")):
                # No redirect for machines: the request simply carries no sign-in.
                request.user = AnonymousUser()
            else:
                return self._redirect_to_second_factor(request)
        return self.get_response(request)

    @staticmethod
    def _is_open(path: str) -> bool:
        return any(path == reverse(name) for name in _OPEN_URL_NAMES)

    @staticmethod
    def _redirect_to_second_factor(request: HttpRequest) -> HttpResponse:
        from django_otp import user_has_device

        step = "accounts:verify" if user_has_device(request.user) else "accounts:two_factor_setup"
        query = urlencode({"next": request.get_full_path()})
        return HttpResponseRedirect(f"{reverse(step)}?{query}")
