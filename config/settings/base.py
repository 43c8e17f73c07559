"""Settings shared by every environment. Values come from the environment (django-environ).

The embedded default is SQLite plus a server-less Kombu transport (SQLAlchemy on SQLite), so a
first run needs neither PostgreSQL nor Redis. DATABASE_URL / CELERY_BROKER_URL / REDIS_URL switch.
"""
from datetime import timedelta
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(environ.Env().str("TUNEMARKET_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

env = environ.Env()

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="insecure-local-only-key-change-me-0123456789abcdef")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "core",
    "accounts",
    "marketplace",
    "payments",
    "tuning",
    "evaluation",
    "notifications",
    "specialists",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'tunemarket.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL + a busy timeout let the web server and the worker share the embedded database.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 30, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    # A database cache is shared by the web server and the worker without any server process.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "tunemarket_cache"}}

# The largest JSON or form body an API endpoint reads (core/parsers.py); uploads have their own limit.
API_MAX_BODY_BYTES = env.int("API_MAX_BODY_BYTES", default=1024 * 1024)

AUTH_USER_MODEL = "accounts.User"
# https://docs.djangoproject.com/en/5.2/topics/auth/passwords/#using-argon2-with-django
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/dashboard/"
LOGOUT_REDIRECT_URL = "/"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"] if (BASE_DIR / "static").exists() else []
MEDIA_ROOT = Path(env.str("TUNEMARKET_MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "/media/"  # never served directly: dataset and artifact reads go through checked views
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# --- API -----------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # core/parsers.py: JSON and form bodies are capped at API_MAX_BODY_BYTES before they are read, and
    # JSON nested too deeply is a 400. Multipart uploads stream through tuning.files' own limit.
    "DEFAULT_PARSER_CLASSES": [
        "core.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
        "core.parsers.FormParser",
    ],
    "EXCEPTION_HANDLER": "core.errors.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    # Throttles key on REMOTE_ADDR, never on a client-sent X-Forwarded-For: set NUM_PROXIES to the number
    # of trusted proxies in front of the app when there are any.
    "NUM_PROXIES": env.int("NUM_PROXIES", default=0),
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("THROTTLE_ANON", default="120/min"),
        "user": env.str("THROTTLE_USER", default="1200/min"),
        "auth": env.str("THROTTLE_AUTH", default="20/min"),
        # Chat completions per user (base models are open to every signed-in organisation: guarded,
        # logged per request in tuning.InferenceLog, and limited here).
        "chat": env.str("THROTTLE_CHAT", default="120/min"),
    },
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Tunemarket API",
    "DESCRIPTION": "Fine-tune language models responsibly: vetted providers, licensed customers, gated releases.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Assets ship in drf-spectacular-sidecar: the docs page fetches nothing from the internet.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # The one error shape on every operation (core/schema.py), after drf-spectacular's own enum hook.
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "core.schema.add_error_responses"],
}

# Failed logins (accounts/backends.py, for the API, the sign-in page and the admin): after
# LOGIN_MAX_FAILURES within LOGIN_FAILURE_WINDOW that email from that address is locked out; the address
# alone is throttled after LOGIN_IP_MAX_FAILURES (any emails).
AUTHENTICATION_BACKENDS = ["accounts.backends.LockoutModelBackend"]
LOGIN_MAX_FAILURES = env.int("LOGIN_MAX_FAILURES", default=5)
LOGIN_IP_MAX_FAILURES = env.int("LOGIN_IP_MAX_FAILURES", default=50)
LOGIN_FAILURE_WINDOW = timedelta(minutes=env.int("LOGIN_FAILURE_WINDOW_MINUTES", default=15))
API_KEY_LAST_USED_RESOLUTION = timedelta(seconds=60)

