from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_http_methods


@require_http_methods(["GET", "HEAD", "POST"])
def admin_login_redirect(request):
    """Wagtail's own login form would accept a password alone; every login goes through allauth,
    which enforces MFA. A POST here logs no one in."""
    next_url = request.GET.get("next") or "/admin/"
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "/admin/"
    return HttpResponseRedirect(f"{reverse('account_login')}?{urlencode({'next': next_url})}")
