"""The admin's login form: Django's, with the same lockout message and audit as the API and /login/.

The lockout itself is in accounts.backends.LockoutModelBackend (authenticate() goes through it)."""
from __future__ import annotations

from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError

from core.http import client_ip

from . import services


class AdminLoginForm(AdminAuthenticationForm):
    def clean(self):
        email = (self.cleaned_data.get("username") or "").strip().lower()
        ip_address = client_ip(self.request) if self.request is not None else None
        if email and services.login_is_locked(email=email, ip_address=ip_address):
            services.audit_record(action="auth.login_throttled", actor_email=email, ip_address=ip_address,
                                  channel="admin")
            raise ValidationError("Too many failed sign-in attempts. Try again later.", code="too_many_failed_logins")
        cleaned = super().clean()
        user = self.get_user()
        services.audit_record(action="auth.login", actor=user, organization=user.organization,
                              ip_address=ip_address, channel="admin")
        return cleaned
