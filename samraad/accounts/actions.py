"""Changes to staff sign-in: the second factor and its recovery codes."""

from __future__ import annotations

from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from samraad.accounts.models import User

RECOVERY_CODE_COUNT = 10
_AUTHENTICATOR_NAME = "authenticator"
_RECOVERY_NAME = "recovery codes"


def check_pending_authenticator(user: User) -> TOTPDevice:
    """Returns the authenticator being enrolled, creating it on the first visit."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=_AUTHENTICATOR_NAME, confirmed=False)
    return device


@transaction.atomic
def do_confirm_authenticator(user: User, token: str) -> tuple[TOTPDevice, list[str]] | None:
    """Confirms the pending authenticator with a code from it and returns it with fresh
    recovery codes; returns None when the code is wrong."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
    if device is None or not device.verify_token(token):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    # One authenticator at a time: enrolling anew replaces the old one.
    TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).delete()
    return device, do_replace_recovery_codes(user)


@transaction.atomic
def do_replace_recovery_codes(user: User) -> list[str]:
    """Returns new single-use recovery codes; the old ones stop working."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name=_RECOVERY_NAME, defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes
