"""The young person's secrets: a conversation token and a resume code, stored only as hashes."""

from __future__ import annotations

import hashlib
import secrets

from django.utils.crypto import salted_hmac

# No 0/O, 1/I/L or U/V pairs: a code read aloud or written by hand survives.
RESUME_ALPHABET = "ABCDEFGHJKMNPQRSTWXYZ23456789"
RESUME_LENGTH = 12  # 29**12 ≈ 2**58


def new_token() -> str:
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def new_resume_code() -> str:
    """Returns a code like `K7QM-4XPA-2RWE` that a person can note down."""
    raw = "".join(secrets.choice(RESUME_ALPHABET) for _ in range(RESUME_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, RESUME_LENGTH, 4))


def normalise_resume_code(code: str) -> str:
    """Upper case without spaces or dashes, so `k7qm 4xpa-2rwe` finds `K7QM-4XPA-2RWE`."""
    return "".join(character for character in code.upper() if character.isalnum())


def hash_resume_code(code: str) -> str:
    # Keyed: a short code's plain hash could be searched exhaustively from a stolen database.
    return salted_hmac("samraad.resume-code", normalise_resume_code(code), algorithm="sha256").hexdigest()
