"""Who may do what with search, and who may see which search documents.

A document is found by anyone when it is public, and otherwise only by someone holding one of
the scope keys in its audience (search.documents.agreement_audience). The keys a user holds are
computed here from their memberships when they search, so a new membership applies at once and
no document needs reindexing.
"""

from directory.models import MunicipalityMembership, NavOfficeMembership, OrganisationMembership
from directory.permissions import is_portal_editor


def can_manage_synonyms(user) -> bool:
    """Portal editors keep the synonym list, as they keep the vocabularies."""
    return is_portal_editor(user)


def search_scopes(user) -> frozenset[str]:
    """The scope keys `user` holds: `office:<id>`, `org:<id>`, `municipality:<id>` for each
    membership. Anonymous and inactive users hold none, so they find public documents only.
    This is the search side of agreements.permissions.agreements_visible_filter."""
    if not (user and user.is_authenticated and user.is_active):
        return frozenset()
    keys = {
        f"office:{pk}"
        for pk in NavOfficeMembership.objects.filter(user=user).values_list("office", flat=True)
    }
    keys |= {
        f"org:{pk}"
        for pk in OrganisationMembership.objects.filter(user=user).values_list(
            "organisation", flat=True
        )
    }
    keys |= {
        f"municipality:{pk}"
        for pk in MunicipalityMembership.objects.filter(user=user).values_list(
            "municipality", flat=True
        )
    }
    return frozenset(keys)
