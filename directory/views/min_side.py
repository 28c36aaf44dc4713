"""Min side: organisation representatives manage their organisations and offers."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from directory import permissions as p
from directory.forms import (
    DecisionForm,
    OfferForm,
    OrganisationClaimForm,
    OrganisationModelsForm,
    OrganisationRegistrationForm,
)
from directory.models import Offer, Organisation, OrganisationClaim, OrganisationMembership
from directory.services.freshness import offer_confirm, offer_from_confirmation_token
from directory.services.offers import offer_save_draft, offer_set_visibility, offer_submit
from directory.services.organisations import (
    organisation_claim_decide,
    organisation_claim_request,
    organisation_register,
    organisation_set_prevention_models,
)
from directory.views.rendering import errors_to_form


@login_required
def dashboard(request):
    memberships = (
        OrganisationMembership.objects.filter(user=request.user)
        .select_related("organisation")
        .prefetch_related(
            Prefetch(
                "organisation__offers",
                queryset=Offer.objects.order_by("title").select_related("kind"),
            ),
            Prefetch(
                "organisation__claims",
                queryset=OrganisationClaim.objects.filter(status="pending").select_related("user"),
                to_attr="pending_claims",
            ),
        )
        .order_by("organisation__name")
    )
    my_claims = OrganisationClaim.objects.filter(
        user=request.user, status="pending"
    ).select_related("organisation")
    return render(
        request,
        "pages/min_side.html",
        {"memberships": memberships, "my_claims": my_claims},
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation_new(request):
    form = OrganisationRegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            # One transaction with the municipalities: a dropped connection in between must
            # not leave an organisation that serves nowhere.
            with transaction.atomic():
                organisation = organisation_register(
                    organisation=form.save(commit=False), by=request.user
                )
                form.instance = organisation
                form.save_m2m()
        except ValidationError as error:
            errors_to_form(form, error)
        else:
            messages.success(
                request,
                _(
                    "%(name)s er registrert. Nav godkjenner organisasjonen før tilbudene kan "
                    "publiseres; du kan begynne å skrive tilbud nå."
                )
                % {"name": organisation.name},
            )
            return redirect("min_side")
    return render(request, "pages/min_side_organisation_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def organisation_claim(request):
    form = OrganisationClaimForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organisation_claim_request(
                organisation=form.organisation,
                by=request.user,
                message=form.cleaned_data["message"],
            )
        except ValidationError as error:
            errors_to_form(form, error)
        else:
            messages.success(
                request,
                _(
                    "Forespørselen er sendt. Du får tilgang når Nav eller "
                    "organisasjonen godkjenner den."
                ),
            )
            return redirect("min_side")
    return render(request, "pages/min_side_claim_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def organisation_models(request, pk: int):
    """The prevention models an organisation says it follows."""
    organisation = get_object_or_404(Organisation, pk=pk)
    if not p.can_edit_organisation(request.user, organisation):
        raise PermissionDenied(_("Du kan ikke endre denne organisasjonen."))
    # Unticking every model posts nothing, which must still count as a submitted form.
    data = request.POST if request.method == "POST" else None
    form = OrganisationModelsForm(data, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            titles = organisation_set_prevention_models(
                organisation=organisation,
                by=request.user,
                models=form.cleaned_data["prevention_models"],
            )
        except ValidationError as error:
            errors_to_form(form, error)
        else:
            messages.success(
                request,
                _("Lagret. %(name)s vises nå på sidene til: %(titles)s.")
                % {"name": organisation.name, "titles": ", ".join(titles)}
                if titles
                else _("Lagret. %(name)s er ikke knyttet til noen forebyggingsmodell.")
                % {"name": organisation.name},
            )
            return redirect("min_side")
    return render(
        request,
        "pages/min_side_organisation_models.html",
        {"form": form, "organisation": organisation},
    )


@login_required
@require_POST
def claim_decide(request, pk: int):
    claim = get_object_or_404(OrganisationClaim, pk=pk)
    approve = request.POST.get("decision") == "approve"
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("reason", [])))
        return redirect("min_side")
    try:
        organisation_claim_decide(
            claim=claim, by=request.user, approve=approve, reason=form.cleaned_data["reason"]
        )
    except PermissionDenied as exc:
        raise Http404 from exc
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("%(email)s har fått tilgang.") % {"email": claim.user.email}
            if approve
            else _("Forespørselen er avslått."),
        )
    # Only back into the portal: ?next= to another site would make this an open redirect.
    next_url = request.POST.get("next", "")
    if next_url.startswith("/") and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(next_url)
    return redirect("min_side")


def _editable_offer(request, pk: int) -> Offer:
    offer = get_object_or_404(Offer.objects.select_related("organisation"), pk=pk)
    if not p.can_edit_offer(request.user, offer):
        raise Http404  # do not reveal that another organisation's draft exists
    return offer


@login_required
@require_http_methods(["GET", "POST"])
def offer_edit(request, pk: int | None = None):
    if pk is None:
        organisation_id = request.GET.get("organisasjon", "")
        # A hand-edited ?organisasjon=abc is a missing organisation, not a server error.
        if not (organisation_id.isascii() and organisation_id.isdigit()):
            raise Http404
        organisation = get_object_or_404(Organisation, pk=organisation_id)
        if not p.can_create_offer(request.user, organisation):
            raise Http404
        offer, live = Offer(organisation=organisation), None
    else:
        live = _editable_offer(request, pk)
        offer = live.get_latest_revision_as_object()
        organisation = live.organisation
    form = OfferForm(request.POST or None, instance=offer)
    if request.method == "POST" and form.is_valid():
        draft = form.save(commit=False)
        draft.organisation = organisation
        try:
            saved = offer_save_draft(offer=draft, by=request.user)
            if "send" in request.POST:
                offer_submit(offer=Offer.objects.get(pk=saved.pk), by=request.user)
        except ValidationError as error:
            errors_to_form(form, error)
        else:
            if "send" in request.POST:
                messages.success(request, _("Tilbudet er sendt til Nav for godkjenning."))
            elif live is not None and live.live:
                messages.success(
                    request,
                    _(
                        "Endringene er lagret som utkast. Den publiserte versjonen vises til "
                        "endringene er sendt inn og godkjent."
                    ),
                )
            else:
                messages.success(request, _("Utkastet er lagret."))
            return redirect("min_side_offer", pk=saved.pk)
    return render(
        request,
        "pages/min_side_offer_form.html",
        {"form": form, "offer": live, "organisation": organisation},
    )


@login_required
@require_POST
def offer_submit_view(request, pk: int):
    offer = _editable_offer(request, pk)
    try:
        offer_submit(offer=offer, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Tilbudet er sendt til Nav for godkjenning."))
    return redirect("min_side_offer", pk=offer.pk)


@login_required
@require_POST
def offer_confirm_view(request, pk: int):
    offer = _editable_offer(request, pk)
    role = request.POST.get("role", "")
    if "\x00" in role:
        # The database cannot store a NUL byte: say so rather than fail.
        messages.error(request, _("Rollen inneholder ugyldige tegn."))
        return redirect("min_side")
    offer_confirm(offer=offer, by=request.user, role=role)
    messages.success(request, _("Takk! Tilbudet er bekreftet som oppdatert."))
    return redirect("min_side")


@login_required
@require_POST
def offer_visibility_view(request, pk: int):
    offer = _editable_offer(request, pk)
    action = request.POST.get("action", "")
    try:
        offer_set_visibility(offer=offer, by=request.user, action=action)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            {
                "pause": _("Tilbudet er merket som midlertidig stengt og vises ikke i søk."),
                "resume": _("Tilbudet vises igjen."),
                "end": _("Tilbudet er avsluttet. Det er ikke slettet, og kan åpnes igjen."),
            }[action],
        )
    return redirect("min_side")


@require_http_methods(["GET", "POST"])
def confirm_by_link(request, token: str):
    """The link in the reminder email: a page with one button (a plain GET never changes data,
    so link scanners in mail systems cannot confirm on the organisation's behalf)."""
    try:
        offer = offer_from_confirmation_token(token)
    except ValidationError as error:
        return render(
            request, "pages/confirm_offer.html", {"error": " ".join(error.messages)}, status=400
        )
    if request.method == "POST":
        offer_confirm(offer=offer, via_token=True, role=_("via lenke i e-post"))
        return render(request, "pages/confirm_offer.html", {"offer": offer, "done": True})
    return render(request, "pages/confirm_offer.html", {"offer": offer})


urlpatterns = [
    path("min-side/", dashboard, name="min_side"),
    path("min-side/organisasjon/ny/", organisation_new, name="min_side_organisation_new"),
    path("min-side/organisasjon/tilgang/", organisation_claim, name="min_side_claim"),
    path("min-side/forespørsel/<int:pk>/", claim_decide, name="min_side_claim_decide"),
    path(
        "min-side/organisasjon/<int:pk>/modeller/",
        organisation_models,
        name="min_side_organisation_models",
    ),
    path("min-side/tilbud/nytt/", offer_edit, name="min_side_offer_new"),
    path("min-side/tilbud/<int:pk>/", offer_edit, name="min_side_offer"),
    path("min-side/tilbud/<int:pk>/send/", offer_submit_view, name="min_side_offer_submit"),
    path("min-side/tilbud/<int:pk>/bekreft/", offer_confirm_view, name="min_side_offer_confirm"),
    path(
        "min-side/tilbud/<int:pk>/synlighet/",
        offer_visibility_view,
        name="min_side_offer_visibility",
    ),
    path("bekreft/<str:token>/", confirm_by_link, name="offer_confirm_link"),
]
