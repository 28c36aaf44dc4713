import pytest

from tests.browser.conftest import axe_violations, describe

pytestmark = pytest.mark.browser

PAGES = [
    "/",
    "/om/",
    "/tilgjengelighet/",
    "/personvern/",
    "/konto/login/",
    "/konto/signup/",
    "/konto/password/reset/",
    "/finnes-ikke/",
]


@pytest.mark.parametrize("path", PAGES)
def test_page_has_no_serious_accessibility_violations(page, path):
    page.goto(path)
    violations = axe_violations(page)
    assert not violations, describe(violations)


def test_form_errors_have_no_serious_accessibility_violations(page):
    page.goto("/konto/signup/")
    page.get_by_label("E-post").fill("ikke-en-epost")
    page.get_by_role("button", name="Registrer deg").click()
    page.locator(".aksel-error-summary").wait_for()
    violations = axe_violations(page)
    assert not violations, describe(violations)


def test_skip_link_is_first_and_moves_focus_to_main(page):
    page.goto("/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Hopp til hovedinnhold"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "hovedinnhold"


def test_login_form_can_be_used_with_the_keyboard_alone(page):
    from portal.factories import DEFAULT_PASSWORD, UserFactory

    user = UserFactory()
    page.goto("/konto/login/")
    page.get_by_label("E-post").focus()
    page.keyboard.type(user.email)
    page.keyboard.press("Tab")
    page.keyboard.type(DEFAULT_PASSWORD)
    page.keyboard.press("Enter")
    page.locator(".portal-account__who").get_by_text(f"Logget inn som {user.email}").wait_for()
