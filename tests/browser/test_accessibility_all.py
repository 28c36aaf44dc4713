"""Every page type the portal renders passes axe-core (WCAG 2.1 A/AA and best practice) without a
serious or critical violation, and the main journeys work with the keyboard alone.

The page types come from the URL confs and the Wagtail page models; each audience (anonymous
visitor, organisation representative, municipality employee, Nav adviser behind TOTP) visits
every page it can reach, including forms sent back with errors and the error pages. A test that
walks a list rather than one test per URL keeps the demo catalogue to one load per audience on a
small machine, and the failure message still names every URL and rule that failed."""

import re
from datetime import timedelta

import pytest
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.utils import timezone
from playwright.sync_api import Error as PlaywrightError

from tests.browser.conftest import AXE_JS, AXE_TAGS, describe, log_in

pytestmark = pytest.mark.browser

REP_EMAIL = "frivillig@example.org"
MUNICIPALITY_EMAIL = "kommune@example.org"
STAFF_EMAIL = "veileder@example.org"
DEMO_ORGANISATION = "frivilligsentralen-i-hamar-demo-navn"


def _import_file():
    """Our import template with a good row and one without a municipality, for a report that
    shows both."""
    import csv
    import io

    from directory.services.demo_content import fictitious_organisation_number
    from opendata.importing import TEMPLATE_COLUMNS

    good = {
        "ekstern_id": "a11y-1",
        "organisasjonsnummer": fictitious_organisation_number("a11y-org"),
        "organisasjonsnavn": "Tilgjengelighetsforeningen",
        "tittel": "Leksehjelp i Hamar",
        "kort beskrivelse": "Gratis leksehjelp med voksne frivillige.",
        "kommunenummer": "3403",
        "kategorier": "leksehjelp",
    }
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(TEMPLATE_COLUMNS))
    writer.writeheader()
    writer.writerow(good)
    writer.writerow({**good, "ekstern_id": "a11y-2", "kommunenummer": ""})
    return SimpleUploadedFile("tilbud.csv", out.getvalue().encode())


@pytest.fixture
def catalogue(site):
    """The demo catalogue and demo accounts (what `setup_portal --demo` loads), with one offer
    waiting for review, one organisation waiting for approval, one request to join and one open
    evaluation, so that every moderation and evaluation page has something to show."""
    from agreements.models import Agreement, Evaluation
    from agreements.services.demo_content import demo_agreements_load
    from directory.models import NavOffice, Offer, Organisation, PreventionModelPage
    from directory.models.grants import GrantSchemePage
    from directory.services.demo_content import demo_directory_load, demo_offers_load
    from directory.services.demo_grants import demo_grant_index_ensure, demo_grants_load
    from directory.services.demo_prevention import demo_prevention_models_load
    from directory.services.freshness import confirmation_token
    from directory.services.offers import offer_submit
    from directory.services.organisations import organisation_claim_request, organisation_register
    from directory.services.prevention import prevention_index_ensure, prevention_workflow_ensure
    from directory.services.reference_data import reference_data_load
    from opendata.importing import import_upload
    from portal.models import User
    from portal.services import demo_users_ensure
    from search.indexing import offers_reindex_all, site_reindex_all

    reference_data_load()
    demo_grant_index_ensure()
    prevention_index_ensure()
    prevention_workflow_ensure()
    demo_directory_load()
    demo_offers_load()
    demo_agreements_load()
    demo_grants_load()
    demo_prevention_models_load()
    demo_users_ensure()
    offers_reindex_all()
    site_reindex_all()

    rep = User.objects.get(email=REP_EMAIL)
    municipal = User.objects.get(email=MUNICIPALITY_EMAIL)
    staff = User.objects.get(email=STAFF_EMAIL)
    secret = generate_totp_secret()
    TOTP.activate(staff, secret)
    organisation = Organisation.objects.get(slug=DEMO_ORGANISATION)
    offer = Offer.objects.filter(organisation=organisation, live=True).order_by("pk").first()
    offer_submit(offer=offer, by=rep)
    pending = organisation_register(
        organisation=Organisation(name="Leksehjelpen i Stange"),
        by=municipal,
    )
    other = Organisation.objects.exclude(pk=organisation.pk).filter(status="approved").first()
    claim = organisation_claim_request(organisation=other, by=rep, message="Jeg er leder.")
    hamar = NavOffice.objects.get(slug="nav-hamar")
    agreement = (
        Agreement.objects.filter(parties__nav_office=hamar, status=Agreement.Status.ACTIVE)
        .order_by("pk")
        .first()
    )
    decided = Evaluation.objects.filter(status=Evaluation.Status.DECIDED).first()
    # Activating an agreement schedules its first evaluation; make sure one is open.
    Evaluation.objects.get_or_create(
        agreement=agreement,
        status=Evaluation.Status.OPEN,
        defaults={"due_on": timezone.localdate() + timedelta(7)},
    )
    report = import_upload(user=municipal, uploaded_file=_import_file())
    return {
        "secret": secret,
        "import": report,
        "confirm_token": confirmation_token(offer),
        "organisation": organisation,
        "offer": offer,
        "pending": pending,
        "claim": claim,
        "agreement": agreement,
        "decided": decided,
        "grant": GrantSchemePage.objects.live().first(),
        "model": PreventionModelPage.objects.live().first(),
    }


def totp_log_in(page, email: str, secret: str) -> None:
    log_in(page, email, "demo-passord-2026")
    code = format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))
    page.get_by_label("Kode").fill(code)
    page.get_by_role("button", name=re.compile("Logg inn|Bekreft")).click()
    page.locator(".portal-header").get_by_text("Logget inn som").wait_for()


def axe(page) -> list[dict]:
    """The serious and critical axe-core violations on the page.

    axe is evaluated through the DevTools protocol rather than added as a <script>: the site's
    Content-Security-Policy (script-src 'self') rightly refuses inline scripts, and the audit must
    run under the same policy a visitor gets."""
    page.evaluate(AXE_JS.read_text())
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    return [v for v in result["violations"] if v["impact"] in ("serious", "critical")]


class Audit:
    """Collects violations page by page, so one run reports every failing page at once."""

    def __init__(self, page):
        self.page = page
        page.set_default_timeout(10_000)
        self.failures: list[str] = []
        self.seen: list[str] = []

    def check(self, label: str) -> None:
        # Not "networkidle": pages that poll (an export being built) never go idle.
        self.page.wait_for_load_state("load")
        self.seen.append(label)
        violations = axe(self.page)
        if violations:
            self.failures.append(f"{label} ({self.page.url}):\n{describe(violations)}")
        # The statement is one click away from every page (the handout is paper, not a page).
        statement = self.page.locator("footer").get_by_role(
            "link", name="Tilgjengelighetserklæring"
        )
        if "/utskrift/" not in label and not statement.count():
            self.failures.append(f"{label}: no link to the accessibility statement in the footer")

    def visit(self, path: str, status: int = 200) -> None:
        response = self.page.goto(path)
        assert response.status == status, f"{path}: {response.status}"
        self.check(path)

    def submit_empty(self, path: str, button: str | None = None) -> None:
        """Send a form back without filling it in, to audit the error summary and the inline
        errors. The browser's own checks (required) are switched off so that the server's error
        page is what gets audited."""
        self.page.goto(path)
        form = self.page.locator("main form[method=post]").first
        form.evaluate("form => { form.noValidate = true; }")
        if button:
            form.get_by_role("button", name=button, exact=True).first.click()
        else:
            form.locator("button[type=submit]").first.click()
        self.page.wait_for_load_state("networkidle")
        self.check(f"{path} med feil")

    def assert_clean(self) -> None:
        assert not self.failures, "\n\n".join(self.failures)


