"""Whether a session has passed the second factor, for places the OTP middleware does not reach."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.models import Device


def session_is_verified(user: Any, session: Any) -> bool:
    """True in demo mode, or when the session carries a confirmed device of this user."""
    if settings.SAMRAAD_DEMO:
        return True
    if session is None or not getattr(user, "is_authenticated", False):
        return False
    persistent_id = session.get(DEVICE_ID_SESSION_KEY)
    device = Device.from_persistent_id(persistent_id) if persistent_id else None
    return device is not None and device.user_id == user.pk and device.confirmed
