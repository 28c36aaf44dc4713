"""Personal calendar feed: the page that shows and renews the secret URL, and the feed itself."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from agreements import permissions as p
from agreements.services.calendar import (
    calendar_feed_by_token,
    calendar_feed_for,
    calendar_feed_ics,
    calendar_feed_revoke,
)


@login_required
@require_http_methods(["GET", "POST"])
def calendar_settings(request):
    if not p.can_use_agreements(request.user):
        return render(request, "pages/calendar_settings.html", {"not_allowed": True}, status=403)
    if request.method == "POST":
        calendar_feed_revoke(request.user)
        messages.success(
            request,
            _(
                "Du har fått en ny lenke. Den gamle lenken virker ikke lenger: bytt den ut i "
                "kalenderen din."
            ),
        )
        return redirect("calendar_settings")
    feed = calendar_feed_for(request.user)
    return render(
        request,
        "pages/calendar_settings.html",
        {
            "feed": feed,
            "feed_url": settings.SITE_URL + reverse("calendar_feed", args=[feed.token]),
        },
    )


@require_safe
def calendar_feed(request, token: str):
    """No login: calendar apps cannot sign in. The secret URL is the key, and what the feed
    holds is checked against the owner's access on every request."""
    feed = calendar_feed_by_token(token)
    if feed is None:
        raise Http404
    response = HttpResponse(calendar_feed_ics(feed), content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    response["Content-Disposition"] = 'inline; filename="samarbeidsavtaler.ics"'
    response["X-Robots-Tag"] = "noindex"
    return response


urlpatterns = [
    path("intern/kalender/", calendar_settings, name="calendar_settings"),
    path("kalender/<str:token>.ics", calendar_feed, name="calendar_feed"),
]
