"""Agreement pages: list, create, edit, detail, lifecycle, documents, history.

Everything lives under /intern/ (MFA for Nav staff). An agreement the user may not see is a 404,
never a 403: whether it exists is the parties' business.
"""

from __future__ import annotations

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from agreements import permissions as p
from agreements.forms import (
    AgreementDocumentForm,
    AgreementEndForm,
    AgreementFilterForm,
    AgreementForm,
    agreement_party_formset,
)
from agreements.models import Agreement, AgreementDocument, AgreementSettings, Evaluation
from agreements.selectors import agreement_for_display, agreements_for_user, health_label
from agreements.services.agreements import agreement_activate as activate_agreement
from agreements.services.agreements import agreement_end as end_agreement
from agreements.services.agreements import agreement_save
from agreements.services.documents import agreement_document_add, agreement_document_remove
from directory.views.rendering import errors_to_form, paginate, render_page_or_partial

PER_PAGE = 25


def _visible_agreement(request, pk: int) -> Agreement:
    agreement = get_object_or_404(Agreement, pk=pk)
    if not p.can_view_agreement(request.user, agreement):
        raise Http404
    return agreement


def _editable_agreement(request, pk: int) -> Agreement:
    agreement = _visible_agreement(request, pk)
    if not p.can_edit_agreement(request.user, agreement):
        raise PermissionDenied
    return agreement


# --- List ----------------------------------------------------------------------------------------


def _list_url(params: QueryDict) -> str:
    query = params.urlencode()
    return reverse("agreement_list") + (f"?{query}" if query else "")


@login_required
def agreement_list(request):
    if not p.can_use_agreements(request.user):
        raise PermissionDenied
    today = timezone.localdate()
    ending_days = AgreementSettings.load().ending_before_days
    form = AgreementFilterForm(request.GET)
    filters = form.filters()
    page_obj = paginate(
        request,
        agreements_for_user(request.user, filters=filters, today=today),
        per_page=PER_PAGE,
    )
    rows = [
        {
            "agreement": agreement,
            "parties": [party.name for party in agreement.parties.all()],
            "health": agreement.health(today, ending_days=ending_days),
            "health_label": health_label(agreement, today, ending_days=ending_days),
        }
        for agreement in page_obj.object_list
    ]
    params = request.GET.copy()
    params.pop("side", None)
    context = {
        "form": form,
        "rows": rows,
        "total": page_obj.paginator.count,
        "page_obj": page_obj,
        "page_range": list(page_obj.paginator.get_elided_page_range(page_obj.number, on_ends=1)),
        "page_url_prefix": _list_url(params) + ("&" if params else "?") + "side=",
        "filtered": form.is_filtered(),
        "clear_filters_url": reverse("agreement_list"),
        "can_create": p.can_create_agreement(request.user),
    }
    return render_page_or_partial(
        request, "pages/agreement_list.html", "components/agreement_list_update.html", context
    )


# --- Create and edit -----------------------------------------------------------------------------


def _posted_organisations(data) -> set[int]:
    """Organisations chosen in the party rows of a POST, so their offers can be offered at once."""
    return {
        int(value)
        for key, value in data.items()
        if re.fullmatch(r"parties-\d+-organisation", key) and value.isdigit()
    }


