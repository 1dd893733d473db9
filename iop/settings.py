"""Settings for iop, read from the environment (and an optional .env file).

Development works with no configuration at all: SQLite in the project folder, DEBUG on,
a development secret key. Production (DEBUG off) refuses to start without SECRET_KEY and
ALLOWED_HOSTS, and passes `manage.py check --deploy`.
"""

import datetime
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off (production).")
    SECRET_KEY = "dev-only-insecure-key-never-use-in-production"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "iop.apps.AdminConfig",  # the admin site, asking for the second factor too
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "import_export",
    "django_tasks",
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    "iop",
    "partnerships",
    "participants",
    "reporting",
]

MIDDLEWARE = [
    # First: an oversized body is refused by its Content-Length before anything parses it.
    "iop.request_limits.RequestSizeMiddleware",
    "iop.request_limits.FilterCharactersMiddleware",
    # A PDF render stopped by its limits answers with a plain Swedish page.
    "iop.pdf.PdfRefusedMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "iop.locale.SwedishFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "iop.security.SessionTimeoutMiddleware",
    "iop.security.PrivacyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "iop.security.SecondFactorMiddleware",
    # After sign-in, session and second factor, which are read from the primary.
    "iop.db_router.ReplicaMiddleware",
    # Last, as django-axes asks: it turns a lock-out into the "locked" page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "iop.urls"

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
                "django.template.context_processors.i18n",
                "iop.context_processors.roles",
            ],
            "builtins": ["iop.templatetags.iop"],
        },
    },
]

WSGI_APPLICATION = "iop.wsgi.application"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Keep connections open between requests; several app servers share one database.
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # PostgreSQL's JIT compiler spends half a second compiling the dashboards' aggregate
    # queries, several times what running them takes; these are short queries, not analytics.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")

# A read replica (PostgreSQL streaming replication): reports, dashboards and exports read
# from it (iop/db_router.py), except for a user who has just written, and never while it
# lags more than IOP_REPLICA_MAX_LAG_SECONDS or is down. Unset: everything on the primary.
DATABASE_REPLICA_URL = env("DATABASE_REPLICA_URL", default="")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = env.db_url_config(DATABASE_REPLICA_URL)
    DATABASES["replica"].update(
        ATOMIC_REQUESTS=False,
        CONN_MAX_AGE=DATABASES["default"].get("CONN_MAX_AGE", 0),
        CONN_HEALTH_CHECKS=True,
        OPTIONS={"options": "-c jit=off"},
        # Tests: no test database of its own; the real-replica test points it at the
        # primary test database's copy (tests/test_replica_router.py).
        TEST={"MIRROR": "default"},
    )
DATABASE_ROUTERS = ["iop.db_router.ReplicaRouter"]
IOP_REPLICA_MAX_LAG_SECONDS = env.float("IOP_REPLICA_MAX_LAG_SECONDS", default=10.0)
# After any write (POST, PUT, PATCH, DELETE) the user reads from the primary this long.
IOP_REPLICA_STICKY_SECONDS = env.int("IOP_REPLICA_STICKY_SECONDS", default=5)
# The pages that may read from the replica: reports, dashboards and exports (GET only).
IOP_REPLICA_VIEW_NAMES = [
    "dashboard_overview",
    "dashboard_detail",
    "dashboard_overview_csv",
    "dashboard_csv",
    "reporting:overview",
    "reporting:index",
    "reporting:figure_participants",
    "io_export",
]
# Behind PgBouncer in transaction mode a server-side cursor (QuerySet.iterator()) cannot
# outlive its transaction: turn them off on every PostgreSQL connection.
for _alias in DATABASES.values():
    if _alias["ENGINE"] == "django.db.backends.postgresql":
        _alias["DISABLE_SERVER_SIDE_CURSORS"] = env.bool(
            "DISABLE_SERVER_SIDE_CURSORS", default=False
        )

