"""The one settings module. Environments differ only by environment variables (.env.example).

With no variables set it runs on SQLite with Celery in eager mode (`make run` needs nothing
else); DATABASE_URL and REDIS_URL switch to PostgreSQL, Redis and real workers.
"""

import datetime
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from kombu import Queue

from mhsip.beat import beat_schedule
from mhsip.env import envbool, envint, envlist, envrate

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

DEBUG = envbool("DEBUG", "true")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off: refusing to start with a known key. "
            'Generate one with: python -c "import secrets; print(secrets.token_urlsafe(50))"'
        )
    SECRET_KEY = "insecure-development-key-only-used-when-DEBUG-is-on"

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI / ReDoc as local static files: no CDN
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "accounts",
    "wards",
    "measures",
    "spc",
    "tokens",
    "equity",
    "reports",
    "audit",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outermost but security: they see every answer, including Django's own error pages.
    "mhsip.middleware.ApiJsonErrorsMiddleware",
    "mhsip.middleware.NoStoreMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks, so it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "mhsip.urls"
WSGI_APPLICATION = "mhsip.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wards.context_processors.navigation",
            ],
        },
    },
]

DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    # Health checks: a connection broken by a PostgreSQL restart is replaced on the next
    # request, so the app recovers by itself.
    DATABASES = {
        "default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)
    }
else:
    VAR_DIR.mkdir(exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "mhsip.sqlite3",
            # A shared ward PC and a worker thread may write at once; wait rather than fail.
            "OPTIONS": {"timeout": 20},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
# The page of the user's job: their wards, their trust's matrix or their region (audit.views.start).
LOGIN_REDIRECT_URL = "start"
LOGOUT_REDIRECT_URL = "login"

# Shared ward PCs: a session ends after inactivity, not only when the browser closes.
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", str(60 * 60 * 8))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# django-axes: lock the username + IP pair after repeated failures.
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", "5")
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# The client's address: REMOTE_ADDR, unless this many trusted proxies stand in front (then the
# address they add to X-Forwarded-For). Never a header a client could set on its own.
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", "0")
if TRUSTED_PROXY_COUNT:
    AXES_IPWARE_PROXY_COUNT = TRUSTED_PROXY_COUNT
    AXES_IPWARE_PROXY_ORDER = "right-most"
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
else:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("REMOTE_ADDR",)
# accounts.limits: across usernames per address, and across addresses per username (slowed to
# one attempt per SIGNIN_SLOW_SECONDS, never locked).
SIGNIN_WINDOW_SECONDS = envint("SIGNIN_WINDOW_SECONDS", str(15 * 60))
SIGNIN_FAILURES_PER_ADDRESS = envint("SIGNIN_FAILURES_PER_ADDRESS", "20")
SIGNIN_FAILURES_PER_USERNAME = envint("SIGNIN_FAILURES_PER_USERNAME", "10")
SIGNIN_SLOW_SECONDS = envint("SIGNIN_SLOW_SECONDS", "60")
# Password reset and invitation links (sent with the email settings below), valid this long.
PASSWORD_RESET_TIMEOUT = envint("PASSWORD_RESET_TIMEOUT", str(60 * 60 * 24 * 3))
OTP_TOTP_ISSUER = "MHSIP measurement"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
if DEBUG:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns on every request otherwise
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Celery: no REDIS_URL means the embedded default, tasks run eagerly in-process.
REDIS_URL = os.environ.get("REDIS_URL", "")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = envint("CELERY_TASK_TIME_LIMIT", "600")
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 30
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A down broker must not hang a web request for ~20 s: fail fast and let the caller log it.
CELERY_BROKER_TRANSPORT_OPTIONS = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}
CELERY_TIMEZONE = TIME_ZONE
# Tests give each worker process a queue of its own; production uses Celery's default.
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_DEFAULT_QUEUE", "celery")
# A save's own ward charts go to a queue of their own, which every worker drains first
# (Redis is asked for the queues in this order: "priority" below), so a save is never queued
# behind a trust's or the nation's sums. A worker started without -Q takes both queues.
CELERY_WARD_QUEUE = f"{CELERY_TASK_DEFAULT_QUEUE}.ward"
CELERY_TASK_QUEUES = (Queue(CELERY_WARD_QUEUE), Queue(CELERY_TASK_DEFAULT_QUEUE))
CELERY_TASK_ROUTES = {"spc.tasks.charts_refresh_task": {"queue": CELERY_WARD_QUEUE}}
# Redis redelivers a task whose worker died (acks_late) after this many seconds unacked.
CELERY_BROKER_TRANSPORT_OPTIONS |= {
    "visibility_timeout": envint("CELERY_VISIBILITY_TIMEOUT", "3600"),
    # How often a worker sweeps for such orphaned tasks (kombu's default is ~100 s).
    "unacked_restore_interval": envint("CELERY_UNACKED_RESTORE_INTERVAL", "30"),
    "unacked_restore_throttle": 1,
    "queue_order_strategy": "priority",
}
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}
# The periodic tasks (mhsip/beat.py says when each runs and why).
CELERY_BEAT_SCHEDULE = beat_schedule(
    stale_check_seconds=envint("CHARTS_STALE_CHECK_SECONDS", "300")
)



REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "tokens.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "tokens.permissions.ReadOnlyTokenCannotWrite",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["tokens.throttling.TokenRateThrottle"],
    # Per token; browser sessions are not throttled. The counters live in the default cache.
    "DEFAULT_THROTTLE_RATES": {
        "token": envrate("API_TOKEN_RATE", "120/min"),
        "token_bulk": envrate("API_TOKEN_BULK_RATE", "60/hour"),
    },
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "mhsip.api.Pagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "mhsip.api.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["mhsip.api_parsers.LimitedJSONParser"],
    "DATETIME_FORMAT": "iso-8601",
    "DATE_FORMAT": "iso-8601",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "MHSIP measurement API",
    "DESCRIPTION": (
        "Weekly ward returns, SPC chart results and regional comparisons of the Mental Health "
        "Safety Improvement Programme. The same rules as the web pages: same validation, same "
        "permissions. Authenticate with a personal API token from your profile page "
        "(`Authorization: Bearer <key>`) or a signed-in browser session. Dates are ISO 8601; "
        "rates say their unit. Objects outside your memberships are 404; writes you may not "
        "make are 403."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and docs describe the API; they hold no data, so anyone may read them.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # <id:...> path segments (mhsip.api.IdConverter): object ids.
    "PATH_CONVERTER_OVERRIDES": {"id": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}},
    "ENUM_NAME_OVERRIDES": {
        "ReturnStatusEnum": "measures.models.WeeklyReturn.Status",
        "ScopeEnum": "spc.models.Scope",
    },
}

# mhsip.freshness: the chart layer's answer to "these wards' data changed".
MHSIP_CHARTS_STALE_HANDLER = "spc.refresh.charts_refresh_on_commit"

# Making Data Count recommends 15-20 points for a baseline; the programme uses 20 weeks. The
# chart pipeline reads it (spc/selectors.py); a ward's saved chart setting overrides it.
MHSIP_DEFAULT_BASELINE_WEEKS = envint("MHSIP_DEFAULT_BASELINE_WEEKS", "20")
# A weekly count above this many per 1,000 occupied bed days (beds × 7 when bed days are blank)
# is probably a typing slip: the return form and the importer ask for confirmation.
MHSIP_IMPLAUSIBLE_PER_1000_BED_DAYS = envint("MHSIP_IMPLAUSIBLE_PER_1000_BED_DAYS", "500")
# A week's return is due this many hours after the week ends (Sunday midnight): 34 is Tuesday
# 10:00, so last week is not overdue on Monday morning (measures/completeness.py).
MHSIP_RETURN_DUE_HOURS = envint("MHSIP_RETURN_DUE_HOURS", "34")
# Trust, region and national charts mark the week the mix of enrolled wards has changed (wards
# joined or left since the last mark) by more than this share of the wards then contributing:
# a step there may be the mix, not the care (spc/coverage.py).
MHSIP_COVERAGE_CHANGE_PERCENT = envint("MHSIP_COVERAGE_CHANGE_PERCENT", "20")
if not 1 <= MHSIP_COVERAGE_CHANGE_PERCENT <= 100:
    raise ImproperlyConfigured(
        f"MHSIP_COVERAGE_CHANGE_PERCENT must be 1 to 100, not {MHSIP_COVERAGE_CHANGE_PERCENT}"
    )

