"""Prevention models: the listing's filters, the model page with the grants that can fund it and
who runs it nearby, proposals from municipalities through the editors' workflow, drafts kept
private, and offers that say which model they follow."""

import re
from datetime import timedelta
from html import unescape

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from wagtail.models import WorkflowState

from directory import permissions as p
from directory.factories import (
    MunicipalityMembershipFactory,
    OrganisationFactory,
    offer_build,
    term,
)
from directory.models import (
    EvidenceRating,
    GrantRound,
    GrantSchemePage,
    Municipality,
    Offer,
    Organisation,
    PreventionModelPage,
)
from directory.prevention_forms import PreventionProposalForm
from directory.selectors import prevention_model_fundable_grants, prevention_model_running_nearby
from directory.services.deliveries import deliveries_dispatch
from directory.services.demo_content import demo_directory_load, demo_offers_load
from directory.services.demo_grants import demo_grant_index_ensure, demo_grants_load
from directory.services.demo_prevention import demo_prevention_models_load
from directory.services.offers import offer_approve, offer_save_draft, offer_submit
from directory.services.prevention import (
    prevention_index_ensure,
    prevention_model_propose,
    prevention_workflow_ensure,
)
from directory.services.reference_data import reference_data_load

pytestmark = pytest.mark.django_db

CARD_TITLE = re.compile(
    r'<li class="portal-card portal-model-card">\s*<h3[^>]*><a[^>]*>([^<]+)</a>'
)
PROPOSE_URL = "/forebygging/foresla/"


@pytest.fixture
def index(world, shell):
    reference_data_load()
    Organisation.objects.update(status=Organisation.Status.APPROVED)
    page = prevention_index_ensure()
    prevention_workflow_ensure()
    return page


@pytest.fixture
def make_model(index):
    """Publish (or only save as a draft) a model under the index. Term lists are slugs."""

    def make(title, *, publish=True, evidence=(), municipalities=(), fundable_by=(), **fields):
        terms = {
            name: fields.pop(name, ())
            for name in (
                "prevention_levels",
                "target_groups",
                "life_areas",
                "themes",
                "arenas",
                "funding_sources",
            )
        }
        sizes = fields.pop("municipality_sizes", ())
        status = fields.pop("model_status", None)
        page = PreventionModelPage(
            title=title,
            slug=slugify(title),
            problem=fields.pop("problem", f"Problemet {title} løser."),
            how_it_works=fields.pop("how_it_works", "Slik virker det."),
            model_status=term("model_statuses", status) if status else None,
            live=publish,
            **fields,
        )
        vocabularies = {"prevention_levels": "prevention_levels"}
        for name, slugs in terms.items():
            setattr(page, name, [term(vocabularies.get(name, name), s) for s in slugs])
        page.municipality_sizes = [term("municipality_size", s) for s in sizes]
        page.municipalities = list(municipalities)
        page.fundable_by = list(fundable_by)
        page.evidence = [
            EvidenceRating(
                registry=term("evidence_registries", registry),
                label=label,
                tier=term("evidence_tiers", tier) if tier else None,
                rated_on=rated_on,
                link=link,
            )
            for registry, label, tier, rated_on, link in evidence
        ]
        index.add_child(instance=page)
        revision = page.save_revision()
        if publish:
            revision.publish()
        page.refresh_from_db()
        return page

    return make


def _titles(response) -> list[str]:
    assert response.status_code == 200
    return [unescape(t).strip() for t in CARD_TITLE.findall(response.content.decode())]


def _text(response) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))


def _public_offer(world, *, title, municipality, models=()):
    owner = world["users"]["owner_a"]
    offer = offer_build(organisation=world["org_a"], municipality=municipality, title=title)
    offer.prevention_models = list(models)
    offer = offer_save_draft(offer=offer, by=owner)
    offer_submit(offer=offer, by=owner)
    return offer_approve(offer=offer, by=world["users"]["nav_staff_x"])


# --- The listing and its filters ---------------------------------------------------------------


