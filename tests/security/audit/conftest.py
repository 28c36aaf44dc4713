import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

# An agreement with its parties, for the document download test.
from tests.agreements.conftest import agreement_type, agreement_world, make_agreement  # noqa: F401


@pytest.fixture
def admin_login(client):
    """Sign a staff user in with TOTP set up, as the MFA middleware requires for /admin/."""

    def login(user):
        TOTP.activate(user, generate_totp_secret())
        client.force_login(user)
        return client

    return login
