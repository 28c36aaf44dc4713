"""Query budgets: every main page and API endpoint needs as many SQL queries for many records as
for a few (no N+1). Each page is measured after an identical warm-up request has filled the
caches, with a little data, and again after the records it lists have grown.

Budgets already covered elsewhere: the offer search (tests/search/test_views.py), the offer page
(tests/directory/test_public_views.py), the agreement list and edit pages
(tests/agreements/test_agreement_views.py) and the HSDS lists (tests/opendata/test_api.py)."""

import json
from datetime import timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from directory.factories import (
    OrganisationFactory,
    OrganisationMembershipFactory,
    offer_build,
    term,
)
from directory.models import (
    EvidenceRating,
    GrantFollow,
    GrantRound,
    GrantSchemePage,
    Municipality,
    Notification,
    OfferLocation,
    Organisation,
    OrganisationClaim,
    OrganisationMembership,
    PreventionModelPage,
)
from directory.services.demo_grants import demo_grant_index_ensure
from directory.services.offers import offer_approve, offer_save_draft, offer_submit
from directory.services.prevention import prevention_index_ensure
from directory.services.reference_data import reference_data_load
from opendata import hsds
from opendata.models import DataExport, JobStatus
from portal.factories import UserFactory
from portal.models import ContentPage, HomePage
from search.indexing import site_reindex_all
from tests.agreements.test_agreement_views import staff_login
from tests.agreements.test_evaluation_views import active_agreement

pytestmark = pytest.mark.django_db

OSLO, DRAMMEN, BERGEN, HAMAR = "0301", "3301", "4601", "3403"


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Labels live in the cache: each test fills its own."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def catalogue(world, shell):
    """The national reference data, with org_a and org_b approved."""
    reference_data_load()
    Organisation.objects.update(status=Organisation.Status.APPROVED)
    return world


@pytest.fixture
def measure(client, django_assert_max_num_queries):
    """GET a page twice, the first to fill the caches, and return the second's query count and
    HTML; the second may use no more than `budget` queries."""

    def measure(url, budget, params=None):
        assert client.get(url, params).status_code == 200, url
        with django_assert_max_num_queries(budget) as captured:
            response = client.get(url, params)
        assert response.status_code == 200, url
        return len(captured), response.content.decode()

    return measure


def publish(
    world,
    title,
    *,
    code=OSLO,
    places=(),
    organisation=None,
    models=(),
    submit_only=False,
    **fields,
):
    """An offer of org_a (unless told) through the real workflow: drafted, submitted, approved.
    `places`: municipality codes of more places beside the first one, in `code`."""
    owner, staff = world["users"]["owner_a"], world["users"]["nav_staff_x"]
    organisation = organisation or world["org_a"]
    offer = offer_build(
        organisation=organisation,
        municipality=Municipality.objects.get(code=code),
        title=title,
        **fields,
    )
    offer.prevention_models = list(models)
    offer.locations = [
        *offer.locations.all(),
        *(
            OfferLocation(
                municipality=Municipality.objects.get(code=place),
                address=f"Storgata {place}",
                latitude=60.0,
                longitude=10.0,
            )
            for place in places
        ),
    ]
    offer = offer_save_draft(offer=offer, by=owner)
    offer = offer_submit(offer=offer, by=owner)
    return offer if submit_only else offer_approve(offer=offer, by=staff)