@pytest.fixture
def two_models(make_model):
    """Alfa and Beta differ on every facet, so each filter picks exactly one."""
    oslo, bergen = Municipality.objects.get(code="0301"), Municipality.objects.get(code="4601")
    alfa = make_model(
        "Alfa",
        also_known_as="familieveileder",
        prevention_levels=["selektiv"],
        target_groups=["barnefamilier"],
        life_areas=["okonomi"],
        themes=["forebygging"],
        arenas=["hjem"],
        funding_sources=["prosjektmidler-statsforvalter"],
        municipality_sizes=["stor"],
        model_status="etablert",
        municipalities=[oslo],
        evidence=[("ungsinn", "Nivå 3 – Noe dokumentasjon", "noe-dokumentasjon", "2024", "")],
    )
    beta = make_model(
        "Beta",
        prevention_levels=["universell"],
        target_groups=["alle"],
        life_areas=["fritid"],
        themes=["sosial-inkludering"],
        arenas=["bibliotek"],
        funding_sources=["kommunalt-budsjett"],
        municipality_sizes=["liten"],
        model_status="pilot",
        municipalities=[bergen],
        evidence=[("egen-vurdering", "Erfaringsbasert", "beskrevet", "", "")],
    )
    return alfa, beta


@pytest.mark.parametrize(
    "query",
    [
        "prevention_levels=selektiv",
        "target_groups=barnefamilier",
        "life_areas=okonomi",
        "themes=forebygging",
        "arenas=hjem",
        "evidence_tiers=noe-dokumentasjon",
        "municipality_sizes=stor",
        "funding_sources=prosjektmidler-statsforvalter",
        "model_statuses=etablert",
        "municipality=0301",
        "q=familieveileder",
    ],
)
def test_each_filter_picks_the_matching_model(client, index, two_models, query):
    assert _titles(client.get(index.url)) == ["Alfa", "Beta"]
    assert _titles(client.get(f"{index.url}?{query}")) == ["Alfa"]


def test_values_in_one_filter_widen_and_different_filters_narrow(client, index, two_models):
    both = "prevention_levels=selektiv&prevention_levels=universell"
    assert _titles(client.get(f"{index.url}?{both}")) == ["Alfa", "Beta"]
    assert _titles(client.get(f"{index.url}?{both}&arenas=bibliotek")) == ["Beta"]


def test_no_match_shows_an_empty_state_with_a_way_out(client, index, two_models):
    response = client.get(f"{index.url}?arenas=hjem&life_areas=fritid")
    assert _titles(response) == []
    text = _text(response)
    assert "Fant ingen modeller som passer filtrene" in text
    assert "Fjern alle filtre" in text


def test_an_unknown_filter_value_is_ignored_not_an_error(client, index, two_models):
    assert _titles(client.get(f"{index.url}?arenas=finnes-ikke")) == ["Alfa", "Beta"]


def test_listing_pages_keep_the_filters(client, index, make_model):
    for n in range(21):
        make_model(f"Modell {n:02d}", prevention_levels=["selektiv"])
    first = client.get(f"{index.url}?prevention_levels=selektiv")
    assert len(_titles(first)) == 20
    assert "?prevention_levels=selektiv&amp;side=2" in first.content.decode()
    second = client.get(f"{index.url}?prevention_levels=selektiv&side=2")
    assert _titles(second) == ["Modell 20"]


# --- The model page ------------------------------------------------------------------------------


def test_model_page_shows_its_facts_and_evidence_in_the_registry_terms(client, make_model):
    model = make_model(
        "Familiekoordinator",
        also_known_as="familieveileder, familieteam",
        prevention_levels=["selektiv", "indikativ"],
        target_groups=["barnefamilier"],
        partners_text="Nav følger familien\nFrivilligsentralen gir fritidstilbud",
        how_to_start="Forankre i ledelsen\nAnsett en koordinator",
        resources="Én stilling",
        contact_role="Familiekoordinator i Nav",
        evidence=[
            (
                "ungsinn",
                "Nivå 3 – Noe dokumentasjon",
                "noe-dokumentasjon",
                "2024",
                "https://ungsinn.no/eksempel",
            )
        ],
    )
    text = _text(client.get(model.url))
    for expected in (
        "Også kalt familieveileder, familieteam",
        "Problemet Familiekoordinator løser.",
        "Selektiv forebygging",
        "Indikativ forebygging",
        "Frivilligsentralen gir fritidstilbud",
        "Ansett en koordinator",
        "Én stilling",
        "Familiekoordinator i Nav",
        "Nivå 3 – Noe dokumentasjon (vurdert 2024)",
        "Se vurderingen hos Ungsinn",
    ):
        assert expected in text
    assert "ikke vurdert i et kunnskapsregister" not in text


