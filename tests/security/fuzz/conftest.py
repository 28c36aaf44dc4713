"""A small published portal for the fuzz tests: reference data, the demo offers, grant schemes
and prevention models, an active agreement, and one user for every role (the `world`)."""

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core.cache import cache
from django.db import transaction
from django.test import override_settings

from portal.permissions import has_mfa
from tests import conftest as shared


@pytest.fixture(scope="module", autouse=True)
def _private_cache():
    """The fuzz tests clear the cache before every request (rate-limit counters would turn
    answers into 429s): a cache of their own, so they never flush the machine's shared Redis."""
    with override_settings(
        CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    ):
        yield


@pytest.fixture(scope="module")
def _portal_rows(django_db_setup, django_db_blocker):
    """Built once per module inside a transaction that is rolled back afterwards: each test
    then runs in a savepoint within it, so the ~20 s of demo content is paid once, not per test."""
    with django_db_blocker.unblock(), transaction.atomic():
        try:
            yield _build()
        finally:
            transaction.set_rollback(True)


@pytest.fixture
def portal(_portal_rows, db):
    cache.clear()
    yield _portal_rows
    cache.clear()


def _build():
    from agreements.models import Agreement, AgreementParty
    from agreements.services.agreements import agreement_activate, agreement_save
    from directory.models import Organisation, Term
    from directory.services.demo_content import demo_offers_load
    from directory.services.demo_grants import demo_grant_index_ensure, demo_grants_load
    from directory.services.demo_prevention import demo_prevention_models_load
    from directory.services.prevention import prevention_index_ensure, prevention_workflow_ensure
    from directory.services.reference_data import reference_data_load
    from search.indexing import offers_reindex_all, site_reindex_all

    # The shared conftest's fixtures, called as plain functions (they only need the database).
    world = shared.world.__wrapped__(None)
    shared.shell.__wrapped__(None)
    reference_data_load()
    Organisation.objects.filter(pk__in=[world["org_a"].pk, world["org_b"].pk]).update(
        status=Organisation.Status.APPROVED
    )
    demo_offers_load()
    demo_grant_index_ensure()
    demo_grants_load()
    prevention_index_ensure()
    prevention_workflow_ensure()
    demo_prevention_models_load()
    staff = world["users"]["nav_staff_x"]
    agreement = agreement_save(
        agreement=Agreement(
            title="Matutdeling og veiledning",
            purpose="Frivilligsentralen deler ut mat.",
            agreement_type=Term.objects.get(
                vocabulary__slug="agreement_types", slug="samarbeidsavtale-frivillig"
            ),
            start_date="2026-01-15",
        ),
        parties=[
            AgreementParty(
                kind=AgreementParty.Kind.NAV_OFFICE,
                nav_office=world["office_x"],
                contact_role="Veileder",
                contact_user=staff,
            ),
            AgreementParty(
                kind=AgreementParty.Kind.ORGANISATION,
                organisation=world["org_a"],
                contact_role="Daglig leder",
                contact_email="post@org-a.example",
            ),
        ],
        by=staff,
    )
    world["agreement"] = agreement_activate(agreement=agreement, by=staff)
    # Index updates wait for a commit that never comes in a test transaction: index directly,
    # so searches return real hits (snippets, highlighting and facet counts are exercised).
    offers_reindex_all()
    site_reindex_all()
    return world


@pytest.fixture
def login(client):
    """Sign the test client in as a user; Nav staff and editors get an authenticator first,
    so /intern/ and the admin let them through to the real code."""

    def sign_in(user, *, mfa=True):
        if mfa and not has_mfa(user):
            TOTP.activate(user, generate_totp_secret())
        client.force_login(user)
        return client

    return sign_in
