"""Production settings: no defaults for secrets, and Django's deployment checks pass."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _manage(*args, env_overrides):
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("DJANGO_") and k not in ("PYTEST_CURRENT_TEST",)
    }
    env.update({"DJANGO_SETTINGS_MODULE": "portal.settings.production", **env_overrides})
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_reports_nothing_when_required_env_is_set():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env_overrides={
            "DJANGO_SECRET_KEY": "k" * 20 + "-production-like-secret-" + "z" * 20,
            "DJANGO_ALLOWED_HOSTS": "samarbeidsportalen.example.no",
            "DATABASE_URL": "postgres://portal@127.0.0.1:5432/samarbeidsportalen",
        },
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = _manage(
        "check",
        env_overrides={
            "DJANGO_ALLOWED_HOSTS": "samarbeidsportalen.example.no",
            "DATABASE_URL": "postgres://portal@127.0.0.1:5432/samarbeidsportalen",
        },
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr
