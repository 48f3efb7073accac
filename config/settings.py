"""One settings module, read from the environment (see README.md, "Configuration").

Every variable has a default that suits a laptop; a malformed value fails loudly at start-up
(django-environ raises ImproperlyConfigured) rather than being guessed at.
"""

from __future__ import annotations

import datetime
import ipaddress
import os
import re
import secrets
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

env = environ.Env()

BASE_DIR = Path(__file__).resolve().parent.parent
# Files this instance writes for itself (SQLite database, generated secret key, broker spool).
VAR_DIR = Path(env.str("VAR_DIR", default=str(BASE_DIR / "var")))

_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}


def env_bool(name: str, *, default: bool) -> bool:
    """A boolean from the environment; anything but a clear yes or no stops start-up."""
    raw = env.str(name, default="").strip().lower()
    if not raw:
        return default
    if raw in _TRUE | _FALSE:
        return raw in _TRUE
    raise ImproperlyConfigured(
        f"{name}={raw!r} is not a boolean: use true/false, 1/0, yes/no or on/off."
    )


DEBUG = env_bool("DEBUG", default=False)


def _instance_secret_key() -> str:
    """A random key generated once per checkout, so `make run` needs no set-up.

    Servers set SECRET_KEY; a laptop gets a key of its own, never one committed to git.
    """
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = env.str("SECRET_KEY", default="") or _instance_secret_key()
if len(SECRET_KEY) < 32:
    raise ImproperlyConfigured("SECRET_KEY must be at least 32 characters long.")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "config.apps.RegistryAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "simple_history",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "registry",
    "claims",
    "axes",
    "reader",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy (SECURE_CSP) and Permissions-Policy on every answer, cached or not.
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "config.security.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Anonymous GETs answered from the cache before sessions, auth or the database (claims.cache).
    "claims.cache.ResponseCacheMiddleware",
    "config.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Records which editor made each change, for the claim's history.
    "simple_history.middleware.HistoryRequestMiddleware",
    # Refuses sign-ins to a username from an address after too many failures (django-axes).
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
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # WAL lets the web process read while a job writes; the timeout rides out short locks.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"init_command": "PRAGMA journal_mode=WAL;", "transaction_mode": "IMMEDIATE", "timeout": 20}
    )
    # Tests use a file as well: an in-memory database shared between threads fails a second
    # writer at once ("table is locked") where a file makes it wait, as the jobs' tests need.
    # One file per test run, so that two runs side by side never share one.
    DATABASES["default"].setdefault("TEST", {}).setdefault(
        "NAME", str(Path(tempfile.gettempdir()) / f"claim-registry-test-{os.getpid()}.sqlite3")
    )
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")


def _next_redis_database(url: str) -> str:
    """REDIS_URL's server, one database number up: the cache never shares the broker's."""
    parts = urlsplit(url)
    number = parts.path.strip("/") or "0"
    if not number.isdigit() or int(number) >= 15:
        raise ImproperlyConfigured(
            f"REDIS_URL={url!r}: the cache takes the next database number; set CACHE_URL."
        )
    return urlunsplit(parts._replace(path=f"/{int(number) + 1}"))


# The cache (pages, throttle counts) in a Redis database of its own, apart from the Celery queue,
# so that its eviction policy (README, "Configuration") can never drop a queued task.
CACHE_URL = env.str("CACHE_URL", default="") or (
    _next_redis_database(REDIS_URL) if REDIS_URL else ""
)
if CACHE_URL:
    if urlsplit(CACHE_URL).scheme not in ("redis", "rediss", "unix"):
        raise ImproperlyConfigured(f"CACHE_URL={CACHE_URL!r}: use redis://host:port/db.")
    CACHES = {
        "default": {
            # Redis errors are cache misses; a hung Redis costs a request 0.1 s, then the
            # process stops asking it for a few seconds (config/cache_backend.py).
            "BACKEND": "config.cache_backend.ResilientRedisCache",
            "LOCATION": CACHE_URL,
            "OPTIONS": {"socket_connect_timeout": 0.1, "socket_timeout": 0.1, "pause_seconds": 5},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# How long the response cache keeps a page (claims.cache); 0 turns it off. Every write makes
# stored pages unreachable at once, so this only bounds the memory that superseded pages hold.
RESPONSE_CACHE_SECONDS = env.int("RESPONSE_CACHE_SECONDS", default=600)
if RESPONSE_CACHE_SECONDS < 0:
    raise ImproperlyConfigured("RESPONSE_CACHE_SECONDS must be 0 (off) or more.")
# How long a claim's rendered parts (its row in a list, its page, its API representation) stay
# in the cache (claims.cache, "Fragments"); 0 turns them off. A write to the claim retires them
# at once; this bounds memory, and how stale a link check's "checked on" date can be.
FRAGMENT_CACHE_SECONDS = env.int("FRAGMENT_CACHE_SECONDS", default=3600)
if FRAGMENT_CACHE_SECONDS < 0:
    raise ImproperlyConfigured("FRAGMENT_CACHE_SECONDS must be 0 (off) or more.")
# How often each process re-reads the database's copy of the cache generation, which carries
# the writes whose bump the cache did not take (claims.cache): their delay to readers.
try:
    RESPONSE_CACHE_EPOCH_SECONDS = env.float("RESPONSE_CACHE_EPOCH_SECONDS", default=1.0)
except ValueError:
    raise ImproperlyConfigured("RESPONSE_CACHE_EPOCH_SECONDS: a number of seconds.") from None
if not 0 <= RESPONSE_CACHE_EPOCH_SECONDS <= 60:
    raise ImproperlyConfigured("RESPONSE_CACHE_EPOCH_SECONDS must be between 0 and 60.")

# Error reports the claim pages' form takes from one address per hour (reader.views.report_error).
ERROR_REPORTS_PER_HOUR = env.int("ERROR_REPORTS_PER_HOUR", default=5)
if ERROR_REPORTS_PER_HOUR < 1:
    raise ImproperlyConfigured("ERROR_REPORTS_PER_HOUR must be 1 or more.")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Where a sign-in lands when it has no next= (or one that is refused as off-site): the editors'
# desk, not Django's /accounts/profile/, which this site does not have.
LOGIN_REDIRECT_URL = "admin:index"

LANGUAGE_CODE = "en-gb"
# Dates are typed and shown as YYYY-MM-DD in every form (config/formats/en_GB/formats.py).
FORMAT_MODULE_PATH = ["config.formats"]
# Widgets render through TEMPLATES, so that templates/admin/widgets/date.html (the format shown
# beside every admin date field) overrides the admin's; django.forms supplies Django's own.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
INSTALLED_APPS += ["django.forms"]
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
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

# Secure by default once DEBUG is off; each can be relaxed explicitly (e.g. behind a proxy
# that terminates TLS and sets X-Forwarded-Proto).
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
# Opt-in, as Django's docs advise: includeSubDomains breaks every plain-http subdomain of the
# domain, and preload (once the domain is on the browsers' list) cannot quickly be undone.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=False)
# check --deploy would warn about both being off: they are off on purpose until opted in.
SILENCED_SYSTEM_CHECKS = [
    *([] if SECURE_HSTS_INCLUDE_SUBDOMAINS else ["security.W005"]),
    *([] if SECURE_HSTS_PRELOAD else ["security.W021"]),
]
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=not DEBUG)
if env_bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Load balancers probe over plain http (config/health.py).
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# EMAIL_URL, e.g. smtp+tls://user:password@mail.example.org:587 (default: print to the console).
_email = env.email_url("EMAIL_URL", default="consolemail://")
if _email["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend":
    # Django's, telling a message the server took but never confirmed (claims.jobs.smtp).
    _email["EMAIL_BACKEND"] = "claims.jobs.smtp.EmailBackend"
MAILERS = {
    "default": {
        "BACKEND": _email["EMAIL_BACKEND"],
        "OPTIONS": (
            {
                "host": _email["EMAIL_HOST"],
                "port": _email["EMAIL_PORT"] or None,
                "username": _email["EMAIL_HOST_USER"],
                "password": _email["EMAIL_HOST_PASSWORD"],
                "use_tls": _email.get("EMAIL_USE_TLS", False),
                "use_ssl": _email.get("EMAIL_USE_SSL", False),
                "timeout": 10,
            }
            if _email["EMAIL_BACKEND"] == "claims.jobs.smtp.EmailBackend"
            else {}
        ),
    }
}
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="registry@localhost")

# Where the seed registry's source articles live (kept outside the repository).
SEED_ARTICLES_DIR = Path(
    env.str("SEED_ARTICLES_DIR", default=str(BASE_DIR.parent / "shared" / "articles"))
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

# The REST API (api/claims.py, api/sources.py, api/urls.py). Reads are public; writes need the
# Editors group's model permissions. Anonymous clients are throttled per address.
_API_ANON_RATE = env.str("API_ANON_RATE", default="120/minute")
if not re.fullmatch(r"\d+/(s|sec|second|m|min|minute|h|hour|d|day)", _API_ANON_RATE):
    raise ImproperlyConfigured(
        f"API_ANON_RATE={_API_ANON_RATE!r}: use e.g. 120/minute or 5000/day."
    )
REST_FRAMEWORK = {
    # Token first: it names the scheme in the 401 an anonymous write gets.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.DjangoModelPermissionsOrAnonReadOnly"
    ],
    "DEFAULT_PAGINATION_CLASS": "api.base.Pagination",
    "DEFAULT_FILTER_BACKENDS": [
        "api.base.OneValuePerParameter",
        "django_filters.rest_framework.DjangoFilterBackend",
        "api.filters.BoundedSearchFilter",
        "api.base.StableOrderingFilter",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.AnonRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"anon": _API_ANON_RATE},
    # How many proxies in front of us append to X-Forwarded-For. 0 (the default) throttles by
    # the connecting address, so that a client cannot dodge the limit with a forged header.
    "NUM_PROXIES": env.int("API_NUM_PROXIES", default=0),
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "config.security.BrowsableAPIRenderer",
    ],
    "DEFAULT_SCHEMA_CLASS": "api.schema.AutoSchema",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # Deeply nested JSON is a 400, not a RecursionError; every error body is an object.
    "DEFAULT_PARSER_CLASSES": [
        "api.base.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "EXCEPTION_HANDLER": "api.base.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Claim registry API",
    "DESCRIPTION": (
        "Forecasts, policy targets and checkable statistics from articles, with their deadlines, "
        "evidence and verdicts. Anyone may read; editors write with `Authorization: Token …`. "
        "Reads carry an ETag (answer If-None-Match with 304); PATCH honours If-Match (412) and an "
        "optional `version` (409)."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",  # tags and operation ids by resource, not "v1"
    "ENUM_NAME_OVERRIDES": {
        "ClaimKindEnum": "claims.models.Kind",
        "EntityKindEnum": "registry.models.Entity.Kind",
        "StatusEnum": "claims.models.Status",
    },
    # Request and response bodies as separate components, so read-only fields are never asked for.
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI from the sidecar package's static files: nothing from a CDN. (No Redoc: its page
    # loads Google Fonts and its bundle an image from cdn.redoc.ly.)
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # Swagger UI would otherwise send the schema to validator.swagger.io for a badge.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
}

# Background jobs (Celery; config/celery.py reads every CELERY_* setting). With REDIS_URL, Redis
# is the broker; without it, messages are files under VAR_DIR/broker (kombu's filesystem
# transport), so `make run` runs real jobs with no server to install.
VAR_DIR.mkdir(parents=True, exist_ok=True)
BROKER_DIR = VAR_DIR / "broker"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # A message taken by a worker that died before acknowledging it is delivered again
        # after this long. No task runs, or waits for a countdown, nearly as long.
        "visibility_timeout": 3600,
        # Publishing happens in web requests (after commit): a dead or hung broker must cost
        # them a second at most, never an error, and then claims.jobs.queueing pauses a while.
        "socket_connect_timeout": 1,
        "socket_timeout": 1,
    }
else:
    for _folder in ("queue", "control"):
        (BROKER_DIR / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://localhost//"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "control_folder": str(BROKER_DIR / "control"),
    }
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# No publish retries: redis-py reconnects a connection that went stale when the broker restarted
# by itself, and retries would only multiply the wait on a broker that is down or hung.
CELERY_TASK_PUBLISH_RETRY = False
# Every task is idempotent, so a message is acknowledged only once its task has run, and one
# whose worker died is run again rather than lost.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Jobs record their outcome in the database (claims.Job); nobody waits on a result.
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Beat tries a run it could not publish again at its next tick (the broker was down or hung).
CELERY_BEAT_SCHEDULER = "config.celery:RetryingScheduler"


def _bounded_int(name: str, default: int, low: int, high: int) -> int:
    try:
        value = env.int(name, default=default)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number.") from None
    if not low <= value <= high:
        raise ImproperlyConfigured(f"{name}={value}: must be between {low} and {high}.")
    return value


# How often the job that marks claims past their deadline as due runs.
FLAG_DUE_CLAIMS_EVERY_MINUTES = _bounded_int("FLAG_DUE_CLAIMS_EVERY_MINUTES", 60, 1, 24 * 60)
# Reminders go to editors this many days before a deadline, e.g. CLAIM_REMINDER_DAYS=30,7.
try:
    CLAIM_REMINDER_DAYS = sorted(
        {int(days) for days in env.list("CLAIM_REMINDER_DAYS", default=["30", "7"])}, reverse=True
    )
except ValueError:
    raise ImproperlyConfigured("CLAIM_REMINDER_DAYS: whole numbers of days, e.g. 30,7.") from None
if any(days < 1 for days in CLAIM_REMINDER_DAYS):
    raise ImproperlyConfigured("CLAIM_REMINDER_DAYS: each must be at least 1 day.")
# The hour (TIME_ZONE) at which the day's reminders and the editors' digest are queued.
EDITORS_DIGEST_HOUR = _bounded_int("EDITORS_DIGEST_HOUR", 7, 0, 23)
# The address emails link back to.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

CELERY_BEAT_SCHEDULE = {
    "flag-claims-past-their-deadline": {
        "task": "claims.tasks.flag_due_claims",
        "schedule": datetime.timedelta(minutes=FLAG_DUE_CLAIMS_EVERY_MINUTES),
        # A run that waited in the queue past the next one's time would only repeat it.
        "options": {"expires": FLAG_DUE_CLAIMS_EVERY_MINUTES * 60},
    },
    "queue-deadline-reminders": {
        "task": "claims.tasks.queue_deadline_reminders",
        "schedule": crontab(minute=0, hour=EDITORS_DIGEST_HOUR),
    },
    "queue-editors-daily-digest": {
        "task": "claims.tasks.queue_editors_digest",
        "schedule": crontab(minute=0, hour=EDITORS_DIGEST_HOUR),
    },
    # Sends what is pending: retries after a failure, and anything whose hand-off was lost.
    "send-editors-notifications": {
        "task": "claims.tasks.notify_editors",
        "schedule": datetime.timedelta(minutes=1),
        "options": {"expires": 60},
    },
}


def _address_networks(name: str) -> list[str]:
    """CIDRs (or bare addresses) from a comma-separated variable, each checked at start-up."""
    networks = []
    for entry in env.list(name, default=[]):
        try:
            networks.append(str(ipaddress.ip_network(entry.strip())))
        except ValueError as error:
            raise ImproperlyConfigured(
                f"{name}: {entry!r} is not an address or network ({error}); "
                "use e.g. 127.0.0.1/32,::1/128."
            ) from None
    return networks


# Link health (claims.jobs.link_checks): how often the job runs, how many links one run takes,
# and how many hosts it checks side by side (each host at most once a second, whatever this is).
LINK_CHECKS_EVERY_MINUTES = _bounded_int("LINK_CHECKS_EVERY_MINUTES", 5, 1, 24 * 60)
LINK_CHECKS_PER_RUN = _bounded_int("LINK_CHECKS_PER_RUN", 200, 1, 10_000)
LINK_CHECK_CONCURRENCY = _bounded_int("LINK_CHECK_CONCURRENCY", 8, 1, 64)
CELERY_BEAT_SCHEDULE |= {
    "check-evidence-links": {
        "task": "claims.tasks.check_links",
        "schedule": datetime.timedelta(minutes=LINK_CHECKS_EVERY_MINUTES),
        "options": {"expires": LINK_CHECKS_EVERY_MINUTES * 60},
    },
    # Snapshots are queued when evidence is added; this catches up a lost message.
    "take-evidence-snapshots": {
        "task": "claims.tasks.take_snapshots",
        "schedule": datetime.timedelta(minutes=10),
        "options": {"expires": 600},
    },
}

# Addresses the fetcher (claims.fetching) may reach although they are not public, e.g.
# FETCH_ALLOWED_PRIVATE_ADDRESSES=127.0.0.1/32 for pages served on loopback. Empty in production:
# evidence and article URLs then never reach loopback, private, link-local or metadata addresses.
FETCH_ALLOWED_PRIVATE_ADDRESSES = _address_networks("FETCH_ALLOWED_PRIVATE_ADDRESSES")

# django-axes counts failed sign-ins (its backend first, so a locked-out pair never reaches the
# password check) and locks a username from one address for a cool-off.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = _bounded_int("LOGIN_FAILURE_LIMIT", 5, 1, 100)
LOGIN_COOLOFF_MINUTES = _bounded_int("LOGIN_COOLOFF_MINUTES", 15, 1, 24 * 60)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=LOGIN_COOLOFF_MINUTES)
# A username from one address: an attacker cannot lock an editor out from elsewhere, and one
# address guessing at many accounts is still stopped per account.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The address as the API's throttle reads it (API_NUM_PROXIES), so a forged X-Forwarded-For
# never picks a fresh address per guess.
AXES_CLIENT_IP_CALLABLE = "config.security.client_address"
AXES_LOCKOUT_CALLABLE = "config.security.locked_out"

# A web request's SQL statement is cancelled after this long (PostgreSQL only; 0: never), so a
# pathological query cannot hold a connection and a core for minutes. Only in web processes:
# config/wsgi.py (and the Procfile's runserver) set REGISTRY_PROCESS=web before the settings
# load, so migrations, the seed loader and the jobs at a million claims are never cut off.
DATABASE_STATEMENT_TIMEOUT_MS = _bounded_int("DATABASE_STATEMENT_TIMEOUT_MS", 5000, 0, 3_600_000)
WEB_PROCESS = os.environ.get("REGISTRY_PROCESS") == "web"
if (
    WEB_PROCESS
    and DATABASE_STATEMENT_TIMEOUT_MS
    and DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
):
    _db_options = DATABASES["default"].setdefault("OPTIONS", {})
    _db_options["options"] = (
        f"{_db_options.get('options', '')} -c statement_timeout={DATABASE_STATEMENT_TIMEOUT_MS}"
    ).strip()

# Content-Security-Policy: only our own scripts, styles and images (and data: images), no
# plugins, no framing (config.security.allow_framing lifts that for a view meant to be
# embedded). The admin, the reader site, the browsable API and Swagger UI at /api/docs/ run
# under it; tests/e2e/test_security_headers.py opens each in Chromium and watches for violations.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
# Browser features no page of ours uses, turned off for every page (PermissionsPolicyMiddleware).
PERMISSIONS_POLICY = {
    feature: []
    for feature in [
        "accelerometer",
        "browsing-topics",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        # FLoC's opt-out: Chromium has dropped FLoC and ignores it; browsing-topics succeeds it.
        "interest-cohort",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    ]
}

# A signed-in session ends after this many hours without a request (each request starts the
# count again), so an editor's forgotten browser does not stay signed in for two weeks.
SESSION_IDLE_HOURS = _bounded_int("SESSION_IDLE_HOURS", 4, 1, 24 * 14)
SESSION_COOKIE_AGE = SESSION_IDLE_HOURS * 3600
SESSION_SAVE_EVERY_REQUEST = True
