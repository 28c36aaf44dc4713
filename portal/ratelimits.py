"""Rate limits on the forms that write or send email, by URL name, in one place.

Login, sign-up and password reset are limited by allauth itself (ACCOUNT_RATE_LIMITS), the open
API by opendata.api; this middleware covers the portal's own forms with django-ratelimit and the
same cache (Redis when REDIS_URL is set). It runs before the view, so a refused request writes
nothing and sends nothing; both refusals render templates/429.html.
"""

import math

from django.conf import settings
from django.shortcuts import render
from django_ratelimit.core import get_usage

PERIOD_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def _period_seconds(rate: str) -> int:
    """Seconds in a django-ratelimit rate's window: "10/h" -> 3600, "5/15m" -> 900."""
    period = rate.partition("/")[2]
    multiplier = int(period[:-1]) if len(period) > 1 else 1
    return multiplier * PERIOD_SECONDS[period[-1]]


def client_ip(request) -> str:
    """The client's address for rate limits (RATELIMIT_IP_META_KEY). Behind TRUSTED_PROXY_COUNT
    proxies it is that many entries from the right of X-Forwarded-For: entries further left are
    whatever the client chose to send, and trusting them would let anyone pick a fresh bucket."""
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    forwarded = [
        part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part
    ]
    if count and len(forwarded) >= count:
        return forwarded[-count]
    return request.META.get("REMOTE_ADDR", "")


def too_many_requests(request, rate: str):
    seconds = _period_seconds(rate)
    response = render(
        request, "429.html", {"retry_minutes": max(1, math.ceil(seconds / 60))}, status=429
    )
    response["Retry-After"] = str(seconds)
    return response


class FormRateLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method != "POST" or request.resolver_match is None:
            return None
        name = request.resolver_match.url_name
        rate = settings.FORM_RATE_LIMITS.get(name)
        if rate is None:
            return None
        # Signed-in people are counted by account, others by address; a WSGI server need not
        # pass an address, and such requests share one bucket.
        if request.user.is_authenticated:
            key = "user"
        elif request.META.get("REMOTE_ADDR"):
            key = "ip"
        else:
            key = lambda group, request: "no-address"  # noqa: E731
        usage = get_usage(request, group=f"form:{name}", key=key, rate=rate, increment=True)
        if usage is not None and usage["should_limit"]:
            return too_many_requests(request, rate)
        return None
