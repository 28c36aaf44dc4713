"""The whole journey of an offer, in a real browser: sign-up, organisation, offer, rejection
with a reason, a fix, approval, and finding it again."""

import re

import pytest
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.core import mail

from directory.factories import NavOfficeMembershipFactory
from directory.models import NavOffice
from directory.services.demo_content import demo_directory_load
from directory.services.reference_data import reference_data_load
from portal.factories import DEFAULT_PASSWORD, UserFactory
from tests.browser.conftest import axe, describe

pytestmark = pytest.mark.browser

REP_EMAIL = "leder@leksehjelpen.example.org"
REP_PASSWORD = "Et-langt-og-godt-passord-42"


@pytest.fixture
def directory_data(site):
    reference_data_load()
    demo_directory_load()


@pytest.fixture
def staff_login(browser, site, directory_data):
    """A Nav adviser with TOTP, logged in through allauth's MFA step in their own browser."""
    secret = generate_totp_secret()
    staff = UserFactory(email="veileder@nav-drammen.example.org")
    NavOfficeMembershipFactory(user=staff, office=NavOffice.objects.get(slug="nav-drammen"))
    TOTP.activate(staff, secret)
    context = browser.new_context(locale="nb-NO", base_url=site.url)
    page = context.new_page()
    page.goto("/konto/login/")
    page.get_by_label("E-post").fill(staff.email)
    page.get_by_label("Passord").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Logg inn").click()
    code = format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))
    page.get_by_label("Kode").fill(code)
    page.get_by_role("button", name=re.compile("Logg inn|Bekreft")).click()
    page.locator(".portal-header").get_by_text("Logget inn som").wait_for()
    yield page
    context.close()


def _sign_up_and_log_in(page):
    page.goto("/konto/signup/")
    page.get_by_label("E-post").fill(REP_EMAIL)
    page.get_by_label("Passord", exact=True).fill(REP_PASSWORD)
    page.get_by_label("Passord (igjen)").fill(REP_PASSWORD)
    page.get_by_role("button", name="Registrer deg").click()
    link = re.search(r"https?://\S+/konto/confirm-email/\S+/", mail.outbox[-1].body).group(0)
    page.goto("/konto/" + link.split("/konto/", 1)[1])
    page.get_by_role("button", name="Bekreft").click()
    page.goto("/konto/login/")
    page.get_by_label("E-post").fill(REP_EMAIL)
    page.get_by_label("Passord").fill(REP_PASSWORD)
    page.get_by_role("button", name="Logg inn").click()
    page.locator(".portal-header").get_by_text("Logget inn som").wait_for()


def _fill_offer(page, title):
    page.locator("#id_title").fill(title)
    page.locator("#id_summary").fill("Frivillige voksne hjelper barn med lekser hver tirsdag.")
    page.get_by_label("Leksehjelp", exact=True).check()
    page.get_by_label("Barn og unge", exact=True).check()
    page.locator("#id_min_age").fill("8")
    page.locator("#id_max_age").fill("12")
    page.get_by_label("Gratis", exact=True).check()
    page.get_by_label("Løpende tilbud", exact=True).check()
    page.get_by_label("Bare møt opp", exact=True).check()
    page.locator("#id_locations-0-address").fill("Eksempelgata 2, Drammen")
    page.locator("#id_locations-0-municipality").select_option(label="Drammen")
    page.locator("#id_locations-0-latitude").fill("59.7439")
    page.locator("#id_locations-0-longitude").fill("10.2045")
    page.locator("#id_schedules-0-weekday").select_option(label="tirsdag")
    page.locator("#id_schedules-0-opens").fill("17:00")
    page.locator("#id_schedules-0-closes").fill("19:00")
    page.locator("#id_contact_role").fill("Koordinator")


def test_offer_from_sign_up_to_search(page, staff_login):
    staff = staff_login

    # The representative signs up, registers the organisation and submits an offer.
    _sign_up_and_log_in(page)
    page.goto("/min-side/")
    assert not axe(page), describe(axe(page))
    page.get_by_role("link", name="Registrer en ny organisasjon").click()
    page.get_by_label("Navn").fill("Leksehjelpen Drammen")
    page.get_by_label("Organisasjonsnummer").fill("889 640 782")
    page.get_by_label("Organisasjonstype").select_option(label="Frivillig organisasjon")
    page.get_by_role("button", name="Registrer").click()
    page.get_by_text("venter på godkjenning fra Nav").wait_for()
    page.get_by_role("link", name="Registrer et nytt tilbud").click()
    violations = axe(page)
    assert not violations, describe(violations)
    _fill_offer(page, "Leksehjelp for barneskolen")
    page.get_by_role("button", name="Lagre og send til godkjenning").click()
    page.get_by_text("Tilbudet er sendt til Nav for godkjenning.").wait_for()

    # Nav staff approve the organisation and send the offer back with a reason.
    staff.goto("/intern/moderering/")
    violations = axe(staff)
    assert not violations, describe(violations)
    staff.get_by_role("button", name="Godkjenn").first.click()
    staff.get_by_text("Leksehjelpen Drammen er godkjent.").wait_for()
    staff.get_by_role("link", name="Leksehjelp for barneskolen").click()
    violations = axe(staff)
    assert not violations, describe(violations)
    staff.get_by_label("Begrunnelse (vises for organisasjonen)").fill(
        "Skriv hvilken skole det gjelder."
    )
    staff.get_by_role("button", name="Send tilbake med begrunnelse").click()
    staff.get_by_text("er sendt tilbake med begrunnelse").wait_for()

    # The representative sees the reason, fixes the offer and sends it again.
    page.goto("/min-side/")
    page.get_by_text("Skriv hvilken skole det gjelder.").wait_for()
    page.get_by_role("link", name="Leksehjelp for barneskolen").click()
    page.locator("#id_title").fill("Leksehjelp på Fjell skole")
    page.get_by_role("button", name="Lagre og send til godkjenning").click()
    page.get_by_text("Tilbudet er sendt til Nav for godkjenning.").wait_for()

    staff.goto("/intern/moderering/")
    staff.get_by_role("link", name="Leksehjelp på Fjell skole").click()
    staff.get_by_role("button", name="Godkjenn og publiser").click()
    staff.get_by_text("er godkjent og publisert").wait_for()
    assert any("er godkjent" in m.subject for m in mail.outbox)

    # Anyone finds it with a misspelt query and two facet filters, and by distance.
    page.goto("/tilbud/?q=lekshjelp&municipalities=3301&target_groups=barn-og-unge")
    page.get_by_role("link", name="Leksehjelp på Fjell skole").first.wait_for()
    page.goto("/tilbud/?kontor=nav-drammen&sort=distance")
    first = page.locator(".portal-offer-card, article").first
    assert "Leksehjelp på Fjell skole" in first.inner_text()
