"""Evaluation pages: each party answers, the Nav office records the decision, and decided
evaluations stay readable as history. Every check is a predicate in agreements.permissions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from agreements import permissions as p
from agreements.evaluation_forms import EvaluationDecisionForm, EvaluationResponseForm
from agreements.models import Agreement, Evaluation
from agreements.selectors import agreement_for_display
from agreements.services import evaluations as services
from directory.views.rendering import errors_to_form


def _agreement_or_404(request, pk: int) -> Agreement:
    agreement = agreement_for_display(pk, request.user)
    if agreement is None:
        raise Http404
    return agreement


def _evaluations(agreement: Agreement, status: str) -> list[Evaluation]:
    # Prefetched by agreement_for_display, so this costs no query.
    return [e for e in agreement.evaluations.all() if e.status == status]


def _answer_status(agreement: Agreement, evaluation: Evaluation) -> list[dict]:
    """Every party, and whether (and when) it has answered."""
    responses = {response.party_id: response for response in evaluation.responses.all()}
    return [
        {"party": party, "response": responses.get(party.pk)} for party in agreement.parties.all()
    ]


def _answers_table(agreement: Agreement, evaluation: Evaluation) -> dict:
    """The parties' answers side by side: one column per party that answered, one row per
    question."""
    parties = list(agreement.parties.all())
    order = {party.pk: index for index, party in enumerate(parties)}
    responses = sorted(evaluation.responses.all(), key=lambda r: order.get(r.party_id, 0))
    rows = []
    for name, label in (
        ("goals_met", _("Målene er nådd (1–5)")),
        ("works", _("Hva fungerer")),
        ("not_working", _("Hva fungerer ikke")),
        ("contacts_count", _("Antall kontakter eller henvisninger")),
        ("contact_quality", _("Kontakten mellom partene (1–5)")),
        ("changes_needed", _("Hva bør endres")),
    ):
        rows.append(
            {
                "question": label,
                "cells": [{"answer": getattr(r, name), "comment": ""} for r in responses],
            }
        )
    checklists = [list(r.checklist_rows()) for r in responses]
    if checklists:
        for number, items in enumerate(zip(*checklists, strict=True), start=1):
            rows.append(
                {
                    "question": f"{number}. {items[0][0]}",
                    "checklist": True,
                    "cells": [
                        {"answer": answer, "comment": comment} for _q, answer, comment in items
                    ],
                }
            )
    by_pk = {party.pk: party for party in parties}
    return {"parties": [by_pk.get(r.party_id, r.party) for r in responses], "rows": rows}


@login_required
@require_http_methods(["GET", "POST"])
def evaluation_respond(request, pk: int):
    agreement = _agreement_or_404(request, pk)
    open_evaluations = _evaluations(agreement, Evaluation.Status.OPEN)
    context = {"agreement": agreement, "evaluation": None}
    if not open_evaluations:
        decided = _evaluations(agreement, Evaluation.Status.DECIDED)
        context["last_decided"] = decided[0] if decided else None
        return render(request, "pages/evaluation_respond.html", context)
    evaluation = open_evaluations[0]
    represented = p.parties_represented(request.user, agreement)
    context |= {
        "evaluation": evaluation,
        "answer_status": _answer_status(agreement, evaluation),
        "represented": represented,
        "can_decide": p.can_decide_evaluation(request.user, evaluation),
    }
    party = None
    if len(represented) == 1:
        party = represented[0]
    elif "part" in request.GET:
        party = next((x for x in represented if str(x.pk) == request.GET["part"]), None)
        if party is None:
            raise Http404
    if party is None:
        # Either the user only sees the agreement, or must first say which party they answer for.
        return render(request, "pages/evaluation_respond.html", context)
    if not p.can_respond_to_evaluation(request.user, evaluation, party):
        raise PermissionDenied

    existing = next((r for r in evaluation.responses.all() if r.party_id == party.pk), None)
    form = EvaluationResponseForm(
        request.POST or None, initial=EvaluationResponseForm.initial_from(existing)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.evaluation_respond(
                evaluation=evaluation,
                party=party,
                by=request.user,
                answers=form.answers(),
                checklist=form.checklist(),
            )
        except ValidationError as error:
            errors_to_form(form, error)
        else:
            messages.success(
                request,
                _("Svarene for %(party)s er lagret. Dere kan endre dem til beslutningen er tatt.")
                % {"party": party.name},
            )
            return redirect("agreement_detail", agreement.pk)
    action = reverse("evaluation_respond", args=[agreement.pk])
    if len(represented) > 1:
        action += f"?part={party.pk}"
    context |= {"party": party, "form": form, "existing": existing, "action": action}
    return render(request, "pages/evaluation_respond.html", context)


def _decided_message(evaluation: Evaluation, agreement: Agreement) -> str:
    if evaluation.decision == Evaluation.Decision.END:
        return _(
            "Beslutningen er registrert. Avtalen er avsluttet, og det planlegges ingen flere "
            "evalueringer."
        )
    if evaluation.next_due_on:
        return _("Beslutningen er registrert. Neste evaluering er %(date)s.") % {
            "date": evaluation.next_due_on.strftime("%d.%m.%Y")
        }
    return _(
        "Beslutningen er registrert. Det planlegges ingen ny fast evaluering før avtalen utløper "
        "%(date)s."
    ) % {"date": agreement.end_date.strftime("%d.%m.%Y") if agreement.end_date else "–"}


@login_required
@require_http_methods(["GET", "POST"])
def evaluation_decide(request, pk: int):
    agreement = _agreement_or_404(request, pk)
    open_evaluations = _evaluations(agreement, Evaluation.Status.OPEN)
    if not open_evaluations:
        messages.info(request, _("Avtalen har ingen åpen evaluering å ta beslutning om."))
        return redirect("evaluation_respond", agreement.pk)
    evaluation = open_evaluations[0]
    context = {"agreement": agreement, "evaluation": evaluation}
    if not p.can_decide_evaluation(request.user, evaluation):
        context["not_allowed"] = True
        return render(request, "pages/evaluation_decide.html", context, status=403)

    today = timezone.localdate()
    missing = services.parties_missing(evaluation)
    form = EvaluationDecisionForm(request.POST or None, missing_parties=missing, today=today)
    if request.method == "POST" and form.is_valid():
        try:
            decided = services.evaluation_decide(
                evaluation=evaluation, by=request.user, **form.decision_arguments()
            )
        except ValidationError as error:
            errors_to_form(form, error)
        else:
            agreement.refresh_from_db()
            messages.success(request, _decided_message(decided, agreement))
            return redirect("evaluation_detail", agreement.pk, decided.pk)
    context |= {
        "form": form,
        "missing": missing,
        "answers": _answers_table(agreement, evaluation),
    }
    return render(request, "pages/evaluation_decide.html", context)


@login_required
def evaluation_detail(request, pk: int, evaluation_pk: int):
    agreement = _agreement_or_404(request, pk)
    evaluation = next((e for e in agreement.evaluations.all() if e.pk == evaluation_pk), None)
    if evaluation is None or evaluation.status == Evaluation.Status.CANCELLED:
        raise Http404
    if evaluation.status == Evaluation.Status.OPEN:
        return redirect("evaluation_respond", agreement.pk)
    return render(
        request,
        "pages/evaluation_detail.html",
        {
            "agreement": agreement,
            "evaluation": evaluation,
            "answers": _answers_table(agreement, evaluation),
            "missing": [
                row["party"]
                for row in _answer_status(agreement, evaluation)
                if row["response"] is None
            ],
        },
    )


urlpatterns = [
    path("intern/avtaler/<int:pk>/evaluering/", evaluation_respond, name="evaluation_respond"),
    path(
        "intern/avtaler/<int:pk>/evaluering/beslutning/",
        evaluation_decide,
        name="evaluation_decide",
    ),
    path(
        "intern/avtaler/<int:pk>/evalueringer/<int:evaluation_pk>/",
        evaluation_detail,
        name="evaluation_detail",
    ),
]