def grant_scheme(index, title, *, deadline=None, replaced_by=None, rounds=1, **terms):
    """A published scheme under the index, with its terms and `rounds` yearly rounds."""
    page = GrantSchemePage(
        title=title,
        slug=slugify(title),
        administrator="Arbeids- og velferdsetaten",
        purpose="Tilskudd til arbeid mot fattigdom.",
        replaced_by=replaced_by,
        live=True,
    )
    page.applicant_types = [
        term("applicant_types", s) for s in terms.get("applicant_types", ["frivillig-organisasjon"])
    ]
    page.target_groups = [term("target_groups", s) for s in terms.get("target_groups", [])]
    page.requirements = [term("grant_requirements", s) for s in terms.get("requirements", [])]
    deadline = deadline or timezone.localdate() + timedelta(days=30)
    page.rounds = [
        GrantRound(
            grant_year=deadline.year + n,
            application_deadline=deadline + relativedelta(years=n),
            status=GrantRound.Status.OPEN if n == 0 else GrantRound.Status.UPCOMING,
        )
        for n in range(rounds)
    ]
    index.add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def prevention_model(index, title, *, evidence=1, fundable_by=(), municipalities=(), **terms):
    """A published model under the index, with `evidence` registry ratings."""
    page = PreventionModelPage(
        title=title,
        slug=slugify(title),
        problem=f"Problemet {title} løser.",
        how_it_works="Slik virker det.",
        model_status=term("model_statuses", "etablert"),
        live=True,
    )
    page.prevention_levels = [
        term("prevention_levels", s) for s in terms.get("prevention_levels", ["selektiv"])
    ]
    page.target_groups = [term("target_groups", s) for s in terms.get("target_groups", ["alle"])]
    page.themes = [term("themes", s) for s in terms.get("themes", [])]
    page.municipalities = list(municipalities)
    page.fundable_by = list(fundable_by)
    registries = ["ungsinn", "egen-vurdering"]
    page.evidence = [
        EvidenceRating(
            registry=term("evidence_registries", registries[n % 2]),
            label=f"Vurdering {n}",
            tier=term("evidence_tiers", "noe-dokumentasjon"),
            rated_on=str(2020 + n),
        )
        for n in range(evidence)
    ]
    index.add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


# --- Public pages ------------------------------------------------------------------------------


def test_home_page_with_more_menu_pages_and_notifications(client, world, shell, measure):
    user = world["users"]["owner_a"]
    client.force_login(user)
    home = HomePage.objects.get()

    def grow(start, stop):
        for n in range(start, stop):
            home.add_child(
                instance=ContentPage(
                    title=f"Menyside {n}", slug=f"menyside-{n}", show_in_menus=True
                )
            ).save_revision().publish()
            Notification.objects.create(key=f"test:{n}", user=user, title=f"Varsel {n}")

    grow(0, 1)
    small, _html = measure("/", 20)
    grow(1, 5)
    large, html = measure("/", small)
    assert "Menyside 4" in html and "Varsler (5)" in html
    assert large == small


def test_site_search_and_its_suggestions_with_more_hits(client, catalogue, measure):
    world = catalogue
    publish(world, "Leksehjelp 0")
    site_reindex_all()
    params = {"q": "leksehjelp"}
    search_small, _html = measure(reverse("site_search"), 25, params)
    suggest_small, _html = measure(reverse("site_suggest"), 10, {"q": "leks"})

    codes = [DRAMMEN, BERGEN, HAMAR, OSLO, DRAMMEN]
    for n, code in enumerate(codes, start=1):
        publish(
            world,
            f"Leksehjelp {n}",
            code=code,
            places=[BERGEN, HAMAR],
            categories=["leksehjelp", "moteplass"],
        )
    OrganisationFactory(name="Leksehjelpen Røde Kors", status=Organisation.Status.APPROVED)
    site_reindex_all()

    search_large, html = measure(reverse("site_search"), search_small, params)
    assert all(f"Leksehjelp {n}" in html for n in range(6)) and "Leksehjelpen Røde Kors" in html
    suggest_large, html = measure(reverse("site_suggest"), suggest_small, {"q": "leks"})
    assert html.count('data-kind="offer"') > 1
    assert (search_large, suggest_large) == (search_small, suggest_small)


def test_organisation_page_with_more_published_offers(client, catalogue, measure):
    world = catalogue
    url = reverse("organisation_detail", args=[world["org_a"].slug])
    publish(world, "Tilbud 0")
    small, _html = measure(url, 15)
    for n, code in enumerate([DRAMMEN, BERGEN, HAMAR, OSLO], start=1):
        publish(
            world,
            f"Tilbud {n}",
            code=code,
            places=[BERGEN, HAMAR],
            categories=["leksehjelp", "sprakkafe"],
        )
    world["org_a"].municipalities.add(*Municipality.objects.filter(code__in=[OSLO, BERGEN]))
    large, html = measure(url, small)
    assert all(f"Tilbud {n}" in html for n in range(5))
    assert large == small


