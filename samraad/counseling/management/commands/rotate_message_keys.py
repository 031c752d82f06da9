"""The earlier name of `manage.py rotate_keys`, kept so existing scripts and runbooks still work."""

from __future__ import annotations

from samraad.counseling.management.commands.rotate_keys import Command

__all__ = ["Command"]
