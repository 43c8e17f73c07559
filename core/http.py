def client_ip(request) -> str | None:
    """The peer address. Behind a proxy, configure the proxy to set REMOTE_ADDR (no header trust here)."""
    return request.META.get("REMOTE_ADDR") or None
