import json

import pytest

pytestmark = pytest.mark.django_db


def test_healthz_reports_each_service_without_secrets(client, settings):
    response = client.get("/healthz")
    assert response.status_code == 200
    report = response.json()
    assert report["checks"]["database"]["status"] == "ok"
    assert report["checks"]["search"] == {"status": "ok", "backend": "postgresql"}
    assert report["checks"]["broker"]["transport"] in ("redis", "filesystem")
    body = json.dumps(report)
    for secret in (settings.SECRET_KEY, settings.DATABASES["default"].get("PASSWORD") or "§"):
        assert secret not in body
    assert "postgres://" not in body and "redis://" not in body
    assert response["Cache-Control"].startswith("max-age=0")


def test_healthz_reports_unreachable_broker_as_degraded(client, settings):
    from portal.celery import app

    original = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    try:
        response = client.get("/healthz")
    finally:
        app.conf.broker_url = original
    assert response.status_code == 200
    report = response.json()
    assert report["status"] == "degraded"
    assert report["checks"]["broker"]["status"] == "error"
    assert "127.0.0.1:1" not in json.dumps(report)


def test_elasticsearch_unreachable_is_reported_not_raised(client, settings):
    from search.backends import get_backend

    settings.ELASTICSEARCH_URL = "http://user:hemmelig@127.0.0.1:1"
    get_backend.cache_clear()
    try:
        report = client.get("/healthz").json()
    finally:
        get_backend.cache_clear()
    assert report["checks"]["search"]["backend"] == "elasticsearch"
    assert report["checks"]["search"]["status"] == "error"
    assert "hemmelig" not in json.dumps(report)