# Email (reminders, digests, "your board pack is ready"). No EMAIL_HOST: the console backend
# prints each message (the embedded default); EMAIL_HOST: SMTP. Tests use Django's locmem.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND") or (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = envint("EMAIL_PORT", "587")
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", "true")
EMAIL_USE_SSL = envbool("EMAIL_USE_SSL", "false")
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL cannot both be true: choose one")
# A refused or silent SMTP server must not hold a worker: the send fails and is retried.
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", "10")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "MHSIP measurement <noreply@localhost>")
# Links in emails (charts, unsubscribe) are absolute: the site's address as users reach it.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
if not SITE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured(f"SITE_URL must start with http:// or https://, not {SITE_URL!r}")
# Board packs' files are kept this many days for the user who asked for them, then purged.
REPORTS_PACK_KEEP_DAYS = envint("REPORTS_PACK_KEEP_DAYS", "7")
# Facilitators' regional digest (QI leads' digests follow their trust's schedule).
REPORTS_REGION_DIGEST_WEEKDAY = envint("REPORTS_REGION_DIGEST_WEEKDAY", "1")  # ISO: 1 = Monday
REPORTS_REGION_DIGEST_HOUR = envint("REPORTS_REGION_DIGEST_HOUR", "8")
# Chromium for the PDF (print to PDF) and, through kaleido, the chart images.
REPORTS_CHROMIUM = os.environ.get("REPORTS_CHROMIUM", "/usr/bin/chromium")



def envdate(name: str, default: str):
    value = os.environ.get(name, default).strip()
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a date like 2015-01-01, not {value!r}") \
            from None


# The plausible range of every date a user gives (mhsip/weeks.py): from this day to this many
# days after today. Outside it a date is refused (a URL naming one is 404).
MHSIP_EARLIEST_DATE = envdate("MHSIP_EARLIEST_DATE", "2015-01-01")
MHSIP_DAYS_AHEAD = envint("MHSIP_DAYS_AHEAD", "365")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # kaleido and choreographer log every tab and temporary directory at INFO.
        "kaleido": {"level": "WARNING"},
        "choreographer": {"level": "WARNING"},
    },
}

# Content-Security-Policy (django-csp), in every environment so browser tests see it.
# No inline scripts anywhere: pages load scripts from /static/ and pass chart data in
# <script type="application/json"> blocks, which are data, not script. plotly.js writes <style>
# elements and style attributes, hence 'unsafe-inline' for styles only.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:", "blob:"],  # plotly's PNG download, NHS.UK icons
        "font-src": [SELF],
        "connect-src": [SELF],
        "worker-src": [SELF, "blob:"],  # ReDoc (/api/docs/redoc/) parses the schema in a worker
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "true")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_REFERRER_POLICY = "same-origin"
    X_FRAME_OPTIONS = "DENY"

# Equity breakdowns (equity/): counts from 1 to this are hidden outside the trust (NHS
# Digital's rule for its Mental Health Act statistics), and a rate ratio needs at least
# EQUITY_MIN_EVENTS events in each group before its interval is shown.
EQUITY_SUPPRESS_UP_TO = 7
EQUITY_MIN_EVENTS = 5