def _public(audit, data):
    offer, org = data["offer"], data["organisation"]
    for path in (
        "/",
        "/om/",
        "/tilgjengelighet/",
        "/personvern/",
        "/tilbud/",
        "/tilbud/?q=leksehjelp&kommune=3403",
        "/tilbud/?q=ingenting-her-xyz",
        f"/tilbud/{offer.pk}/",
        f"/tilbud/{offer.pk}/utskrift/",
        f"/organisasjoner/{org.slug}/",
        "/sok/",
        "/sok/?q=leksehjelp",
        "/sok/?q=leksehjlp",
        "/tilskudd/",
        data["grant"].url,
        "/forebygging/",
        data["model"].url,
        "/konto/login/",
        "/konto/signup/",
        "/konto/password/reset/",
        "/konto/password/reset/done/",
        # The one-click link from a reminder email: a page with a button, no login needed.
        f"/bekreft/{data['confirm_token']}/",
    ):
        audit.visit(path)
    audit.visit("/finnes-ikke/", status=404)
    audit.visit("/tilbud/999999/", status=404)
    audit.submit_empty("/konto/login/")
    audit.submit_empty("/konto/password/reset/")


def _representative(audit, data):
    log_in(audit.page, REP_EMAIL, "demo-passord-2026")
    audit.page.locator(".portal-header").get_by_text("Logget inn som").wait_for()
    org, offer = data["organisation"], data["offer"]
    for path in (
        "/min-side/",
        f"/min-side/tilbud/nytt/?organisasjon={org.pk}",
        f"/min-side/tilbud/{offer.pk}/",
        "/min-side/organisasjon/ny/",
        "/min-side/organisasjon/tilgang/",
        f"/min-side/organisasjon/{org.pk}/modeller/",
        "/varsler/",
        "/apne-data/eksport/",
        "/konto/email/",
        "/konto/password/change/",
        "/konto/2fa/",
    ):
        audit.visit(path)
    audit.submit_empty(f"/min-side/tilbud/nytt/?organisasjon={org.pk}", "Lagre utkast")
    audit.submit_empty("/min-side/organisasjon/ny/")
    audit.submit_empty("/konto/password/change/")
    # Another organisation's page: the 403 page.
    audit.visit(f"/min-side/organisasjon/{data['claim'].organisation_id}/modeller/", status=403)


def _municipality(audit, data):
    log_in(audit.page, MUNICIPALITY_EMAIL, "demo-passord-2026")
    audit.page.locator(".portal-header").get_by_text("Logget inn som").wait_for()
    audit.visit("/forebygging/foresla/")
    audit.visit("/apne-data/import/")
    audit.submit_empty("/apne-data/import/")
    audit.visit(f"/forebygging/{data['model'].pk}/foresla-endring/")
    audit.submit_empty("/forebygging/foresla/", "Send forslaget")
    # An import's report, row by row, with a rejected row.
    audit.visit(f"/apne-data/import/{data['import'].pk}/")


def _nav_staff(audit, data):
    totp_log_in(audit.page, STAFF_EMAIL, data["secret"])
    agreement, offer = data["agreement"], data["offer"]
    for path in (
        "/intern/oversikt/",
        "/intern/avtaler/",
        "/intern/avtaler/ny/",
        f"/intern/avtaler/{agreement.pk}/",
        f"/intern/avtaler/{agreement.pk}/endre/",
        f"/intern/avtaler/{agreement.pk}/historikk/",
        f"/intern/avtaler/{agreement.pk}/avslutt/",
        f"/intern/avtaler/{agreement.pk}/evaluering/",
        f"/intern/avtaler/{agreement.pk}/evaluering/beslutning/",
        f"/intern/avtaler/{data['decided'].agreement_id}/evalueringer/{data['decided'].pk}/",
        "/intern/kalender/",
        "/intern/moderering/",
        f"/intern/moderering/tilbud/{offer.pk}/",
        "/konto/2fa/",
    ):
        audit.visit(path)
    audit.submit_empty("/intern/avtaler/ny/", "Lagre utkast")
    audit.submit_empty(f"/intern/avtaler/{agreement.pk}/evaluering/", "Send svarene")


AUDIENCES = {
    "offentlig": _public,
    "organisasjon": _representative,
    "kommune": _municipality,
    "nav-ansatt": _nav_staff,
}


