"""Grant schemes: the listing's and the scheme page's context, following, and calendar feeds.

The two pages are Wagtail pages (GrantSchemeIndexPage, GrantSchemePage); their `get_context`
calls the helpers here, so the models stay declarative.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from directory.grant_forms import GRANT_STATUS_CHOICES, GrantFilterForm, GrantFollowForm
from directory.models import GrantFollow, GrantSchemePage
from directory.selectors import (
    GRANT_OPEN,
    GRANT_UPCOMING,
    GrantFilters,
    grant_schemes_listing,
    grant_status,
)
from directory.services.grants import grant_calendar_ics, grant_follow, grant_unfollow

STATUS_LABELS = dict(GRANT_STATUS_CHOICES)


def _status(status: str, replaced_by, request) -> dict:
    """What the status tag shows; a replaced scheme links to its replacement when it is public."""
    replacement = replaced_by if replaced_by is not None and replaced_by.live else None
    return {
        "code": status,
        "label": str(STATUS_LABELS.get(status, "")),
        "replacement_title": replacement.title if replacement else "",
        "replacement_url": replacement.get_url(request) if replacement else "",
    }


def _followed_ids(user) -> set[int]:
    if not user.is_authenticated:
        return set()
    return set(GrantFollow.objects.filter(user=user).values_list("scheme_id", flat=True))


def grant_index_context(request, page) -> dict:
    today = timezone.localdate()
    form = GrantFilterForm(request.GET)
    filters = form.filters()
    followed = _followed_ids(request.user)
    rows = [
        {
            "scheme": scheme,
            "url": scheme.get_url(request),
            "status": _status(scheme.grant_status, scheme.replaced_by, request),
            "deadline": scheme.upcoming_deadline,
            "days_left": (scheme.upcoming_deadline - today).days
            if scheme.upcoming_deadline
            else None,
            "applicant_types": [t.label_nb for t in scheme.applicant_types.all()],
            "target_groups": [t.label_nb for t in scheme.target_groups.all()],
            "followed": scheme.pk in followed,
        }
        for scheme in grant_schemes_listing(filters, today)
    ]
    return {
        "form": form,
        "rows": rows,
        "total": len(rows),
        # A filter with an error counts too: «Fjern alle filtre» is how to get rid of it.
        "filtered": filters != GrantFilters() or bool(form.errors),
        "clear_filters_url": page.get_url(request),
        "calendar_url": reverse("grant_calendar_all"),
    }


def grant_scheme_context(request, page) -> dict:
    today = timezone.localdate()
    rounds = sorted(
        page.rounds.all(),
        key=lambda r: (r.application_deadline is None, r.application_deadline, r.grant_year),
    )
    following = (
        request.user.is_authenticated
        and page.pk is not None
        and GrantFollow.objects.filter(user=request.user, scheme_id=page.pk).first()
    )
    replaces = (
        GrantSchemePage.objects.live().public().filter(replaced_by_id=page.pk).order_by("title")
        if page.pk
        else []
    )
    next_deadline = page.next_deadline_from(today)
    parent = page.get_parent() if page.path else None
    return {
        "index_url": parent.get_url(request) if parent else "",
        "status": _status(grant_status(page, today), page.replaced_by, request),
        "rounds": rounds,
        "next_deadline": next_deadline,
        "days_left": (next_deadline - today).days if next_deadline else None,
        "grant_type": page.grant_type.label_nb if page.grant_type_id else "",
        "target_groups": [t.label_nb for t in page.target_groups.all()],
        "applicant_types": [t.label_nb for t in page.applicant_types.all()],
        "requirements": [t.label_nb for t in page.requirements.all()],
        "replaces": [{"title": s.title, "url": s.get_url(request)} for s in replaces],
        "is_public": page.live,
        "following": bool(following),
        "follow_days": following.days_before if following else [],
        "follow_form": GrantFollowForm(
            initial={"days_before": following.days_before} if following else None
        ),
        "follow_url": reverse("grant_follow", args=[page.pk]) if page.pk else "",
        "unfollow_url": reverse("grant_unfollow", args=[page.pk]) if page.pk else "",
        "calendar_url": reverse("grant_calendar", args=[page.pk]) if page.pk else "",
        "login_url": f"{reverse('account_login')}?{urlencode({'next': page.url or '/'})}",
    }


def _live_scheme(page_id: int) -> GrantSchemePage:
    return get_object_or_404(GrantSchemePage.objects.live().public(), pk=page_id)


def _days_text(days: list[int]) -> str:
    """«21 og 7», «30, 14 og 7»: the chosen stages as a sentence would say them."""
    words = [str(d) for d in days]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + _(" og ") + words[-1]


@login_required
@require_POST
def grant_follow_view(request, page_id: int):
    """Follow a scheme, or change when to be reminded (the same form, pre-filled)."""
    scheme = _live_scheme(page_id)
    form = GrantFollowForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["days_before"]))
        return redirect(scheme.get_url(request))
    try:
        follow = grant_follow(
            user=request.user, scheme=scheme, days_before=form.cleaned_data["days_before"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _(
                "Du følger «%(title)s». Du får en påminnelse på e-post og under Varsler "
                "%(days)s dager før hver søknadsfrist."
            )
            % {"title": scheme.title, "days": _days_text(follow.days_before)},
        )
    return redirect(scheme.get_url(request))


@login_required
@require_POST
def grant_unfollow_view(request, page_id: int):
    scheme = _live_scheme(page_id)
    if grant_unfollow(user=request.user, scheme=scheme):
        messages.success(
            request,
            _("Du følger ikke lenger «%(title)s» og får ingen flere påminnelser.")
            % {"title": scheme.title},
        )
    return redirect(scheme.get_url(request))


def _ics_response(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    # Public data: calendar apps may cache it for a while.
    response["Cache-Control"] = "public, max-age=900"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["X-Robots-Tag"] = "noindex"
    return response


@require_safe
def grant_calendar(request, page_id: int):
    """One scheme's deadlines. Drafts and unpublished schemes are 404."""
    scheme = get_object_or_404(
        GrantSchemePage.objects.live().public().prefetch_related("rounds"), pk=page_id
    )
    return _ics_response(grant_calendar_ics([scheme]), f"tilskudd-{scheme.slug}.ics")


@require_safe
def grant_calendar_all(request):
    """The deadlines of every scheme that is open for applications or has one coming."""
    schemes = (
        grant_schemes_listing(GrantFilters(), timezone.localdate())
        .filter(grant_status__in=[GRANT_OPEN, GRANT_UPCOMING])
        .prefetch_related("rounds")
    )
    return _ics_response(grant_calendar_ics(schemes), "tilskuddsordninger.ics")


urlpatterns = [
    path("tilskudd/kalender.ics", grant_calendar_all, name="grant_calendar_all"),
    path("tilskudd/<int:page_id>/kalender.ics", grant_calendar, name="grant_calendar"),
    path("tilskudd/<int:page_id>/folg/", grant_follow_view, name="grant_follow"),
    path("tilskudd/<int:page_id>/slutt-a-folge/", grant_unfollow_view, name="grant_unfollow"),
]
