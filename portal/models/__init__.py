from portal.models.pages import ContentPage, HomePage
from portal.models.site_settings import SiteShellSettings
from portal.models.users import User

__all__ = ["ContentPage", "HomePage", "SiteShellSettings", "User"]