@pytest.mark.parametrize("audience", AUDIENCES)
def test_every_page_type_has_no_serious_violations(page, catalogue, audience):
    audit = Audit(page)
    AUDIENCES[audience](audit, catalogue)
    assert audit.seen
    audit.assert_clean()


# --- Keyboard alone ---------------------------------------------------------------------------

# How the focused element (and the wrappers and pseudo-elements that design systems draw focus
# rings on) looks: compared with the same element unfocused, it must differ, and the focused
# state must draw an outline or a shadow that is not transparent.
FOCUS_LOOK = """el => {
  const look = [];
  let visible = false;
  let node = el;
  for (let depth = 0; node && depth < 4; depth++, node = node.parentElement) {
    for (const pseudo of [null, '::before', '::after']) {
      const s = getComputedStyle(node, pseudo);
      const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0
        && !/rgba\\(.*, 0\\)$/.test(s.outlineColor);
      const shadow = s.boxShadow && s.boxShadow !== 'none';
      if (outline || shadow) visible = true;
      look.push([s.outlineStyle, s.outlineWidth, s.outlineColor, s.boxShadow, s.borderColor,
                 s.backgroundColor, s.textDecorationLine, s.content].join('|'));
    }
  }
  return {visible, look: look.join(';')};
}"""

DESCRIBE_FOCUS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const text = (el.getAttribute('aria-label') || el.textContent || el.value || '').trim();
  return `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''} «${text.slice(0, 40)}»`;
}"""


class Keyboard:
    """Moves through a page with Tab and Shift+Tab only, checking at every stop that focus can
    be seen, and that the element looks different once focus has moved on."""

    def __init__(self, page):
        self.page = page
        self.invisible: list[str] = []
        self._previous = None  # (handle, label, focused look) of the last stop

    def _leave_previous(self) -> None:
        if self._previous is None:
            return
        handle, label, focused = self._previous
        try:
            if handle.evaluate("el => el === document.activeElement"):
                return  # still focused (Enter in a search field): compare once it is left
            unfocused = handle.evaluate(FOCUS_LOOK)
        except PlaywrightError:  # Enter went to another page: only the focused look is left
            unfocused = {"look": None}
        self._previous = None
        if not focused["visible"] or focused["look"] == unfocused["look"]:
            self.invisible.append(f"{self.page.url}: {label}")

    def press(self, key: str) -> str | None:
        self.page.keyboard.press(key)
        self._leave_previous()
        label = self.page.evaluate(DESCRIBE_FOCUS)
        if label is not None:
            handle = self.page.evaluate_handle("document.activeElement")
            self._previous = (handle, label, handle.evaluate(FOCUS_LOOK))
        return label

    def tab_to(self, selector: str, limit: int = 120, key: str = "Tab") -> None:
        """Tab until the element matching selector has focus."""
        for _ in range(limit):
            self.press(key)
            if self.page.evaluate("s => document.activeElement.matches(s)", selector):
                return
        raise AssertionError(f"{selector} never got focus with {key} on {self.page.url}")

    def settle(self) -> None:
        """After Enter or Space: a new page or an htmx swap."""
        self.page.wait_for_load_state("networkidle")
        self._leave_previous()

    def assert_focus_visible(self) -> None:
        self._leave_previous()
        assert not self.invisible, "Focus cannot be seen on:\n" + "\n".join(self.invisible)


def test_keyboard_alone_search_filter_and_open_an_offer(page, catalogue):
    keys = Keyboard(page)
    page.goto("/tilbud/")
    # The skip link comes first and takes focus past the header.
    assert keys.press("Tab") == "a «Hopp til hovedinnhold»"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "hovedinnhold"

    keys.tab_to("#id_q")
    page.keyboard.type("leksehjelp")
    page.keyboard.press("Enter")
    keys.settle()
    page.wait_for_url(re.compile(r"q=leksehjelp"))

    # A facet: Space ticks it, the results follow, and focus stays on the checkbox.
    keys.tab_to("#sokefiltre input[type=checkbox]")
    facet = page.evaluate("[document.activeElement.name, document.activeElement.value]")
    page.keyboard.press("Space")
    page.wait_for_url(re.compile(rf"{facet[0]}={re.escape(facet[1])}"))
    keys.settle()
    assert page.evaluate("[document.activeElement.name, document.activeElement.value]") == facet
    assert page.evaluate("document.activeElement.checked")
    # The results now list the filter in use, with a link that removes it.
    page.locator("#sokeresultater").get_by_role("list", name="Filtre i bruk").wait_for()

    # Back up with Shift+Tab past the query field, then forward to the first hit and open it.
    keys.tab_to("#id_q", key="Shift+Tab")
    keys.tab_to("#sokeresultater article a")
    title = page.evaluate("document.activeElement.textContent.trim()")
    page.keyboard.press("Enter")
    keys.settle()
    page.get_by_role("heading", level=1, name=title).wait_for()
    keys.assert_focus_visible()


def test_keyboard_alone_sign_in_from_the_front_page(page, catalogue):
    keys = Keyboard(page)
    page.goto("/")
    keys.tab_to("a[href='/konto/login/']")
    page.keyboard.press("Enter")
    keys.settle()
    keys.tab_to("input[type=email], input[name=login]")
    page.keyboard.type(REP_EMAIL)
    keys.tab_to("input[type=password]")
    page.keyboard.type("demo-passord-2026")
    keys.tab_to("main button[type=submit]")
    page.keyboard.press("Enter")
    page.locator(".portal-header").get_by_text(f"Logget inn som {REP_EMAIL}").wait_for()
    keys.assert_focus_visible()


def _offer_url(data):
    return f"/tilbud/{data['offer'].pk}/"


TAB_THROUGH = [
    "/",
    "/tilbud/?q=leksehjelp",
    _offer_url,
    "/sok/?q=leksehjelp",
    "/tilskudd/",
    "/forebygging/",
    "/konto/login/",
    "/konto/signup/",
]


@pytest.mark.parametrize("path", TAB_THROUGH, ids=lambda p: p if isinstance(p, str) else "tilbud")
def test_tab_reaches_every_stop_with_visible_focus_and_leaves_the_page(page, request, path):
    """Tab goes through the whole page and out of it (no trap), every stop shows focus, and
    Shift+Tab walks the same stops back."""
    keys = Keyboard(page)
    if isinstance(path, str) and path.startswith("/konto/"):
        page.goto(path)  # the account pages need no catalogue
    else:
        catalogue = request.getfixturevalue("catalogue")
        page.goto(path if isinstance(path, str) else path(catalogue))
    forward = []
    for _ in range(400):
        label = keys.press("Tab")
        if label is None:  # focus left the document: the end of the page was reached
            break
        forward.append(label)
    else:
        raise AssertionError(f"Tab never left {page.url}; last stops: {forward[-5:]}")
    assert len(set(forward)) > 3
    backward = []
    for _ in range(len(forward)):
        label = keys.press("Shift+Tab")
        if label is None:
            break
        backward.append(label)
    assert backward == forward[::-1]
    keys.assert_focus_visible()


# --- Error pages and e-mails ----------------------------------------------------------------


def _rendered(name: str) -> str:
    """Error pages that the live server cannot be made to produce on demand (500, 503, 400, 429)
    are rendered the way Django's handlers render them."""
    from django.template.loader import render_to_string
    from django.views import defaults

    from portal.views import server_error

    request = RequestFactory().get("/")
    if name == "500":
        return server_error(request).content.decode()
    if name == "400":
        return defaults.bad_request(request, Exception()).content.decode()
    if name == "429":
        return render_to_string("429.html", {"retry_minutes": 2}, request=request)
    return render_to_string(f"pages/{name}.html", request=request)


