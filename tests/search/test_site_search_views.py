"""The unified search page (/sok/) and its suggestions (/sok/forslag/), against the real
PostgreSQL backend: records of every kind made through the services, then indexed."""

import re
from datetime import date
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils.text import slugify

from agreements.models import Agreement, AgreementParty
from agreements.services.agreements import agreement_activate, agreement_save
from directory.factories import OrganisationFactory, term
from directory.models import GrantSchemePage, Organisation
from directory.services.demo_grants import demo_grant_index_ensure
from search.indexing import site_reindex_all
from tests.search.conftest import DRAMMEN

pytestmark = pytest.mark.django_db

URL = "/sok/"
SUGGEST_URL = "/sok/forslag/"
HIT = re.compile(
    r'<article class="portal-card portal-offer-card portal-site-hit" data-kind="(\w+)">\s*'
    r'<h3[^>]*><a class="aksel-link" href="([^"]+)">([^<]*)</a>'
)


def hits(response) -> list[tuple[str, str]]:
    """(kind, title) of each hit, in order."""
    assert response.status_code == 200
    return [(kind, unescape(title)) for kind, _url, title in HIT.findall(page(response))]


def titles(response) -> set[str]:
    return {title for _kind, title in hits(response)}


def count(response, name: str, value: str) -> int | None:
    """The count next to one facet checkbox, or None when the value is not offered."""
    match = re.search(
        rf'for="sok-{name}-{re.escape(slugify(value))}">[^<]*'
        rf'<span class="portal-facet__count">\((\d+)',
        page(response),
    )
    return int(match.group(1)) if match else None


def page(response) -> str:
    return response.content.decode()


def filters(response) -> str:
    """The filter panel only (the main menu may name agreements too)."""
    html = page(response)
    return html[html.find('id="sok-filtre"') : html.find('id="sok-resultater-tittel"')]


def text(response) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page(response))))


def suggestions(client, q: str) -> list[tuple[str, str]]:
    response = client.get(SUGGEST_URL, {"q": q})
    assert response.status_code == 200
    return [
        (kind, unescape(title))
        for kind, title in re.findall(
            r'data-kind="(\w+)"><span class="aksel-body-short portal-suggest__title">([^<]*)<',
            page(response),
        )
    ]


@pytest.fixture
def records(world, shell, catalogue, publish):
    """The offer catalogue, plus an organisation, a grant scheme and an agreement about
    homework help, a pending organisation, and an offer whose summary holds HTML."""
    org_a = world["org_a"]
    helper = OrganisationFactory(
        name="Leksehjelpen Røde Kors",
        status=Organisation.Status.APPROVED,
        organisation_type=term("organisation_types", "humanitaer-organisasjon"),
    )
    pending = OrganisationFactory(
        name="Leksehjelp venter på godkjenning", status=Organisation.Status.PENDING
    )
    tricky = publish(
        "Kodeklubb for barn",
        "3301",
        DRAMMEN,
        summary="Programmering <script>alert('x')</script> og <b>spill</b> for barn.",
        categories=["fritidsaktivitet"],
    )
    index = demo_grant_index_ensure()
    grant = GrantSchemePage(
        title="Tilskudd til leksehjelp og fritid",
        slug="tilskudd-til-leksehjelp-og-fritid",
        administrator="Arbeids- og velferdsetaten",
        purpose="Støtte til frivillige som gir barn leksehjelp.",
        live=True,
    )
    grant.applicant_types = [term("applicant_types", "frivillig-organisasjon")]
    grant.target_groups = [term("target_groups", "barn-og-unge")]
    index.add_child(instance=grant)
    grant.save_revision().publish()
    staff = world["users"]["nav_staff_x"]
    agreement = agreement_save(
        agreement=Agreement(
            title="Samarbeid om leksehjelp i Drammen",
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
                organisation=org_a,
                contact_role="Daglig leder",
                contact_email="post@org-a.example",
            ),
        ],
        by=staff,
    )
    agreement = agreement_activate(agreement=agreement, by=staff)
    site_reindex_all()
    return {
        **catalogue,
        "helper": helper,
        "pending": pending,
        "tricky": tricky,
        "grant": grant,
        "agreement": agreement,
    }


def test_start_page_renders_for_anonymous_and_logged_in_users(client, world, shell):
    for user in (None, world["users"]["nav_staff_x"]):
        if user:
            client.force_login(user)
        response = client.get(URL)
        assert response.status_code == 200
        assert "<title>Søk – Samarbeidsportalen</title>" in page(response)
        assert "Søk i Samarbeidsportalen" in text(response)
        assert "Hva leter du etter?" in text(response)
        assert 'href="/tilbud/"' in page(response)
        # The page's own field replaces the header's, so there is one combobox.
        assert page(response).count('role="combobox"') == 1


