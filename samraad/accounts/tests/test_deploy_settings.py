"""Production settings: demo off, DEBUG off, nothing for `check --deploy` to say."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def run_manage(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {key: value for key, value in os.environ.items() if not key.startswith(("SAMRAAD_", "DEBUG"))}
    clean.update({"SAMRAAD_VAR_DIR": str(tmp_path), "ALLOWED_HOSTS": "samraad.example.dk", **env})
    return subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, "manage.py", *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120
    )


# What a production server's environment sets (README, "A real deployment"); DEBUG and HTTPS are
# spelt out so that a default changed in settings.py cannot make the check pass by accident.
PRODUCTION = {
    "SECRET_KEY": "a-production-key-" + secrets.token_urlsafe(48),
    "ALLOWED_HOSTS": "samraad.example.dk",
    "CSRF_TRUSTED_ORIGINS": "https://samraad.example.dk",
    "DEBUG": "0",
    "SAMRAAD_DEMO": "0",
    "SAMRAAD_HTTPS": "1",
    "SAMRAAD_BEHIND_PROXY": "1",
    "SAMRAAD_WIDGET_ORIGINS": "https://www.aarhus.dk",
}


def test_check_deploy_is_clean_in_production_settings(tmp_path):
    # DEBUG is the lowest level: a warning, or even a note, fails the check.
    result = run_manage(tmp_path, "check", "--deploy", "--fail-level", "DEBUG", **PRODUCTION)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)" in result.stdout
    assert not (tmp_path / "secret_key").exists()  # the key came from the environment


def test_check_deploy_complains_about_a_weak_secret_key_from_the_environment(tmp_path):
    result = run_manage(
        tmp_path, "check", "--deploy", "--fail-level", "WARNING", **{**PRODUCTION, "SECRET_KEY": "too-short"}
    )

    assert result.returncode != 0
    assert "security.W009" in result.stderr + result.stdout


def test_check_deploy_complains_about_demo_mode_on_plain_http(tmp_path):
    result = run_manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING", SAMRAAD_DEMO="1")

    assert result.returncode != 0
    assert "security.W008" in result.stderr + result.stdout  # no HTTPS redirect


def test_a_secret_key_is_generated_once_and_kept_private(tmp_path):
    run_manage(tmp_path, "check")
    first = (tmp_path / "secret_key").read_text()
    run_manage(tmp_path, "check")

    assert len(first.strip()) >= 50
    assert (tmp_path / "secret_key").read_text() == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_a_misspelt_boolean_fails_loudly(tmp_path):
    result = run_manage(tmp_path, "check", SAMRAAD_DEMO="maybe")

    assert result.returncode != 0
    assert "SAMRAAD_DEMO must be one of" in result.stderr


@pytest.mark.django_db
def test_sqlite_runs_in_wal_mode(tmp_path):
    result = run_manage(
        tmp_path,
        "shell",
        "-c",
        "from django.db import connection; c = connection.cursor(); "
        "c.execute('PRAGMA journal_mode'); print(c.fetchone()[0])",
    )

    if os.environ.get("DATABASE_URL"):
        pytest.skip("this run uses PostgreSQL")
    assert result.stdout.strip().endswith("wal"), result.stderr