def test_grant_scheme_listing_with_more_schemes(client, world, catalogue, measure):
    index = demo_grant_index_ensure()
    user = world["users"]["plain_user"]
    client.force_login(user)
    first = grant_scheme(index, "Ordning 0")
    GrantFollow.objects.create(user=user, scheme=first, days_before=[7])
    small, _html = measure(index.url, 30)
    for n in range(1, 5):
        scheme = grant_scheme(
            index,
            f"Ordning {n}",
            rounds=2,
            replaced_by=first,
            applicant_types=["frivillig-organisasjon", "kommune"],
            target_groups=["barn-og-unge", "alle"],
        )
        GrantFollow.objects.create(user=user, scheme=scheme, days_before=[7])
    large, html = measure(index.url, small)
    assert all(f"Ordning {n}" in html for n in range(5))
    assert large == small


def test_grant_scheme_page_with_more_rounds_terms_and_replaced_schemes(
    client, world, catalogue, measure
):
    index = demo_grant_index_ensure()
    client.force_login(world["users"]["plain_user"])
    scheme = grant_scheme(index, "Ordningen", rounds=1)
    small, _html = measure(scheme.url, 32)

    scheme = grant_scheme(
        index,
        "Ordningen med mer",
        rounds=4,
        applicant_types=["frivillig-organisasjon", "kommune"],
        target_groups=["barn-og-unge", "alle"],
        requirements=["frivillighetsregisteret"],
    )
    for n in range(3):
        grant_scheme(index, f"Forgjenger {n}", replaced_by=scheme)
    large, html = measure(scheme.url, small)
    assert all(f"Forgjenger {n}" in html for n in range(3))
    assert large == small


def test_prevention_model_listing_with_more_models(client, world, catalogue, measure):
    index = prevention_index_ensure()
    prevention_model(index, "Modell 0")
    small, _html = measure(index.url, 32)
    for n in range(1, 6):
        prevention_model(
            index,
            f"Modell {n}",
            evidence=2,
            prevention_levels=["selektiv", "universell"],
            target_groups=["alle", "barnefamilier"],
        )
    large, html = measure(index.url, small)
    assert all(f"Modell {n}" in html for n in range(6))
    assert large == small


def test_prevention_model_page_with_more_evidence_grants_and_offers_nearby(
    client, world, catalogue, measure
):
    index = prevention_index_ensure()
    grants = demo_grant_index_ensure()
    model = prevention_model(index, "Modellen", fundable_by=[grant_scheme(grants, "Ordning 0")])
    publish(world, "Tilbud 0", models=[model])
    world["org_a"].prevention_models.add(model)
    params = {"kommune": HAMAR}
    small, _html = measure(model.url, 40, params)

    schemes = [grant_scheme(grants, f"Finansiering {n}", rounds=2) for n in range(4)]
    model = prevention_model(
        index,
        "Modellen med mer",
        evidence=4,
        fundable_by=schemes,
        municipalities=Municipality.objects.filter(code__in=[OSLO, BERGEN, HAMAR]),
        themes=["forebygging"],
    )
    for n, code in enumerate([DRAMMEN, BERGEN, HAMAR, OSLO]):
        publish(world, f"Nær {n}", code=code, places=[BERGEN, HAMAR], models=[model])
    for organisation in (world["org_a"], world["org_b"]):
        organisation.prevention_models.add(model)
        organisation.municipalities.add(*Municipality.objects.filter(code__in=[OSLO, HAMAR]))
    large, html = measure(model.url, small, params)
    assert all(f"Nær {n}" in html for n in range(4)) and "Finansiering 3" in html
    assert large == small


# --- Signed-in pages ---------------------------------------------------------------------------


def test_min_side_with_more_offers_and_organisations(client, catalogue, measure):
    world = catalogue
    owner = world["users"]["owner_a"]
    client.force_login(owner)
    publish(world, "Tilbud 0")
    small, _html = measure(reverse("min_side"), 20)

    for n in range(1, 4):
        publish(world, f"Tilbud {n}")
    publish(world, "Venter på Nav", submit_only=True)
    for n in range(3):
        organisation = OrganisationFactory(
            name=f"Organisasjon {n}", status=Organisation.Status.APPROVED
        )
        OrganisationMembershipFactory(
            user=owner, organisation=organisation, role=OrganisationMembership.Role.OWNER
        )
        OrganisationClaim.objects.create(
            organisation=organisation, user=UserFactory(), message="Jeg jobber her."
        )
        publish(world, f"Tilbud fra {n}", organisation=organisation)
    large, html = measure(reverse("min_side"), small)
    assert all(f"Tilbud fra {n}" in html for n in range(3)) and "Venter på Nav" in html
    assert large == small


