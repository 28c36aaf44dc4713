"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live server."""

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMIUM = Path("/usr/bin/chromium")
AXE_JS = Path(__file__).resolve().parents[2] / "var" / "test-assets" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    # Without these Chromium calls Google's hosts on its own, which would also show up as
    # requests to other hosts.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Playwright's sync API runs an event loop in this thread, so Django would refuse the ORM calls
# that fixtures and assertions make; they are synchronous and safe here.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: apt-get install chromium"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def site(live_server, transactional_db):
    """The live server, with the home page, the fixed content pages and the footer settings.

    Live-server tests empty the database after each test, so the shell is created every time."""
    from portal.services import site_shell_ensure

    site_shell_ensure()
    return live_server


@pytest.fixture
def requested_urls():
    """Every URL the browser requested during the test."""
    return []


@pytest.fixture
def page(browser, site, requested_urls):
    context = browser.new_context(locale="nb-NO", base_url=site.url)
    page = context.new_page()
    page.on("request", lambda request: requested_urls.append(request.url))
    yield page
    context.close()
    # Every test also checks that the site loaded nothing from other hosts.
    foreign = foreign_urls(requested_urls, site.url)
    assert not foreign, f"Requests to other hosts than the live server: {foreign}"


def foreign_urls(urls: list[str], base_url: str) -> list[str]:
    """The URLs that go to another host than base_url (data: and blob: URLs stay in the page)."""
    own = urlsplit(base_url).netloc
    return [
        url
        for url in urls
        if urlsplit(url).scheme not in ("data", "blob") and urlsplit(url).netloc != own
    ]


def axe(page) -> list[dict]:
    """Run axe-core (WCAG 2.1 A and AA, best practice) and return the serious and critical
    violations."""
    page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    return [v for v in result["violations"] if v["impact"] in ("serious", "critical")]


def describe(violations: list[dict]) -> str:
    """A readable assertion message: rule, impact, help and the offending elements."""
    return "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} -> {[node['target'] for node in v['nodes']]}"
        for v in violations
    )


def log_in(page, email: str, password: str) -> None:
    """Log in through allauth's form, as a person would."""
    page.goto("/konto/login/")
    page.get_by_label("E-post").fill(email)
    page.get_by_label("Passord", exact=True).fill(password)
    page.get_by_role("button", name="Logg inn").click()
