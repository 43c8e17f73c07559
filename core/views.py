"""Health check: the database and the broker, each with its own verdict; and the site icon."""
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe


def _check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return "ok"
    except Exception as exc:  # noqa: BLE001 - a health check reports any failure
        return f"error: {type(exc).__name__}"


def _check_broker() -> str:
    from config.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return "ok"
    except Exception as exc:  # noqa: BLE001
        return f"error: {type(exc).__name__}"


def healthz(request):
    checks = {"database": _check_database(), "broker": _check_broker()}
    healthy = all(v == "ok" for v in checks.values())
    return JsonResponse({"status": "ok" if healthy else "degraded", **checks}, status=200 if healthy else 503)


# The site icon: the brand's accent colour with a "T". Served at /favicon.ico (where browsers look
# whether or not a page names one) and /favicon.svg; browsers read SVG from either.
FAVICON_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">'
    '<rect width="32" height="32" rx="7" fill="#2754c5"/>'
    '<path d="M8 9h16v4h-6v12h-4V13H8z" fill="#fff"/></svg>'
)


@require_safe
@cache_control(public=True, max_age=86400)
def favicon(request):
    return HttpResponse(FAVICON_SVG, content_type="image/svg+xml")
