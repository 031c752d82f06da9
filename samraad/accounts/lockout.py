"""Password guessing, slowed without letting anyone lock a colleague out.

Two rules, enforced through django-axes (this module's handler is `AXES_HANDLER`):

- **The pair.** A username and a source address together are locked for `AXES_COOLOFF_TIME` after
  `AXES_FAILURE_LIMIT` failures (`AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]`). Guessing
  from one place locks only that place out of that account.
- **The account.** Failures at one username are also counted across every source
  (`AccountFailures`). Beyond `AXES_FAILURE_LIMIT` of them, a source the person has not recently
  signed in from with every factor (`KnownSource`) must wait after the latest failure: 1 s, doubling
  with each further failure, at most `SAMRAAD_SIGN_IN_DELAY_CAP_S`. A known source never waits, so
  the right password from the person's own machine keeps working while someone guesses elsewhere.

An attempt refused by either rule checks no password. One refused for the account's delay counts
nowhere, so hammering during the delay does not lengthen it. The count is forgotten after a day
without failures; a successful sign-in does not reset it, or each sign-in would hand a guesser a
fresh set of fast guesses.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_ip_address, get_client_username, get_cool_off
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.crypto import salted_hmac

from samraad.accounts.models import AccountFailures, KnownSource, User

# An account's failures are forgotten after this long without one.
FORGET_FAILURES_AFTER = timedelta(days=1)
# 2**40 seconds is some 35,000 years: any cap is reached long before, and larger powers of two
# would overflow `timedelta`.
_LARGEST_EXPONENT = 40


def account_delay(failures: int, *, free: int, cap: timedelta) -> timedelta:
    """Returns how long after the latest failure an unknown source waits before it may try an
    account that has had `failures` failures: nothing below `free`, then 1 s at `free`, doubling
    with each further failure, never more than `cap`."""
    if failures < free:
        return timedelta(0)
    exponent = failures - free
    if exponent >= _LARGEST_EXPONENT:
        return cap
    return min(timedelta(seconds=2**exponent), cap)


def source_of(request: HttpRequest) -> str | None:
    """Returns the address a request comes from, as django-axes reads it (the direct peer only)."""
    return get_client_ip_address(request)


def source_hash(user_id: int, address: str) -> str:
    """Returns the keyed hash a known source is stored as: of the person and the address together,
    so the same address is not recognisable across people, nor an address found by trying them all
    without the installation's secret key."""
    return salted_hmac("samraad.accounts.lockout.source", f"{user_id}:{address}", algorithm="sha256").hexdigest()


def is_known_source(username: str, address: str | None, now: datetime) -> bool:
    """Returns whether the person with `username` signed in with every factor from `address` within
    the last `SAMRAAD_KNOWN_SOURCE_DAYS`."""
    if not address:
        return False
    user = User.objects.filter(username=username).only("pk").first()
    if user is None:
        return False
    since = now - timedelta(days=settings.SAMRAAD_KNOWN_SOURCE_DAYS)
    return KnownSource.objects.filter(
        user=user, address_hash=source_hash(user.pk, address), last_sign_in_at__gte=since
    ).exists()


def time_to_wait(username: str, address: str | None, now: datetime) -> timedelta:
    """Returns how long the source `address` must still wait before it may try `username`; zero
    when it may try now."""
    counted = AccountFailures.objects.filter(username=username).first()
    if counted is None or now - counted.last_failure_at >= FORGET_FAILURES_AFTER:
        return timedelta(0)
    delay = account_delay(
        counted.failures,
        free=settings.AXES_FAILURE_LIMIT,
        cap=timedelta(seconds=settings.SAMRAAD_SIGN_IN_DELAY_CAP_S),
    )
    remaining = counted.last_failure_at + delay - now
    if remaining <= timedelta(0) or is_known_source(username, address, now):
        return timedelta(0)
    return remaining


class SamraadAxesHandler(AxesDatabaseHandler):
    """django-axes' database handler (the pair's lock) with the account's delay added."""

    def is_locked(self, request: Any, credentials: dict[str, Any] | None = None) -> bool:
        if super().is_locked(request, credentials):
            request.samraad_refused = True
            return True
        username = get_client_username(request, credentials)
        if not username:
            return False
        wait = time_to_wait(username, request.axes_ip_address, request.axes_attempt_time)
        if wait <= timedelta(0):
            return False
        request.samraad_refused = True
        request.samraad_retry_after = wait
        return True

    def user_login_failed(self, sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
        if request is not None and getattr(request, "samraad_retry_after", None) is not None:
            # Refused for the account's delay before any password was checked: not a guess.
            request.axes_locked_out = True
            request.axes_credentials = credentials
            return
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is None or getattr(request, "samraad_refused", False):
            return
        username = get_client_username(request, credentials)
        if username:
            # Imported here: the actions module imports this one.
            from samraad.accounts import actions

            actions.do_count_failed_sign_in(username, request.axes_attempt_time)


def refusal(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict[str, Any] | None = None
) -> HttpResponse:
    """The answer to a refused sign-in (`AXES_LOCKOUT_CALLABLE`): 429, saying how long to wait."""
    wait: timedelta | None = getattr(request, "samraad_retry_after", None)
    cool_off = get_cool_off(request)
    context = {
        "retry_after_s": math.ceil(wait.total_seconds()) if wait is not None else None,
        "cool_off_minutes": math.ceil(cool_off.total_seconds() / 60) if cool_off is not None else None,
    }
    response = render(request, "accounts/locked_out.html", context, status=429)
    if wait is not None:
        response["Retry-After"] = str(context["retry_after_s"])
    elif cool_off is not None:
        response["Retry-After"] = str(math.ceil(cool_off.total_seconds()))
    return response
