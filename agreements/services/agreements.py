"""Registering, changing, activating and ending cooperation agreements."""

from __future__ import annotations

from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements import permissions as p
from agreements.models import Agreement, AgreementParty, AgreementSettings, Evaluation
from agreements.services.history import agreement_version_record
from agreements.services.reminders import agreement_reminders_plan
from directory.models import MunicipalityMembership, NavOfficeMembership, OrganisationMembership


def rules() -> AgreementSettings:
    return AgreementSettings.load()


def agreement_validate(*, agreement: Agreement, parties: list[AgreementParty]) -> None:
    """The rules a person can break in a form, with messages that say how to fix them."""
    errors: dict[str, list[str]] = {}
    if agreement.end_date and agreement.start_date and agreement.end_date < agreement.start_date:
        errors.setdefault("end_date", []).append(
            _("Sluttdatoen kan ikke være før startdatoen (%(start)s).")
            % {"start": agreement.start_date.strftime("%d.%m.%Y")}
        )
    if len(parties) < 2:
        errors.setdefault("__all__", []).append(
            _("En avtale må ha minst to parter. Legg til den eller de dere samarbeider med.")
        )
    if not any(
        party.kind in (AgreementParty.Kind.NAV_OFFICE, AgreementParty.Kind.MUNICIPALITY)
        for party in parties
    ):
        errors.setdefault("__all__", []).append(
            _("Minst én av partene må være et Nav-kontor eller en kommune.")
        )
    seen = set()
    for party in parties:
        ident = (
            party.kind,
            party.nav_office_id,
            party.municipality_id,
            party.organisation_id,
            party.public_service_id,
            party.public_service_municipality_id,
        )
        if ident in seen:
            errors.setdefault("__all__", []).append(
                _("%(name)s står som part to ganger.") % {"name": party.name}
            )
        seen.add(ident)
        if party.contact_user_id and not _is_member(party.contact_user_id, party):
            errors.setdefault("__all__", []).append(
                _("Kontaktpersonen for %(name)s må ha tilgang til denne parten i portalen.")
                % {"name": party.name}
            )
    if errors:
        raise ValidationError(errors)


def _is_member(user_id: int, party: AgreementParty) -> bool:
    if party.kind == AgreementParty.Kind.NAV_OFFICE:
        return NavOfficeMembership.objects.filter(
            user_id=user_id, office_id=party.nav_office_id
        ).exists()
    if party.kind == AgreementParty.Kind.ORGANISATION:
        return OrganisationMembership.objects.filter(
            user_id=user_id, organisation_id=party.organisation_id
        ).exists()
    if party.kind == AgreementParty.Kind.MUNICIPALITY:
        return MunicipalityMembership.objects.filter(
            user_id=user_id, municipality_id=party.municipality_id
        ).exists()
    return False


def _speaks_for_public_side(user, parties: list[AgreementParty]) -> bool:
    return any(
        party.kind in (AgreementParty.Kind.NAV_OFFICE, AgreementParty.Kind.MUNICIPALITY)
        and _is_member(user.pk, party)
        for party in parties
    )


@transaction.atomic
def agreement_save(
    *,
    agreement: Agreement,
    parties: list[AgreementParty],
    removed_parties: list[AgreementParty] = (),
    m2m: dict[str, list] | None = None,
    by,
) -> Agreement:
    """Create or change an agreement with its parties; every save is a version in its history."""
    creating = agreement.pk is None
    review_type = None
    if creating:
        if not p.can_create_agreement(by):
            raise PermissionDenied(_("Du kan ikke registrere samarbeidsavtaler."))
    else:
        stored = Agreement.objects.select_for_update().get(pk=agreement.pk)
        if not p.can_edit_agreement(by, stored):
            raise PermissionDenied(_("Du kan ikke endre denne avtalen."))
        agreement.status = stored.status  # lifecycle changes go through their own services
        agreement.next_evaluation_due = stored.next_evaluation_due
        if agreement.status == Agreement.Status.ACTIVE and (
            agreement.end_date != stored.end_date
            or agreement.evaluation_interval_months != stored.evaluation_interval_months
        ):
            # New dates, new cadence: plan as activation does, from the last evaluation.
            agreement.next_evaluation_due, review_type = next_evaluation_after(
                agreement, stored.last_evaluated_on or agreement.start_date
            )
    agreement_validate(agreement=agreement, parties=parties)
    if creating and not _speaks_for_public_side(by, parties):
        raise ValidationError(
            _("Du må selv høre til et av Nav-kontorene eller en av kommunene som er part.")
        )
    if creating:
        agreement.created_by = by
    agreement.save()
    removed_ids = [party.pk for party in removed_parties if party.pk]
    if removed_ids:
        agreement.parties.filter(pk__in=removed_ids).delete()
    for order, party in enumerate(parties):
        party.agreement = agreement
        party.sort_order = order
        party.save()
    for field, values in (m2m or {}).items():
        getattr(agreement, field).set(values)
    if agreement.status == Agreement.Status.ACTIVE:
        _schedule(agreement, review_type)
    agreement_version_record(
        agreement=agreement,
        by=by,
        summary=_("Avtalen ble registrert") if creating else _("Avtalen ble endret"),
    )
    return agreement


