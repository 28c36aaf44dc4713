from directory.models.geography import County, Municipality, NavOffice
from directory.models.memberships import (
    MunicipalityMembership,
    NavOfficeMembership,
    OrganisationMembership,
)
from directory.models.organisations import Organisation
from directory.models.taxonomy import Term, Vocabulary

__all__ = [
    "County",
    "Municipality",
    "MunicipalityMembership",
    "NavOffice",
    "NavOfficeMembership",
    "Organisation",
    "OrganisationMembership",
    "Term",
    "Vocabulary",
]
