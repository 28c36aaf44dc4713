"""The search contract: the same catalogue, queries, filters and expected results for every
backend (PostgreSQL always, Elasticsearch when ELASTICSEARCH_URL names a cluster).

The catalogue holds every kind of record, made through the services as users make them, plus
records nobody may find (a draft, a hidden and a paused offer, a pending organisation, an
unpublished grant scheme) and an agreement only its parties may find. Results are asserted as
a user sees them: titles, kinds, counts, pages, marked words.
"""

import re
from datetime import date

import pytest
from django.utils.text import slugify

from agreements.models import Agreement, AgreementParty
from agreements.services.agreements import agreement_activate, agreement_save
from directory.factories import OrganisationFactory, term
from directory.models import GrantSchemePage, Municipality, Organisation, PreventionModelPage
from directory.services.demo_grants import demo_grant_index_ensure
from directory.services.offers import offer_set_visibility
from directory.services.prevention import prevention_index_ensure
from portal.models import ContentPage, HomePage
from search.backends.base import OfferQuery, SiteQuery
from search.indexing import site_reindex_all
from search.models import SynonymGroup
from search.permissions import search_scopes
from tests.search.conftest import DRAMMEN, OSLO, index_sync

pytestmark = pytest.mark.django_db

# What anyone finds for «leksehjelp»: every public record that says it, of four kinds (and
# org_a, whose document lists what its offers are about: `homework` in the catalogue).
HOMEWORK = {
    ("offer", "Leksehjelp for 10-åringer"),
    ("offer", "Leksehjelp på biblioteket"),
    # The factory's summary of every offer says «Gratis leksehjelp ...».
    ("offer", "Språkkafé på tirsdager"),
    ("organisation", "Leksehjelpen Røde Kors"),
    ("grant_scheme", "Tilskudd til leksehjelp og fritid"),
    ("page", "Slik finner du leksehjelp"),
}
AGREEMENT = ("agreement", "Samarbeid om leksehjelp i Drammen")
# Hidden records whose titles say «leksehjelp»: never found by anyone.
HIDDEN_TITLES = {
    "Leksehjelp utkast",
    "Leksehjelp i sommerferien",
    "Leksehjelp venter på godkjenning",
    "Tilskudd til leksehjelp i utkast",
}


def _grant(index, title, *, purpose, target_groups, applicant_types, publish=True):
    page = GrantSchemePage(
        title=title,
        slug=slugify(title),
        administrator="Arbeids- og velferdsetaten",
        purpose=purpose,
        live=publish,
    )
    page.applicant_types = [term("applicant_types", s) for s in applicant_types]
    page.target_groups = [term("target_groups", s) for s in target_groups]
    index.add_child(instance=page)
    revision = page.save_revision()
    if publish:
        revision.publish()
    return page