# One cache shared by every worker and app server: the database's own table by default
# (created by the migration iop 0004 and `manage.py createcachetable`), Redis for large
# installations (CACHE_URL=redis://host:6379/1, Django's built-in RedisCache; needs the
# `redis` package).
CACHES = {"default": env.cache_url("CACHE_URL", default="dbcache://iop_cache")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache":
    # Django's default of 300 entries culls a third of them at every overflow.
    CACHES["default"].setdefault("OPTIONS", {}).setdefault("MAX_ENTRIES", 20000)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "partnerships.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# django-axes first: it refuses a locked-out username+address before the password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's model backend, loading the signed-in user with organisation and roles in one
    # query (what the base layout shows on every page).
    "partnerships.backends.UserBackend",
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", "Svenska"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", default="Europe/Stockholm")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_ROOT = env("MEDIA_ROOT", default=str(BASE_DIR / "media"))

vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="iop@localhost")
# Deadline reminders (manage.py send_reminders): how many days ahead, and the address
# the links in the e-mails point to.
IOP_REMINDER_DAYS_AHEAD = env.int("IOP_REMINDER_DAYS_AHEAD", default=14)
IOP_SITE_URL = env("IOP_SITE_URL", default="http://localhost:8000")
# Steering-group dashboards show any count of people below this as "<5" (and hide the
# totals that would give it away).
IOP_SUPPRESSION_THRESHOLD = env.int("IOP_SUPPRESSION_THRESHOLD", default=5)
# The final report (slutrapport) is due this many months after the agreement period ends.
IOP_FINAL_REPORT_MONTHS = env.int("IOP_FINAL_REPORT_MONTHS", default=3)
# The caseworker's start page lists participants without a contact for this many days.
IOP_NOT_CONTACTED_DAYS = env.int("IOP_NOT_CONTACTED_DAYS", default=21)
# The dashboards' figures are kept this many seconds (per partnership set and year), so a
# steering group clicking around does not recount millions of contacts; 0 turns it off.
IOP_DASHBOARD_CACHE_SECONDS = env.int("IOP_DASHBOARD_CACHE_SECONDS", default=300)

# /health/?full=1 fails when a task ready to run has waited longer than this (no worker).
IOP_HEALTH_WORKER_MAX_WAIT_SECONDS = env.int("IOP_HEALTH_WORKER_MAX_WAIT_SECONDS", default=300)

