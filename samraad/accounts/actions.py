"""Changes to staff: the roles they hold, and their sign-in: the second factor and its recovery
codes, known sources and counted failures."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from samraad.accounts import lockout
from samraad.accounts.models import AccountFailures, KnownSource, RoleGrant, User
from samraad.accounts.permissions import Perm, can, grantable_roles
from samraad.audit.actions import do_record_access
from samraad.audit.models import AuditEntry

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


def check_grant_role(granter: Any, grantee: User, role: str) -> None:
    """Raises PermissionDenied unless `granter` may give `grantee` the role (see
    `permissions.grantable_roles`)."""
    if role not in grantable_roles(granter, grantee):
        raise PermissionDenied


@transaction.atomic
def do_grant_role(granter: User, grantee: User, role: str) -> RoleGrant:
    """Gives `grantee` the role, once, and writes it to the audit log."""
    check_grant_role(granter, grantee, role)
    grant, _ = RoleGrant.objects.get_or_create(user=grantee, role=role)
    do_record_access(
        granter, AuditEntry.Action.CHANGE, grantee, reason=f"role granted: {role}", organisation=grantee.organisation
    )
    return grant


@transaction.atomic
def do_revoke_role(granter: User, grant: RoleGrant) -> None:
    """Takes the role away (whoever administers the person may, also a role they could not give)
    and writes it to the audit log; the person's sockets close (counseling's signal)."""
    grantee = grant.user
    if not can(granter, Perm.ADMINISTER_STAFF_MEMBER, grantee):
        raise PermissionDenied
    grant.delete()
    do_record_access(
        granter,
        AuditEntry.Action.CHANGE,
        grantee,
        reason=f"role revoked: {grant.role}",
        organisation=grantee.organisation,
    )


def do_count_failed_sign_in(username: str, now: datetime) -> None:
    """Counts one wrong password given for `username`, from anywhere, towards the account's delay
    (`lockout.time_to_wait`); a count whose last failure is a quiet day old starts again."""
    with transaction.atomic():
        counted, created = AccountFailures.objects.select_for_update().get_or_create(
            username=username, defaults={"failures": 1, "last_failure_at": now}
        )
        if not created:
            quiet = now - counted.last_failure_at >= lockout.FORGET_FAILURES_AFTER
            counted.failures = 1 if quiet else counted.failures + 1
            counted.last_failure_at = now
            counted.save(update_fields=["failures", "last_failure_at"])
        # Names that are no account are counted too (so they are answered alike); quiet ones go.
        AccountFailures.objects.filter(last_failure_at__lte=now - lockout.FORGET_FAILURES_AFTER).delete()


def do_remember_sign_in_source(user: User, address: str | None, now: datetime) -> None:
    """Records that `user` signed in with every factor from `address` (as a keyed hash only), so
    failures elsewhere do not slow their sign-in from there; forgets their sources gone stale."""
    if not address:
        return
    KnownSource.objects.update_or_create(
        user=user, address_hash=lockout.source_hash(user.pk, address), defaults={"last_sign_in_at": now}
    )
    stale = now - timedelta(days=settings.SAMRAAD_KNOWN_SOURCE_DAYS)
    KnownSource.objects.filter(user=user, last_sign_in_at__lt=stale).delete()
