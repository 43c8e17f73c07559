"""Small request and response helpers shared by the apps' API views and pages."""
from rest_framework.negotiation import BaseContentNegotiation


def client_ip(request) -> str | None:
    """The peer address. Behind a proxy, configure the proxy to set REMOTE_ADDR (no header trust here)."""
    return request.META.get("REMOTE_ADDR") or None


def organization_of_kind_or_404(request, kind: str, message: str):
    """The signed-in user's organisation when it is of `kind` (customer, provider); any other caller gets a 404."""
    from django.http import Http404

    user = request.user
    org = user.organization if user.is_authenticated else None
    if org is None or org.kind != kind:
        raise Http404(message)
    return org


def unix_seconds(value) -> int | None:
    """A datetime as the API's integer Unix timestamp (OpenAI's `created_at`), or None."""
    return int(value.timestamp()) if value else None


def from_unix_seconds(value: int | None):
    """Stripe's integer timestamps as an aware datetime (UTC), or None."""
    from datetime import UTC, datetime

    return datetime.fromtimestamp(int(value), tz=UTC) if value else None


class RawContentNegotiation(BaseContentNegotiation):
    """For views that answer bytes or a document of their own (a file's content, a signed model card):
    any Accept header is accepted (the openai client sends `application/binary`), and errors still
    render as JSON through the view's first renderer."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type