# --- Celery ----------------------------------------------------------------------------------
# Embedded default: Kombu's SQLAlchemy transport on a SQLite file, no server needed.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or f"sqla+sqlite:///{VAR_DIR / 'celery-broker.sqlite3'}")
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_TIMEZONE = "UTC"
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Long work (training, evaluation) goes to its own queue; a GPU host can consume `gpu` instead.
TUNEMARKET_TRAINING_QUEUE = env.str("TUNEMARKET_TRAINING_QUEUE", default="training")
CELERY_TASK_ROUTES = {
    "tuning.tasks.job_run_task": {"queue": TUNEMARKET_TRAINING_QUEUE},
    # Evaluation is long model work too, so it runs where training runs.
    "evaluation.tasks.evaluation_run_task": {"queue": TUNEMARKET_TRAINING_QUEUE},
    # Re-checks of released models after a safety change: the same model work, in the background.
    "evaluation.tasks.evaluation_recheck_task": {"queue": TUNEMARKET_TRAINING_QUEUE},
}
# https://docs.celeryq.dev/en/stable/getting-started/backends-and-brokers/redis.html#visibility-timeout
# Longer than the longest job, so Redis never re-delivers a message that a live worker still holds.
JOB_MAX_SECONDS = env.int("JOB_MAX_SECONDS", default=6 * 3600)
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {"visibility_timeout": JOB_MAX_SECONDS + 3600} if CELERY_BROKER_URL.startswith(("redis", "rediss")) else {}
)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Periodic work, all in one place (`celery worker -B` or a separate `celery beat` runs it).
TUNEMARKET_REAPER_INTERVAL_SECONDS = env.float("TUNEMARKET_REAPER_INTERVAL_SECONDS", default=60.0)
CELERY_BEAT_SCHEDULE = {
    # Re-queues jobs whose worker stopped heartbeating; fails them after JOB_MAX_ATTEMPTS.
    "tuning.reap_expired_leases": {
        "task": "tuning.tasks.reap_expired_leases",
        "schedule": float(TUNEMARKET_REAPER_INTERVAL_SECONDS),
        "options": {"queue": "default", "expires": float(TUNEMARKET_REAPER_INTERVAL_SECONDS)},
    },
    # Captures held payments N days after delivery (PAYMENTS_AUTO_CAPTURE_DAYS); releases stale holds.
    "payments.capture_due_payments": {
        "task": "payments.tasks.capture_due_payments",
        "schedule": 3600.0,
    },
    # Stripe events stored but not processed (a lost message): processed again, once (payments.services).
    "payments.stripe_events_resend": {
        "task": "payments.tasks.stripe_events_resend_task",
        "schedule": float(env.int("PAYMENTS_EVENT_RESEND_SECONDS", default=300)),
    },
    # Re-checks every released model whose evaluation ran under other safety suites, guard or platform
    # base (evaluation.conf.safety_fingerprint); a model that now fails the gate is suspended.
    "evaluation.rechecks_queue": {
        "task": "evaluation.tasks.evaluation_rechecks_queue_task",
        "schedule": 3600.0,
    },
    # Sends notification mails still unsent a few minutes after their event (broker down at commit,
    # retries exhausted); a sent row is never sent again.
    "notifications.send_pending": {
        "task": "notifications.tasks.notifications_send_pending_task",
        "schedule": 300.0,
        "options": {"expires": 300.0},
    },
}
# Mail (notifications, model suspension): the console in development, SMTP in production
# (config/settings/production.py), Django's in-memory outbox in tests.
# https://docs.djangoproject.com/en/5.2/topics/email/#email-backends
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Tunemarket <no-reply@tunemarket.test>")
# With EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend, mails are kept as files here.
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))
# Links in mails are absolute: the address people reach the site at.
TUNEMARKET_SITE_URL = env.str("TUNEMARKET_SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# --- Stripe ----------------------------------------------------------------------------------
STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", default="")
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="")
# localstripe in development, tests and the demo; unset for real Stripe.
STRIPE_API_BASE = env.str("STRIPE_API_BASE", default="")
STRIPE_WEBHOOK_TOLERANCE = env.int("STRIPE_WEBHOOK_TOLERANCE", default=300)
# An event still unprocessed this long after it was stored is queued again (the beat entry above).
PAYMENTS_EVENT_RESEND_SECONDS = env.int("PAYMENTS_EVENT_RESEND_SECONDS", default=300)

# --- Tuning -----------------------------------------------------------------------------------
TUNEMARKET_MODEL_CACHE = Path(env.str("TUNEMARKET_MODEL_CACHE", default=str(VAR_DIR / "models")))
# Evaluation: suite sizes and seeds as JSON (suites.runner.SuiteConfig fields; unset = the full suites),
# and the Ed25519 key that signs model cards (unset = a development key generated into VAR_DIR/keys/).
TUNEMARKET_EVALUATION_SUITES = env.json("TUNEMARKET_EVALUATION_SUITES", default=None)
TUNEMARKET_CARD_SIGNING_KEY = env.str("TUNEMARKET_CARD_SIGNING_KEY", default="")
# Master key that wraps each dataset file's own key (base64 of 32 bytes). Local default only.
DATASET_MASTER_KEY = env.str("DATASET_MASTER_KEY", default="bG9jYWwtb25seS1kYXRhc2V0LW1hc3Rlci1rZXktMzI=")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "stripe": {"level": "WARNING"}},
}
# Schema warnings are API-documentation concerns, not deployment ones; tests check the schema.
SPECTACULAR_SETTINGS["ENABLE_DJANGO_DEPLOY_CHECK"] = False