def test_header_field_on_other_pages_submits_to_the_search(client, shell):
    response = client.get("/om/")
    assert response.status_code == 200
    html = page(response)
    assert 'action="/sok/"' in html
    assert 'id="portal-sok"' in html and 'role="combobox"' in html
    assert 'aria-controls="portal-sok-forslag"' in html


def test_one_search_finds_every_kind_with_type_counts(client, records):
    response = client.get(URL, {"q": "leksehjelp"})
    found = titles(response)
    assert {
        "Leksehjelp for 10-åringer",
        "Leksehjelp på biblioteket",
        "Leksehjelpen Røde Kors",
        "Tilskudd til leksehjelp og fritid",
    } <= found
    # Drafts, hidden offers, pending organisations and agreements are not public.
    assert "Leksehjelp utkast" not in found
    assert "Leksehjelp venter på godkjenning" not in found
    assert "Samarbeid om leksehjelp i Drammen" not in found
    offers = [title for kind, title in hits(response) if kind == "offer"]
    assert count(response, "type", "offer") == len(offers) >= 2
    assert count(response, "type", "grant_scheme") == 1
    assert count(response, "type", "organisation") >= 1
    assert count(response, "type", "agreement") is None
    assert "Samarbeidsavtaler" not in text(response)
    assert "<title>«leksehjelp» – Søk – Samarbeidsportalen</title>" in page(response)
    assert "Søkeresultater for «leksehjelp»" in text(response)
    assert f"{len(hits(response))} treff for «leksehjelp»" in text(response)


def test_type_facet_is_multi_select_and_counts_without_its_own_filter(client, records):
    response = client.get(URL, {"q": "leksehjelp", "type": ["grant_scheme", "organisation"]})
    kinds = {kind for kind, _title in hits(response)}
    assert kinds == {"grant_scheme", "organisation"}
    assert "Tilskudd til leksehjelp og fritid" in titles(response)
    # The unticked types still show what they would add.
    assert count(response, "type", "offer") >= 2
    assert 'id="sok-type-grant_scheme" checked' in page(response)
    # The chosen types' facets appear: organisation types and grant status, not categories.
    assert count(response, "organisation_types", "humanitaer-organisasjon") == 1
    assert count(response, "grant_status", "stengt") == 1
    assert count(response, "categories", "leksehjelp") is None


def test_facets_of_a_type_filter_and_count_multi_select(client, records):
    offers = client.get(URL, {"type": "offer"})
    assert {kind for kind, _title in hits(offers)} == {"offer"}
    assert count(offers, "categories", "leksehjelp") == 2
    assert count(offers, "categories", "sprakkafe") == 1
    assert count(offers, "counties", "33") is not None

    one = client.get(URL, {"type": "offer", "categories": "sprakkafe"})
    assert titles(one) == {"Språkkafé på tirsdager"}
    # Multi-select: the category facet counts without its own filter.
    assert count(one, "categories", "leksehjelp") == 2
    assert count(one, "target_groups", "innvandrere") == 1
    assert count(one, "target_groups", "barn-og-unge") is None
    assert "Kategori: Språkkafé" in text(one)

    both = client.get(URL, {"type": "offer", "categories": ["sprakkafe", "leksehjelp"]})
    assert titles(both) == {
        "Språkkafé på tirsdager",
        "Leksehjelp for 10-åringer",
        "Leksehjelp på biblioteket",
    }


def test_a_filter_that_does_not_fit_the_chosen_types_is_left_out(client, records):
    response = client.get(URL, {"type": "organisation", "categories": "sprakkafe"})
    assert response.status_code == 200
    assert {kind for kind, _title in hits(response)} == {"organisation"}
    assert "Leksehjelpen Røde Kors" in titles(response)


def test_invalid_parameters_give_a_message_and_the_page(client, records):
    response = client.get(
        URL,
        {
            "q": "leksehjelp",
            "type": ["offer", "hemmelig"],
            "categories": "finnes-ikke",
            "side": "abc",
        },
    )
    assert response.status_code == 200
    assert "Type treff: fant ikke «hemmelig», så vi så bort fra det." in text(response)
    assert "Kategori: fant ikke «finnes-ikke», så vi så bort fra det." in text(response)
    assert {kind for kind, _title in hits(response)} == {"offer"}

    too_long = client.get(URL, {"q": "x" * 300, "side": "999"})
    assert too_long.status_code == 200
    assert "Vi så bort fra det." in text(too_long)


