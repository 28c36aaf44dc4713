"""A prevention model from proposal to publication, in a real browser: a municipality adviser
proposes a model and the grant that funds it, a portal editor approves it in the Wagtail admin,
an organisation says its offer follows the model, and a visitor finds the model with the grant
that can fund it and the offer nearby. axe-core checks the listing, the model page and the
proposal form (empty, with errors and filled in)."""

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
from django.utils import timezone

from directory.factories import (
    MunicipalityMembershipFactory,
    NavOfficeMembershipFactory,
    OrganisationFactory,
    OrganisationMembershipFactory,
    offer_build,
)
from directory.models import (
    GrantRound,
    GrantSchemePage,
    Municipality,
    Offer,
    Organisation,
    OrganisationMembership,
    PreventionModelPage,
)
from directory.services.demo_grants import demo_grant_index_ensure
from directory.services.offers import offer_approve, offer_save_draft, offer_submit
from directory.services.prevention import prevention_index_ensure, prevention_workflow_ensure
from directory.services.reference_data import reference_data_load
from portal.factories import DEFAULT_PASSWORD, UserFactory
from portal.models import User
from portal.services import user_set_portal_role
from tests.browser.conftest import axe, describe, log_in

pytestmark = pytest.mark.browser

ADVISER_EMAIL = "radgiver@hamar-kommune.example.org"
EDITOR_EMAIL = "redaktor@samarbeidsportalen.example.org"
REP_EMAIL = "leder@frivilligsentral-hamar.example.org"
MODEL = "Gjeldsrådgiver på biblioteket"
SCHEME = "Tilskudd til økonomisk rådgivning"
OFFER = "Økonomikafé på biblioteket"


@pytest.fixture
def journey(site):
    reference_data_load()
    index = prevention_index_ensure()
    prevention_workflow_ensure()
    hamar = Municipality.objects.get(code="3403")
    adviser = UserFactory(email=ADVISER_EMAIL)
    MunicipalityMembershipFactory(user=adviser, municipality=hamar)

    editor = UserFactory(email=EDITOR_EMAIL)
    user_set_portal_role(user=editor, role=User.PortalRole.EDITOR, by=None)
    secret = generate_totp_secret()
    TOTP.activate(editor, secret)

    grants = demo_grant_index_ensure()
    scheme = GrantSchemePage(
        title=SCHEME, slug="okonomisk-radgivning", administrator="Bufdir", purpose="Rådgivning."
    )
    deadline = timezone.localdate() + timedelta(days=30)
    scheme.rounds = [
        GrantRound(
            grant_year=deadline.year,
            application_deadline=deadline,
            status=GrantRound.Status.OPEN,
        )
    ]
    grants.add_child(instance=scheme)
    scheme.save_revision().publish()

    # A public offer in Hamar; its organisation will say it follows the new model.
    organisation = OrganisationFactory(
        name="Frivilligsentralen i Hamar", status=Organisation.Status.APPROVED
    )
    rep = UserFactory(email=REP_EMAIL)
    OrganisationMembershipFactory(
        user=rep, organisation=organisation, role=OrganisationMembership.Role.OWNER
    )
    moderator = UserFactory()
    NavOfficeMembershipFactory(user=moderator)
    offer = offer_save_draft(
        offer=offer_build(organisation=organisation, municipality=hamar, title=OFFER), by=rep
    )
    offer_submit(offer=offer, by=rep)
    offer = offer_approve(offer=offer, by=moderator)
    return {
        "index": index,
        "secret": secret,
        "offer": offer,
        "moderator": moderator,
        "deadline": deadline,
    }


def _assert_accessible(page):
    violations = axe(page)
    assert not violations, f"{page.url}\n{describe(violations)}"


def _editor_page(browser, site, secret):
    context = browser.new_context(locale="nb-NO", base_url=site.url)
    page = context.new_page()
    log_in(page, EDITOR_EMAIL, DEFAULT_PASSWORD)
    code = format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))
    page.get_by_label("Kode").fill(code)
    page.get_by_role("button", name=re.compile("Logg inn|Bekreft")).click()
    page.locator(".portal-header").get_by_text("Logget inn som").wait_for()
    return context, page


