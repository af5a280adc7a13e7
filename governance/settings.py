"""Settings, read from the environment (and from `.env` beside manage.py, if present).

Every variable is listed in `.env.example`. With nothing set but `DEBUG=true` the project
runs on an SQLite file and a filesystem Celery broker, so a fresh clone needs no servers.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it in the environment or in .env "
            "(`make setup` writes a .env with a random key), or set DEBUG=true for development."
        )
    SECRET_KEY = "insecure-development-key-only-used-with-debug"

# The key that encrypts residents' ID numbers, phones and health details at rest
# (governance.platform.personal_data; a Fernet key: 32 url-safe base64 bytes). Required in
# production, and
# kept apart from SECRET_KEY so that rotating one never makes the register unreadable.
PERSONAL_DATA_KEY = env.str("PERSONAL_DATA_KEY", default="")
if not PERSONAL_DATA_KEY and not DEBUG:
    raise ImproperlyConfigured(
        'PERSONAL_DATA_KEY is not set. Generate one with: python -c "from '
        'cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"'
    )

# Detail views of residents of concern one person may open in an hour; beyond it the
# register pauses for them and the county's administrators are told (bulk viewing).
RESIDENT_VIEWS_PER_HOUR = env.int("RESIDENT_VIEWS_PER_HOUR", default=60)
# Years a person's personal data is kept after they leave management (residents.services.retention).
RESIDENT_RETENTION_YEARS = env.int("RESIDENT_RETENTION_YEARS", default=3)
if RESIDENT_RETENTION_YEARS < 1:
    raise ImproperlyConfigured("RESIDENT_RETENTION_YEARS must be at least 1.")

# How long the dashboard's figures may be read from the cache (disputes.selectors.stats_cache); any
# change to a case of the area's county recomputes them sooner. 0 turns the cache off.
STATS_CACHE_SECONDS = env.int("STATS_CACHE_SECONDS", default=60)

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
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
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "mptt",
    "axes",
    "csp",
    "governance",
    "grids",
    "personnel",
    "disputes",
    "notifications",
    "audit",
    "exports",
    "residents",
    "campaigns",
    "supervision",
    "points",
    "cameras",
    "assessment",
    "todo",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "governance.platform.input_guard.InputGuardMiddleware",  # before anything reads body or cookies
    "django.contrib.sessions.middleware.SessionMiddleware",
    "governance.platform.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "governance.urls"
WSGI_APPLICATION = "governance.wsgi.application"

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
                "governance.context_processors.navigation",
                "notifications.context_processors.unread_notifications",
            ],
        },
    },
]

# --- Database: PostgreSQL when DATABASE_URL is set, else an SQLite file in var/ ---------
DATABASE_URL = env.str("DATABASE_URL", default="")
if DATABASE_URL:
    DATABASES = {"default": env.db_url_config(DATABASE_URL)}
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    if not env.bool("DB_JIT", default=False) and DATABASES["default"]["ENGINE"].endswith(
        "postgresql"
    ):
        # PostgreSQL's JIT compiles the plan of any query it deems costly: the dashboard's
        # aggregates over a city's cases paid ~600 ms of compilation for a query that runs
        # in less (benchmarks/RESULTS.md). A web application's short queries never gain.
        options = DATABASES["default"].setdefault("OPTIONS", {})
        options["options"] = (options.get("options", "") + " -c jit=off").strip()
else:
    VAR_DIR.mkdir(exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env.str("SQLITE_PATH", default=str(VAR_DIR / "db.sqlite3")),
            "OPTIONS": {
                # The web process and the Celery worker write to the same file: take the
                # write lock at BEGIN and wait for it instead of failing with "locked".
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith(("postgresql", "postgis"))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "personnel.User"

# --- Broker and cache: Redis when REDIS_URL is set, else no server at all ---------------
REDIS_URL = env.str("REDIS_URL", default="")
# A request that queues a task after commit must not wait for a Redis that is down (kombu's
# default retries took 6 s): one quick retry, then the task is dropped and its rows wait for
# their periodic catch-up sweep (notifications.deliver_pending).
REDIS_TRANSPORT_OPTIONS = {"max_retries": 1, "interval_start": 0, "socket_connect_timeout": 2}
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = REDIS_TRANSPORT_OPTIONS
    CELERY_RESULT_BACKEND = REDIS_URL
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
        }
    }
else:
    BROKER_DIR = VAR_DIR / "broker"
    for sub in ("queue", "processed", "results", "control"):
        (BROKER_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "store_processed": False,
        "control_folder": str(BROKER_DIR / "control"),  # not ./control in the checkout
    }
    CELERY_RESULT_BACKEND = f"file://{BROKER_DIR / 'results'}"
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = timedelta(hours=1)
CELERY_TIMEZONE = env.str("TIME_ZONE", default="Asia/Shanghai")
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE = {
    "escalate-overdue": {"task": "disputes.escalate_overdue", "schedule": 300.0},
    "warn-deadlines": {"task": "disputes.warn_deadlines", "schedule": 3600.0},
    "warn-supervision": {"task": "disputes.warn_supervision", "schedule": 3600.0},
    "deliver-pending-notifications": {"task": "notifications.deliver_pending", "schedule": 300.0},
    # 走访提醒: each worker hears of their visits due by tomorrow, once per due date.
    "remind-visits": {"task": "grids.remind_visits", "schedule": crontab(hour=7, minute=0)},
    "erase-expired-personal-data": {
        "task": "grids.erase_expired_personal_data",
        "schedule": crontab(hour=3, minute=15),
    },
    "campaign-deadlines": {"task": "governance.campaign_deadlines", "schedule": 600.0},
    # 公示: items whose notice ended without an objection standing start to count.
    "points-count": {"task": "points.count_due", "schedule": 900.0},
    # Staffing coverage of every township and village, for the monthly assessment.
    # Logins follow posts that start or end on the day.
    "sync-logins": {"task": "personnel.sync_logins", "schedule": crontab(hour=0, minute=5)},
    "record-coverage": {
        "task": "personnel.record_coverage",
        "schedule": crontab(hour=1, minute=30),
    },
    # Last month's evaluations of police officers, auxiliary police and grid workers; the
    # ranking reads them, so they run first.
    "evaluate-staff": {
        "task": "personnel.evaluate_staff",
        "schedule": crontab(day_of_month=1, hour=1, minute=0),
    },
    # Last month's ranking of every township and village, as a draft for the committee.
    "compute-rankings": {
        "task": "governance.compute_rankings",
        "schedule": crontab(day_of_month=1, hour=2, minute=0),
    },
}

# --- Outgoing notifications (SMS or WeCom gateway); the in-app inbox needs none ----------
# "log" writes each message to the log, "webhook" POSTs it to a gateway, "none" sends nothing.
NOTIFICATION_CHANNEL = env.str("NOTIFICATION_CHANNEL", default="log")
NOTIFICATION_WEBHOOK_URL = env.str("NOTIFICATION_WEBHOOK_URL", default="")
NOTIFICATION_WEBHOOK_TOKEN = env.str("NOTIFICATION_WEBHOOK_TOKEN", default="")
if NOTIFICATION_CHANNEL not in ("log", "webhook", "none"):
    raise ImproperlyConfigured(
        f"NOTIFICATION_CHANNEL is {NOTIFICATION_CHANNEL!r}; use log, webhook or none."
    )
if NOTIFICATION_CHANNEL == "webhook" and not NOTIFICATION_WEBHOOK_URL.startswith(
    ("http://", "https://")
):
    raise ImproperlyConfigured(
        "NOTIFICATION_CHANNEL is webhook: set NOTIFICATION_WEBHOOK_URL to the gateway's "
        "http(s) address."
    )

# --- Accounts, passwords and login throttling --------------------------------------------
AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a locked-out username/IP before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Argon2 hashes every new or changed password; a PBKDF2 hash of an older account still
# verifies and is rehashed with Argon2 at that user's next login.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Hours an API token lasts from the login that issued it (a login replaces the previous
# token, and a password change ends it at once).
API_TOKEN_HOURS = env.int("API_TOKEN_HOURS", default=24)
if API_TOKEN_HOURS < 1:
    raise ImproperlyConfigured("API_TOKEN_HOURS must be at least 1.")

AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

# --- Internationalisation: Chinese first, English available -----------------------------
LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="zh-hans")
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Shanghai")
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["governance.formats"]

# --- Static files: served by the application itself (WhiteNoise), never from a CDN -------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# ECharts for the dashboard, installed from npm by `make setup`, served as
# /static/vendor/echarts/echarts.min.js (governance.platform.staticfinders; absent without npm: the
# dashboard then shows its figures as tables only).
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "governance.platform.staticfinders.VendorFinder",
]
STATIC_ROOT = env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
# Case photos and documents; served only through a view that checks jurisdiction.
MEDIA_ROOT = env.str("MEDIA_ROOT", default=str(VAR_DIR / "media"))
# Days a village points item stays on the notice 公示 before it counts.
POINTS_NOTICE_DAYS = env.int("POINTS_NOTICE_DAYS", default=7)
PHOTO_MAX_BYTES = env.int("PHOTO_MAX_BYTES", default=10 * 1024 * 1024)
DOCUMENT_MAX_BYTES = env.int("DOCUMENT_MAX_BYTES", default=20 * 1024 * 1024)
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

# --- REST API ------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "governance.platform.api.TokenWithAreaAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "governance.platform.api.DepthLimitedJSONParser",  # a body nested past 32 levels is a 400
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "governance.platform.api.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # A service's ValidationError, PermissionDenied, DoesNotExist: the API's 400, 403, 404.
    "EXCEPTION_HANDLER": "governance.platform.http_errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "County grassroots governance API",
    "DESCRIPTION": "基层社会治理综合平台 API. Every list and object is limited to the "
    "caller's jurisdiction (their area's subtree).",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "AreaLevelEnum": "grids.models.AreaLevel",
        "AreaKindEnum": "grids.models.AreaKind",
        "ResidentStatusEnum": "residents.models.ResidentStatus",
        "ResidentCategoryEnum": "residents.models.ResidentCategory",
        "RiskLevelEnum": "residents.models.RiskLevel",
        "CaseKindEnum": "disputes.models.CaseKind",
        "CaseLevelEnum": "disputes.models.CaseLevel",
        "CaseStatusEnum": "disputes.models.CaseStatus",
        "AttachmentKindEnum": "disputes.models.AttachmentKind",
        "NotificationKindEnum": "notifications.models.NotificationKind",
        "PostKindEnum": "personnel.models.PostKind",
        "MemberTypeEnum": "personnel.models.MemberType",
        "EndReasonEnum": "personnel.models.EndReason",
        "GenderEnum": "personnel.models.Gender",
        "OutcomeEnum": "assessment.models.Outcome",
        "FollowUpEnum": "assessment.models.FollowUp",
        "IncidentKindEnum": "assessment.models.IncidentKind",
        "AssignmentLineEnum": "disputes.models.AssignmentLine",
        "MeetingLevelEnum": "supervision.models.MeetingLevel",
        "CampaignStatusEnum": "campaigns.models.CampaignStatus",
        "TaskStatusEnum": "campaigns.models.TaskStatus",
    },
}

# --- Security: production values unless DEBUG ------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# A refused form (an expired page, cookies off) explains itself in the user's language.
CSRF_FAILURE_VIEW = "governance.platform.csrf.csrf_failure"
# Content-Security-Policy: scripts, styles, images and fonts only from this site; no inline
# script or style, no eval, no frames, forms post only here. The templates hold no inline
# script or style attribute, and the dashboard's charts draw on canvas with their tooltips
# in it too (tests/governance/test_hardening.py fails on a violation in Chromium). The API's
# docs page, Swagger UI, gets its own wider style policy in governance.urls.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
