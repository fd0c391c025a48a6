"""Django settings for Plateau, read from environment variables (see README's settings table).

Embedded mode (nothing set): SQLite and Celery's filesystem broker under PLATEAU_DATA_DIR.
Production mode: DATABASE_URL=postgres://..., CELERY_BROKER_URL=redis://... or amqp://...
"""

import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from portal.config import Env, redact_url
from portal.credentials.keys import load_keys as load_credential_keys

env = Env()
BASE_DIR = Path(__file__).resolve().parent.parent

DATA_DIR = Path(env.string("PLATEAU_DATA_DIR", str(BASE_DIR / "var"))).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """PLATEAU_SECRET_KEY, or a key generated once and kept in the data folder."""
    configured = env.string("PLATEAU_SECRET_KEY", "")
    if configured:
        if len(configured) < 32:
            raise ImproperlyConfigured("PLATEAU_SECRET_KEY must be at least 32 characters long.")
        return configured
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env.boolean("PLATEAU_DEBUG", False)
ALLOWED_HOSTS = env.items("PLATEAU_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.items("PLATEAU_CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env.url("PLATEAU_SITE_URL", "http://127.0.0.1:8000", ["http", "https"]).rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "portal.core",
    "portal.accounts",
    "portal.projects",
    "portal.audit",
    "portal.catalog",
    "portal.credentials",
    "portal.deployments",
    "portal.finops",
    "portal.imports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "portal.audit.middleware.AuditActorMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "portal" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.core.context_processors.navigation",
            ],
            "builtins": ["portal.core.templatetags.plateau"],
        },
    },
]

DATABASE_URL = env.url(
    "DATABASE_URL",
    f"sqlite:///{DATA_DIR / 'plateau.sqlite3'}",
    ["sqlite", "postgres", "postgresql", "pgsql"],
)
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The web server, the worker and beat share the file: wait for locks instead of
    # failing, and let readers run beside the single writer.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test-plateau.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.string("PLATEAU_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Outside the data folder in images (collected at build time, not hidden by a volume).
STATIC_ROOT = Path(env.string("PLATEAU_STATIC_ROOT", str(DATA_DIR / "staticfiles"))).resolve()
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

SESSION_COOKIE_HTTPONLY = True
# Behind TLS (directly or through a proxy that sets X-Forwarded-Proto): secure cookies,
# HSTS and a redirect of plain HTTP.
HTTPS = env.boolean("PLATEAU_HTTPS", False)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = env.integer("PLATEAU_HSTS_SECONDS", 31536000 if HTTPS else 0, minimum=0)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_REDIRECT_EXEMPT = [r"^healthz/"]
X_FRAME_OPTIONS = "DENY"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "portal.core.api_auth.AuditedTokenAuthentication",
        "portal.core.api_auth.AuditedSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["portal.core.api_auth.RolePermission"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Plateau API",
    "DESCRIPTION": "Self-hosted platform-engineering portal: teams, projects, environments, "
    "stacks, deployments and runs.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Served from the sidecar package: no CDN is reachable on sovereign installs.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

CELERY_BROKER_URL = env.url(
    "CELERY_BROKER_URL", "filesystem://", ["filesystem", "redis", "rediss", "amqp", "amqps"]
)
BROKER_DIR = DATA_DIR / "broker"
CELERY_BROKER_TRANSPORT_OPTIONS = {}
if CELERY_BROKER_URL.startswith("filesystem://"):
    for folder in ("queue", "processed", "control"):
        (BROKER_DIR / folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "store_processed": False,
        "control_folder": str(BROKER_DIR / "control"),
        "polling_interval": env.number("PLATEAU_BROKER_POLL_INTERVAL", 0.05, minimum=0.01),
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "heartbeat": {"task": "portal.core.tasks.heartbeat", "schedule": 60.0},
    "catalog-refresh": {"task": "portal.catalog.tasks.refresh_due_sources", "schedule": 60.0},
}

# Catalog repositories are untrusted input: which URL schemes may be fetched, how big.
PLATEAU_STACK_GIT_SCHEMES = env.items("PLATEAU_STACK_GIT_SCHEMES", ["https", "ssh"])
PLATEAU_STACK_REPO_MAX_BYTES = env.integer(
    "PLATEAU_STACK_REPO_MAX_BYTES", 100 * 1024 * 1024, minimum=1024
)

# Uploaded Terraform state files (imports) are refused above this size.
PLATEAU_IMPORT_STATE_MAX_BYTES = env.integer(
    "PLATEAU_IMPORT_STATE_MAX_BYTES", 20 * 1024 * 1024, minimum=1024
)

