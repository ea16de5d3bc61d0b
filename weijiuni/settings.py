"""One settings module, read from the environment (django-environ).

Production sets ``DATABASE_URL``, ``CELERY_BROKER_URL``, ``SECRET_KEY`` (or ``SECRET_KEY_FILE``)
and ``DEBUG=false``. Without ``DATABASE_URL`` / ``CELERY_BROKER_URL`` the embedded PostgreSQL and
Redis of ``weijiuni.embedded`` are started: the zero-set-up demo. There is no SQLite path.
"""

from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote

import environ
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
DEMO = env.bool("WEIJIUNI_DEMO", default=DEBUG)


def _secret(name: str, demo_default: str | None = None) -> str:
    file_path = env.str(f"{name}_FILE", default="")
    if file_path:
        return Path(file_path).read_text().strip()
    if demo_default is not None and (DEBUG or DEMO):
        return env.str(name, default=demo_default)
    return env.str(name)


SECRET_KEY = _secret("SECRET_KEY", demo_default="demo-only-insecure-key-change-me")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

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
    "knox",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "axes",
    "pgtrigger",
    "pghistory",
    "django_celery_beat",
    "applicants",
    "eligibility",
    "payments",
    "integrity",
    "weijiuni",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "weijiuni.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "weijiuni.middleware.RefuseUnsafeQueryMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "weijiuni.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "pghistory.middleware.HistoryMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "weijiuni.urls"
WSGI_APPLICATION = "weijiuni.wsgi.application"

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
                "weijiuni.context_processors.navigation",
                "csp.context_processors.nonce",
            ],
        },
    },
]

# --- Stores: PostgreSQL always; Redis for the broker, results and the cache --------------------
if env.str("DATABASE_URL", default=""):
    DATABASES = {"default": env.db("DATABASE_URL")}
else:
    from weijiuni import embedded

    DATABASES = {"default": env.db_url_config(embedded.database_url())}
if "%2F" in DATABASES["default"].get("HOST", ""):  # a unix socket directory in the URL
    DATABASES["default"]["HOST"] = unquote(DATABASES["default"]["HOST"])
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

if env.str("CELERY_BROKER_URL", default=""):
    CELERY_BROKER_URL = env.str("CELERY_BROKER_URL")
    REDIS_CACHE_URL = env.str("REDIS_CACHE_URL", default=CELERY_BROKER_URL)
else:
    from weijiuni import embedded

    CELERY_BROKER_URL = embedded.broker_url()
    REDIS_CACHE_URL = env.str("REDIS_CACHE_URL", default=embedded.cache_url())

CACHES = {
    "default": {
        "BACKEND": "weijiuni.cache.RedisCache",
        "LOCATION": REDIS_CACHE_URL,
        "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="weijiuni"),
    }
}

CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=CELERY_BROKER_URL)
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=30 * 60)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=25 * 60)
CELERY_RESULT_EXPIRES = timedelta(days=1)
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="celery")

# --- Users, passwords, lockout, sessions -------------------------------------------------------
AUTH_USER_MODEL = "applicants.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env.int("PASSWORD_MIN_LENGTH", default=12)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
# Two-factor login (TOTP, django-otp): required for these roles outside demo mode, optional for
# the others (MLPS level 3: two factors for privileged users). In demo mode the demo accounts log
# in with the password alone.
OTP_REQUIRED_ROLES = env.list("OTP_REQUIRED_ROLES", default=["admin", "approver", "supervisor"])
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="威救你")
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # the admin may delete a lost device, never read its key
#: minutes a password-checked login may wait for its code before it has to start again
OTP_LOGIN_TIMEOUT_MINUTES = env.int("OTP_LOGIN_TIMEOUT_MINUTES", default=5)

AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "weijiuni.lockout.lockout_response"
AXES_IPWARE_PROXY_COUNT = env.int("AXES_PROXY_COUNT", default=0)

# --- Language and time -------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static files: whitenoise; ECharts from the npm registry at set-up time --------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / ".run" / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
if (BASE_DIR / "node_modules" / "echarts" / "dist").exists():
    STATICFILES_DIRS.append(("vendor/echarts", BASE_DIR / "node_modules" / "echarts" / "dist"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG or DEMO
# Uploaded documents live outside the web root and are served only through scoped views.
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / ".run" / "private")))

