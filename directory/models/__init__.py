from directory.models.catalogue_settings import CatalogueSettings
from directory.models.contact_settings import ContactSettings
from directory.models.deliveries import Delivery
from directory.models.geography import County, Municipality, NavOffice
from directory.models.grants import GrantFollow, GrantRound, GrantSchemeIndexPage, GrantSchemePage
from directory.models.memberships import (
    MunicipalityMembership,
    NavOfficeMembership,
    OrganisationMembership,
)
from directory.models.offers import (
    SUPPLEMENT_NOTICE_CATEGORIES,
    Offer,
    OfferLocation,
    OfferSchedule,
)
from directory.models.organisations import Organisation, OrganisationClaim
from directory.models.prevention import (
    EvidenceRating,
    ModelEvaluation,
    PreventionModelIndexPage,
    PreventionModelPage,
)
from directory.models.reminders import Notification, Reminder
from directory.models.taxonomy import Term, Vocabulary

__all__ = [
    "SUPPLEMENT_NOTICE_CATEGORIES",
    "CatalogueSettings",
    "ContactSettings",
    "Delivery",
    "EvidenceRating",
    "GrantFollow",
    "GrantRound",
    "GrantSchemeIndexPage",
    "GrantSchemePage",
    "ModelEvaluation",
    "County",
    "Municipality",
    "MunicipalityMembership",
    "NavOffice",
    "NavOfficeMembership",
    "Notification",
    "Offer",
    "OfferLocation",
    "OfferSchedule",
    "Organisation",
    "PreventionModelIndexPage",
    "PreventionModelPage",
    "OrganisationClaim",
    "OrganisationMembership",
    "Reminder",
    "Term",
    "Vocabulary",
]
