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