def test_a_model_without_a_registry_rating_says_so(client, make_model):
    model = make_model(
        "Idrett for alle", evidence=[("egen-vurdering", "Erfaringsbasert", None, "", "")]
    )
    text = _text(client.get(model.url))
    assert "Modellen er ikke vurdert i et kunnskapsregister" in text
    assert "Erfaringsbasert" in text


def _scheme(index, title, *, deadline=None, round_status=GrantRound.Status.OPEN, **fields):
    page = GrantSchemePage(
        title=title,
        slug=slugify(title),
        administrator="Bufdir",
        purpose="Tilskudd til arbeid mot fattigdom.",
        **fields,
    )
    if deadline:
        page.rounds = [
            GrantRound(grant_year=deadline.year, application_deadline=deadline, status=round_status)
        ]
    index.add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def test_fundable_grants_open_first_then_by_next_deadline(client, index, make_model):
    grants = demo_grant_index_ensure()
    today = timezone.localdate()
    late_open = _scheme(grants, "Sen åpen", deadline=today + timedelta(days=60))
    soon_open = _scheme(grants, "Snart åpen", deadline=today + timedelta(days=10))
    upcoming = _scheme(
        grants,
        "Kommende",
        deadline=today + timedelta(days=5),
        round_status=GrantRound.Status.UPCOMING,
    )
    closed = _scheme(grants, "Stengt", deadline=today - timedelta(days=5))
    ended = _scheme(
        grants,
        "Avviklet",
        deadline=today + timedelta(days=3),
        lifecycle=GrantSchemePage.Lifecycle.DISCONTINUED,
    )
    unrelated = _scheme(grants, "Ikke koblet", deadline=today + timedelta(days=1))
    model = make_model("Ungdomslos", fundable_by=[late_open, ended, closed, upcoming, soon_open])

    ordered = [s.title for s in prevention_model_fundable_grants(model, today)]
    assert ordered == ["Snart åpen", "Sen åpen", "Kommende", "Stengt", "Avviklet"]
    assert unrelated.title not in ordered

    html = client.get(model.url).content.decode()
    section = unescape(html[html.index('id="tilskudd"') :])
    positions = [section.index(title) for title in ordered]
    assert positions == sorted(positions)
    assert "Åpen for søknad" in section
    assert "om 10 dager" in section


def test_a_draft_grant_scheme_is_not_shown_as_funding(client, index, make_model):
    grants = demo_grant_index_ensure()
    draft = GrantSchemePage(
        title="Hemmelig ordning", slug="hemmelig", administrator="Bufdir", purpose="x", live=False
    )
    grants.add_child(instance=draft)
    model = make_model("Ungdomslos", fundable_by=[draft])
    assert prevention_model_fundable_grants(model, timezone.localdate()) == []
    assert "Hemmelig ordning" not in client.get(model.url).content.decode()


@pytest.fixture
def places(index):
    """Hamar and Elverum in Innlandet, Tromsø in Troms."""
    return {
        "here": Municipality.objects.get(code="3403"),  # Hamar
        "county": Municipality.objects.get(code="3420"),  # Elverum
        "far": Municipality.objects.get(code="5501"),  # Tromsø
    }


def test_nearby_offers_and_organisations_same_municipality_then_county_then_rest(
    client, world, make_model, places
):
    model = make_model("Idrett for alle")
    other = make_model("Annen modell")
    _public_offer(world, title="Langt unna", municipality=places["far"], models=[model])
    _public_offer(world, title="Samme fylke", municipality=places["county"], models=[model])
    _public_offer(world, title="I kommunen", municipality=places["here"], models=[model])
    _public_offer(world, title="Følger en annen", municipality=places["here"], models=[other])
    for name, place in (("Org langt unna", "far"), ("Org i fylket", "county"), ("Org her", "here")):
        organisation = OrganisationFactory(name=name, status=Organisation.Status.APPROVED)
        organisation.municipalities.set([places[place]])
        organisation.prevention_models.add(model)
    pending = OrganisationFactory(name="Ikke godkjent", status=Organisation.Status.PENDING)
    pending.prevention_models.add(model)

    nearby = prevention_model_running_nearby(model, places["here"])
    assert [o.title for o in nearby["offers"]] == ["I kommunen", "Samme fylke", "Langt unna"]
    assert [o.name for o in nearby["organisations"]] == [
        "Org her",
        "Org i fylket",
        "Org langt unna",
    ]

    text = _text(client.get(f"{model.url}?kommune=3403"))
    assert "nærmest Hamar først" in text
    assert text.index("I kommunen") < text.index("Samme fylke") < text.index("Langt unna")
    assert "Følger en annen" not in text and "Ikke godkjent" not in text
    # Choosing another municipality reorders the same list.
    text = _text(client.get(f"{model.url}?kommune=5501"))
    assert text.index("Langt unna") < text.index("I kommunen")


