"""Django settings, read from the environment only (see ``.env.example``).

SQLite in WAL mode under ``RIPPLEDESK_DATA_DIR`` is the default so a fresh machine needs no
server; ``DATABASE_URL=postgres://...`` switches to PostgreSQL for teams that outgrow it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import django_stubs_ext

from rippledesk.settings.env import (
    ConfigError,
    env_bool,
    env_int,
    env_list,
    env_path,
    env_str,
    parse_database_url,
)

# Lets admin and other generic classes be subscripted at run time, as the type stubs expect.
django_stubs_ext.monkeypatch()

PACKAGE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = env_path("RIPPLEDESK_DATA_DIR", Path.cwd() / "var")

DEBUG = env_bool("RIPPLEDESK_DEBUG", False)
SECRET_KEY = env_str("RIPPLEDESK_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and not env_bool("RIPPLEDESK_INSECURE_DEV_KEY", True):
        raise ConfigError("RIPPLEDESK_SECRET_KEY must be set when RIPPLEDESK_DEBUG is off")
    # A fixed development key keeps sessions valid across restarts of a local demo; any real
    # deployment sets RIPPLEDESK_SECRET_KEY (and RIPPLEDESK_INSECURE_DEV_KEY=0 to enforce it).
    SECRET_KEY = "rippledesk-insecure-development-key-change-me"

ALLOWED_HOSTS = env_list(
    "RIPPLEDESK_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env_list("RIPPLEDESK_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rippledesk.core",
    "rippledesk.jobs",
    "rippledesk.workspaces",
    "rippledesk.channels",
    "rippledesk.customers",
    "rippledesk.conversations",
    "rippledesk.analysis",
    "rippledesk.listening",
    "rippledesk.triage",
    "rippledesk.api",
    "rippledesk.web",
    # django-ninja's templates and static files: the API docs page without any CDN.
    "ninja",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "rippledesk.api.middleware.ApiErrorShapeMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "rippledesk.web.middleware.ActionErrorMiddleware",
]

ROOT_URLCONF = "rippledesk.urls"
WSGI_APPLICATION = "rippledesk.wsgi.application"
AUTH_USER_MODEL = "workspaces.User"
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:conversation-list"
LOGOUT_REDIRECT_URL = "web:login"

TEMPLATES: list[dict[str, Any]] = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
    {
        # The few hot partials (``web/jinja2/``): rows repeated hundreds of times a page.
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "environment": "rippledesk.web.jinja.environment",
            "context_processors": ["rippledesk.web.jinja.date_names"],
        },
    },
]


def _database() -> dict[str, Any]:
    url = env_str("DATABASE_URL", "")
    if url:
        pg = parse_database_url("DATABASE_URL", url)
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": pg.name,
            "USER": pg.user,
            "PASSWORD": pg.password,
            "HOST": pg.host,
            "PORT": pg.port,
            "CONN_MAX_AGE": env_int("RIPPLEDESK_DB_CONN_MAX_AGE", 60, minimum=0),
            "TEST": {"NAME": f"test_{pg.name}"},
        }
    # SQLite cannot create the folder of its file; a new data directory should just work.
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": DATA_DIR / "rippledesk.sqlite3",
        "OPTIONS": {
            # WAL lets the web server read while an import or job writes; IMMEDIATE transactions
            # take the write lock up front, so concurrent writers wait instead of failing with
            # "database is locked" half-way through.
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            ),
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        },
        # A file, not ":memory:", so the browser tests' live server thread gets a connection
        # of its own instead of sharing the test thread's; per process, so two test runs in
        # one data directory do not share it.
        "TEST": {"NAME": str(DATA_DIR / f"test-rippledesk-{os.getpid()}.sqlite3")},
    }


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("RIPPLEDESK_LOG_LEVEL", "WARNING")},
}

# Background jobs: "database" (a queue table run by `rippledesk serve`'s worker thread or
# `rippledesk worker`) or "inline" (right after commit, in the same process).
RIPPLEDESK_JOBS = env_str("RIPPLEDESK_JOBS", "database")
if RIPPLEDESK_JOBS not in ("database", "inline"):
    raise ConfigError(f"RIPPLEDESK_JOBS must be 'database' or 'inline', not {RIPPLEDESK_JOBS!r}")

# Email for notifications (automation rules' "notify"): sent through this SMTP server when
# RIPPLEDESK_SMTP_HOST is set; without it, notifications are shown in the app only.
EMAIL_HOST = env_str("RIPPLEDESK_SMTP_HOST", "")
EMAIL_PORT = env_int("RIPPLEDESK_SMTP_PORT", 587, minimum=1)
EMAIL_HOST_USER = env_str("RIPPLEDESK_SMTP_USER", "")
EMAIL_HOST_PASSWORD = env_str("RIPPLEDESK_SMTP_PASSWORD", "")
EMAIL_USE_TLS = env_bool("RIPPLEDESK_SMTP_STARTTLS", True)
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = env_str("RIPPLEDESK_MAIL_FROM", "rippledesk@localhost")
RIPPLEDESK_NOTIFY_EMAIL = bool(EMAIL_HOST)
# The desk's address as people reach it, for links in emails (e.g. https://desk.example.com).
RIPPLEDESK_BASE_URL = env_str("RIPPLEDESK_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