# Request bodies: a form post is small; only the spreadsheet import takes a file (its own
# limit, IOP_IMPORT_MAX_BYTES). Checked by Content-Length first (iop/request_limits.py);
# Django's own limits keep form fields in memory small and spool files over 1 MB to disk.
IOP_REQUEST_MAX_BYTES = env.int("IOP_REQUEST_MAX_BYTES", default=2 * 1024 * 1024)
IOP_IMPORT_MAX_BYTES = env.int("IOP_IMPORT_MAX_BYTES", default=30 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = IOP_REQUEST_MAX_BYTES
FILE_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024

TASKS = {
    "default": {
        "BACKEND": env("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
    }
}

# Security: production values; development keeps plain http on localhost working.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    # The load balancer asks for /health/ over plain http inside the network.
    SECURE_REDIRECT_EXEMPT = [r"^health/$"]
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # "__Host-" cookies are only accepted over HTTPS, for this exact host and path "/":
    # a sibling subdomain cannot plant or overwrite them (OWASP ASVS 3.4.4).
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"

# Sessions live in the database with the user's id beside them (iop.models.UserSession), so
# that signing out or deactivating a user can end every session of theirs on the server.
SESSION_ENGINE = "iop.sessions"
IOP_SESSION_IDLE_SECONDS = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
IOP_SESSION_ABSOLUTE_SECONDS = env.int("SESSION_ABSOLUTE_SECONDS", default=12 * 60 * 60)
SESSION_COOKIE_AGE = IOP_SESSION_IDLE_SECONDS
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Second factor (django-otp): TOTP apps plus one-time recovery codes.
OTP_TOTP_ISSUER = "IOP"
# django-otp's throttle counts per device, so a stranger with the password could lock the
# owner out; wrong codes are counted per user and address instead (iop.security).
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0
IOP_SECOND_FACTOR_FAILURE_LIMIT = env.int("SECOND_FACTOR_FAILURE_LIMIT", default=5)

# Failed sign-ins are counted per username AND address, so nobody can lock another
# person out from elsewhere; the log line carries the username only (iop.security).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "security/locked_out.html"
AXES_CLIENT_STR_CALLABLE = "iop.security.axes_client_str"
AXES_CLIENT_IP_CALLABLE = "iop.client.client_ip"
# Reverse proxies in front of the app (each appends to X-Forwarded-For); 0 = none. One
# helper reads it for throttling, the access log and the audit trail (iop/client.py).
IOP_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_VERBOSE = False

# Content Security Policy (django-csp 4): scripts and styles from our own origin only,
# no inline code, and no framing by anyone.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"no_trace": {"()": "iop.log_filters.DropTracebackFilter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
        "console_no_trace": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["no_trace"],
        },
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        # SQL and request bodies can carry personal data: never log them.
        "django.db.backends": {"level": "WARNING", "propagate": True},
        # Sign-ins, failures, lock-outs and denied accesses (username only, no addresses).
        "iop.security": {"level": "INFO", "propagate": True},
        # django-axes logs addresses and user agents; our own lines above replace them.
        "axes": {"level": "ERROR", "propagate": True},
        "weasyprint": {"level": "WARNING", "propagate": True},
        # Django logs every 4xx/5xx with the path and, for 500, a traceback that may hold
        # personal data from local variables; keep the line, drop the traceback.
        "django.request": {"level": "ERROR", "handlers": ["console_no_trace"], "propagate": False},
    },
}

IOP_ROLE_NAMES = {
    "coordinator": _("Koordinator"),
    "finance": _("Ekonom"),
    "steering": _("Styrgrupp"),
    "manager": _("Partnerskapsansvarig"),
    "admin": _("Administratör"),
}

# Participants whose last exit is older than this are pseudonymised by
# `manage.py pseudonymise_participants --apply` (name, personnummer and notes removed).
PARTICIPANT_RETENTION_YEARS = env.int("PARTICIPANT_RETENTION_YEARS", default=5)

# The UBL 2.1 schemas and the PEPPOL BIS 3.0 rules (reporting/peppol.py validates every
# e-invoice against them, offline).
SCHEMAS_DIR = Path(env("IOP_SCHEMAS_DIR", default=str(BASE_DIR.parent / "shared" / "schemas")))

# The document archive (partnerships): the largest file accepted, and where files are kept.
# Set STORAGES["documents"] (e.g. an S3-compatible backend) to keep them off the disk.
IOP_DOCUMENT_MAX_BYTES = env.int("IOP_DOCUMENT_MAX_BYTES", default=20 * 1024 * 1024)
# Retention of the archive (manage.py purge_documents_past_retention): the files of a
# document deleted this many days ago, and of every document of an agreement that ended
# (or was terminated) this many years ago, are removed from storage; the rows stay. The
# municipality's or region's records plan (dokumenthanteringsplan) decides the period.
IOP_DOCUMENT_DELETED_RETENTION_DAYS = env.int("IOP_DOCUMENT_DELETED_RETENTION_DAYS", default=90)
IOP_DOCUMENT_AGREEMENT_RETENTION_YEARS = env.int(
    "IOP_DOCUMENT_AGREEMENT_RETENTION_YEARS", default=10
)

# Views that take a file upload, allowed a larger request body than the 2 MB default
# (iop/request_limits.py): the import limit, and the document limit.
IOP_UPLOAD_VIEW_NAMES = [
    "io_import",
    "participants:create",
    "participants:consent_create",
    "reporting:network_upload",
]
IOP_DOCUMENT_VIEW_NAMES = ["document_list", "document_detail", "participants:documents"]