def test_nearby_defaults_to_the_signed_in_persons_municipality(client, world, make_model, places):
    model = make_model("Idrett for alle")
    _public_offer(world, title="Langt unna", municipality=places["far"], models=[model])
    _public_offer(world, title="I kommunen", municipality=places["here"], models=[model])
    staff = world["users"]["plain_user"]
    MunicipalityMembershipFactory(user=staff, municipality=places["far"])
    client.force_login(staff)
    text = _text(client.get(model.url))
    assert "nærmest Tromsø først" in text
    assert text.index("Langt unna") < text.index("I kommunen")


def test_offers_that_are_not_public_are_not_listed_as_running_it(world, make_model, places):
    model = make_model("Idrett for alle")
    owner = world["users"]["owner_a"]
    draft = offer_build(organisation=world["org_a"], municipality=places["here"], title="Utkast")
    draft.prevention_models = [model]
    offer_save_draft(offer=draft, by=owner)
    assert prevention_model_running_nearby(model, places["here"])["offers"] == []


# --- Drafts are never public --------------------------------------------------------------------


def test_an_unpublished_model_is_not_public_anywhere(client, world, index, make_model):
    make_model("Publisert")
    draft = make_model("Utkast til modell", publish=False)
    assert client.get(draft.url or f"{index.url}{draft.slug}/").status_code == 404
    assert _titles(client.get(index.url)) == ["Publisert"]
    # Nor can an organisation pick it for its offer.
    client.force_login(world["users"]["owner_a"])
    form = client.get(f"/min-side/tilbud/nytt/?organisasjon={world['org_a'].pk}").content.decode()
    assert "Publisert" in form and "Utkast til modell" not in form


# --- Proposals -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("municipality_staff", True),
        ("portal_editor", True),
        ("owner_a", False),
        ("nav_staff_x", False),
        ("plain_user", False),
        ("anonymous", False),
    ],
)
def test_who_may_propose_a_model(world, role, allowed):
    assert p.can_propose_prevention_model(world["users"][role]) is allowed


@pytest.mark.parametrize(("role", "status"), [("owner_a", 403), ("plain_user", 403)])
def test_the_proposal_form_is_refused_to_others(client, world, index, role, status):
    client.force_login(world["users"][role])
    response = client.get(PROPOSE_URL)
    assert response.status_code == status
    assert "be om tilgang for kommunen din" in _text(response)
    assert client.post(PROPOSE_URL, _proposal()).status_code == status
    assert not PreventionModelPage.objects.exists()


def test_nav_staff_without_municipality_rights_may_not_propose(client, world, index):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    staff = world["users"]["nav_staff_x"]
    TOTP.activate(staff, generate_totp_secret())
    client.force_login(staff)
    assert client.get(PROPOSE_URL).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client, index):
    response = client.get(PROPOSE_URL)
    assert response.status_code == 302 and "/konto/login/" in response["Location"]


def test_the_propose_link_shows_only_for_those_allowed(client, world, index, make_model):
    model = make_model("Idrett for alle")
    assert "Foreslå en modell" not in _text(client.get(index.url))
    assert "Foreslå endring" not in _text(client.get(model.url))
    client.force_login(world["users"]["municipality_staff"])
    assert "Foreslå en modell" in _text(client.get(index.url))
    assert "Foreslå endring" in _text(client.get(model.url))


def _proposal(**overrides):
    data = {
        "title": "Gjeldsrådgiver på biblioteket",
        "problem": "Mange med pengeproblemer kommer til Nav for sent.",
        "prevention_levels": [term("prevention_levels", "universell").pk],
        "target_groups": [term("target_groups", "gjeld-okonomiske-problemer").pk],
        "arenas": [term("arenas", "bibliotek").pk],
        "how_it_works": "Gjeldsrådgiverne har et fast treffpunkt på biblioteket.",
        "how_to_start": "Avtal tid med biblioteket\nLag plakater",
        "contact_role": "Gjeldsrådgiver i Nav Testby",
        "contact_email": "gjeld@example.org",
    }
    data.update(overrides)
    return data