@pytest.mark.parametrize("name", ["500", "503", "400", "429"])
def test_error_pages_have_no_serious_violations_and_link_the_statement(page, site, name):
    from django.template import TemplateDoesNotExist

    try:
        html = _rendered(name)
    except TemplateDoesNotExist:
        pytest.skip(f"no {name} page in this checkout")
    # Shown at the live server's address so that its stylesheets load.
    page.goto("/")
    page.set_content(html)
    page.get_by_role("heading", level=1).wait_for()
    violations = axe(page)
    assert not violations, f"{name}\n{describe(violations)}"
    statement = page.locator("footer").get_by_role("link", name="Tilgjengelighetserklæring")
    assert statement.get_attribute("href") == "/tilgjengelighet/"


def test_csrf_failure_page_is_norwegian_and_has_no_serious_violations(page, site):
    """A form sent without its CSRF token (an old tab, blocked cookies) gets a page in
    Norwegian that says what to do, not Django's English default."""
    page.goto("/konto/login/")
    page.locator("input[name=csrfmiddlewaretoken]").evaluate("input => input.remove()")
    page.context.clear_cookies()
    page.get_by_label("E-post").fill("noen@example.org")
    page.get_by_label("Passord", exact=True).fill("et-passord")
    with page.expect_response(lambda r: r.request.method == "POST") as sent:
        page.get_by_role("button", name="Logg inn").click()
    assert sent.value.status == 403
    page.get_by_role("heading", name="Skjemaet kunne ikke sendes").wait_for()
    violations = axe(page)
    assert not violations, describe(violations)
    page.locator("footer").get_by_role("link", name="Tilgjengelighetserklæring").wait_for()


