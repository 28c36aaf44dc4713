from django.conf import settings


def site_shell(request):
    """Values every layout needs; no database access, so error pages render too."""
    return {"SITE_NAME": settings.WAGTAIL_SITE_NAME}
