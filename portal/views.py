import sys

from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from portal.health import database_unavailable, health_report


@never_cache
@require_GET
def healthz(request):
    report, serving = health_report()
    return JsonResponse(report, status=200 if serving else 503)


def permission_denied(request, exception=None):
    # The reason given by a PermissionDenied from a service is written for people: show it.
    message = str(exception) if exception and str(exception) else ""
    return render(request, "pages/403.html", {"message": message}, status=403)


def page_not_found(request, exception=None):
    return render(request, "pages/404.html", status=404)


def server_error(request):
    # No context processors that touch the database: the error may be the database itself.
    # Django calls this inside its except block, so the error is at hand.
    if database_unavailable(sys.exc_info()[1]):
        # Service writes are transactions, so what the request began is rolled back; the
        # next request gets a new connection (CONN_HEALTH_CHECKS).
        response = render(request, "pages/503.html", status=503)
        response["Retry-After"] = "30"
        return response
    return render(request, "pages/500.html", status=500)