# --- API ---------------------------------------------------------------------------------------
#: a list's count is exact up to this many rows (a bounded count), the planner's estimate
#: above it (labelled: ``count_exact`` false, "约" on a page): no COUNT(*) of a million-row
#: join per request (issue 15, applicants/paging.py)
EXACT_COUNT_LIMIT = env.int("EXACT_COUNT_LIMIT", default=1000)
#: how long a list's estimate (a count past that limit) is kept and shared by readers of the
#: same rows, in seconds (0: recounted every request)
ESTIMATED_COUNT_SECONDS = env.int("ESTIMATED_COUNT_SECONDS", default=60)
#: a region's list of villages (the scope of its staff) is kept this long in the cache at most;
#: saving or deleting a region drops every list at once (applicants.models.scope_village_ids)
SCOPE_VILLAGES_SECONDS = env.int("SCOPE_VILLAGES_SECONDS", default=3600)
#: the pages a person turns (inbox, households, overdue) offer at most this many pages; past
#: them the filters and the search narrow the list (the API pages by cursor, without a limit)
PAGE_MAX_NUMBER = env.int("PAGE_MAX_NUMBER", default=100)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "weijiuni.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    # Keyset (cursor) pages for every list, new ones included (issue 15; docs/api.md)
    "DEFAULT_PAGINATION_CLASS": "weijiuni.api.pagination.KeysetPagination",
    "PAGE_SIZE": 50,
    # Documents the error answers (400, 401, 403, 404, 413, 415, 429) on every operation.
    "DEFAULT_SCHEMA_CLASS": "weijiuni.api.schema.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("THROTTLE_ANON", default="120/minute"),
        "user": env.str("THROTTLE_USER", default="2000/minute"),
        "assessment": env.str("THROTTLE_ASSESSMENT", default="60/minute"),
        "login": env.str("THROTTLE_LOGIN", default="30/minute"),
        # objections and complaints anyone may file without logging in (issue 11)
        "public_write": env.str("THROTTLE_PUBLIC_WRITE", default="30/minute"),
        # data sources posting DCI on-search callbacks (issue 10): many answers per request
        "dci_callback": env.str("THROTTLE_DCI_CALLBACK", default="6000/minute"),
    },
    "EXCEPTION_HANDLER": "weijiuni.api.exceptions.exception_handler",
    # JSON bodies are bounded in size and depth (a 100,000-deep array was a RecursionError).
    "DEFAULT_PARSER_CLASSES": [
        "weijiuni.api.parsers.LimitedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # Throttles key on REMOTE_ADDR unless we are told how many proxies to trust: a client's own
    # X-Forwarded-For must not choose its rate-limit bucket.
    "NUM_PROXIES": env.int("NUM_PROXIES", default=0),
}
#: Limits of what one API request may carry; past them the request is refused before a view runs.
API_MAX_BODY_BYTES = env.int("API_MAX_BODY_BYTES", default=1_000_000)
API_MAX_JSON_DEPTH = env.int("API_MAX_JSON_DEPTH", default=16)
#: The most members one household may have in a request (the anonymous assessment, drafts,
#: registration): a household, not a town — 20,000 members took 36 s per assessment.
HOUSEHOLD_MAX_MEMBERS = env.int("HOUSEHOLD_MAX_MEMBERS", default=30)
# API tokens (django-rest-knox): only a SHA-512 digest is stored, each token expires, and
# `POST auth/logout/` / `auth/logout-all/` revoke them. `Authorization: Token <key>` as before.
REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=env.int("API_TOKEN_TTL_HOURS", default=10)),
    "TOKEN_LIMIT_PER_USER": env.int("API_TOKEN_LIMIT_PER_USER", default=20),
    "AUTH_HEADER_PREFIX": "Token",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "威救你 Wei Jiu Ni API",
    "DESCRIPTION": "社会救助平台 API — social assistance platform",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "AreaEnum": "applicants.models.Area",
        "StandardAreaEnum": ["", "urban", "rural"],
        # verification (issue 10): its own status sets beside the workflow's
        "VerificationRequestStatusEnum": (
            "eligibility.verification.models.VerificationRequestStatus"
        ),
        "SourceQueryStatusEnum": "eligibility.verification.models.SourceQueryStatus",
        "RunStatusEnum": "eligibility.verification.models.RunStatus",
        "BatchStateEnum": "payments.models.Batch.State",
        "BatchKindEnum": "payments.models.Batch.Kind",
        "LineKindEnum": "payments.models.Line.Kind",
        "LineStatusEnum": "payments.models.Line.Status",
        # fund-anomaly findings (issue 11 item 6)
        "AnomalyKindEnum": "integrity.models.AnomalyFinding.Check",
        "AnomalyStatusEnum": "integrity.models.AnomalyFinding.Status",
        "AnomalyResolutionEnum": ["confirmed", "dismissed"],
        # the hub (issue 12)
        "OrganizationKindEnum": "weijiuni.models.SocialOrganization.Kind",
        "PointsEntryKindEnum": "weijiuni.models.PointsEntry.Kind",
        "StaffKindEnum": "weijiuni.models.StaffMember.Kind",
        # integrity (issue 11)
        "ObjectionChannelEnum": "integrity.models.Objection.Channel",
        "ComplaintKindEnum": "integrity.models.Complaint.Kind",
        "ComplaintStatusEnum": "integrity.models.Complaint.Status",
        "OutcomeEnum": "eligibility.models.Review.Outcome",
        # the names these had before the hub and integrity added sets of the same field names
        "ApplicationStateEnum": "applicants.models.ApplicationState",
        "ChannelEnum": "applicants.models.Application.Channel",
        "EnrollmentStatusEnum": "eligibility.models.Enrollment.Status",
    },
}

