"""Production settings: `check --deploy` is clean and the headers an information-governance
review asks about are sent. Each case starts a fresh interpreter with production variables
(settings are read once, at start-up)."""

import json
import os
import subprocess
import sys

from django.conf import settings

PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "a-production-secret-key-that-is-long-and-random-enough-0123456789",
    "ALLOWED_HOSTS": "mhsip.example.nhs.uk",
    "CSRF_TRUSTED_ORIGINS": "https://mhsip.example.nhs.uk",
    "DJANGO_SETTINGS_MODULE": "mhsip.settings",
}
# The embedded default database: /healthz only runs SELECT 1, and the run's DATABASE_URL may
# point at a database that only pytest's test copy of exists.
BASE = {
    k: v
    for k, v in os.environ.items()
    if k not in ("SECRET_KEY", "DEBUG", "DATABASE_URL", "REDIS_URL")
}


def run(args, **env):
    return subprocess.run(
        [sys.executable, *args],
        env=BASE | PRODUCTION | env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_reports_nothing():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


HEADERS = """
import json, django
django.setup()
from django.test import Client
client = Client(HTTP_HOST="mhsip.example.nhs.uk")
plain = client.get("/healthz")
secure = client.get("/healthz", HTTP_X_FORWARDED_PROTO="https")
from django.conf import settings
print(json.dumps({
    "plain": [plain.status_code, plain.headers.get("Location", "")],
    "secure": secure.status_code,
    "headers": {k.lower(): v for k, v in secure.headers.items()},
    "cookies_secure": [settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE],
    "session_httponly": settings.SESSION_COOKIE_HTTPONLY,
}))
"""


def test_production_responses_carry_the_security_headers():
    result = run(["-c", HEADERS])
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    # Plain HTTP (no X-Forwarded-Proto: https from the proxy) is redirected to HTTPS.
    assert seen["plain"] == [301, "https://mhsip.example.nhs.uk/healthz"]
    assert seen["secure"] == 200
    headers = seen["headers"]
    assert headers["strict-transport-security"] == (
        "max-age=31536000; includeSubDomains; preload"
    )
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "same-origin"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["cross-origin-opener-policy"] == "same-origin"
    csp = headers["content-security-policy"]
    assert "script-src 'self';" in csp or csp.endswith("script-src 'self'")
    assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in csp
    assert seen["cookies_secure"] == [True, True]
    assert seen["session_httponly"] is True


def test_database_passwords_come_only_from_the_environment():
    source = (settings.BASE_DIR / "mhsip" / "settings.py").read_text()
    # The SMTP password is read from the environment too (reports' email), never written here.
    assert 'EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")' in source
    assert "PASSWORD" not in source.replace("AUTH_PASSWORD_VALIDATORS", "").replace(
        "password_validation", ""
    ).replace('EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")', "").replace(
        "PASSWORD_RESET_TIMEOUT", "")
    assert 'os.environ.get("DATABASE_URL"' in source
