import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret


@pytest.fixture
def admin_login(client):
    """Sign a staff user in with TOTP set up, as the MFA middleware requires for /admin/."""

    def login(user):
        TOTP.activate(user, generate_totp_secret())
        client.force_login(user)
        return client

    return login