# --- Transport and security headers ------------------------------------------------------------
# Production defaults are the secure ones; demo mode (plain HTTP on a laptop) relaxes them. Behind
# a TLS-terminating proxy set SECURE_PROXY_SSL_HEADER=HTTP_X_FORWARDED_PROTO,https — and only if
# that proxy overwrites the header, or a client could claim HTTPS itself.
_SECURE_DEFAULT = not DEBUG and not DEMO
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=_SECURE_DEFAULT)
# The container's own health probe speaks plain HTTP to 127.0.0.1.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000 if _SECURE_DEFAULT else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=_SECURE_DEFAULT)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=_SECURE_DEFAULT)
_proxy_header = env.list("SECURE_PROXY_SSL_HEADER", default=[])
SECURE_PROXY_SSL_HEADER = tuple(_proxy_header) if _proxy_header else None
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=_SECURE_DEFAULT)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=SESSION_COOKIE_SECURE)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp): scripts only from our origin and with the page's nonce;
# no inline script, no inline event handler, no eval. Style attributes are allowed because ECharts
# writes its tooltips with them; <style> elements are not.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
#: Permissions-Policy: the platform uses none of these browser features.
PERMISSIONS_POLICY = env.str(
    "PERMISSIONS_POLICY",
    default=(
        "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
        "microphone=(), payment=(), usb=()"
    ),
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

#: enrollments per re-evaluation task (issue 5: at least 10,000 per task)
REEVALUATION_CHUNK_SIZE = env.int("REEVALUATION_CHUNK_SIZE", default=10_000)
CELERY_BEAT_SCHEDULE = {
    "reevaluation-resume": {"task": "eligibility.reevaluation_resume", "schedule": 300.0},
    "reviews-schedule": {"task": "eligibility.reviews_schedule", "schedule": 6 * 3600.0},
    "reevaluations-due": {"task": "eligibility.reevaluations_due", "schedule": 3600.0},
    "enrollments-end-due": {"task": "eligibility.enrollments_end_due", "schedule": 3600.0},
}

# --- Audit trail (issues 11, 14) ---------------------------------------------------------------
# Every pghistory event table refuses UPDATE and DELETE by trigger, like the other trail tables.
PGHISTORY_APPEND_ONLY = True
#: the role the application connects as in production; ``manage.py db_grant_runtime`` (run by
#: migrate's post-migrate hook too) gives it DML on tables and nothing else
DATABASE_RUNTIME_ROLE = env.str("DATABASE_RUNTIME_ROLE", default="weijiuni_app")
#: how long trail rows stay in the live tables before the archive job copies them out; the law
#: asks for at least 6 months of logs (网络安全法 Art 21), so less is refused at start-up
AUDIT_RETENTION_MONTHS = env.int("AUDIT_RETENTION_MONTHS", default=6)
if AUDIT_RETENTION_MONTHS < 6:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        f"AUDIT_RETENTION_MONTHS={AUDIT_RETENTION_MONTHS}: 审计记录至少保留 6 个月 "
        "(the audit trail must be kept at least 6 months)."
    )
#: the printed village noticeboard (公示栏) shows applicants' full names (SPEC §9 "masked on
#: the internet page"): off by default; the online pages are always masked
NOTICE_BOARD_FULL_NAME = env.bool("NOTICE_BOARD_FULL_NAME", default=False)
AUDIT_ARCHIVE_DIR = Path(env.str("AUDIT_ARCHIVE_DIR", default=str(BASE_DIR / ".run" / "audit")))
CELERY_BEAT_SCHEDULE["audit-trail-archive"] = {
    "task": "integrity.trail_archive",
    "schedule": 24 * 3600.0,
}

