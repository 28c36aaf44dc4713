"""Redis stops (cache and Celery broker both): public pages, search and signing in keep
working from PostgreSQL, search indexing asked for during the outage is not lost, and the
reminder dispatcher delivers each reminder exactly once when Redis is back.

Redis here is a throwaway redis-server on its own loopback port (tests/resilience/conftest.py),
stopped and started again by the test; the machine's shared Redis is never touched."""

from __future__ import annotations

import time
from collections import Counter

import pytest
import redis as redis_client
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.core import mail
from django.db import connection
from django.urls import reverse
from kombu.exceptions import OperationalError

from directory.models import Delivery, Organisation, Reminder
from directory.tasks import reminders_dispatch_task
from portal.celery import app
from portal.factories import DEFAULT_PASSWORD
from portal.settings import base as base_settings
from tests.resilience.helpers import published_offer


def _drop_broker_connections():
    """Celery keeps its broker pool; forget it so the next call uses the broker named now."""
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def redis_everywhere(throwaway_redis, settings):
    """The cache and the Celery broker on the throwaway Redis, configured as in production
    (tasks stay eager until a test turns that off)."""
    settings.CACHES = {
        "default": {
            "BACKEND": "portal.resilient_cache.ResilientRedisCache",
            "LOCATION": throwaway_redis.url,
            "KEY_PREFIX": "resilience",
        }
    }
    # Production's limits, not the test settings' "off": they live in the cache too.
    settings.ACCOUNT_RATE_LIMITS = base_settings.ACCOUNT_RATE_LIMITS
    original = app.conf.broker_url
    settings.CELERY_BROKER_URL = throwaway_redis.url
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
    settings.CELERY_BROKER_CONNECTION_TIMEOUT = 1
    settings.CELERY_WORKER_HIJACK_ROOT_LOGGER = False
    app.conf.broker_url = throwaway_redis.url
    _drop_broker_connections()
    yield throwaway_redis
    app.conf.broker_url = original
    _drop_broker_connections()


def _search_pages_show(client, text):
    offers = client.get("/tilbud/", {"q": "sjakk"})
    site = client.get("/sok/", {"q": "sjakk"})
    assert offers.status_code == 200 and site.status_code == 200
    return text in offers.content.decode() and text in site.content.decode()


