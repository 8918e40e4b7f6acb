"""One settings module, driven by environment variables (see .env.example)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import dj_database_url
import django_stubs_ext
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

# Generic admin and queryset classes (ModelAdmin[Unit]) at run time, as mypy sees them.
django_stubs_ext.monkeypatch()


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean, not {value!r}")


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = envbool("ANTT_DEBUG", default=False)
DATA_DIR = Path(os.environ.get("ANTT_DATA_DIR", BASE_DIR / "var"))

SECRET_KEY = os.environ.get("ANTT_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and envbool("ANTT_REQUIRE_SECRET", default=False):
        raise ImproperlyConfigured("ANTT_SECRET_KEY must be set in production")
    # Development and tests only; production sets ANTT_REQUIRE_SECRET=1.
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = envlist("ANTT_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = envlist("ANTT_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "django_filters",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "antt.core",
    "antt.accounts",
    "antt.units",
    "antt.standards",
    "antt.records",
    "antt.recognition",
    "antt.reports",
    "antt.bench",
    "antt.jobs",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "antt.core.middleware.SessionRenewalMiddleware",
    "antt.core.middleware.VietnameseByDefaultMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "config.routers.ReportsOnReplicaMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "antt.accounts.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "antt.core.middleware.AuditDenialsMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'antt.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL and a busy timeout let the web server and a CLI import share the file.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DATABASES["default"]["TEST"] = {"NAME": os.environ.get("ANTT_TEST_DATABASE_NAME") or None}
# Read replica for the reports (config/routers.py, docs/operations/scaling.md). Without
# ANTT_REPLICA_DATABASE_URL the alias mirrors the primary and the router never uses it.
ANTT_READ_REPLICA = bool(os.environ.get("ANTT_REPLICA_DATABASE_URL"))
if ANTT_READ_REPLICA:
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["ANTT_REPLICA_DATABASE_URL"], conn_max_age=60
    )
else:
    DATABASES["replica"] = DATABASES["default"].copy()
DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["config.routers.ReplicaRouter"]

# Cache for the pages' national aggregates (antt.core.cache, keyed on the data version, so no
# entry outlives a write). Per process by default: `make run` needs no service, and each gunicorn
# worker warms its own. With several workers set ANTT_CACHE_URL (e.g. redis://127.0.0.1:6379/1):
# one cache for all workers and servers, so a page is computed once per write, not once per worker.
ANTT_CACHE_URL = os.environ.get("ANTT_CACHE_URL", "")
CACHES: dict[str, dict[str, object]]
if ANTT_CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": ANTT_CACHE_URL,
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "antt",
            # Entries are pages' tables (up to ~100 kB); stale versions stay until culled.
            "OPTIONS": {"MAX_ENTRIES": 500},
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
# django-axes first: it refuses a locked-out username before the password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Django's own Vietnamese messages explain a refused password (the length one is ours: Django's
# Vietnamese catalogue lacks its 5.2 wording).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "antt.accounts.passwords.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "antt" / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True
FORMAT_MODULE_PATH = ["antt.core.formats"]

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "antt" / "core" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if envbool("ANTT_MANIFEST_STATIC", default=not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = DATA_DIR / "media"

FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
ANTT_IMPORT_MAX_BYTES = 50 * 1024 * 1024
# Data rows (blank rows aside) one imported file may have; counted while streaming.
ANTT_IMPORT_MAX_ROWS = envint("ANTT_IMPORT_MAX_ROWS", 200_000)
# Dossier files uploaded by officers.
ANTT_UPLOAD_MAX_BYTES = int(os.environ.get("ANTT_UPLOAD_MAX_BYTES", 20 * 1024 * 1024))
# Background jobs (antt.jobs): bigger imports and certificate batches go to `antt run_jobs`; a
# running job silent for ANTT_JOB_STALE_SECONDS is taken for dead and marked failed.
ANTT_JOB_INLINE_ROWS = envint("ANTT_JOB_INLINE_ROWS", 2000)
ANTT_JOB_INLINE_CERTIFICATES = envint("ANTT_JOB_INLINE_CERTIFICATES", 50)
ANTT_JOB_STALE_SECONDS = envint("ANTT_JOB_STALE_SECONDS", 600)
# Demo mode: the login page says where the demo accounts are printed (`make run` sets it).
ANTT_DEMO = envbool("ANTT_DEMO", default=False)
ANTT_PUBLIC_URL = os.environ.get("ANTT_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")  # QR codes

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 100,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "ANTT API",
    "DESCRIPTION": "Phong trào 'An toàn về an ninh, trật tự' — API v1",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The map of a police system's API is for its users, not for anyone who asks.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
}

# Sessions end after ANTT_SESSION_IDLE_MINUTES without a request and, unless
# ANTT_SESSION_BROWSER_CLOSE=0, when the browser closes. Requests renew the session at most once
# per ANTT_SESSION_RENEW_SECONDS (antt.core.middleware.SessionRenewalMiddleware): a renewal is a
# database write, and writing on every request cost every page three round trips.
SESSION_COOKIE_AGE = envint("ANTT_SESSION_IDLE_MINUTES", 30) * 60
SESSION_SAVE_EVERY_REQUEST = False
ANTT_SESSION_RENEW_SECONDS: int | None = envint("ANTT_SESSION_RENEW_SECONDS", 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = envbool("ANTT_SESSION_BROWSER_CLOSE", default=True)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# HTTPS: on in production (ANTT_DEBUG=0) unless ANTT_HTTPS=0, which `make run` sets to serve the
# demo over plain HTTP on the loopback. Behind a reverse proxy that ends TLS, ANTT_PROXY_SSL=1
# trusts its X-Forwarded-Proto header.
HTTPS = envbool("ANTT_HTTPS", default=not DEBUG)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = envint("ANTT_HSTS_SECONDS", 31536000) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
if envbool("ANTT_PROXY_SSL", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp): scripts, styles and images from this server only; no
# inline script, no eval, no framing. Generated PDFs are built server-side, not in the browser.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}

# Two-factor authentication (django-otp): the roles that decide or administer must enrol a TOTP
# app (antt.accounts.twofactor.REQUIRED_ROLES). The issuer is the name the app shows. django-otp
# throttles wrong codes itself: each failure doubles the wait before the next try.
OTP_TOTP_ISSUER = "ANTT"

# Lockout (django-axes): ANTT_LOGIN_FAILURE_LIMIT wrong passwords for one username, from any
# address (a password guessed from many machines is still guessed), or from one address, for
# any usernames (one machine trying many accounts), lock it for ANTT_LOCKOUT_MINUTES; a success
# resets the count. Lockouts are audited (antt.accounts.signals).
AXES_FAILURE_LIMIT = envint("ANTT_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=envint("ANTT_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "antt.accounts.views.locked_out"
AXES_VERBOSE = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("ANTT_LOG_LEVEL", "WARNING")},
}
