"""Encryption of private text at rest (message and note bodies), with rotatable keys.

Keys are Fernet keys (AES-128-CBC with HMAC-SHA256). `SAMRAAD_MESSAGE_KEYS` lists them newest
first: the newest encrypts, all decrypt, so a new key can be put in front and the old rows
re-encrypted with `manage.py rotate_message_keys` before the old key is dropped. Without the
setting, one key is generated into the var directory on first use.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver


def _generated_key(path: Path) -> str:
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Fernet.generate_key().decode("ascii")
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(descriptor, "w") as handle:
        handle.write(key + "\n")
    return key


@functools.cache
def cipher() -> MultiFernet:
    keys = list(settings.SAMRAAD_MESSAGE_KEYS) or [_generated_key(Path(settings.VAR_DIR) / "message_key")]
    try:
        return MultiFernet([Fernet(key.encode("ascii")) for key in keys])
    except (ValueError, UnicodeEncodeError) as error:
        raise ImproperlyConfigured("SAMRAAD_MESSAGE_KEYS must be Fernet keys (urlsafe base64, 32 bytes)") from error


@receiver(setting_changed)
def _forget_keys(setting: str, **kwargs: object) -> None:
    if setting in ("SAMRAAD_MESSAGE_KEYS", "VAR_DIR"):
        cipher.cache_clear()


def encrypt(text: str) -> str:
    return cipher().encrypt(text.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    """Returns the text; raises InvalidToken when no known key opens it."""
    return cipher().decrypt(token.encode("ascii")).decode("utf-8")


def rotate(token: str) -> str:
    """Returns the same text encrypted with the newest key."""
    return cipher().rotate(token.encode("ascii")).decode("ascii")


__all__ = ["InvalidToken", "decrypt", "encrypt", "rotate"]