def test_proposal_errors_are_explained_and_nothing_typed_is_lost(client, world, index):
    client.force_login(world["users"]["municipality_staff"])
    response = client.post(
        PROPOSE_URL, _proposal(title="", contact_email="ikke-en-adresse", target_groups=[])
    )
    assert response.status_code == 200
    html = unescape(response.content.decode())
    assert "Rett opp dette før du sender forslaget" in html
    assert "Skriv navnet på modellen." in html
    assert "Velg minst én målgruppe." in html
    # Each error links to its field; a checkbox group to its first box.
    assert 'href="#id_target_groups_0"' in html and 'id="id_target_groups_0"' in html
    assert "Skriv en gyldig e-postadresse" in html
    # What was typed and chosen is still there.
    assert "Mange med pengeproblemer kommer til Nav for sent." in html
    assert "ikke-en-adresse" in html
    level = term("prevention_levels", "universell").pk
    assert re.search(rf'value="{level}"[^>]*checked', html)
    assert not PreventionModelPage.objects.exists()


def test_a_proposal_waits_unpublished_in_the_workflow_until_an_editor_approves(
    client, world, index, django_capture_on_commit_callbacks
):
    staff, editor = world["users"]["municipality_staff"], world["users"]["portal_editor"]
    scheme = _scheme(
        demo_grant_index_ensure(),
        "Tilskudd til økonomisk rådgivning",
        deadline=timezone.localdate() + timedelta(days=30),
    )
    client.force_login(staff)
    assert client.get(PROPOSE_URL).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(PROPOSE_URL, _proposal(fundable_by=[scheme.pk]))
    assert response.status_code == 302 and response["Location"] == index.url
    assert "sendt til portalens redaktører" in _text(client.get(index.url))

    model = PreventionModelPage.objects.get(title="Gjeldsrådgiver på biblioteket")
    assert not model.live
    assert model.origin_municipality == world["municipality"]
    assert list(model.municipalities.all()) == [world["municipality"]]
    state = model.current_workflow_state
    assert state is not None and state.status == WorkflowState.STATUS_IN_PROGRESS
    client.logout()
    assert client.get(f"{index.url}{model.slug}/").status_code == 404
    assert _titles(client.get(index.url)) == []

    deliveries_dispatch()
    to_editors = [m for m in mail.outbox if "Nytt forslag til forebyggingsmodell" in m.subject]
    assert [m.to for m in to_editors] == [[editor.email]]
    assert "Gjeldsrådgiver på biblioteket" in to_editors[0].subject

    state.current_task_state.approve(user=editor)
    model.refresh_from_db()
    assert model.live
    assert _titles(client.get(index.url)) == ["Gjeldsrådgiver på biblioteket"]
    text = _text(client.get(model.url))
    assert "Gjeldsrådgiverne har et fast treffpunkt på biblioteket." in text
    assert "Lag plakater" in text
    assert "Tilskudd til økonomisk rådgivning" in text


def test_an_update_leaves_the_live_model_unchanged_until_approved(
    client, world, make_model, django_capture_on_commit_callbacks
):
    model = make_model("Idrett for alle", prevention_levels=["selektiv"], target_groups=["alle"])
    staff = world["users"]["municipality_staff"]
    url = reverse("prevention_propose_change", args=[model.pk])
    client.force_login(staff)
    # The form starts from what is published.
    assert "Problemet Idrett for alle løser." in unescape(client.get(url).content.decode())
    data = _proposal(
        title="Idrett for alle",
        problem="Barn i familier med lav inntekt faller ut av idretten.",
        prevention_levels=[term("prevention_levels", "selektiv").pk],
        target_groups=[term("target_groups", "alle").pk],
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)
    assert response.status_code == 302 and response["Location"] == model.url

    client.logout()
    text = _text(client.get(model.url))
    assert "Problemet Idrett for alle løser." in text
    assert "faller ut av idretten" not in text
    model.refresh_from_db()
    assert model.live and model.has_unpublished_changes
    deliveries_dispatch()
    assert any("Forslag til endring av forebyggingsmodell" in m.subject for m in mail.outbox)

    model.current_workflow_state.current_task_state.approve(user=world["users"]["portal_editor"])
    text = _text(client.get(model.url))
    assert "faller ut av idretten" in text
    assert "Problemet Idrett for alle løser." not in text