def _agreement_form(request, agreement: Agreement):
    creating = agreement.pk is None
    organisations = set()
    if not creating:
        organisations = set(
            agreement.parties.filter(organisation__isnull=False).values_list(
                "organisation_id", flat=True
            )
        )
    data = request.POST if request.method == "POST" else None
    if data is not None:
        organisations |= _posted_organisations(data)
    form = AgreementForm(data, instance=agreement, organisations=organisations)
    formset = agreement_party_formset(extra=2 if creating else 1)(
        data, instance=agreement, prefix="parties"
    )
    if data is not None and all([form.is_valid(), formset.is_valid()]):
        parties, removed = formset.parties()
        try:
            saved = agreement_save(
                agreement=form.save(commit=False),
                parties=parties,
                removed_parties=removed,
                m2m={
                    name: form.cleaned_data[name]
                    for name in ("cooperation_forms", "target_groups", "offers")
                },
                by=request.user,
            )
        except ValidationError as error:
            errors_to_form(form, error)
        else:
            messages.success(
                request,
                _("Avtalen er registrert som utkast. Sett den i kraft når den er signert.")
                if creating
                else _("Endringene er lagret."),
            )
            return redirect("agreement_detail", pk=saved.pk)
    return render(
        request,
        "pages/agreement_form.html",
        {
            "form": form,
            "formset": formset,
            "agreement": None if creating else agreement,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def agreement_create(request):
    if not p.can_create_agreement(request.user):
        raise PermissionDenied
    return _agreement_form(request, Agreement())


@login_required
@require_http_methods(["GET", "POST"])
def agreement_edit(request, pk: int):
    return _agreement_form(request, _editable_agreement(request, pk))


# --- Detail and lifecycle ------------------------------------------------------------------------


def _detail_context(request, agreement: Agreement, *, document_form=None) -> dict:
    user = request.user
    today = timezone.localdate()
    rules = AgreementSettings.load()
    evaluations = list(agreement.evaluations.all())
    open_evaluation = next((e for e in evaluations if e.status == Evaluation.Status.OPEN), None)
    parties = list(agreement.parties.all())
    can_edit = p.can_edit_agreement(user, agreement)
    can_add_document = p.can_add_agreement_document(user, agreement)
    answered = set()
    if open_evaluation is not None:
        answered = {response.party_id for response in open_evaluation.responses.all()}
    documents = [
        {"document": document, "removable": p.can_remove_agreement_document(user, document)}
        for document in agreement.documents.all()
    ]
    if can_add_document and document_form is None:
        document_form = AgreementDocumentForm(max_megabytes=rules.document_max_megabytes)
    health = agreement.health(today, ending_days=rules.ending_before_days)
    return {
        "agreement": agreement,
        "health": health,
        "health_label": health_label(agreement, today, ending_days=rules.ending_before_days),
        "parties": parties,
        "cooperation_forms": list(agreement.cooperation_forms.all()),
        "target_groups": list(agreement.target_groups.all()),
        "offers": list(agreement.offers.all()),
        "documents": documents,
        "document_form": document_form if can_add_document else None,
        "open_evaluation": open_evaluation,
        "open_evaluation_parties": [
            {"name": party.name, "answered": party.pk in answered} for party in parties
        ],
        "can_respond": open_evaluation is not None and bool(p.parties_represented(user, agreement)),
        "can_decide": open_evaluation is not None
        and p.can_decide_evaluation(user, open_evaluation),
        "past_evaluations": [e for e in evaluations if e.status == Evaluation.Status.DECIDED],
        "can_edit": can_edit,
        "can_activate": can_edit and agreement.status == Agreement.Status.DRAFT,
    }


@login_required
def agreement_detail(request, pk: int):
    agreement = agreement_for_display(pk, request.user)
    if agreement is None:
        raise Http404
    return render(request, "pages/agreement_detail.html", _detail_context(request, agreement))


@login_required
@require_POST
def agreement_activate(request, pk: int):
    agreement = _visible_agreement(request, pk)
    try:
        activate_agreement(agreement=agreement, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("Avtalen er satt i kraft. Den første evalueringen er planlagt.")
        )
    return redirect("agreement_detail", pk=agreement.pk)


@login_required
@require_http_methods(["GET", "POST"])
def agreement_end(request, pk: int):
    agreement = _editable_agreement(request, pk)
    form = AgreementEndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            end_agreement(agreement=agreement, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            errors_to_form(form, error)
        else:
            messages.success(
                request,
                _("Avtalen er avsluttet. Historikken og dokumentene er tatt vare på."),
            )
            return redirect("agreement_detail", pk=agreement.pk)
    return render(request, "pages/agreement_end.html", {"agreement": agreement, "form": form})


@login_required
def agreement_history(request, pk: int):
    agreement = get_object_or_404(Agreement, pk=pk)
    if not p.can_view_agreement_history(request.user, agreement):
        raise Http404
    versions = agreement.versions.select_related("user").order_by("-created_at", "-pk")
    return render(
        request,
        "pages/agreement_history.html",
        {"agreement": agreement, "versions": paginate(request, versions)},
    )


# --- Documents -----------------------------------------------------------------------------------


@login_required
@require_POST
def document_upload(request, pk: int):
    agreement = agreement_for_display(pk, request.user)
    if agreement is None:
        raise Http404
    if not p.can_add_agreement_document(request.user, agreement):
        raise PermissionDenied
    form = AgreementDocumentForm(
        request.POST,
        request.FILES,
        max_megabytes=AgreementSettings.load().document_max_megabytes,
    )
    if form.is_valid():
        try:
            document = agreement_document_add(
                agreement=agreement,
                by=request.user,
                title=form.cleaned_data["title"],
                uploaded=form.cleaned_data["file"],
            )
        except ValidationError as error:
            errors_to_form(form, error)
        else:
            messages.success(request, _("«%(title)s» er lagt til.") % {"title": document.title})
            return redirect("agreement_detail", pk=agreement.pk)
    context = _detail_context(request, agreement, document_form=form)
    return render(request, "pages/agreement_detail.html", context, status=400)


def _document(request, pk: int, document_pk: int) -> AgreementDocument:
    document = get_object_or_404(
        AgreementDocument.objects.select_related("agreement"), pk=document_pk, agreement_id=pk
    )
    if not p.can_view_agreement_document(request.user, document):
        raise Http404
    return document


def _download_name(title: str) -> str:
    """An ASCII file name from the title: no paths, no quotes, nothing a browser trips on."""
    ascii_title = title.lower().translate(str.maketrans({"æ": "ae", "ø": "o", "å": "a"}))
    return f"{slugify(ascii_title)[:80] or 'avtale'}.pdf"


@login_required
def document_download(request, pk: int, document_pk: int):
    document = _document(request, pk, document_pk)
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=_download_name(document.title),
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    patch_cache_control(response, private=True, no_store=True)
    return response


@login_required
@require_POST
def document_remove(request, pk: int, document_pk: int):
    document = _document(request, pk, document_pk)
    title = document.title
    agreement_document_remove(document=document, by=request.user)
    messages.success(request, _("«%(title)s» er fjernet.") % {"title": title})
    return redirect("agreement_detail", pk=pk)


urlpatterns = [
    path("intern/avtaler/", agreement_list, name="agreement_list"),
    path("intern/avtaler/ny/", agreement_create, name="agreement_create"),
    path("intern/avtaler/<int:pk>/", agreement_detail, name="agreement_detail"),
    path("intern/avtaler/<int:pk>/endre/", agreement_edit, name="agreement_edit"),
    path("intern/avtaler/<int:pk>/sett-i-kraft/", agreement_activate, name="agreement_activate"),
    path("intern/avtaler/<int:pk>/avslutt/", agreement_end, name="agreement_end"),
    path("intern/avtaler/<int:pk>/historikk/", agreement_history, name="agreement_history"),
    path("intern/avtaler/<int:pk>/dokumenter/", document_upload, name="agreement_document_upload"),
    path(
        "intern/avtaler/<int:pk>/dokumenter/<int:document_pk>/",
        document_download,
        name="agreement_document_download",
    ),
    path(
        "intern/avtaler/<int:pk>/dokumenter/<int:document_pk>/fjern/",
        document_remove,
        name="agreement_document_remove",
    ),
]
