"""The one place every password check goes through: the API's token endpoint, the sign-in page and the
Django admin's login all call ``django.contrib.auth.authenticate``, which calls this backend.

Repeated failures lock the (email, address) pair, so an attacker cannot lock a user out from
everywhere and one office address is not locked for everyone behind it; the address alone is only
throttled, at a higher count (``LOGIN_MAX_FAILURES``, ``LOGIN_IP_MAX_FAILURES``,
``LOGIN_FAILURE_WINDOW``). Every failure and every refusal is in the audit log."""
from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from core.http import client_ip

from . import services


class LockoutModelBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        email = (kwargs.get("email") or username or "").strip().lower()
        ip_address = kwargs.get("ip_address") or (client_ip(request) if request is not None else None)
        if services.login_is_locked(email=email, ip_address=ip_address):
            services.audit_record(action="auth.login_throttled", actor_email=email, ip_address=ip_address)
            raise PermissionDenied("Too many failed sign-in attempts.")  # authenticate() stops here
        user = super().authenticate(request, username=email, password=password)
        if user is None:
            services.login_failed(email=email, ip_address=ip_address)
            services.audit_record(action="auth.login_failed", actor_email=email, ip_address=ip_address)
            return None
        services.login_succeeded(email=email, ip_address=ip_address)
        return user
