"""A cooperation agreement from registration to its first evaluation, in a real browser: Nav
staff register it with an organisation, time moves to the first reminder, both parties get it,
both answer the evaluation, the office decides «videreføres med endringer», and the next
evaluation date is recomputed from the decision."""

import re
from datetime import datetime, time, timedelta

import pytest
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from dateutil.relativedelta import relativedelta
from django.core import mail
from django.utils import dateformat, timezone, translation

from agreements.models import Agreement
from directory.factories import NavOfficeMembershipFactory, OrganisationMembershipFactory
from directory.models import NavOffice, Notification, Organisation, OrganisationMembership
from directory.services.deliveries import deliveries_dispatch
from directory.services.demo_content import demo_directory_load
from directory.services.reference_data import reference_data_load
from directory.services.reminders import reminders_dispatch
from portal.factories import DEFAULT_PASSWORD, UserFactory
from tests.browser.conftest import axe, describe, log_in

pytestmark = pytest.mark.browser

STAFF_EMAIL = "veileder@nav-hamar.example.org"
REP_EMAIL = "leder@frivilligsentral-hamar.example.org"


@pytest.fixture
def people(site):
    reference_data_load()
    demo_directory_load()
    secret = generate_totp_secret()
    staff = UserFactory(email=STAFF_EMAIL)
    NavOfficeMembershipFactory(user=staff, office=NavOffice.objects.get(slug="nav-hamar"))
    TOTP.activate(staff, secret)
    rep = UserFactory(email=REP_EMAIL)
    organisation = Organisation.objects.get(slug="frivilligsentralen-i-hamar-demo-navn")
    OrganisationMembershipFactory(
        user=rep, organisation=organisation, role=OrganisationMembership.Role.OWNER
    )
    return {"staff": staff, "secret": secret, "rep": rep}


def _staff_page(browser, site, people):
    context = browser.new_context(locale="nb-NO", base_url=site.url)
    page = context.new_page()
    log_in(page, STAFF_EMAIL, DEFAULT_PASSWORD)
    code = format_hotp_value(hotp_value(people["secret"], next(yield_hotp_counters_from_time())))
    page.get_by_label("Kode").fill(code)
    page.get_by_role("button", name=re.compile("Logg inn|Bekreft")).click()
    page.locator(".portal-header").get_by_text("Logget inn som").wait_for()
    return context, page


def _shown(day) -> str:
    """A date as the pages write it («3. januar 2027»)."""
    with translation.override("nb"):
        return dateformat.format(day, "j. F Y")


def _at(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(8, 0)))


def _answer_evaluation(page, goals: str, quality: str):
    page.locator(f"input[name=goals_met][value='{goals}']").check()
    page.locator(f"input[name=contact_quality][value='{quality}']").check()
    page.locator("textarea[name=works]").fill("Faste møter hver måned.")
    page.locator("input[name=contacts_count]").fill("12")
    for radio in page.locator("input[type=radio][name^=checklist_][value=ja]").all():
        radio.check()
    page.get_by_role("button", name="Send svarene").click()


def test_agreement_from_registration_to_adjusted_evaluation(browser, site, people):
    today = timezone.localdate()
    # Signed almost a year ago: the first evaluation is 40 days away, the reminder in 10.
    start = today - relativedelta(months=12) + timedelta(days=40)
    due = start + relativedelta(months=12)
    staff_context, page = _staff_page(browser, site, people)

    page.goto("/intern/avtaler/ny/")
    assert not axe(page), describe(axe(page))
    page.get_by_label("Tittel").fill("Aktivitetsvenner i Hamar")
    page.get_by_label("Formål").fill("Nav-veiledere kjenner tilbudene, og sentralen kjenner Nav.")
    page.get_by_label("Avtaletype").select_option(
        label="Samarbeidsavtale med frivillig organisasjon"
    )
    page.get_by_label("Startdato").fill(start.isoformat())
    page.locator("#id_parties-0-kind").select_option("nav_office")
    page.locator("#id_parties-0-nav_office").select_option(label="Nav Hamar")
    page.locator("#id_parties-0-contact_role").fill("Veileder sosiale tjenester")
    page.locator("#id_parties-1-kind").select_option("organisation")
    page.locator("#id_parties-1-organisation").select_option(
        label="Frivilligsentralen i Hamar (demo-navn)"
    )
    page.locator("#id_parties-1-contact_role").fill("Daglig leder")
    page.get_by_role("button", name="Lagre utkast").click()
    page.get_by_role("button", name="Sett i kraft").click()
    agreement = Agreement.objects.get(title="Aktivitetsvenner i Hamar")
    assert agreement.status == Agreement.Status.ACTIVE
    assert agreement.next_evaluation_due == due
    page.get_by_text(_shown(due)).first.wait_for()
    assert not axe(page), describe(axe(page))

    # Nothing is due today; ten days on, the reminder goes to both parties, once.
    assert reminders_dispatch()["sendt"] == 0
    moved = _at(today + timedelta(days=10))
    assert reminders_dispatch(now=moved)["sendt"] == 1
    assert reminders_dispatch(now=moved)["sendt"] == 0
    deliveries_dispatch()
    reminded = sorted(m.to[0] for m in mail.outbox if "Evaluering av" in m.subject)
    assert reminded == [REP_EMAIL, STAFF_EMAIL]
    assert Notification.objects.filter(user=people["rep"]).count() == 1

    # The organisation follows its notification to the evaluation and answers.
    rep_context = browser.new_context(locale="nb-NO", base_url=site.url)
    rep_page = rep_context.new_page()
    log_in(rep_page, REP_EMAIL, DEFAULT_PASSWORD)
    rep_page.goto("/varsler/")
    assert not axe(rep_page), describe(axe(rep_page))
    rep_page.get_by_role(
        "link", name=re.compile("Evaluering av «Aktivitetsvenner i Hamar»")
    ).click()
    assert not axe(rep_page), describe(axe(rep_page))
    _answer_evaluation(rep_page, goals="3", quality="4")
    rep_page.get_by_text(re.compile("svarene", re.I)).first.wait_for()
    rep_context.close()

    # The office answers its half, then decides to continue with changes.
    page.goto(f"/intern/avtaler/{agreement.pk}/evaluering/")
    assert not axe(page), describe(axe(page))
    _answer_evaluation(page, goals="4", quality="4")
    page.goto(f"/intern/avtaler/{agreement.pk}/evaluering/beslutning/")
    assert not axe(page), describe(axe(page))
    decided = today
    page.get_by_label("Videreføres med endringer").check()
    page.get_by_label("Endringer og tiltak").fill("Nav utpeker en stedfortreder for kontakten.")
    page.get_by_label("Beslutningsdato").fill(decided.isoformat())
    page.get_by_role("button", name="Registrer beslutningen").click()

    next_due = decided + relativedelta(months=12)
    page.get_by_text(_shown(next_due)).first.wait_for()
    agreement.refresh_from_db()
    assert agreement.next_evaluation_due == next_due
    assert agreement.last_decision == "justere"

    page.goto("/intern/oversikt/")
    assert not axe(page), describe(axe(page))
    page.goto("/intern/avtaler/")
    page.get_by_role("link", name="Aktivitetsvenner i Hamar").wait_for()
    assert not axe(page), describe(axe(page))
    staff_context.close()
