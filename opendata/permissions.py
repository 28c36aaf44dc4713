"""Who may export and import. Views, tasks and services all ask these predicates."""

from __future__ import annotations

from directory import permissions as dp


def can_export(user) -> bool:
    """The catalogue is public, but building a file costs server time: signed-in users only."""
    return bool(user and user.is_authenticated and user.is_active)


def can_download_export(user, export) -> bool:
    """The requester, and portal editors (who help users with their files)."""
    if not can_export(user):
        return False
    return export.requested_by_id == user.pk or dp.is_portal_editor(user)


def can_import(user) -> bool:
    """Portal editors and municipality staff, who keep local lists of offers in spreadsheets."""
    return dp.is_portal_editor(user) or dp.is_municipality_staff(user)


def can_view_import(user, data_import) -> bool:
    """An import's report names unpublished records: its uploader and portal editors only."""
    if not can_import(user):
        return False
    return data_import.uploaded_by_id == user.pk or dp.is_portal_editor(user)


def can_create_approved_organisations(user) -> bool:
    """Editors approve organisations anyway, so theirs are approved on import; municipality
    staff's go to the editors' queue like a registration (DOMAIN.md 4.3)."""
    return dp.is_portal_editor(user)
