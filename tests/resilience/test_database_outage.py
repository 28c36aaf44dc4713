"""The database drops the request's connection mid-request (pg_terminate_backend, as a
failover or a restarted server does): the user gets a 503 page in Norwegian, nothing of the
half-done write is kept, and the next request works on a new connection. And the database goes
away for a while (a relay of our own in front of it is stopped, tests/resilience/conftest.py):
pages say so, /healthz reports it, and everything comes back with it.

Runs against the live server, where Django closes a broken connection at the end of the
request as it does in production (the test client keeps it open)."""

from __future__ import annotations

import time

import psycopg
import pytest
import requests
from django.db import connection
from django.db.models.signals import m2m_changed

from directory.factories import MunicipalityFactory
from directory.models import Organisation, OrganisationMembership, Term
from directory.services.reference_data import vocabularies_load
from portal.backup import database_url
from portal.factories import UserFactory


def terminate(pid: int, url: str) -> None:
    """End backend `pid` from outside, as an administrator or a failover would, and wait
    until it is gone."""
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
        deadline = time.monotonic() + 10
        while admin.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone():
            assert time.monotonic() < deadline, "the backend did not end"
            time.sleep(0.05)


@pytest.mark.django_db(transaction=True)
def test_dropped_connection_mid_write_gives_503_keeps_nothing_and_next_request_works(
    live_server, client
):
    vocabularies_load()
    municipality = MunicipalityFactory()
    organisation_type = Term.objects.filter(vocabulary__slug="organisation_types").first()
    user = UserFactory()
    client.force_login(user)
    url = database_url()

    browser = requests.Session()
    browser.cookies.set("sessionid", client.cookies["sessionid"].value)
    form_url = f"{live_server.url}/min-side/organisasjon/ny/"
    assert browser.get(form_url, timeout=30).status_code == 200
    form = {
        "name": "Frivilligsentralen i Brudd",
        "organisation_type": organisation_type.pk,
        "email": "post@brudd.no",
        "municipalities": [municipality.pk],
    }
    headers = {"X-CSRFToken": browser.cookies["csrftoken"], "Referer": form_url}

    # The organisation and its owner are written; while its municipalities are being added,
    # the server ends the request's connection.
    dropped = []

    def drop_connection(sender, instance, action, **kwargs):
        if action == "post_add" and not dropped:
            dropped.append(connection.connection.info.backend_pid)
            terminate(dropped[0], url)

    through = Organisation.municipalities.through
    m2m_changed.connect(drop_connection, sender=through, dispatch_uid="resilience-drop")
    try:
        response = browser.post(form_url, data=form, headers=headers, timeout=30)
    finally:
        m2m_changed.disconnect(sender=through, dispatch_uid="resilience-drop")

    assert dropped, "the connection was not dropped"
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert "Portalen er midlertidig utilgjengelig" in response.text
    assert "mistet kontakten med databasen" in response.text
    # Nothing of the half-done registration was kept.
    assert not Organisation.objects.filter(name="Frivilligsentralen i Brudd").exists()
    assert not OrganisationMembership.objects.filter(user=user).exists()

    # The next requests get a new connection: the page, and the same form sent again.
    assert browser.get(form_url, timeout=30).status_code == 200
    response = browser.post(form_url, data=form, headers=headers, timeout=30, allow_redirects=False)
    assert response.status_code == 302
    organisation = Organisation.objects.get(name="Frivilligsentralen i Brudd")
    assert list(organisation.municipalities.all()) == [municipality]
    assert OrganisationMembership.objects.filter(user=user, organisation=organisation).exists()


@pytest.mark.django_db(transaction=True)
def test_while_the_database_is_down_pages_say_so_healthz_reports_it_and_it_all_comes_back(
    live_server, throwaway_database_port
):
    vocabularies_load()
    pages = [f"{live_server.url}/tilbud/", f"{live_server.url}/sok/?q=leksehjelp"]
    health = f"{live_server.url}/healthz"
    assert all(requests.get(url, timeout=30).status_code == 200 for url in pages)
    assert requests.get(health, timeout=30).json()["checks"]["database"]["status"] == "ok"

    throwaway_database_port.stop()
    for url in pages:
        response = requests.get(url, timeout=30)
        assert response.status_code == 503, url
        assert response.headers["Retry-After"] == "30"
        assert "Portalen er midlertidig utilgjengelig" in response.text
    report = requests.get(health, timeout=30)
    assert report.status_code == 503
    assert report.json()["status"] == "error"
    assert report.json()["checks"]["database"]["status"] == "error"
    # Operators learn that it is down, not where it is or how to log in to it.
    assert str(throwaway_database_port.port) not in report.text
    assert "127.0.0.1" not in report.text and "@" not in report.text

    throwaway_database_port.start()
    assert all(requests.get(url, timeout=30).status_code == 200 for url in pages)
    assert requests.get(health, timeout=30).status_code == 200


def test_database_errors_that_mean_unavailable():
    from django.db import IntegrityError, InterfaceError, OperationalError

    from portal.health import database_unavailable

    assert database_unavailable(OperationalError("server closed the connection"))
    assert database_unavailable(InterfaceError("connection already closed"))
    assert not database_unavailable(IntegrityError("duplicate key"))
    assert not database_unavailable(None)