@pytest.fixture
def site_catalogue(backend, world, shell, catalogue, publish, django_capture_on_commit_callbacks):
    """`catalogue` (three public offers, a draft, a hidden one) and every other kind."""
    users = world["users"]
    drammen = Municipality.objects.get(code="3301")
    kodeklubb = publish(
        "Kodeklubb for barn",
        "3301",
        DRAMMEN,
        summary="Programmering <script>alert('x')</script> og <b>spill</b> for barn.",
        categories=["fritidsaktivitet"],
    )
    paused = publish("Leksehjelp i sommerferien", "3301", DRAMMEN)
    with django_capture_on_commit_callbacks(execute=True):
        offer_set_visibility(offer=paused, by=users["owner_a"], action="pause")
    # The world's organisations (approved in bulk by `publish`) keep their factory names.
    helper = OrganisationFactory(
        name="Leksehjelpen Røde Kors",
        status=Organisation.Status.APPROVED,
        organisation_type=term("organisation_types", "humanitaer-organisasjon"),
    )
    helper.municipalities.set([drammen])
    OrganisationFactory(name="Leksehjelp venter på godkjenning", status=Organisation.Status.PENDING)
    grants = demo_grant_index_ensure()
    _grant(
        grants,
        "Tilskudd til leksehjelp og fritid",
        purpose="Støtte til frivillige som gir barn leksehjelp.",
        target_groups=["barn-og-unge"],
        applicant_types=["frivillig-organisasjon"],
    )
    _grant(
        grants,
        "Tilskudd til inkludering av innvandrere",
        purpose="Støtte til kommuner som tar imot nyankomne.",
        target_groups=["innvandrere"],
        applicant_types=["kommune"],
    )
    _grant(
        grants,
        "Tilskudd til leksehjelp i utkast",
        purpose="Ikke publisert ennå.",
        target_groups=["barn-og-unge"],
        applicant_types=["kommune"],
        publish=False,
    )
    model = PreventionModelPage(
        title="Familieveiledning i hjemmet",
        slug="familieveiledning-i-hjemmet",
        problem="Familier med lav inntekt får sjelden hjelp tidlig nok.",
        how_it_works="En veileder besøker familien hjemme hver uke.",
    )
    model.themes = [term("themes", "barneperspektivet")]
    model.target_groups = [term("target_groups", "barnefamilier")]
    model.prevention_levels = [term("prevention_levels", "selektiv")]
    prevention_index_ensure().add_child(instance=model)
    model.save_revision().publish()
    page = ContentPage(
        title="Slik finner du leksehjelp",
        slug="slik-finner-du-leksehjelp",
        intro="Leksehjelp finnes i mange kommuner, ofte på biblioteket.",
    )
    HomePage.objects.first().add_child(instance=page)
    page.save_revision().publish()
    staff = users["nav_staff_x"]
    agreement = agreement_save(
        agreement=Agreement(
            title=AGREEMENT[1],
            purpose="Nav-kontoret og frivilligsentralen samarbeider om leksehjelp.",
            agreement_type=term("agreement_types", "partnerskapsavtale"),
            start_date=date(2026, 1, 15),
            renewal=Agreement.Renewal.TACIT,
            evaluation_interval_months=12,
        ),
        parties=[
            AgreementParty(
                kind=AgreementParty.Kind.NAV_OFFICE,
                nav_office=world["office_x"],
                contact_role="Veileder",
                contact_email="samarbeid@nav-x.example",
                contact_user=staff,
            ),
            AgreementParty(
                kind=AgreementParty.Kind.ORGANISATION,
                organisation=world["org_a"],
                contact_role="Daglig leder",
                contact_email="post@org-a.example",
            ),
        ],
        by=staff,
    )
    agreement_activate(agreement=agreement, by=staff)
    with django_capture_on_commit_callbacks(execute=True):
        # Saved through the model, as the admin does: the cached list is forgotten on commit.
        SynonymGroup.objects.create(terms="leksehjelp, skolehjelp")
    site_reindex_all()
    index_sync(backend)
    return {
        **catalogue,
        "kodeklubb": kodeklubb,
        "paused": paused,
        "helper": helper,
        "homework": HOMEWORK | {("organisation", world["org_a"].name)},
    }


def site(backend, text="", **fields):
    results = backend.search_site(SiteQuery(text=text, **fields))
    _not_a_fallback(backend, results.notice)
    return results


def _not_a_fallback(backend, notice):
    # The Elasticsearch backend answers from PostgreSQL when the cluster fails: that answer
    # must not pass for Elasticsearch's.
    if backend.name == "elasticsearch":
        from search.backends.elasticsearch import fallback_notice

        assert fallback_notice() not in notice


def found(results) -> set[tuple[str, str]]:
    return {(hit.kind, hit.title) for hit in results.hits}


def kind_counts(results) -> dict[str, int]:
    return {value.value: value.count for value in results.kinds if value.count}


def facet(results, name) -> dict[str, int]:
    return {value.value: value.count for value in results.facets.get(name, [])}


def selected(results, name) -> set[str]:
    return {value.value for value in results.facets.get(name, []) if value.selected}


def offers(backend, **fields):
    results = backend.search_offers(OfferQuery(**fields))
    _not_a_fallback(backend, results.notice)
    return results


def offer_ids(results) -> set[int]:
    return {hit.offer_id for hit in results.hits}


# --- Text across kinds --------------------------------------------------------------------


def test_a_word_finds_the_public_records_of_every_kind(backend, site_catalogue):
    homework = site_catalogue["homework"]
    results = site(backend, "leksehjelp")
    assert found(results) == homework
    assert results.total == len(homework) == 7
    assert kind_counts(results) == {"offer": 3, "organisation": 2, "grant_scheme": 1, "page": 1}
    assert not {hit.title for hit in results.hits} & HIDDEN_TITLES


