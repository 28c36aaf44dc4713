"""Answering and deciding evaluations (DOMAIN.md 3.2 and 4.5)."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements import permissions as p
from agreements.models import (
    CHECKLIST_KEYS,
    Agreement,
    AgreementParty,
    ChecklistAnswer,
    Evaluation,
    EvaluationResponse,
)
from agreements.services.agreements import _schedule, agreement_end, next_evaluation_after
from agreements.services.history import agreement_version_record

RESPONSE_FIELDS = (
    "goals_met",
    "works",
    "not_working",
    "contacts_count",
    "contact_quality",
    "changes_needed",
)


def _clean_checklist(checklist: dict) -> dict:
    valid = set(ChecklistAnswer.values)
    cleaned, missing = {}, []
    for key in CHECKLIST_KEYS:
        item = checklist.get(key) or {}
        answer = item.get("answer")
        if answer not in valid:
            missing.append(key)
            continue
        cleaned[key] = {"answer": answer, "comment": (item.get("comment") or "").strip()[:2000]}
    if missing:
        raise ValidationError(
            {
                "checklist": _("Svar på alle punktene i sjekklisten (%(count)s mangler).")
                % {"count": len(missing)}
            }
        )
    return cleaned


@transaction.atomic
def evaluation_respond(
    *, evaluation: Evaluation, party: AgreementParty, by, answers: dict, checklist: dict
) -> EvaluationResponse:
    """One party's answers; sending again replaces them until the decision is recorded."""
    evaluation = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    if not p.can_respond_to_evaluation(by, evaluation, party):
        raise PermissionDenied(_("Du kan ikke svare for denne parten."))
    values = {field: answers.get(field) for field in RESPONSE_FIELDS}
    for text_field in ("works", "not_working", "changes_needed"):
        values[text_field] = (values[text_field] or "").strip()
    response = EvaluationResponse.objects.filter(evaluation=evaluation, party=party).first()
    if response is None:
        response = EvaluationResponse(evaluation=evaluation, party=party)
    for field, value in values.items():
        setattr(response, field, value)
    response.checklist = _clean_checklist(checklist)
    response.submitted_by = by
    response.full_clean(exclude=["evaluation", "party", "submitted_by"])
    response.save()
    agreement_version_record(
        agreement=evaluation.agreement,
        by=by,
        summary=_("%(party)s svarte på evalueringen med frist %(due)s")
        % {"party": party.name, "due": evaluation.due_on.strftime("%d.%m.%Y")},
    )
    return response


def parties_missing(evaluation: Evaluation) -> list[AgreementParty]:
    answered = evaluation.responses.values("party_id")
    return list(evaluation.agreement.parties.exclude(pk__in=answered))


@transaction.atomic
def evaluation_decide(
    *,
    evaluation: Evaluation,
    by,
    decision: str,
    changes: str = "",
    participants: str = "",
    share_as_experience: bool = False,
    decided_on: date | None = None,
    next_due_on: date | None = None,
    without_all_answers: bool = False,
) -> Evaluation:
    """Record the decision. Continue or adjust plans the next evaluation from the decision date
    (or from the date chosen); end ends the agreement."""
    evaluation = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    if not p.can_decide_evaluation(by, evaluation):
        raise PermissionDenied(_("Bare Nav-kontoret som er part, kan ta beslutningen."))
    decided_on = decided_on or timezone.localdate()
    errors: dict[str, list[str]] = {}
    if decision not in Evaluation.Decision.values:
        errors["decision"] = [_("Velg en beslutning.")]
    if decision == Evaluation.Decision.ADJUST and not changes.strip():
        errors["changes"] = [_("Beskriv hvilke endringer dere er enige om.")]
    if decided_on > timezone.localdate() + timedelta(days=1):
        errors["decided_on"] = [_("Beslutningsdatoen kan ikke være frem i tid.")]
    if next_due_on and next_due_on <= decided_on:
        errors["next_due_on"] = [_("Neste evaluering må være etter beslutningsdatoen.")]
    missing = parties_missing(evaluation)
    if missing and not without_all_answers:
        errors["without_all_answers"] = [
            _("Disse partene har ikke svart: %(names)s. Kryss av hvis dere vil avgjøre likevel.")
            % {"names": ", ".join(party.name for party in missing)}
        ]
    if errors:
        raise ValidationError(errors)

    agreement = Agreement.objects.select_for_update().get(pk=evaluation.agreement_id)
    evaluation.decision = decision
    evaluation.changes = changes.strip()
    evaluation.participants = participants.strip()[:300]
    evaluation.share_as_experience = share_as_experience
    evaluation.decided_on = decided_on
    evaluation.decided_by = by
    evaluation.period_to = decided_on
    evaluation.status = Evaluation.Status.DECIDED

    agreement.last_evaluated_on = decided_on
    agreement.last_decision = decision
    if decision == Evaluation.Decision.END:
        evaluation.next_due_on = None
        evaluation.save()
        agreement.save(update_fields=["last_evaluated_on", "last_decision", "updated_at"])
        agreement_end(agreement=agreement, by=by, reason=_("besluttet i evaluering"))
        return evaluation

    if next_due_on:
        review_type = Evaluation.ReviewType.SCHEDULED
    else:
        next_due_on, review_type = next_evaluation_after(agreement, decided_on)
    evaluation.next_due_on = next_due_on
    evaluation.save()
    agreement.next_evaluation_due = next_due_on
    agreement.save(
        update_fields=["last_evaluated_on", "last_decision", "next_evaluation_due", "updated_at"]
    )
    _schedule(agreement, review_type)
    agreement_version_record(
        agreement=agreement,
        by=by,
        summary=_("Evaluering avgjort: %(decision)s")
        % {"decision": evaluation.get_decision_display()},
    )
    return evaluation