def test_editors_preview_of_a_pending_update_shows_the_proposal(rf, world, make_model):
    grants = demo_grant_index_ensure()
    scheme = _scheme(grants, "Ny ordning", deadline=timezone.localdate() + timedelta(days=9))
    model = make_model("Idrett for alle", prevention_levels=["selektiv"], target_groups=["alle"])
    data = {
        **PreventionProposalForm.initial_from(model),
        "problem": "Barn faller ut av idretten.",
        "fundable_by": [scheme],
    }
    prevention_model_propose(by=world["users"]["municipality_staff"], data=data, page=model)
    request = rf.get("/")
    request.user = world["users"]["portal_editor"]
    model.refresh_from_db()
    draft = model.get_latest_revision_as_object()
    html = unescape(draft.serve_preview(request, draft.default_preview_mode).rendered_content)
    assert "Barn faller ut av idretten." in html
    assert "Ny ordning" in html


def test_only_published_models_can_get_an_update_proposal(client, world, make_model):
    draft = make_model("Utkast", publish=False)
    client.force_login(world["users"]["municipality_staff"])
    assert client.get(reverse("prevention_propose_change", args=[draft.pk])).status_code == 404


def test_the_service_refuses_people_who_may_not_propose(world, index):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        prevention_model_propose(by=world["users"]["owner_a"], data={"title": "X"})


# --- An offer says which model it follows -------------------------------------------------------