def test_emails_are_plain_text_or_accessible_html(page, catalogue):
    """Every kind of e-mail the portal sends: allauth's (confirmation, password reset, unknown
    account) and the portal's own notices (here an organisation decision). Plain text has no
    markup to get wrong; an HTML part, if one is ever added, must pass axe like a page."""
    from directory.services.deliveries import deliveries_dispatch
    from directory.services.organisations import organisation_decide
    from portal.models import User

    page.goto("/konto/signup/")
    page.get_by_label("E-post").fill("ny@example.org")
    page.get_by_label("Passord", exact=True).fill("Et-langt-og-godt-passord-42")
    page.get_by_label("Passord (igjen)").fill("Et-langt-og-godt-passord-42")
    page.get_by_role("button", name="Registrer deg").click()
    page.get_by_role("heading", name="Bekreft din e-postadresse").wait_for()
    for email in (REP_EMAIL, "ukjent@example.org"):
        page.goto("/konto/password/reset/")
        page.get_by_label("E-post").fill(email)
        page.locator("main form button[type=submit]").click()
        page.wait_for_url("**/password/reset/done/")
    organisation_decide(
        organisation=catalogue["pending"], by=User.objects.get(email=STAFF_EMAIL), approve=True
    )
    deliveries_dispatch()

    assert len(mail.outbox) >= 4
    page.goto("/")
    for message in mail.outbox:
        assert message.body.strip(), message.subject
        html_parts = [
            body for body, kind in getattr(message, "alternatives", []) if kind == "text/html"
        ]
        if message.content_subtype == "html":
            html_parts.append(message.body)
        for html in html_parts:
            page.set_content(html)
            violations = axe(page)
            assert not violations, f"{message.subject}\n{describe(violations)}"
        if not html_parts:
            # Plain text: no tags a mail client would show as text.
            assert not re.search(r"<(p|a|div|br)\b", message.body), message.subject


def test_accessibility_statement_is_linked_from_the_footer_and_says_what_the_law_asks(page):
    page.goto("/")
    page.locator("footer").get_by_role("link", name="Tilgjengelighetserklæring").click()
    page.get_by_role("heading", level=1, name="Tilgjengelighetserklæring").wait_for()
    main = page.locator("main")
    for heading in ("Status", "Kjente avvik", "Meld fra om feil", "Tilsyn og klage"):
        main.get_by_role("heading", name=heading).wait_for()
    text = main.inner_text()
    assert "WCAG 2.1 nivå AA" in text
    assert "Digitaliseringsdirektoratet" in text
    assert "Uu-tilsynet" in text
    assert main.get_by_role("link", name="uutilsynet.no").get_attribute("href") == (
        "https://www.uutilsynet.no/"
    )
    violations = axe(page)
    assert not violations, describe(violations)
