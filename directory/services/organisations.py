"""Organisations register themselves or claim an existing entry; Nav staff approve."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from directory import permissions as p
from directory.models import (
    Offer,
    Organisation,
    OrganisationClaim,
    OrganisationMembership,
    PreventionModelPage,
)
from directory.services.deliveries import Message, deliveries_send_soon
from directory.signals import announce_offers_changed
from directory.validators import normalise_organisation_number


def organisation_notify(*, organisation_id: int, key: str, subject: str, body: str, link: str):
    """Email every active representative of an organisation, once per key and person."""
    emails = OrganisationMembership.objects.filter(
        organisation_id=organisation_id, user__is_active=True
    ).values_list("user__email", flat=True)
    deliveries_send_soon(
        [
            Message(key=f"{key}:{email}", recipient=email, subject=subject, body=body, link=link)
            for email in emails
        ]
    )


def _unique_slug(name: str) -> str:
    base = slugify(name)[:180] or "organisasjon"
    slug, n = base, 2
    while Organisation.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def organisation_register(*, organisation: Organisation, by) -> Organisation:
    """Register a new organisation (from a validated form); the registrant becomes its owner
    and Nav staff are asked to approve it."""
    if not p.can_register_organisation(by):
        raise PermissionDenied(_("Du må være innlogget for å registrere en organisasjon."))
    if organisation.organisation_number:
        organisation.organisation_number = normalise_organisation_number(
            organisation.organisation_number
        )
        existing = Organisation.objects.filter(
            organisation_number=organisation.organisation_number
        ).first()
        if existing:
            raise ValidationError(
                {
                    "organisation_number": _(
                        "%(name)s er allerede registrert med dette organisasjonsnummeret. "
                        "Be om tilgang til organisasjonen i stedet."
                    )
                    % {"name": existing.name}
                }
            )
    organisation.slug = organisation.slug or _unique_slug(organisation.name)
    organisation.status = Organisation.Status.PENDING
    organisation.full_clean()
    organisation.save()
    OrganisationMembership.objects.create(
        user=by, organisation=organisation, role=OrganisationMembership.Role.OWNER
    )
    return organisation


@transaction.atomic
def organisation_decide(*, organisation: Organisation, by, approve: bool, reason: str = ""):
    if not p.can_approve_organisation(by):
        raise PermissionDenied(_("Bare Nav-ansatte kan godkjenne organisasjoner."))
    if not approve and not reason.strip():
        raise ValidationError({"reason": _("Skriv en begrunnelse organisasjonen kan forstå.")})
    organisation.status = Organisation.Status.APPROVED if approve else Organisation.Status.REJECTED
    organisation.rejection_reason = "" if approve else reason.strip()
    organisation.save(update_fields=["status", "rejection_reason", "updated_at"])
    # Its offers are public only while it is approved: search follows the decision at once.
    announce_offers_changed(
        Offer.objects.filter(organisation=organisation).values_list("pk", flat=True)
    )
    if approve:
        subject = _("%(name)s er godkjent i Samarbeidsportalen") % {"name": organisation.name}
        body = _(
            "%(name)s er godkjent. Tilbudene dere sender inn kan nå publiseres etter at Nav har "
            "sett på dem."
        ) % {"name": organisation.name}
    else:
        subject = _("%(name)s ble ikke godkjent") % {"name": organisation.name}
        body = _("Nav har ikke godkjent %(name)s.\n\nBegrunnelse: %(reason)s") % {
            "name": organisation.name,
            "reason": organisation.rejection_reason,
        }
    decided = timezone.now().isoformat(timespec="seconds")
    organisation_notify(
        organisation_id=organisation.pk,
        key=f"organisation:{organisation.pk}:{organisation.status}:{decided}",
        subject=subject,
        body=body,
        link="/min-side/",
    )
    return organisation


@transaction.atomic
def organisation_claim_request(*, organisation: Organisation, by, message: str = ""):
    """Ask to represent an organisation that is already in the portal."""
    if not by.is_authenticated:
        raise PermissionDenied(_("Du må være innlogget."))
    if OrganisationMembership.objects.filter(user=by, organisation=organisation).exists():
        raise ValidationError(_("Du representerer allerede denne organisasjonen."))
    try:
        with transaction.atomic():
            return OrganisationClaim.objects.create(
                user=by, organisation=organisation, message=message.strip()[:1000]
            )
    except IntegrityError as exc:
        raise ValidationError(
            _("Du har allerede en forespørsel som venter på svar for denne organisasjonen.")
        ) from exc


@transaction.atomic
def organisation_claim_decide(*, claim: OrganisationClaim, by, approve: bool, reason: str = ""):
    if not p.can_decide_organisation_claim(by, claim):
        raise PermissionDenied(_("Du kan ikke behandle denne forespørselen."))
    claim = OrganisationClaim.objects.select_for_update().get(pk=claim.pk)
    if claim.status != OrganisationClaim.Status.PENDING:
        raise ValidationError(_("Forespørselen er allerede behandlet."))
    claim.status = (
        OrganisationClaim.Status.APPROVED if approve else OrganisationClaim.Status.REJECTED
    )
    claim.decided_by = by
    claim.decided_at = timezone.now()
    claim.decision_reason = reason.strip()
    claim.save()
    name = claim.organisation.name
    deliveries_send_soon(
        [
            Message(
                key=f"claim:{claim.pk}:{claim.status}:{claim.user.email}",
                recipient=claim.user.email,
                subject=(
                    _("Du har fått tilgang til %(name)s")
                    if approve
                    else _("Svar på forespørselen om %(name)s")
                )
                % {"name": name},
                body=(
                    _("Du kan nå registrere og oppdatere tilbud for %(name)s under Min side.")
                    if approve
                    else _("Forespørselen om å representere %(name)s ble avslått. %(reason)s")
                )
                % {"name": name, "reason": claim.decision_reason},
                link="/min-side/",
            )
        ]
    )
    if approve:
        has_owner = OrganisationMembership.objects.filter(
            organisation=claim.organisation, role=OrganisationMembership.Role.OWNER
        ).exists()
        OrganisationMembership.objects.get_or_create(
            user=claim.user,
            organisation=claim.organisation,
            defaults={
                "role": OrganisationMembership.Role.EDITOR
                if has_owner
                else OrganisationMembership.Role.OWNER
            },
        )
    return claim


@transaction.atomic
def organisation_set_prevention_models(*, organisation: Organisation, by, models) -> list[str]:
    """Say which prevention models the organisation follows; returns the titles now linked.
    Only published models can be added (a link kept from before may stay). Logged in the
    organisation's history, which editors see in the admin."""
    if not p.can_edit_organisation(by, organisation):
        raise PermissionDenied(_("Du kan ikke endre denne organisasjonen."))
    before = set(organisation.prevention_models.values_list("pk", flat=True))
    wanted = {m.pk for m in models}
    added = wanted - before
    if PreventionModelPage.objects.filter(pk__in=added, live=False).exists():
        raise ValidationError(
            {"prevention_models": _("Du kan bare velge modeller som er publisert.")}
        )
    organisation.prevention_models.set(wanted)
    if wanted != before:
        titles = dict(
            PreventionModelPage.objects.filter(pk__in=wanted | before).values_list("pk", "title")
        )
        log(
            instance=organisation,
            action="wagtail.edit",
            user=by,
            data={
                "prevention_models_added": sorted(titles[pk] for pk in added),
                "prevention_models_removed": sorted(titles[pk] for pk in before - wanted),
            },
        )
    return sorted(m.title for m in organisation.prevention_models.all())
