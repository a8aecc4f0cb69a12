"""Settings fail loudly: each case starts a fresh interpreter with its own environment."""

import os
import subprocess
import sys

import pytest

BASE = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG", "DATABASE_URL")}


def load_settings(**env):
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); print('loaded')"],
        env=BASE | {"DJANGO_SETTINGS_MODULE": "mhsip.settings"} | env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off():
    result = load_settings(DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_it_starts_in_production_mode_with_a_secret_key():
    result = load_settings(DEBUG="false", SECRET_KEY="x" * 50, ALLOWED_HOSTS="mhsip.example")
    assert result.returncode == 0, result.stderr
    assert "loaded" in result.stdout


@pytest.mark.parametrize(("name", "value"), [("DEBUG", "maybe"), ("AXES_FAILURE_LIMIT", "five")])
def test_it_refuses_malformed_values(name, value):
    result = load_settings(**{name: value})
    assert result.returncode != 0
    assert f"{name} must be" in result.stderr


def test_it_defaults_to_sqlite_and_eager_celery(settings):
    if os.environ.get("DATABASE_URL") or os.environ.get("REDIS_URL"):
        pytest.skip("this run configures real services")
    assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
    assert settings.CELERY_TASK_ALWAYS_EAGER is True
    assert settings.TIME_ZONE == "Europe/London"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"EMAIL_USE_TLS": "true", "EMAIL_USE_SSL": "true"}, "cannot both be true"),
        ({"EMAIL_TIMEOUT": "soon"}, "EMAIL_TIMEOUT must be a whole number"),
        ({"SITE_URL": "mhsip.example"}, "SITE_URL must start with http:// or https://"),
    ],
)
def test_it_refuses_bad_email_settings(env, message):
    result = load_settings(**env)
    assert result.returncode != 0
    assert message in result.stderr


def test_email_goes_to_smtp_only_when_a_host_is_set():
    show = "from django.conf import settings; print(settings.EMAIL_BACKEND)"
    for env, backend in (({}, "console"), ({"EMAIL_HOST": "smtp.example"}, "smtp")):
        result = subprocess.run(
            [sys.executable, "-c", f"import django; django.setup(); {show}"],
            env={k: v for k, v in BASE.items() if not k.startswith("EMAIL_")}
            | {"DJANGO_SETTINGS_MODULE": "mhsip.settings"} | env,
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert result.stdout.strip() == f"django.core.mail.backends.{backend}.EmailBackend"