def next_evaluation_after(agreement: Agreement, moment: date) -> tuple[date | None, str]:
    """The next evaluation after `moment`, and why: every N months, but for agreements with an
    end date at the latest some months before the end (DOMAIN.md 4.5)."""
    due = moment + relativedelta(months=agreement.evaluation_interval_months)
    if agreement.end_date:
        settings = rules()
        review = agreement.end_date - relativedelta(months=settings.end_review_months)
        if review <= moment:
            # Inside the last stretch: the reminder before the end asks for renew or end.
            return None, ""
        if due >= review:
            return review, Evaluation.ReviewType.BEFORE_END
    return due, Evaluation.ReviewType.SCHEDULED


def _schedule(agreement: Agreement, review_type: str | None = None) -> None:
    """Keep the open evaluation and the reminders in step with the agreement's dates."""
    open_evaluation = agreement.evaluations.filter(status=Evaluation.Status.OPEN).first()
    if agreement.next_evaluation_due is None:
        if open_evaluation:
            open_evaluation.status = Evaluation.Status.CANCELLED
            open_evaluation.save(update_fields=["status"])
    elif open_evaluation is None:
        Evaluation.objects.create(
            agreement=agreement,
            due_on=agreement.next_evaluation_due,
            review_type=review_type or Evaluation.ReviewType.SCHEDULED,
            period_from=agreement.last_evaluated_on or agreement.start_date,
        )
    elif open_evaluation.due_on != agreement.next_evaluation_due:
        open_evaluation.due_on = agreement.next_evaluation_due
        open_evaluation.save(update_fields=["due_on"])
    agreement_reminders_plan(agreement)


@transaction.atomic
def agreement_activate(*, agreement: Agreement, by, today: date | None = None) -> Agreement:
    """Signed and in force: the first evaluation is planned from the start date."""
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if not p.can_edit_agreement(by, agreement):
        raise PermissionDenied(_("Du kan ikke endre denne avtalen."))
    if agreement.status != Agreement.Status.DRAFT:
        raise ValidationError(_("Bare utkast kan settes i kraft."))
    agreement.status = Agreement.Status.ACTIVE
    start = agreement.last_evaluated_on or agreement.start_date
    agreement.next_evaluation_due, review_type = next_evaluation_after(agreement, start)
    agreement.save(update_fields=["status", "next_evaluation_due", "updated_at"])
    _schedule(agreement, review_type)
    agreement_version_record(agreement=agreement, by=by, summary=_("Avtalen ble satt i kraft"))
    return agreement


@transaction.atomic
def agreement_end(
    *, agreement: Agreement, by, reason: str = "", expired: bool = False
) -> Agreement:
    """End the agreement: no more evaluations or reminders; history and documents stay."""
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if by is not None and not p.can_edit_agreement(by, agreement):
        raise PermissionDenied(_("Du kan ikke endre denne avtalen."))
    agreement.status = Agreement.Status.EXPIRED if expired else Agreement.Status.ENDED
    agreement.next_evaluation_due = None
    agreement.save(update_fields=["status", "next_evaluation_due", "updated_at"])
    _schedule(agreement)
    summary = _("Avtalen utløp") if expired else _("Avtalen ble avsluttet")
    if reason:
        summary = f"{summary}: {reason}"
    agreement_version_record(agreement=agreement, by=by, summary=summary)
    return agreement


@transaction.atomic
def agreements_sweep(*, now=None) -> dict[str, int]:
    """Daily: agreements past their end date expire, or roll on if they renew tacitly."""
    today = timezone.localdate(now)
    report = {"utløpt": 0, "fornyet": 0}
    past_end = (
        Agreement.objects.active().filter(end_date__lt=today).select_for_update(skip_locked=True)
    )
    for agreement in past_end:
        if agreement.renewal == Agreement.Renewal.TACIT:
            # Periods are counted from the start (1 Jan–31 Dec renews to 31 Dec), so that
            # month ends neither drift nor get clipped by a short month along the way.
            anchor, periods = agreement.start_date, 1
            length = relativedelta(agreement.end_date + timedelta(days=1), anchor)
            if agreement.end_date == agreement.start_date:
                anchor, periods = agreement.end_date + timedelta(days=1), 0
                length = relativedelta(years=1)
            while agreement.end_date < today:
                periods += 1
                agreement.end_date = anchor + length * periods - timedelta(days=1)
            if agreement.next_evaluation_due is None:
                agreement.next_evaluation_due, _type = next_evaluation_after(agreement, today)
            agreement.save(update_fields=["end_date", "next_evaluation_due", "updated_at"])
            _schedule(agreement)
            agreement_version_record(
                agreement=agreement, by=None, summary=_("Avtalen ble fornyet stilltiende")
            )
            report["fornyet"] += 1
        else:
            agreement_end(agreement=agreement, by=None, expired=True)
            report["utløpt"] += 1
    return report
