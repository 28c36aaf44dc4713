"""The moderation queue for Nav staff. Lives under /intern/, so MFA is required to get here."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from directory import permissions as p
from directory.forms import DecisionForm
from directory.models import Offer, Organisation, OrganisationClaim
from directory.services.offers import offer_approve, offer_reject
from directory.services.organisations import organisation_claim_decide, organisation_decide
from directory.views.rendering import paginate

# Fields compared between the live version and the one waiting for review.
COMPARED_FIELDS = [
    "title",
    "summary",
    "description",
    "min_age",
    "max_age",
    "price_text",
    "next_step",
    "season_text",
    "start_date",
    "end_date",
    "contact_role",
    "contact_email",
    "contact_phone",
    "notice",
]


def moderator_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not p.can_moderate_offers(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


@moderator_required
def queue(request):
    offers = (
        Offer.objects.awaiting_moderation()
        .select_related("organisation")
        .order_by("submitted_at", "pk")
    )
    organisations = Organisation.objects.filter(status=Organisation.Status.PENDING).order_by(
        "created_at"
    )
    claims = (
        OrganisationClaim.objects.filter(status=OrganisationClaim.Status.PENDING)
        .select_related("user", "organisation")
        .order_by("created_at")
    )
    return render(
        request,
        "pages/moderation_queue.html",
        {
            "offers": paginate(request, offers),
            "organisations": organisations,
            "claims": claims,
            "counts": {
                "offers": offers.count(),
                "organisations": organisations.count(),
                "claims": claims.count(),
            },
        },
    )


def _changes(live: Offer, proposed: Offer) -> list[dict]:
    if not live.live:
        return []
    changes = []
    for name in COMPARED_FIELDS:
        before, after = getattr(live, name), getattr(proposed, name)
        if before != after:
            changes.append(
                {
                    "label": Offer._meta.get_field(name).verbose_name,
                    "before": before,
                    "after": after,
                }
            )
    return changes


@moderator_required
def offer_review(request, pk: int):
    offer = get_object_or_404(Offer.objects.select_related("organisation"), pk=pk)
    proposed = offer.get_latest_revision_as_object()
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        approve = request.POST.get("decision") == "approve"
        try:
            if approve:
                offer_approve(offer=offer, by=request.user)
            else:
                offer_reject(offer=offer, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            if hasattr(error, "error_dict") and "reason" in error.error_dict:
                form.add_error("reason", error.error_dict["reason"])
            else:
                messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                (
                    _("«%(title)s» er godkjent og publisert.")
                    if approve
                    else _("«%(title)s» er sendt tilbake med begrunnelse.")
                )
                % {"title": proposed.title},
            )
            return redirect("moderation_queue")
    return render(
        request,
        "pages/moderation_offer.html",
        {
            "offer": offer,
            "proposed": proposed,
            "changes": _changes(offer, proposed),
            "form": form,
        },
    )


def _refused(request, form):
    """A reason the database cannot store (too long, a NUL byte) is told, not a server error."""
    messages.error(request, " ".join(form.errors.get("reason", [])))
    return redirect("moderation_queue")


@moderator_required
@require_POST
def organisation_review(request, pk: int):
    organisation = get_object_or_404(Organisation, pk=pk)
    approve = request.POST.get("decision") == "approve"
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _refused(request, form)
    try:
        organisation_decide(
            organisation=organisation,
            by=request.user,
            approve=approve,
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            (_("%(name)s er godkjent.") if approve else _("%(name)s er avvist."))
            % {"name": organisation.name},
        )
    return redirect("moderation_queue")


@moderator_required
@require_POST
def claim_review(request, pk: int):
    claim = get_object_or_404(OrganisationClaim, pk=pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _refused(request, form)
    try:
        organisation_claim_decide(
            claim=claim,
            by=request.user,
            approve=request.POST.get("decision") == "approve",
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Forespørselen er behandlet."))
    return redirect("moderation_queue")


urlpatterns = [
    path("intern/moderering/", queue, name="moderation_queue"),
    path("intern/moderering/tilbud/<int:pk>/", offer_review, name="moderation_offer"),
    path(
        "intern/moderering/organisasjon/<int:pk>/",
        organisation_review,
        name="moderation_organisation",
    ),
    path("intern/moderering/forespørsel/<int:pk>/", claim_review, name="moderation_claim"),
]
