"""Production: refuses to start without its secrets; `manage.py check --deploy` is clean."""
from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F401,F403
from .base import env


def _required(name: str) -> str:
    value = env.str(name, default="")
    if not value:
        raise ImproperlyConfigured(f"{name} must be set in production")
    return value


DEBUG = False
SECRET_KEY = _required("DJANGO_SECRET_KEY")
STRIPE_SECRET_KEY = _required("STRIPE_SECRET_KEY")
STRIPE_WEBHOOK_SECRET = _required("STRIPE_WEBHOOK_SECRET")
DATASET_MASTER_KEY = _required("DATASET_MASTER_KEY")
# One platform key signs every model card; without it each host would generate its own development key.
TUNEMARKET_CARD_SIGNING_KEY = _required("TUNEMARKET_CARD_SIGNING_KEY")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")

# https://docs.djangoproject.com/en/5.2/howto/deployment/checklist/
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# Mail goes out over SMTP; the host must be named (nothing is mailed to the console in production).
# https://docs.djangoproject.com/en/5.2/ref/settings/#email-host
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = _required("EMAIL_HOST") if EMAIL_BACKEND.endswith("smtp.EmailBackend") else env.str("EMAIL_HOST", default="")
EMAIL_PORT = env.int("EMAIL_PORT", default=587)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=True)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
DEFAULT_FROM_EMAIL = _required("DEFAULT_FROM_EMAIL")
TUNEMARKET_SITE_URL = _required("TUNEMARKET_SITE_URL").rstrip("/")