# Runs (portal.deployments): where workers reach the Terraform state endpoints, how long
# a run's state token lives, step timeout and cancel grace, who may approve, and whether
# a run of a busy deployment waits in line or is refused.
PLATEAU_STATE_URL = env.url("PLATEAU_STATE_URL", SITE_URL, ["http", "https"]).rstrip("/")
PLATEAU_STATE_TOKEN_SECONDS = env.integer("PLATEAU_STATE_TOKEN_SECONDS", 6 * 3600, minimum=60)
PLATEAU_RUN_STEP_TIMEOUT = env.number("PLATEAU_RUN_STEP_TIMEOUT", 3600, minimum=1)
PLATEAU_RUN_CANCEL_GRACE = env.number("PLATEAU_RUN_CANCEL_GRACE", 10, minimum=0)
PLATEAU_APPROVER_MAY_BE_REQUESTER = env.boolean("PLATEAU_APPROVER_MAY_BE_REQUESTER", False)
PLATEAU_RUNS_QUEUE_WHEN_BUSY = env.boolean("PLATEAU_RUNS_QUEUE_WHEN_BUSY", True)

# Safety (portal.deployments): a run whose worker stopped beating its heart for this long
# is marked lost; drift checks; what the periodic cleanup keeps; run-finished webhooks.
PLATEAU_RUN_HEARTBEAT_TIMEOUT = env.number("PLATEAU_RUN_HEARTBEAT_TIMEOUT", 45, minimum=1)
PLATEAU_RETAIN_LOG_DAYS = env.integer("PLATEAU_RETAIN_LOG_DAYS", 90, minimum=1)
PLATEAU_RETAIN_WORKSPACE_HOURS = env.integer("PLATEAU_RETAIN_WORKSPACE_HOURS", 24, minimum=1)
PLATEAU_RETAIN_STATE_VERSIONS = env.integer("PLATEAU_RETAIN_STATE_VERSIONS", 20, minimum=1)
PLATEAU_RETAIN_STATE_DAYS = env.integer("PLATEAU_RETAIN_STATE_DAYS", 180, minimum=1)
PLATEAU_WEBHOOK_URLS = env.items("PLATEAU_WEBHOOK_URLS", [])
for _url in PLATEAU_WEBHOOK_URLS:
    if not _url.startswith(("http://", "https://")):
        raise ImproperlyConfigured(
            f"PLATEAU_WEBHOOK_URLS: {redact_url(_url)!r} must be an http:// or https:// URL."
        )
PLATEAU_WEBHOOK_SECRET = env.string("PLATEAU_WEBHOOK_SECRET", "")
PLATEAU_WEBHOOK_TIMEOUT = env.number("PLATEAU_WEBHOOK_TIMEOUT", 5, minimum=0.1)
CELERY_BEAT_SCHEDULE.update(
    {
        "mark-lost-runs": {"task": "portal.deployments.tasks.mark_lost_runs", "schedule": 15.0},
        "drift-checks": {"task": "portal.deployments.tasks.queue_drift_checks", "schedule": 300.0},
        "retention": {"task": "portal.deployments.tasks.clean_up", "schedule": 3600.0},
        "record-spend": {"task": "portal.finops.tasks.record_spend", "schedule": 3600.0},
    }
)

# Keys that encrypt credentials at rest (Fernet; the first encrypts, all decrypt), never
# stored in the database: see docs/security.md for rotation.
PLATEAU_CREDENTIAL_KEYS = load_credential_keys(
    env.items("PLATEAU_CREDENTIAL_KEYS", []),
    env.string("PLATEAU_CREDENTIAL_KEY_FILE", ""),
    DATA_DIR,
)

# Each run's own energy, measured by codecarbon (offline) in the workers; the country
# (ISO 3166 alpha-3) gives the grid's carbon intensity.
PLATEAU_MEASURE_RUNS = env.boolean("PLATEAU_MEASURE_RUNS", True)
PLATEAU_CARBON_COUNTRY = env.string("PLATEAU_CARBON_COUNTRY", "FRA")
if not (len(PLATEAU_CARBON_COUNTRY) == 3 and PLATEAU_CARBON_COUNTRY.isalpha()) or (
    not PLATEAU_CARBON_COUNTRY.isupper()
):
    raise ImproperlyConfigured(
        f"PLATEAU_CARBON_COUNTRY={PLATEAU_CARBON_COUNTRY!r} must be an ISO 3166 alpha-3 "
        "country code in capitals (e.g. FRA)."
    )

PLATEAU_DISABLE_PLUGIN_AUTOLOAD = env.boolean("PLATEAU_DISABLE_PLUGIN_AUTOLOAD", False)
PLATEAU_PLUGINS_DISABLED = env.items("PLATEAU_PLUGINS_DISABLED", [])

LOG_LEVEL = env.choice(
    "PLATEAU_LOG_LEVEL", "INFO", ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]
)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