def test_a_proposed_model_is_approved_and_shown_with_its_grants_and_nearby_offer(
    browser, site, page, journey
):
    index_url = journey["index"].url

    # 1. The municipality adviser proposes a model from the listing.
    log_in(page, ADVISER_EMAIL, DEFAULT_PASSWORD)
    page.goto(index_url)
    _assert_accessible(page)
    page.get_by_role("link", name="Foreslå en modell").click()
    page.get_by_role("heading", name="Foreslå en forebyggingsmodell").wait_for()
    _assert_accessible(page)

    # Sending it half-filled explains what is missing and keeps what was typed.
    page.get_by_label("Problemet modellen løser").fill(
        "Mange med pengeproblemer kommer til Nav for sent."
    )
    page.get_by_role("button", name="Send forslaget").click()
    summary = page.locator(".aksel-error-summary")
    summary.get_by_text("Skriv navnet på modellen.").wait_for()
    assert summary.get_by_text("Velg minst ett forebyggingsnivå.").is_visible()
    assert page.get_by_label("Problemet modellen løser").input_value().startswith("Mange med")
    _assert_accessible(page)

    page.get_by_label("Navn på modellen").fill(MODEL)
    page.get_by_label("Universell forebygging").check()
    page.get_by_label("Alle", exact=True).check()
    page.get_by_label("Slik fungerer det").fill(
        "Nav-kontorets gjeldsrådgivere har et fast treffpunkt på biblioteket."
    )
    page.get_by_label("Slik kommer dere i gang").fill("Avtal tid med biblioteket\nLag plakater")
    page.get_by_label(SCHEME).check()
    page.get_by_label("Kontakt (rolle)").fill("Gjeldsrådgiver i Nav Hamar")
    page.get_by_role("button", name="Send forslaget").click()
    page.get_by_text("sendt til portalens redaktører").wait_for()

    model = PreventionModelPage.objects.get(title=MODEL)
    assert not model.live
    # Not public while it waits for the editors.
    assert page.context.request.get(f"{index_url}{model.slug}/").status == 404
    assert page.locator(".portal-model-card").filter(has_text=MODEL).count() == 0

    # 2. A portal editor approves it in the Wagtail admin, from the page's action menu.
    editor_context, editor = _editor_page(browser, site, journey["secret"])
    editor.goto(f"/admin/pages/{model.pk}/edit/")
    approve = editor.locator(
        "button[data-workflow-action-name='approve']:not([data-workflow-action-modal-url])"
    )
    approve.wait_for(state="attached")
    with editor.expect_navigation():
        # The action sits in a drop-down menu; the button's own click handler does the rest.
        approve.evaluate("button => button.click()")
    editor_context.close()
    model.refresh_from_db()
    assert model.live, "the editor's approval should publish the model"

    # 3. The organisation says its offer follows the model (Nav approves the edit as usual).
    rep_context = browser.new_context(locale="nb-NO", base_url=site.url)
    rep = rep_context.new_page()
    log_in(rep, REP_EMAIL, DEFAULT_PASSWORD)
    offer = journey["offer"]
    rep.goto(f"/min-side/tilbud/{offer.pk}/")
    rep.get_by_label(MODEL).check()
    rep.get_by_role("button", name="Lagre og send til godkjenning").click()
    rep.get_by_text("sendt til Nav for godkjenning").wait_for()
    # ...and the organisation itself says it uses the model, from Min side.
    rep.goto("/min-side/")
    rep.get_by_role("link", name="Forebyggingsmodeller dere bruker").click()
    rep.get_by_role("heading", name=re.compile("Forebyggingsmodeller .* bruker")).wait_for()
    _assert_accessible(rep)
    rep.get_by_label(MODEL).check()
    rep.get_by_role("button", name="Lagre", exact=True).click()
    rep.get_by_text("vises nå på sidene til").wait_for()
    rep_context.close()
    offer_approve(offer=Offer.objects.get(pk=offer.pk), by=journey["moderator"])

    # 4. A visitor finds the model, the grant that can fund it and the offer nearby.
    visitor_context = browser.new_context(locale="nb-NO", base_url=site.url)
    visitor = visitor_context.new_page()
    visitor.goto(index_url)
    visitor.get_by_label("Søk i modellene").fill("gjeld")
    visitor.get_by_role("button", name="Vis modeller").click()
    visitor.get_by_text("1 modell", exact=True).wait_for()
    _assert_accessible(visitor)
    visitor.get_by_role("link", name=MODEL).click()
    visitor.get_by_role("heading", name=MODEL, level=1).wait_for()
    funding = visitor.locator("#tilskudd")
    assert funding.get_by_role("link", name=SCHEME).is_visible()
    assert funding.get_by_text("Åpen for søknad").is_visible()
    assert funding.get_by_text("om 30 dager").is_visible()

    visitor.get_by_label("Vis tilbud og organisasjoner nær").select_option(label="Hamar")
    visitor.get_by_role("button", name="Vis", exact=True).click()
    visitor.get_by_text("nærmest Hamar først").wait_for()
    assert visitor.get_by_text("I Hamar").first.is_visible()
    _assert_accessible(visitor)
    assert visitor.locator("li", has_text="Frivilligsentralen i Hamar").first.is_visible()

    visitor.get_by_role("link", name=OFFER).click()
    visitor.get_by_text("Følger modellen").wait_for()
    visitor.get_by_role("link", name=MODEL).click()
    visitor.get_by_role("heading", name=MODEL, level=1).wait_for()
    visitor_context.close()