def test_notifications_with_more_notifications(client, world, measure):
    user = world["users"]["owner_a"]
    client.force_login(user)
    Notification.objects.create(key="test:0", user=user, title="Varsel 0", link="/min-side/")
    small, _html = measure(reverse("notification_list"), 18)
    for n in range(1, 8):
        Notification.objects.create(
            key=f"test:{n}", user=user, title=f"Varsel {n}", body="Tekst.", link="/min-side/"
        )
    large, html = measure(reverse("notification_list"), small)
    assert all(f"Varsel {n}" in html for n in range(8))
    assert large == small


def test_export_page_with_more_exports(client, world, measure):
    user = world["users"]["plain_user"]
    client.force_login(user)
    DataExport.objects.create(requested_by=user, format="xlsx", status=JobStatus.DONE)
    small, _html = measure(reverse("opendata_exports"), 18)
    for format in ("hsds_csv", "xlsx", "hsds_csv", "xlsx"):
        DataExport.objects.create(requested_by=user, format=format, status=JobStatus.DONE)
    large, html = measure(reverse("opendata_exports"), small)
    assert html.count("/last-ned/") == 5
    assert large == small


# --- Internal pages (Nav staff, with MFA) ------------------------------------------------------


def test_moderation_queue_with_more_submitted_offers(client, catalogue, measure):
    world = catalogue
    staff_login(client, world["users"]["nav_staff_x"])
    publish(world, "Til vurdering 0", submit_only=True)
    small, _html = measure(reverse("moderation_queue"), 25)
    for n in range(1, 6):
        publish(world, f"Til vurdering {n}", submit_only=True, code=BERGEN)
    organisation = OrganisationFactory(name="Ny forening", status=Organisation.Status.PENDING)
    OrganisationClaim.objects.create(organisation=organisation, user=UserFactory(), message="Hei")
    large, html = measure(reverse("moderation_queue"), small)
    assert all(f"Til vurdering {n}" in html for n in range(6)) and "Ny forening" in html
    assert large == small


def test_agreements_overview_with_more_due_evaluations(client, world, measure):
    staff_login(client, world["users"]["nav_staff_x"])
    overdue = timezone.localdate() - relativedelta(months=13)
    active_agreement(world, title="Avtale 0", start_date=overdue)
    small, _html = measure(reverse("agreement_dashboard"), 25)
    for n in range(1, 6):
        active_agreement(world, title=f"Avtale {n}", start_date=overdue)
    large, html = measure(reverse("agreement_dashboard"), small)
    assert all(f"Avtale {n}" in html for n in range(6))
    assert large == small


# --- HSDS single records -----------------------------------------------------------------------


def test_hsds_service_with_more_places_and_terms(client, catalogue, measure):
    world = catalogue
    few = publish(world, "Lite tilbud")
    many = publish(
        world,
        "Stort tilbud",
        categories=["leksehjelp", "moteplass", "sprakkafe"],
        target_groups=["barn-og-unge", "innvandrere", "alle"],
        places=[DRAMMEN, BERGEN, HAMAR],
    )
    small, _body = measure(reverse("hsds_service", args=[hsds.offer_id(few)]), 15)
    large, body = measure(reverse("hsds_service", args=[hsds.offer_id(many)]), small)
    assert len(json.loads(body)["service_at_locations"]) == 4
    assert large == small


def test_hsds_organization_with_more_services_places_and_terms(client, catalogue, measure):
    world = catalogue
    url = reverse("hsds_organization", args=[hsds.organisation_id(world["org_a"])])
    params = {"full_service": "true"}
    publish(world, "Tilbud 0")
    small, _body = measure(url, 18, params)
    for n in range(1, 5):
        publish(
            world,
            f"Tilbud {n}",
            categories=["leksehjelp", "moteplass"],
            target_groups=["barn-og-unge", "alle"],
            places=[DRAMMEN, BERGEN],
        )
    large, body = measure(url, small, params)
    assert all(f"Tilbud {n}" in body for n in range(5))
    assert large == small