def test_the_parties_also_find_their_agreement(backend, site_catalogue, world):
    homework = site_catalogue["homework"]
    for name in ("nav_staff_x", "owner_a", "municipality_staff"):
        scopes = search_scopes(world["users"][name])
        results = site(backend, "leksehjelp", scopes=scopes)
        assert found(results) == homework | {AGREEMENT}, name
        assert results.total == len(homework) + 1, name
        assert kind_counts(results)["agreement"] == 1, name
    outsider = site(backend, "leksehjelp", scopes=search_scopes(world["users"]["nav_staff_y"]))
    assert found(outsider) == homework


def test_a_synonym_from_the_editors_list_finds_what_records_call_it(backend, site_catalogue):
    # No record says «skolehjelp»; the editors' list says it means «leksehjelp».
    results = site(backend, "skolehjelp")
    assert found(results) == site_catalogue["homework"]
    assert results.suggestion == ""
    assert offer_ids(offers(backend, text="skolehjelp")) == {
        site_catalogue["lekser_drammen"].pk,
        site_catalogue["lekser_oslo"].pk,
        site_catalogue["sprak_bergen"].pk,
    }


def test_the_title_outranks_the_body(backend, site_catalogue):
    results = site(backend, "kodeklubb")
    # The offer is called so; its organisation only lists it among what it does.
    assert results.hits[0].title == "Kodeklubb for barn"
    assert found(results) == {
        ("offer", "Kodeklubb for barn"),
        ("organisation", site_catalogue["kodeklubb"].organisation.name),
    }


# --- Types and facets ---------------------------------------------------------------------


def test_choosing_kinds_keeps_the_type_counts_of_all_kinds(backend, site_catalogue):
    results = site(backend, "leksehjelp", kinds=("grant_scheme", "page"))
    assert found(results) == {
        ("grant_scheme", "Tilskudd til leksehjelp og fritid"),
        ("page", "Slik finner du leksehjelp"),
    }
    assert results.total == 2
    # The type facet counts without its own filter, and says which types are chosen.
    assert kind_counts(results) == {"offer": 3, "organisation": 2, "grant_scheme": 1, "page": 1}
    assert {v.value for v in results.kinds if v.selected} == {"grant_scheme", "page"}


def test_two_values_of_one_facet_are_either_of_them(backend, site_catalogue):
    one = site(backend, kinds=("offer",), filters={"target_groups": ("innvandrere",)})
    both = site(
        backend, kinds=("offer",), filters={"target_groups": ("barn-og-unge", "innvandrere")}
    )
    assert {hit.title for hit in one.hits} == {"Språkkafé på tirsdager"}
    assert {hit.title for hit in both.hits} == {
        "Leksehjelp for 10-åringer",
        "Leksehjelp på biblioteket",
        "Språkkafé på tirsdager",
        "Kodeklubb for barn",
    }
    assert both.total == 4
    assert selected(both, "target_groups") == {"barn-og-unge", "innvandrere"}


def test_a_facet_counts_without_its_own_filter_but_with_the_others(backend, site_catalogue):
    results = site(backend, kinds=("offer",), filters={"target_groups": ("innvandrere",)})
    # Its own values count as if nothing were chosen in it: the user can widen the choice.
    assert facet(results, "target_groups") == {"barn-og-unge": 3, "innvandrere": 1}
    # The other facets count only what the target group lets through.
    assert facet(results, "counties") == {"46": 1}
    assert facet(results, "categories") == {"sprakkafe": 1}

    results = site(
        backend,
        kinds=("offer",),
        filters={"target_groups": ("barn-og-unge",), "counties": ("03", "46")},
    )
    assert {hit.title for hit in results.hits} == {"Leksehjelp på biblioteket"}
    # Bergen (46) has no offer for children: chosen, so shown, with nothing to add.
    assert facet(results, "counties") == {"33": 2, "03": 1, "46": 0}
    assert facet(results, "target_groups") == {"barn-og-unge": 1, "innvandrere": 1}


def test_the_type_facet_counts_every_kind_a_shared_facet_lets_through(backend, site_catalogue):
    # Target groups belong to offers, grant schemes and prevention models; organisations and
    # pages lack the facet, so a filter on it leaves them out.
    results = site(backend, kinds=("offer",), filters={"target_groups": ("innvandrere",)})
    assert kind_counts(results) == {"offer": 1, "grant_scheme": 1}
    results = site(backend, filters={"target_groups": ("barn-og-unge",)})
    assert kind_counts(results) == {"offer": 3, "grant_scheme": 1}
    assert found(results) >= {("grant_scheme", "Tilskudd til leksehjelp og fritid")}
    assert facet(results, "applicant_types") == {"frivillig-organisasjon": 1}


