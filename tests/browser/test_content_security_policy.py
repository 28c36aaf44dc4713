"""In Chromium, the strict Content-Security-Policy breaks nothing: the public site runs its
scripts, and the Wagtail admin can be logged into and used, with no violation reported."""

import pytest
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)

from directory.factories import NavOfficeFactory, NavOfficeMembershipFactory
from portal.factories import DEFAULT_PASSWORD, UserFactory
from portal.models import User
from portal.services import user_set_portal_role
from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def violations(page):
    """CSP violations seen by the page (the DOM event) and by the console (Chromium's report)."""
    seen = []
    page.on(
        "console",
        lambda message: (
            seen.append(message.text)
            if "Content Security Policy" in message.text or "Permissions-Policy" in message.text
            else None
        ),
    )
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => console.error("
        "'Content Security Policy violation: ' + e.violatedDirective + ' ' + e.blockedURI));"
    )
    return seen


def test_a_public_page_runs_its_scripts_under_the_policy(page, violations):
    response = page.goto("/tilbud/")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("style-src")[0]
    # htmx and the portal's own scripts ran: they are external files from this host.
    page.wait_for_function("() => window.htmx !== undefined")
    page.get_by_role("heading", level=1).first.wait_for()
    assert violations == []
    # An inline script is refused and reported: the check above can see a violation.
    with pytest.raises(Exception, match="Content Security Policy"):
        page.add_script_tag(content="window.injected = true")
    assert page.evaluate("window.injected") is None
    assert violations


def test_the_wagtail_admin_login_and_dashboard_work_under_the_policy(page, violations):
    editor = UserFactory()
    NavOfficeMembershipFactory(user=editor, office=NavOfficeFactory())
    user_set_portal_role(user=editor, role=User.PortalRole.EDITOR, by=None)
    secret = generate_totp_secret()
    TOTP.activate(editor, secret)

    page.goto("/admin/")
    assert "/konto/login/" in page.url  # the admin's login is allauth's, under the strict policy
    log_in(page, editor.email, DEFAULT_PASSWORD)
    page.get_by_label("Kode").fill(
        format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))
    )
    page.get_by_role("button", name="Logg inn").click()
    page.wait_for_url(lambda url: "/konto/" not in url)
    page.goto("/admin/")
    # The sidebar is drawn by the admin's JavaScript: it only appears if its scripts ran.
    page.locator("[data-wagtail-sidebar] nav, .sidebar nav").first.wait_for()
    page.goto("/admin/pages/")
    page.locator("main").first.wait_for()
    assert violations == []
