"""Production refuses an unsafe configuration and passes Django's deployment checks."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from releases import cards

PROJECT = Path(__file__).resolve().parent.parent
SAFE = {
    "DJANGO_ENV": "production",
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
    "DJANGO_ALLOWED_HOSTS": "archive.example.org",
}


def manage(*args, **env):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_reports_nothing_in_production():
    result = manage("check", "--deploy", **SAFE)
    assert result.returncode == 0, result.stderr
    reported = set(re.findall(r"\(([a-z_.]+\.[EW]\d{3})\)", result.stdout + result.stderr))
    if not cards.fonts_installed():
        # A machine that merely lacks the optional card fonts is warned, not failed.
        reported.discard("releases.W001")
    assert reported == set(), result.stdout + result.stderr


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"DJANGO_DEBUG": "true"}, "DJANGO_DEBUG must be off"),
        ({"DJANGO_SECRET_KEY": ""}, "DJANGO_SECRET_KEY must be set"),
        ({"DJANGO_SECRET_KEY": "short"}, "DJANGO_SECRET_KEY must be set"),
        ({"DJANGO_ALLOWED_HOSTS": ""}, "DJANGO_ALLOWED_HOSTS must list"),
    ],
)
def test_production_refuses_to_start_unsafely(override, message):
    result = manage("check", **{**SAFE, **override})
    assert result.returncode != 0
    assert message in result.stderr


def test_unknown_environment_is_refused():
    result = manage("check", DJANGO_ENV="staging")
    assert result.returncode != 0
    assert "DJANGO_ENV must be" in result.stderr


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "-c jit=off -c max_parallel_workers_per_gather=0"),
        ({"DATABASE_PG_OPTIONS": ""}, None),
    ],
    ids=["default", "behind-pgbouncer"],
)
def test_postgresql_sessions_skip_jit_and_parallel_workers(env, expected):
    code = (
        "from django.conf import settings;"
        "print(repr(settings.DATABASES['default'].get('OPTIONS', {}).get('options')))"
    )
    result = manage("shell", "-c", code, DATABASE_URL="postgres://nobody@127.0.0.1:1/none", **env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == repr(expected)
