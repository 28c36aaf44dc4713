"""Prevention model pages: the listing with its filters, the model page with the grants that can
fund it and who runs it nearby, and the proposal forms for municipality staff."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from directory import permissions as p
from directory.grant_forms import GRANT_STATUS_CHOICES
from directory.models import Municipality, PreventionModelIndexPage, PreventionModelPage
from directory.prevention_forms import PreventionFilterForm, PreventionProposalForm
from directory.selectors import (
    municipality_of_user,
    prevention_model_fundable_grants,
    prevention_model_running_nearby,
    prevention_models_listing,
)
from directory.services.prevention import prevention_model_propose
from directory.views.rendering import errors_to_form, paginate

# The evidence «registry» for models no registry has rated (their own evaluation status).
UNRATED = "egen-vurdering"
GRANT_STATUS_LABELS = dict(GRANT_STATUS_CHOICES)


def _query_without_page(request) -> str:
    params = [(k, v) for k, values in request.GET.lists() for v in values if k != "side" and v]
    return urlencode(params)


def _labels(terms) -> list[str]:
    return [term.label_nb for term in terms]


def _card(request, model) -> dict:
    """What a listing card shows, from the prefetched relations (templates never query)."""
    registries = {
        rating.registry.label_nb
        for rating in model.evidence.all()
        if rating.registry.slug != UNRATED
    }
    return {
        "url": model.get_url(request),
        "title": model.title,
        "also_known_as": model.also_known_as,
        "problem": model.problem,
        "levels": _labels(model.prevention_levels.all()),
        "target_groups": _labels(model.target_groups.all()),
        "status": model.model_status.label_nb if model.model_status else "",
        "registries": sorted(registries),
        "is_example": model.is_example,
    }


def prevention_index_context(request, page) -> dict:
    form = PreventionFilterForm(request.GET or None)
    filters = form.filters() if request.GET else {}
    models = prevention_models_listing(filters)
    page_obj = paginate(request, models, per_page=20)
    query = _query_without_page(request)
    return {
        "form": form,
        "cards": [_card(request, model) for model in page_obj.object_list],
        "page_obj": page_obj,
        "page_range": list(page_obj.paginator.get_elided_page_range(page_obj.number, on_ends=1)),
        "total": page_obj.paginator.count,
        "is_filtered": bool(filters),
        "clear_filters_url": page.get_url(request),
        "page_url_prefix": f"?{query}&side=" if query else "?side=",
        "can_propose": p.can_propose_prevention_model(request.user),
        "propose_url": reverse("prevention_propose"),
    }


def _chosen_municipality(request):
    """?kommune=<code> when given, else the signed-in person's own municipality."""
    code = request.GET.get("kommune", "").strip()
    # Municipality codes are four digits; anything else (a NUL byte would fail the query)
    # falls back to the user's own municipality.
    if code.isascii() and code.isdigit():
        found = Municipality.objects.select_related("county").filter(code=code).first()
        if found:
            return found
    return municipality_of_user(request.user)


def _evidence(page) -> list[dict]:
    """Ratings in the registry's own words. A model with no registry rating says so plainly."""
    rows = []
    for rating in page.evidence.select_related("registry"):
        rows.append(
            {
                "registry": rating.registry.label_nb,
                "in_registry": rating.registry.slug != UNRATED,
                "label": rating.label,
                "rated_on": rating.rated_on,
                "link": rating.link,
                "note": rating.note,
            }
        )
    return rows


def _grant_rows(request, page, today) -> list[dict]:
    rows = []
    for scheme in prevention_model_fundable_grants(page, today):
        replacement = scheme.replaced_by if scheme.replaced_by and scheme.replaced_by.live else None
        deadline = scheme.upcoming_deadline
        rows.append(
            {
                "title": scheme.title,
                "url": scheme.get_url(request),
                "administrator": scheme.administrator,
                "is_example": scheme.is_example,
                "status": {
                    "code": scheme.grant_status,
                    "label": str(GRANT_STATUS_LABELS.get(scheme.grant_status, "")),
                    "replacement_title": replacement.title if replacement else "",
                    "replacement_url": replacement.get_url(request) if replacement else "",
                },
                "deadline": deadline,
                "days_left": (deadline - today).days if deadline else None,
            }
        )
    return rows


def _offer_rows(offers) -> list[dict]:
    return [
        {
            "title": offer.title,
            "url": reverse("offer_detail", args=[offer.pk]),
            "organisation": offer.organisation.name,
            "places": sorted({place.municipality.name for place in offer.locations.all()}),
            "nearness": offer.nearness,
            "is_demo": offer.is_demo,
        }
        for offer in offers
    ]


