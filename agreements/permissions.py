"""Who may see and do what with cooperation agreements. Views, querysets, feeds, reminders and
document downloads all call these.

Agreements are internal. The parties see them: staff of a party Nav office, representatives of a
party organisation, staff of a party municipality. Municipality staff also see agreements that
concern their municipality (a party office serves it, or a public service in it is a party).
Nobody else does, portal editors and administrators included: signed agreements are the
parties' business, not the portal's.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from agreements.models import Agreement, AgreementParty, Evaluation
from directory.models import MunicipalityMembership, NavOfficeMembership, OrganisationMembership


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def _memberships(user):
    return (
        NavOfficeMembership.objects.filter(user=user).values("office"),
        OrganisationMembership.objects.filter(user=user).values("organisation"),
        MunicipalityMembership.objects.filter(user=user).values("municipality"),
    )


def agreements_visible_filter(user) -> Q:
    """A filter for `Agreement` querysets: the agreements `user` may see, decided in SQL so
    that lists, counts, feeds and search never see the rest."""
    if not _active(user):
        return Q(pk__in=[])
    offices, organisations, municipalities = _memberships(user)
    parties = AgreementParty.objects.filter(agreement=OuterRef("pk")).filter(
        Q(nav_office__in=offices)
        | Q(organisation__in=organisations)
        | Q(municipality__in=municipalities)
        | Q(nav_office__municipalities__in=municipalities)
        | Q(public_service_municipality__in=municipalities)
    )
    return Q(Exists(parties))


def party_member_filter(user) -> Q:
    """A filter for `AgreementParty`: the parties `user` speaks for."""
    if not _active(user):
        return Q(pk__in=[])
    offices, organisations, municipalities = _memberships(user)
    return (
        Q(kind=AgreementParty.Kind.NAV_OFFICE, nav_office__in=offices)
        | Q(kind=AgreementParty.Kind.ORGANISATION, organisation__in=organisations)
        | Q(kind=AgreementParty.Kind.MUNICIPALITY, municipality__in=municipalities)
    )


def parties_represented(user, agreement: Agreement) -> list[AgreementParty]:
    """The parties of `agreement` that `user` may answer for."""
    return list(
        agreement.parties.filter(party_member_filter(user)).select_related(
            "nav_office", "municipality", "organisation", "public_service"
        )
    )


def can_use_agreements(user) -> bool:
    """Nav staff, municipality staff and organisation representatives have an agreement list."""
    if not _active(user):
        return False
    offices, organisations, municipalities = _memberships(user)
    return offices.exists() or organisations.exists() or municipalities.exists()


def can_view_agreement(user, agreement: Agreement) -> bool:
    return (
        _active(user)
        and Agreement.objects.filter(pk=agreement.pk)
        .filter(agreements_visible_filter(user))
        .exists()
    )


def can_create_agreement(user) -> bool:
    """Nav offices and municipalities register agreements; organisations take part in them."""
    if not _active(user):
        return False
    offices, _organisations, municipalities = _memberships(user)
    return offices.exists() or municipalities.exists()


def _is_public_side_party(user, agreement: Agreement) -> bool:
    return (
        agreement.parties.filter(party_member_filter(user))
        .filter(kind__in=[AgreementParty.Kind.NAV_OFFICE, AgreementParty.Kind.MUNICIPALITY])
        .exists()
    )


def can_edit_agreement(user, agreement: Agreement) -> bool:
    """Staff of a party Nav office or party municipality keep the agreement up to date, until it
    has ended; after that it is a record."""
    if agreement.status in (Agreement.Status.ENDED, Agreement.Status.EXPIRED):
        return False
    return _active(user) and _is_public_side_party(user, agreement)


def can_add_agreement_document(user, agreement: Agreement) -> bool:
    """Either side may upload the signed copy."""
    return _active(user) and bool(parties_represented(user, agreement))


def can_view_agreement_document(user, document) -> bool:
    return can_view_agreement(user, document.agreement)


def can_remove_agreement_document(user, document) -> bool:
    return can_edit_agreement(user, document.agreement) or (
        document.uploaded_by_id == getattr(user, "pk", None)
        and can_add_agreement_document(user, document.agreement)
    )


def can_respond_to_evaluation(user, evaluation: Evaluation, party: AgreementParty) -> bool:
    return (
        evaluation.status == Evaluation.Status.OPEN
        and party.agreement_id == evaluation.agreement_id
        and AgreementParty.objects.filter(pk=party.pk).filter(party_member_filter(user)).exists()
    )


def can_decide_evaluation(user, evaluation: Evaluation) -> bool:
    """The Nav office records the decision; an agreement without a Nav office party is decided
    by the municipality that is party to it."""
    if evaluation.status != Evaluation.Status.OPEN or not _active(user):
        return False
    agreement = evaluation.agreement
    deciders = agreement.parties.filter(kind=AgreementParty.Kind.NAV_OFFICE)
    if not deciders.exists():
        deciders = agreement.parties.filter(kind=AgreementParty.Kind.MUNICIPALITY)
    return deciders.filter(party_member_filter(user)).exists()


def can_view_agreement_history(user, agreement: Agreement) -> bool:
    return can_view_agreement(user, agreement)
