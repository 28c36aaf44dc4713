from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings


class AccountAdapter(DefaultAccountAdapter):
    """Links in emails point at the public site address, not at whichever host sent the request."""

    def get_email_verification_redirect_url(self, email_address):
        return settings.LOGIN_URL if isinstance(settings.LOGIN_URL, str) else "/"