def _organisation_rows(organisations) -> list[dict]:
    return [
        {
            "name": organisation.name,
            "website": organisation.website,
            "places": [m.name for m in organisation.municipalities.all()],
            "nearness": organisation.nearness,
            "is_demo": organisation.is_demo,
        }
        for organisation in organisations
    ]


def _related(request, page) -> list[dict]:
    """Related models both ways (a model linked from either side), with their evidence, so a
    reader sees what a similar approach has shown next to this one."""
    linked = [m.pk for m in page.related_models.all()]
    models = PreventionModelPage.objects.live().public().exclude(pk=page.pk or 0)
    related = models.filter(pk__in=linked)
    if page.pk:
        related = related | models.filter(related_models=page)
    return [
        {
            "title": model.title,
            "url": model.get_url(request),
            "evidence": [f"{e.registry.label_nb}: {e.label}" for e in model.evidence.all()],
            "evaluations": [e.result for e in model.evaluations.all() if e.result],
        }
        for model in related.distinct()
        .prefetch_related("evidence__registry", "evaluations")
        .order_by("title")
    ]


def prevention_model_context(request, page) -> dict:
    today = timezone.localdate()
    municipality = _chosen_municipality(request)
    # A new model in an editor's preview has no row yet, so nothing can link to it.
    nearby = (
        prevention_model_running_nearby(page, municipality)
        if page.pk
        else {"offers": [], "organisations": []}
    )
    evidence = _evidence(page)
    terms = {
        name: _labels(getattr(page, name).all())
        for name in (
            "prevention_levels",
            "target_groups",
            "life_areas",
            "themes",
            "arenas",
            "funding_sources",
            "municipality_sizes",
        )
    }
    return {
        "terms": terms,
        "evidence": evidence,
        "rated_in_registry": any(row["in_registry"] for row in evidence),
        "related": _related(request, page),
        "evaluations": list(page.evaluations.all()),
        "steps": page.steps(),
        "partners": [line.strip() for line in page.partners_text.splitlines() if line.strip()],
        "running_in": sorted(m.name for m in page.municipalities.all()),
        "origin": page.origin_municipality.name if page.origin_municipality else "",
        "status": page.model_status.label_nb if page.model_status else "",
        "grants": _grant_rows(request, page, today) if page.pk else [],
        "nearby_offers": _offer_rows(nearby["offers"]),
        "nearby_organisations": _organisation_rows(nearby["organisations"]),
        "municipality": municipality,
        "municipality_choices": list(
            Municipality.objects.order_by("name").values_list("code", "name")
        ),
        "can_propose": p.can_propose_prevention_model(request.user),
        "propose_change_url": reverse("prevention_propose_change", args=[page.pk])
        if page.pk and page.live
        else "",
        "index_url": page.get_parent().get_url(request) if page.pk else "",
    }


def _propose(request, page=None):
    if not p.can_propose_prevention_model(request.user):
        raise PermissionDenied(
            _(
                "Det er kommuneansatte som kan foreslå forebyggingsmodeller. Er du ansatt i en "
                "kommune, be om tilgang for kommunen din."
            )
        )
    index = PreventionModelIndexPage.objects.live().first()
    if index is None:
        raise Http404
    form = PreventionProposalForm(request.POST or None, page=page)
    if request.method == "POST" and form.is_valid():
        try:
            saved = prevention_model_propose(by=request.user, data=form.cleaned_data, page=page)
        except ValidationError as error:
            errors_to_form(form, error)
        else:
            messages.success(
                request,
                _(
                    "Takk! Forslaget ditt om «%(title)s» er sendt til portalens redaktører. De "
                    "går gjennom det før det blir publisert, og kan ta kontakt hvis noe er "
                    "uklart. Til da vises det ikke på nettstedet."
                )
                % {"title": saved.title},
            )
            return redirect(page.get_url(request) if page is not None else index.get_url(request))
    return render(
        request,
        "pages/prevention_proposal_form.html",
        {
            "form": form,
            "model_title": page.title if page is not None else "",
            "back_url": page.get_url(request) if page is not None else index.get_url(request),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def prevention_propose(request):
    return _propose(request)


@login_required
@require_http_methods(["GET", "POST"])
def prevention_propose_change(request, page_id: int):
    page = PreventionModelPage.objects.live().public().filter(pk=page_id).first()
    if page is None:
        raise Http404
    return _propose(request, page)


urlpatterns = [
    path("forebygging/foresla/", prevention_propose, name="prevention_propose"),
    path(
        "forebygging/<int:page_id>/foresla-endring/",
        prevention_propose_change,
        name="prevention_propose_change",
    ),
]
