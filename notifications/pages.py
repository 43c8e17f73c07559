"""The mail preferences form that both dashboards include (templates/notifications/_preferences.html)."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path
from django.views.decorators.http import require_POST

from core.errors import DomainError

from . import services


@login_required
@require_POST
def preferences_save(request):
    """Checked boxes are the mails the user wants; every other kind of theirs is turned off."""
    if not services.notification_kinds_for_user(request.user):
        raise Http404("No mail preferences for this account.")
    try:
        services.notification_preferences_set(user=request.user, enabled=request.POST.getlist("kinds"))
        messages.success(request, "Your mail preferences are saved.")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("dashboard")


urlpatterns = [
    path("dashboard/notifications", preferences_save, name="notification-preferences"),
]
