"""Model fields that belong to no single app."""

from __future__ import annotations

from typing import Any

from django.db import models

from samraad.lib import crypto


class EncryptedTextField(models.TextField):
    """Text stored encrypted (see `samraad.lib.crypto`); Python code sees plain text.

    The database cannot search or sort such a column, which is the point.
    """

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        return None if value is None else crypto.decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        return None if value is None else crypto.encrypt(str(value))
