"""Production settings: cookies are Secure, HttpOnly and SameSite, HTTPS is enforced, and the
security headers are configured (check --deploy: tests/portal/test_production_settings.py)."""

import json

from tests.portal.test_production_settings import _manage

ENV = {
    "DJANGO_SECRET_KEY": "k" * 20 + "-production-like-secret-" + "z" * 20,
    "DJANGO_ALLOWED_HOSTS": "samarbeidsportalen.example.no",
    "DATABASE_URL": "postgres://portal@127.0.0.1:5432/samarbeidsportalen",
}
NAMES = [
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_HTTPONLY",
    "CSRF_COOKIE_SAMESITE",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_CROSS_ORIGIN_OPENER_POLICY",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "X_FRAME_OPTIONS",
    "DEBUG",
    "CONTENT_SECURITY_POLICY",
    "MIDDLEWARE",
    "ALLAUTH_TRUSTED_PROXY_COUNT",
    "RATELIMIT_IP_META_KEY",
]


def test_production_cookies_and_headers():
    code = (
        "import json; from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n) for n in {NAMES!r}}}))"
    )
    result = _manage("shell", "-c", code, env_overrides=ENV)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"]
    assert values["SESSION_COOKIE_HTTPONLY"] and values["CSRF_COOKIE_HTTPONLY"]
    assert values["SESSION_COOKIE_SAMESITE"] == values["CSRF_COOKIE_SAMESITE"] == "Lax"
    assert values["SECURE_SSL_REDIRECT"] and values["SECURE_HSTS_SECONDS"] >= 31536000
    assert values["SECURE_CROSS_ORIGIN_OPENER_POLICY"] == "same-origin"
    assert values["SECURE_CONTENT_TYPE_NOSNIFF"] and values["X_FRAME_OPTIONS"] == "DENY"
    assert values["DEBUG"] is False
    assert "'unsafe-inline'" not in values["CONTENT_SECURITY_POLICY"]["script-src"]
    assert "portal.security_headers.SecurityHeadersMiddleware" in values["MIDDLEWARE"]
    assert "portal.ratelimits.FormRateLimitMiddleware" in values["MIDDLEWARE"]
    # Behind the proxy, rate limits count the client's address, not the proxy's.
    assert values["ALLAUTH_TRUSTED_PROXY_COUNT"] == 1
    assert values["RATELIMIT_IP_META_KEY"] == "portal.ratelimits.client_ip"
