"""Content-Security-Policy and Permissions-Policy on every response.

The public site runs only its own external script files, so scripts are limited to 'self' with
no 'unsafe-inline' and no 'unsafe-eval'. Wagtail's admin writes inline <script> elements into
its own templates (date widgets, inline panels) and into the HTML its modals fetch; a nonce cannot
reach those, so /admin/ gets a policy of its own that also allows inline scripts, still from this
host only. Django's SecurityMiddleware already sends Cross-Origin-Opener-Policy, nosniff and
Referrer-Policy (settings SECURE_*).
"""

from django.conf import settings


def _header(directives: dict[str, str]) -> str:
    return "; ".join(f"{name} {value}" for name, value in directives.items())


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        public = settings.CONTENT_SECURITY_POLICY
        admin = {**public, **settings.CONTENT_SECURITY_POLICY_ADMIN_OVERRIDES}
        self.public_policy = _header(public)
        self.admin_policy = _header(admin)
        self.admin_prefixes = tuple(settings.CONTENT_SECURITY_POLICY_ADMIN_PREFIXES)
        self.permissions_policy = settings.PERMISSIONS_POLICY

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith(self.admin_prefixes):
            policy = self.admin_policy
        else:
            policy = self.public_policy
        # setdefault: a view that needs a narrower policy may set its own.
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("Permissions-Policy", self.permissions_policy)
        return response
