from portal.models.pages import ContentPage, HomePage
from portal.models.privacy import PrivacySettings
from portal.models.security_audit import SecurityEvent
from portal.models.site_settings import SiteShellSettings
from portal.models.users import User

__all__ = [
    "ContentPage",
    "HomePage",
    "PrivacySettings",
    "SecurityEvent",
    "SiteShellSettings",
    "User",
]
