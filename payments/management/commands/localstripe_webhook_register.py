"""Development only: tell localstripe where to send signed events (real Stripe: use the Dashboard).

    manage.py localstripe_webhook_register --url http://127.0.0.1:8000/v1/stripe/webhook

localstripe signs with the secret given here, so it must equal STRIPE_WEBHOOK_SECRET.
"""
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Register this server's webhook URL with localstripe (POST /_config/webhooks/<id>)."

    def add_arguments(self, parser):
        parser.add_argument("--url", required=True)
        parser.add_argument("--id", default="tunemarket")

    def handle(self, *args, url, id, **options):
        base = settings.STRIPE_API_BASE
        if not base:
            raise CommandError("STRIPE_API_BASE is empty: this is for localstripe only. For real Stripe, add the "
                               "endpoint in the Dashboard and set STRIPE_WEBHOOK_SECRET to its signing secret.")
        if not settings.STRIPE_WEBHOOK_SECRET:
            raise CommandError("STRIPE_WEBHOOK_SECRET is empty.")
        body = urllib.parse.urlencode({"url": url, "secret": settings.STRIPE_WEBHOOK_SECRET}).encode()
        try:
            urllib.request.urlopen(f"{base.rstrip('/')}/_config/webhooks/{id}", data=body, timeout=10).close()
        except (urllib.error.URLError, OSError) as exc:
            raise CommandError(f"Could not register the webhook with localstripe at {base}: {exc}") from exc
        self.stdout.write(f"localstripe will send events to {url}")
