"""Portal-wide rules: who needs MFA, who reaches the internal parts and who assigns roles."""

from directory.permissions import is_nav_staff, is_portal_admin, is_portal_editor


def requires_mfa(user) -> bool:
    """Nav staff, editors and administrators must have TOTP before reaching anything internal."""
    return bool(user.is_authenticated) and (
        user.is_superuser or is_portal_editor(user) or is_nav_staff(user)
    )


def has_mfa(user) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def can_access_admin(user) -> bool:
    """The Wagtail admin is for portal editors and administrators."""
    return is_portal_editor(user)


def can_access_internal(user) -> bool:
    """Internal pages (dashboards, moderation) are for Nav staff and portal editors."""
    return is_nav_staff(user)


def can_assign_portal_role(user) -> bool:
    return is_portal_admin(user)