# --- Household economic verification (issue 10, SPEC §7) -----------------------------------------
#: where batch-file sources exchange files: outbox/<source>/ (requests), inbox/<source>/ (results)
VERIFICATION_EXCHANGE_DIR = Path(
    env.str("VERIFICATION_EXCHANGE_DIR", default=str(BASE_DIR / ".run" / "exchange"))
)
#: the address HTTP (DCI) sources post their on-search callback to: this platform's own URL
VERIFICATION_CALLBACK_BASE_URL = env.str(
    "VERIFICATION_CALLBACK_BASE_URL", default=f"http://127.0.0.1:{env.str('PORT', default='8000')}"
)
#: serve the demo's simulated sources on /sim/dci/<source>/search (demo mode only by default)
VERIFICATION_SIMULATED_SOURCES = env.bool("VERIFICATION_SIMULATED_SOURCES", default=DEMO)
#: a request's queries are sent in batches of this many sources (one Celery task each), and
#: each batch calls its sources concurrently on this many threads (the calls are waits)
VERIFICATION_SEND_BATCH = env.int("VERIFICATION_SEND_BATCH", default=40)
VERIFICATION_SEND_THREADS = env.int("VERIFICATION_SEND_THREADS", default=16)
CELERY_BEAT_SCHEDULE["verification-inbox-scan"] = {
    "task": "verification.inbox_scan",
    "schedule": 30.0,
}
#: how long a bulk re-verification waits for every batch-file source's result file
VERIFICATION_BULK_WAIT_SECONDS = env.int("VERIFICATION_BULK_WAIT_SECONDS", default=24 * 3600)
#: requests left running (a lost message) are picked up again after 5 minutes
CELERY_BEAT_SCHEDULE["verification-resume"] = {
    "task": "verification.resume",
    "schedule": 300.0,
    "args": (300,),
}

SMS_BACKEND = env.str("SMS_BACKEND", default="applicants.notifications.LoggingSMSBackend")
DOCUMENT_MAX_BYTES = env.int("DOCUMENT_MAX_BYTES", default=5 * 1024 * 1024)
#: a monitoring system that sends `Authorization: Bearer <HEALTH_TOKEN>` sees the detail of
#: /healthz; without it (or an administrator's session) the answer is only ok / fail.
HEALTH_TOKEN = (
    Path(env.str("HEALTH_TOKEN_FILE")).read_text().strip()
    if env.str("HEALTH_TOKEN_FILE", default="")
    else env.str("HEALTH_TOKEN", default="")
)

# --- Payments (issue 9) --------------------------------------------------------------------------
#: where bank files are written for the bank transfer (one per batch and bank)
# Supervisor dashboard: months of history its summaries keep (the charts' longest period); the
# summaries are rebuilt after each batch job and every night (beat; the database scheduler
# copies this entry into its table at start).
DASHBOARD_MONTHS = env.int("DASHBOARD_MONTHS", default=24)
CELERY_BEAT_SCHEDULE["dashboard-summaries-nightly"] = {
    "task": "weijiuni.summaries_rebuild",
    "schedule": crontab(hour=env.int("DASHBOARD_REBUILD_HOUR", default=2), minute=15),
    "kwargs": {"reason": "nightly"},
}
PAYMENTS_OUTBOX = Path(env.str("PAYMENTS_OUTBOX", default=str(BASE_DIR / ".run" / "bank")))
CELERY_BEAT_SCHEDULE["payments-generation-resume"] = {
    "task": "payments.generation_resume",
    "schedule": 300.0,
}

# --- Fund-anomaly checks (issue 11 item 6, SPEC §9) -----------------------------------------------
#: how often every check runs (seconds; nightly by default); findings are unique per subject
ANOMALY_CHECKS_EVERY = env.float("ANOMALY_CHECKS_EVERY", default=24 * 3600.0)
#: an UPDATE or DELETE of an audit row refused by the database rolls back; its count does not,
#: and becomes a refused-attempt record within a minute (issue 11)
CELERY_BEAT_SCHEDULE["integrity-sql-edit-refusals"] = {
    "task": "integrity.sql_edit_refusals",
    "schedule": 60.0,
}
CELERY_BEAT_SCHEDULE["integrity-anomaly-checks"] = {
    "task": "integrity.anomaly_checks",
    "schedule": ANOMALY_CHECKS_EVERY,
}