def test_an_agreement_is_found_by_its_parties_only(client, records, world):
    users = world["users"]
    wanted = "Samarbeid om leksehjelp i Drammen"
    for name, may_see in (
        ("nav_staff_x", True),
        ("owner_a", True),
        ("municipality_staff", True),
        ("nav_staff_y", False),
        ("rep_b", False),
        ("anonymous", False),
    ):
        client.logout()
        if name != "anonymous":
            client.force_login(users[name])
        response = client.get(URL, {"q": "leksehjelp"})
        assert (wanted in titles(response)) is may_see, name
        assert (count(response, "type", "agreement") == 1) is may_see, name
        assert ("Samarbeidsavtaler" in filters(response)) is may_see, name
        only = client.get(URL, {"q": "leksehjelp", "type": "agreement"})
        assert (wanted in titles(only)) is may_see, name
        assert (("agreement", wanted) in suggestions(client, "samarbeid om")) is may_see, name
        if not may_see:
            assert "0 treff" in text(only)
            assert wanted not in page(only)
    client.force_login(users["nav_staff_x"])
    response = client.get(URL, {"q": "leksehjelp", "type": "agreement"})
    assert f'href="/avtaler/{records["agreement"].pk}/"' in page(response) or wanted in titles(
        response
    )
    assert "Intern: bare synlig for partene i avtalen." in text(response)
    assert count(response, "agreement_status", "active") == 1
    assert "Avtalestatus" in text(response)


def test_matches_are_highlighted_and_html_in_records_is_escaped(client, records):
    response = client.get(URL, {"q": "programmering"})
    html = page(response)
    assert "Kodeklubb for barn" in titles(response)
    assert "<mark>Programmering</mark>" in html
    assert "<script>alert" not in html
    assert "<b>spill</b>" not in html
    # Without words to highlight, the summary is shown escaped.
    browse = page(client.get(URL, {"type": "offer", "categories": "fritidsaktivitet"}))
    assert "&lt;script&gt;alert(" in browse
    assert "<script>alert" not in browse


def test_a_misspelt_word_gets_did_you_mean(client, records):
    response = client.get(URL, {"q": "lekshjelp", "type": "offer"})
    assert response.status_code == 200
    match = re.search(
        r'Mente du <a class="aksel-link" href="([^"]+)" data-did-you-mean>([^<]+)</a>',
        page(response),
    )
    assert match, text(response)
    assert match.group(2) == "leksehjelp"
    assert parse_qs(urlsplit(unescape(match.group(1))).query) == {
        "q": ["leksehjelp"],
        "type": ["offer"],
    }
    corrected = client.get(unescape(match.group(1)))
    assert "Leksehjelp på biblioteket" in titles(corrected)
    assert "Mente du" not in text(corrected)


def test_no_hits_gives_advice(client, records):
    response = client.get(URL, {"q": "zyxwvu qqqq", "categories": "leksehjelp"})
    assert response.status_code == 200
    assert hits(response) == []
    assert "Fant ingenting som passer «zyxwvu qqqq»" in text(response)
    assert "Sjekk at ordene er stavet riktig." in text(response)
    assert "Fjern noen av filtrene" in text(response)
    assert 'href="/tilbud/"' in page(response)


def test_htmx_request_gets_the_results_and_out_of_band_parts(client, records):
    response = client.get(URL, {"q": "leksehjelp", "type": "offer"}, HTTP_HX_REQUEST="true")
    html = page(response)
    assert response.status_code == 200
    assert "<html" not in html and "portal-header" not in html
    assert "<title>«leksehjelp» – Søk – Samarbeidsportalen</title>" in html
    assert '<div id="sok-filtre" class="portal-site-search__filters" hx-swap-oob="true">' in html
    total = len(hits(response))
    assert total >= 2
    assert f'<p id="sok-status" hx-swap-oob="innerHTML">{total} treff for «leksehjelp»</p>' in html
    assert '<h1 id="sok-overskrift" hx-swap-oob="innerHTML">' in html


def test_results_are_paged_twenty_at_a_time(client, records):
    for n in range(23):
        OrganisationFactory(name=f"Turlaget nummer {n}", status=Organisation.Status.APPROVED)
    site_reindex_all(["organisation"])
    first = client.get(URL, {"q": "turlaget"})
    assert len(hits(first)) == 20
    assert "23 treff" in text(first)
    assert 'href="/sok/?q=turlaget&amp;side=2"' in page(first)
    second = client.get(URL, {"q": "turlaget", "side": "2"})
    assert len(hits(second)) == 3
    assert titles(first).isdisjoint(titles(second))
    beyond = client.get(URL, {"q": "turlaget", "side": "9"})
    assert len(hits(beyond)) == 3  # the nearest valid page


def test_suggestions_follow_the_text_and_need_two_characters(client, records):
    found = suggestions(client, "leks")
    assert ("offer", "Leksehjelp for 10-åringer") in found
    assert ("organisation", "Leksehjelpen Røde Kors") in found
    assert ("grant_scheme", "Tilskudd til leksehjelp og fritid") in found
    assert all(title != "Leksehjelp venter på godkjenning" for _kind, title in found)
    assert len(found) <= 8
    response = client.get(SUGGEST_URL, {"q": "leks"})
    assert 'role="option"' in page(response)
    assert 'data-href="/tilbud/' in page(response)
    assert response["Cache-Control"].startswith("max-age=0")
    assert suggestions(client, "l") == []
    assert suggestions(client, "") == []
    assert client.get(SUGGEST_URL, {"q": "x" * 500}).status_code == 200