@pytest.mark.django_db
def test_pages_search_and_login_work_while_redis_is_stopped(
    world, client, redis_everywhere, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        offer = published_offer(world, title="Sjakkgruppe for eldre")
    assert _search_pages_show(client, "Sjakkgruppe for eldre")
    # The cache really is this Redis: the searches above left entries in it.
    assert redis_client.Redis.from_url(redis_everywhere.url).dbsize() > 0

    redis_everywhere.stop()

    assert _search_pages_show(client, "Sjakkgruppe for eldre")
    detail = client.get(reverse("offer_detail", args=[offer.pk]))
    assert detail.status_code == 200
    assert "Sjakkgruppe for eldre" in detail.content.decode()
    assert client.get(reverse("account_login")).status_code == 200
    # Signing in keeps working: allauth's rate limit cannot count in the cache, and lets the
    # attempt through rather than locking everyone out.
    user = world["users"]["plain_user"]
    response = client.post(
        reverse("account_login"), {"login": user.email, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302
    assert client.get(reverse("min_side")).status_code == 200

    # /healthz tells operators: still serving (200), degraded, cache and broker down.
    report = client.get("/healthz")
    assert report.status_code == 200
    assert report.json()["status"] == "degraded"
    assert report.json()["checks"]["cache"] == {
        "status": "error",
        "backend": "redis",
        "detail": "ConnectionError",
    }
    assert report.json()["checks"]["broker"]["status"] == "error"


@pytest.mark.django_db
def test_indexing_asked_for_while_redis_is_stopped_is_not_lost(
    world, client, redis_everywhere, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        published_offer(world, title="Sjakkgruppe for eldre")
    redis_everywhere.stop()
    settings.CELERY_TASK_ALWAYS_EAGER = False
    _drop_broker_connections()

    # A rename enqueues the organisation's document and its offers' (they carry its name);
    # the broker cannot take the messages, so the saving process builds them itself.
    organisation = Organisation.objects.get(pk=world["org_a"].pk)  # approved since
    organisation.name = "Sjakklubben Løperen"
    with django_capture_on_commit_callbacks(execute=True):
        organisation.save()

    # Only the new name finds the offer: its documents were rebuilt with it.
    for path in ("/sok/", "/tilbud/"):
        response = client.get(path, {"q": "Løperen"})
        assert response.status_code == 200
        assert "Sjakkgruppe for eldre" in response.content.decode()

    # Periodic work keeps the default: the send fails and the caller (beat) sees it; its
    # rows wait for the next run.
    with pytest.raises(OperationalError):
        reminders_dispatch_task.delay()


@pytest.mark.django_db(transaction=True)
def test_reminders_are_delivered_once_after_redis_comes_back(
    world, make_agreement, redis_everywhere, settings
):
    from tests.agreements.conftest import OFFICE_CONTACT_EMAIL, ORG_CONTACT_EMAIL
    from tests.agreements.test_reminders import PARTY_USERS, _due_today, _emails

    agreement = _due_today(make_agreement)
    scheduled = Reminder.objects.for_object(agreement).scheduled().count()
    assert scheduled == 3
    settings.CELERY_TASK_ALWAYS_EAGER = False
    redis_everywhere.stop()
    _drop_broker_connections()

    # Beat's sends fail while Redis is down: nothing is sent, the reminders wait as rows.
    with pytest.raises(OperationalError):
        reminders_dispatch_task.delay()
    assert Reminder.objects.for_object(agreement).scheduled().count() == scheduled
    assert not Delivery.objects.exists()

    # Redis is back: a real worker runs the next two dispatches (and a duplicate send, as
    # when beat and an operator both kick it); every reminder goes out once.
    redis_everywhere.start()
    _drop_broker_connections()
    finished = []

    def on_postrun(sender=None, **kwargs):
        connection.close()  # the worker thread's own connection
        if sender is not None and sender.name == reminders_dispatch_task.name:
            finished.append(kwargs.get("state"))

    task_postrun.connect(on_postrun, weak=False)
    try:
        with start_worker(app, perform_ping_check=False, shutdown_timeout=30):
            for expected in (1, 2):
                reminders_dispatch_task.delay()
                deadline = time.monotonic() + 60
                while len(finished) < expected and time.monotonic() < deadline:
                    time.sleep(0.05)
    finally:
        task_postrun.disconnect(on_postrun)
        _drop_broker_connections()

    assert finished == ["SUCCESS", "SUCCESS"]
    addresses = _emails(world, PARTY_USERS) | {OFFICE_CONTACT_EMAIL, ORG_CONTACT_EMAIL}
    assert Counter(m.to[0] for m in mail.outbox) == Counter(addresses)
    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.SENT}


@pytest.mark.django_db
def test_an_export_or_import_asked_for_while_redis_is_stopped_says_it_could_not_start(
    world, client, redis_everywhere, settings, django_capture_on_commit_callbacks
):
    """The request is saved before the job is handed to the broker; when the broker cannot take
    it, the user sees why on the job, not a server error, and can try again."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from opendata.importing import TEMPLATE_REQUIRED
    from opendata.models import DataExport, DataImport

    redis_everywhere.stop()
    settings.CELERY_TASK_ALWAYS_EAGER = False
    _drop_broker_connections()
    editor = world["users"]["portal_editor"]
    client.force_login(editor)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("opendata_exports"), {"format": "xlsx"})
    assert response.status_code == 302
    export = DataExport.objects.get(requested_by=editor)
    assert export.status == "failed"
    page = client.get(reverse("opendata_exports")).content.decode()
    assert "køtjenesten ikke svarer akkurat nå" in page

    upload = SimpleUploadedFile("tilbud.csv", (",".join(TEMPLATE_REQUIRED) + "\n").encode())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("opendata_imports"), {"file": upload})
    assert response.status_code == 302
    data_import = DataImport.objects.get(uploaded_by=editor)
    assert data_import.status == DataImport.Status.FAILED
    page = client.get(reverse("opendata_import_detail", args=[data_import.pk])).content.decode()
    assert "Last opp filen på nytt om noen minutter" in page
