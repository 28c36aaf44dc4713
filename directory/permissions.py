"""Who may do what in the catalogue. Views, querysets, admin and tasks all call these.

Portal-wide roles (editor, administrator) live on the user model (`portal_role`); reading the
attribute here keeps `directory` free of imports from `portal`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from directory.models import (
    ContactSettings,
    MunicipalityMembership,
    NavOfficeMembership,
    OrganisationMembership,
)

if TYPE_CHECKING:
    from directory.models import Municipality, NavOffice, Organisation

EDITOR_ROLES = frozenset({"editor", "administrator"})


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


# --- Who someone is -------------------------------------------------------------------------


def is_portal_admin(user) -> bool:
    return _active(user) and (user.is_superuser or user.portal_role == "administrator")


def is_portal_editor(user) -> bool:
    """Editors curate the whole portal; administrators are editors too."""
    return _active(user) and (user.is_superuser or user.portal_role in EDITOR_ROLES)


def is_nav_staff(user) -> bool:
    return _active(user) and (
        is_portal_editor(user) or NavOfficeMembership.objects.filter(user=user).exists()
    )


def is_municipality_staff(user) -> bool:
    return _active(user) and MunicipalityMembership.objects.filter(user=user).exists()


def is_organisation_representative(user) -> bool:
    return _active(user) and OrganisationMembership.objects.filter(user=user).exists()


def organisation_role(user, organisation: Organisation) -> str | None:
    if not _active(user):
        return None
    return (
        OrganisationMembership.objects.filter(user=user, organisation=organisation)
        .values_list("role", flat=True)
        .first()
    )


def nav_office_role(user, office: NavOffice) -> str | None:
    if not _active(user):
        return None
    return (
        NavOfficeMembership.objects.filter(user=user, office=office)
        .values_list("role", flat=True)
        .first()
    )


# --- What someone may do --------------------------------------------------------------------


def can_view_organisation(user, organisation: Organisation) -> bool:
    """The organisation register is a public catalogue."""
    return True


def can_edit_organisation(user, organisation: Organisation) -> bool:
    return is_portal_editor(user) or organisation_role(user, organisation) in (
        OrganisationMembership.Role.OWNER,
        OrganisationMembership.Role.EDITOR,
    )


def contact_data_is_open() -> bool:
    """Organisations' and contact persons' email and phone go into open data (API, exports)
    only when administrators have made them visible to everyone (ContactSettings)."""
    return ContactSettings.load().visibility == ContactSettings.Visibility.PUBLIC


def can_see_contact_data(user, organisation: Organisation) -> bool:
    """Email and phone on pages follow ContactSettings; an organisation's own people and the
    portal's editors always see them."""
    visibility = ContactSettings.load().visibility
    if visibility == ContactSettings.Visibility.PUBLIC or can_edit_organisation(user, organisation):
        return True
    if visibility == ContactSettings.Visibility.SIGNED_IN:
        return _active(user)
    return is_nav_staff(user)


def can_manage_organisation_members(user, organisation: Organisation) -> bool:
    """Owners invite editors and approve claims; portal editors may always step in."""
    return (
        is_portal_editor(user)
        or organisation_role(user, organisation) == OrganisationMembership.Role.OWNER
    )


def can_delete_organisation(user, organisation: Organisation) -> bool:
    return is_portal_admin(user)


def can_view_nav_office(user, office: NavOffice) -> bool:
    return True


def can_edit_nav_office(user, office: NavOffice) -> bool:
    """The office's contact point is kept by its leaders, or by portal editors."""
    return (
        is_portal_editor(user) or nav_office_role(user, office) == NavOfficeMembership.Role.LEADER
    )


def can_manage_nav_office_members(user, office: NavOffice) -> bool:
    return can_edit_nav_office(user, office)


def can_view_municipality(user, municipality: Municipality) -> bool:
    return True


def can_edit_municipality(user, municipality: Municipality) -> bool:
    """The municipality list is national reference data: only administrators change it."""
    return is_portal_admin(user)


def can_manage_vocabularies(user) -> bool:
    return is_portal_editor(user)


def can_manage_reference_data(user) -> bool:
    return is_portal_admin(user)


# --- Organisations: registration and claims ----------------------------------------------------


def can_register_organisation(user) -> bool:
    return _active(user)


def can_approve_organisation(user) -> bool:
    """Nav staff decide which organisations may publish offers."""
    return is_nav_staff(user)


def can_decide_organisation_claim(user, claim) -> bool:
    return is_nav_staff(user) or (
        organisation_role(user, claim.organisation) == OrganisationMembership.Role.OWNER
        and claim.user_id != user.pk
    )


# --- Offers -------------------------------------------------------------------------------------


def can_moderate_offers(user) -> bool:
    return is_nav_staff(user)


def can_create_offer(user, organisation: Organisation) -> bool:
    return organisation_role(user, organisation) is not None or is_portal_editor(user)


def can_edit_offer(user, offer) -> bool:
    """Representatives of the owning organisation, and portal editors."""
    return can_create_offer(user, offer.organisation)


def offer_is_public(offer) -> bool:
    """Anyone may see it: published, visible, and from an approved organisation. The one rule
    for pages, search documents and open data; `Offer.objects.public()` is its SQL twin."""
    from directory.models import Offer, Organisation

    return (
        offer.live
        and offer.visibility == Offer.Visibility.VISIBLE
        and offer.organisation.status == Organisation.Status.APPROVED
    )


def can_view_offer(user, offer) -> bool:
    """The public sees public offers; owners and moderators see every state."""
    if offer_is_public(offer):
        return True
    return can_edit_offer(user, offer) or can_moderate_offers(user)


def can_view_offer_draft(user, offer) -> bool:
    """Drafts, pending edits and rejection reasons: the organisation and moderators only."""
    return can_edit_offer(user, offer) or can_moderate_offers(user)


# --- Prevention models ------------------------------------------------------------------------

# The Wagtail group portal editors belong to (kept in step with `portal_role` by
# portal.services); its members approve prevention-model proposals.
EDITOR_GROUP_NAME = "Portalredaktører"


def can_propose_prevention_model(user) -> bool:
    """Municipality staff propose new models and updates; portal editors may too."""
    return is_municipality_staff(user) or is_portal_editor(user)