# --- Pages, highlights, corrections, suggestions ----------------------------------------------


def test_pages_split_the_hits_and_keep_the_total(backend, site_catalogue):
    homework = site_catalogue["homework"]
    pages = [site(backend, "leksehjelp", per_page=3, page=n) for n in (1, 2, 3)]
    assert [r.total for r in pages] == [7, 7, 7]
    assert [r.pages for r in pages] == [3, 3, 3]
    assert [len(r.hits) for r in pages] == [3, 3, 1]
    assert found(pages[0]) | found(pages[1]) | found(pages[2]) == homework
    assert len(found(pages[0]) | found(pages[1]) | found(pages[2])) == 7


def test_matches_are_marked_and_html_from_records_is_escaped(backend, site_catalogue):
    results = site(backend, "programmering")
    assert [hit.title for hit in results.hits] == ["Kodeklubb for barn"]
    highlight = results.hits[0].highlight
    assert re.search(r"<mark>programmering</mark>", highlight, re.IGNORECASE)
    # The summary's own tags are text, never markup.
    assert "<script" not in highlight and "<b>" not in highlight
    assert re.sub(r"</?mark>", "", highlight).count("<") == 0


def test_a_misspelt_word_gets_did_you_mean_and_still_finds(backend, site_catalogue):
    results = site(backend, "leksehjlp")
    assert results.suggestion.lower() == "leksehjelp"
    assert found(results) >= {("offer", "Leksehjelp for 10-åringer")}
    # A word that is spelt right is not «corrected».
    assert site(backend, "leksehjelp").suggestion == ""


def test_suggestions_put_titles_starting_with_the_text_first(backend, site_catalogue, world):
    titles = [s.title for s in backend.suggest("leks")]
    assert set(titles[:3]) == {
        "Leksehjelp for 10-åringer",
        "Leksehjelp på biblioteket",
        "Leksehjelpen Røde Kors",
    }
    assert set(titles[3:]) == {"Tilskudd til leksehjelp og fritid", "Slik finner du leksehjelp"}
    party = backend.suggest("samarbeid om", scopes=search_scopes(world["users"]["owner_a"]))
    assert (party[0].kind, party[0].title) == AGREEMENT
    assert AGREEMENT not in {(s.kind, s.title) for s in backend.suggest("samarbeid om")}


# --- The offer search -------------------------------------------------------------------------


def test_offer_search_filters_age_and_distance(backend, site_catalogue):
    c = site_catalogue
    everything = offers(backend)
    # The draft, the hidden and the paused offers are neither listed nor counted.
    assert offer_ids(everything) == {
        c["lekser_drammen"].pk,
        c["lekser_oslo"].pk,
        c["sprak_bergen"].pk,
        c["kodeklubb"].pk,
    }
    assert everything.total == 4
    filtered = offers(
        backend,
        text="leksehjelp",
        filters={"municipalities": ("3301",), "target_groups": ("barn-og-unge",)},
        age=10,
    )
    assert offer_ids(filtered) == {c["lekser_drammen"].pk}
    # 10 is outside 13-19 and inside 8-12.
    assert offer_ids(offers(backend, text="leksehjelp", age=10)) == {
        c["lekser_drammen"].pk,
        c["sprak_bergen"].pk,
    }
    near = offers(backend, near=OSLO, within_km=60)
    assert offer_ids(near) == {c["lekser_oslo"].pk, c["lekser_drammen"].pk, c["kodeklubb"].pk}
    by_distance = offers(backend, near=OSLO, sort="distance")
    assert by_distance.hits[0].offer_id == c["lekser_oslo"].pk
    assert by_distance.hits[-1].offer_id == c["sprak_bergen"].pk


def test_offer_facets_are_multi_select(backend, site_catalogue):
    c = site_catalogue
    results = offers(backend, filters={"municipalities": ("0301", "4601")})
    assert offer_ids(results) == {c["lekser_oslo"].pk, c["sprak_bergen"].pk}
    assert facet(results, "municipalities") == {"3301": 2, "0301": 1, "4601": 1}
    assert facet(results, "categories") == {"leksehjelp": 1, "sprakkafe": 1}
    paged = [offers(backend, per_page=3, page=n, sort="verified") for n in (1, 2)]
    assert [r.total for r in paged] == [4, 4]
    assert [len(r.hits) for r in paged] == [3, 1]
    assert not offer_ids(paged[0]) & offer_ids(paged[1])
