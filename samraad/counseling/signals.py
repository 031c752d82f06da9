"""A console socket lives no longer than the sign-in and the role behind it."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_out
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from samraad.accounts.models import RoleGrant, User
from samraad.counseling.actions import do_close_consoles


@receiver(user_logged_out)
def close_on_sign_out(sender: Any, request: Any, user: User | None, **kwargs: Any) -> None:
    if user is not None:
        do_close_consoles(user.pk)


@receiver(post_save, sender=User)
def close_on_deactivation(sender: Any, instance: User, created: bool, **kwargs: Any) -> None:
    if not created and not instance.is_active:
        do_close_consoles(instance.pk)


@receiver(post_delete, sender=RoleGrant)
def close_on_lost_role(sender: Any, instance: RoleGrant, **kwargs: Any) -> None:
    do_close_consoles(instance.user_id)
