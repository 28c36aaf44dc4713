from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from portal.permissions import has_mfa, requires_mfa

# Everything under these prefixes is internal: staff must have TOTP before they get there.
INTERNAL_PATH_PREFIXES = ("/admin/", "/intern/")


def is_internal_path(path: str) -> bool:
    return path.startswith(INTERNAL_PATH_PREFIXES)


class StaffMfaRequiredMiddleware:
    """Sends Nav staff and editors without TOTP to the TOTP setup page instead of internal pages.

    Login with an existing authenticator already asks for a code (allauth.mfa); this closes the
    gap for staff who have not set one up yet.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            is_internal_path(request.path)
            and user.is_authenticated
            and requires_mfa(user)
            and not has_mfa(user)
        ):
            messages.warning(
                request,
                _(
                    "Du må slå på tofaktorautentisering (TOTP) før du kan bruke de interne "
                    "sidene i Samarbeidsportalen."
                ),
            )
            setup = reverse(settings.MFA_SETUP_URL_NAME)
            return redirect(f"{setup}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
