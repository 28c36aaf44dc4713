"""«Varsler»: a signed-in user's in-portal notifications."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from directory.models import Notification
from directory.services import reminders
from directory.views.rendering import paginate


def _local_path(link: str) -> bool:
    """Only paths on this site: a notification must never send anyone elsewhere."""
    return (
        link.startswith("/")
        and not link.startswith(("//", "/\\"))
        and url_has_allowed_host_and_scheme(link, allowed_hosts=set())
    )


@login_required
@require_safe
def notification_list(request):
    notifications = Notification.objects.filter(user=request.user)
    return render(
        request,
        "pages/notification_list.html",
        {
            "notifications": paginate(request, notifications),
            "unread_count": notifications.unread().count(),
        },
    )


@login_required
@require_safe
def notification_open(request, pk: int):
    notification = get_object_or_404(Notification, pk=pk, user=request.user)
    reminders.notification_mark_read(notification=notification)
    if _local_path(notification.link):
        return redirect(notification.link)
    return redirect("notification_list")


@login_required
@require_POST
def notifications_mark_all_read(request):
    count = reminders.notifications_mark_all_read(user=request.user)
    if count:
        messages.success(request, _("Alle varslene er merket som lest."))
    return redirect("notification_list")


urlpatterns = [
    path("varsler/", notification_list, name="notification_list"),
    path("varsler/<int:pk>/", notification_open, name="notification_open"),
    path("varsler/les-alle/", notifications_mark_all_read, name="notifications_mark_all_read"),
]