def _offer_post(**overrides):
    def pk(vocabulary, slug):
        return term(vocabulary, slug).pk

    data = {
        "title": "Idrettskassen",
        "summary": "Idrettslaget dekker kontingent og utstyr.",
        "categories": [pk("offer_categories", "leksehjelp")],
        "target_groups": [pk("target_groups", "barn-og-unge")],
        "cost_level": pk("cost_levels", "gratis"),
        "kind": pk("offer_kinds", "lopende"),
        "participation_mode": pk("participation_modes", "drop-in"),
        "contact_role": "Koordinator",
        "locations-TOTAL_FORMS": "1",
        "locations-INITIAL_FORMS": "0",
        "locations-MIN_NUM_FORMS": "0",
        "locations-MAX_NUM_FORMS": "1000",
        "locations-0-address": "Eksempelgata 5, Hamar",
        "locations-0-municipality": Municipality.objects.get(code="3403").pk,
        "locations-0-latitude": "60.79",
        "locations-0-longitude": "11.07",
        "schedules-TOTAL_FORMS": "0",
        "schedules-INITIAL_FORMS": "0",
        "schedules-MIN_NUM_FORMS": "0",
        "schedules-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


def test_offer_form_saves_the_model_it_follows_and_the_offer_page_links_it(
    client, world, make_model
):
    model = make_model("Idrett for alle")
    make_model("Annen modell")
    owner = world["users"]["owner_a"]
    client.force_login(owner)
    url = f"/min-side/tilbud/nytt/?organisasjon={world['org_a'].pk}"
    assert "Forebyggingsmodeller tilbudet følger" in _text(client.get(url))
    response = client.post(url, {**_offer_post(prevention_models=[model.pk]), "send": "1"})
    assert response.status_code == 302, response.context["form"].errors
    offer = Offer.objects.get(title="Idrettskassen")
    assert [m.title for m in offer.get_latest_revision_as_object().prevention_models.all()] == [
        "Idrett for alle"
    ]
    offer_approve(offer=offer, by=world["users"]["nav_staff_x"])

    client.logout()
    html = client.get(f"/tilbud/{offer.pk}/").content.decode()
    assert "Følger modellen" in html
    assert f'href="{model.url}">Idrett for alle</a>' in html
    assert "Annen modell" not in html
    # And the model page lists the offer as one that runs it.
    assert "Idrettskassen" in _text(client.get(model.url))

    # Editing the offer keeps the choice shown, and it can be removed.
    client.force_login(owner)
    edit = client.get(f"/min-side/tilbud/{offer.pk}/").content.decode()
    assert re.search(rf'value="{model.pk}"[^>]*checked', edit)


def test_an_offer_page_does_not_name_an_unpublished_model(client, world, make_model, places):
    model = make_model("Idrett for alle")
    offer = _public_offer(world, title="Idrettskassen", municipality=places["here"], models=[model])
    model.unpublish()
    html = client.get(f"/tilbud/{offer.pk}/").content.decode()
    assert "Følger modellen" not in html and "Idrett for alle" not in html


# --- Demo content -------------------------------------------------------------------------------


def test_demo_models_load_once_with_their_links(client, world, index):
    demo_directory_load()
    demo_offers_load()
    demo_grants_load()
    created = demo_prevention_models_load()
    assert created == 10
    assert demo_prevention_models_load() == 0
    assert PreventionModelPage.objects.count() == 10
    idrett = PreventionModelPage.objects.get(source_id="demo-modell-08")
    assert idrett.live and idrett.is_example
    assert [s.source_id for s in idrett.fundable_by.all()] == ["demo-tilskudd-05"]
    offer = Offer.objects.get(source_id="demo-tilbud-07")
    assert list(offer.prevention_models.all()) == [idrett]
    text = _text(client.get(idrett.url))
    assert "Eksempel" in text
    assert offer.title in text
    # Every demo page speaks bokmål: the file's English notes are translated.
    for model in PreventionModelPage.objects.all():
        page_text = _text(client.get(model.url))
        assert "to be verified" not in page_text and "Show the two" not in page_text, model
    # The family coordinator and HOLF (which showed no effect in a trial) are shown together.
    coordinator = PreventionModelPage.objects.get(source_id="demo-modell-01")
    holf = PreventionModelPage.objects.get(source_id="demo-modell-03")
    text = _text(client.get(coordinator.url))
    assert "Beslektede modeller" in text and holf.title in text
    assert "Ingen statistisk signifikante effekter" in text
    assert "En beslektet modell, HOLF" in text
    assert coordinator.title in _text(client.get(holf.url))


def test_editors_set_the_models_an_organisation_uses_in_the_admin(client, world, make_model):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    model = make_model("Idrett for alle")
    editor = world["users"]["portal_editor"]
    TOTP.activate(editor, generate_totp_secret())
    client.force_login(editor)
    organisation = world["org_a"]
    url = f"/admin/snippets/directory/organisation/edit/{organisation.pk}/"
    form = client.get(url).content.decode()
    assert "Forebyggingsmodeller organisasjonen bruker" in unescape(form)
    assert f'value="{model.pk}"' in form


def test_an_organisation_says_which_models_it_follows(client, world, make_model):
    from wagtail.models import ModelLogEntry

    followed = make_model("Ungdomslos")
    make_model("Under vurdering", publish=False)
    organisation = world["org_a"]
    url = reverse("min_side_organisation_models", args=[organisation.pk])

    # Only the organisation's representatives (and portal editors) may change it.
    client.force_login(world["users"]["rep_b"])
    assert client.get(url).status_code == 403
    client.force_login(world["users"]["owner_a"])
    assert f'href="{url}"' in client.get(reverse("min_side")).content.decode()
    form = _text(client.get(url))
    assert "Ungdomslos" in form and "Under vurdering" not in form

    response = client.post(url, {"prevention_models": [str(followed.pk)]}, follow=True)
    assert f"{organisation.name} vises nå på sidene til: Ungdomslos" in _text(response)
    assert list(organisation.prevention_models.all()) == [followed]
    assert organisation.name in _text(client.get(followed.url))
    # Who changed what is in the organisation's history.
    entry = ModelLogEntry.objects.for_instance(organisation).get(action="wagtail.edit")
    assert entry.user == world["users"]["owner_a"]
    assert entry.data["prevention_models_added"] == ["Ungdomslos"]

    # A model in review cannot be chosen, even by a hand-made request; nothing is lost.
    hidden = PreventionModelPage.objects.get(title="Under vurdering")
    response = client.post(url, {"prevention_models": [str(followed.pk), str(hidden.pk)]})
    assert response.status_code == 200
    assert "Du kan bare velge modeller som er publisert." in _text(response)
    assert list(organisation.prevention_models.all()) == [followed]

    response = client.post(url, {}, follow=True)
    assert "er ikke knyttet til noen forebyggingsmodell" in _text(response)
    assert not organisation.prevention_models.exists()
