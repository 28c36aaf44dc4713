"""Who may do what with search. The admin's permission policy calls these."""

from directory.permissions import is_portal_editor


def can_manage_synonyms(user) -> bool:
    """Portal editors keep the synonym list, as they keep the vocabularies."""
    return is_portal_editor(user)
