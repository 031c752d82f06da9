"""Every staff sign-in needs a second factor, except in demo mode."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers

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


class NoStoreWhenSignedInMiddleware:
    """Sends `Cache-Control: no-store` with every answer to a signed-in request (password only or
    both factors, also the answer that signs out), whatever the view chose, so neither a shared
    cache nor the browser keeps a staff page, a CSV or an API answer. Answers to anonymous
    requests keep the caching their views chose (the widget's script is public for an hour)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Read before the view, so signing out counts; the session is only opened when the browser
        # sent a session cookie, so an anonymous first visit is not made to vary by cookie.
        signed_in = settings.SESSION_COOKIE_NAME in request.COOKIES and SESSION_KEY in request.session
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if signed_in or (user is not None and user.is_authenticated):
            # Replaced, not merged: `public, max-age=3600, no-store` would leave a cache to choose.
            del response["Cache-Control"]
            del response["Expires"]
            add_never_cache_headers(response)
        return response
