"""Synonyms: the editors' list widens a query («skolehjelp» finds Leksehjelp), phrases match
as phrases, a word with synonyms is never «corrected» into another, and an edit applies to the
next search."""

import pytest
from django.core.exceptions import ValidationError

from search.backends.base import OfferQuery
from search.backends.postgresql import PostgresBackend
from search.models import SynonymGroup
from search.permissions import can_manage_synonyms
from search.synonyms import DEFAULT_GROUPS, query_parts, synonyms_ensure_defaults
from tests.search.conftest import OSLO

pytestmark = pytest.mark.django_db


def _titles(text: str) -> list[str]:
    results = PostgresBackend().search_offers(OfferQuery(text=text))
    return [hit.title for hit in results.hits]


@pytest.fixture
def offers(publish):
    # Each with its own category and summary: the factory's default ones say «leksehjelp».
    def offer(title, category, summary):
        return publish(title, "0301", OSLO, categories=[category], summary=summary)

    return {
        "lekser": offer("Leksehjelp på biblioteket", "leksehjelp", "Hjelp med lekser."),
        "gjeld": offer("Gjeldsrådgivning", "okonomisk-hjelp", "Oversikt over gjelda."),
        "jul": offer("Julehjelp", "julehjelp", "Mat og gaver til jul."),
    }


def test_a_synonym_finds_what_the_offer_calls_it(offers, django_capture_on_commit_callbacks):
    # Without the synonym, «skolehjelp» (in no offer) is «corrected» to a similar word.
    assert _titles("skolehjelp") == ["Julehjelp"]
    with django_capture_on_commit_callbacks(execute=True):
        SynonymGroup.objects.create(terms="leksehjelp, skolehjelp")
    # With it, it is a known word: it finds homework help, and is corrected to nothing else.
    assert _titles("skolehjelp") == ["Leksehjelp på biblioteket"]
    assert _titles("leksehjelp") == ["Leksehjelp på biblioteket"]


def test_a_phrase_synonym_matches_as_a_phrase(offers):
    SynonymGroup.objects.create(terms="gjeldsrådgivning, økonomisk rådgivning")
    assert _titles("økonomisk rådgivning") == ["Gjeldsrådgivning"]
    # The words are read as one term only when they stand together.
    parts = query_parts(["rådgivning", "økonomisk"])
    assert [p.words for p in parts] == [("rådgivning",), ("økonomisk",)]
    parts = query_parts(["gratis", "økonomisk", "rådgivning"])
    assert [p.words for p in parts] == [("gratis",), ("økonomisk", "rådgivning")]
    assert parts[1].synonyms == [("gjeldsrådgivning",)]


def test_an_edit_applies_to_the_next_search(offers, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        group = SynonymGroup.objects.create(terms="leksehjelp, skolehjelp")
    assert _titles("skolehjelp") == ["Leksehjelp på biblioteket"]
    with django_capture_on_commit_callbacks(execute=True):
        group.delete()
    assert "Leksehjelp på biblioteket" not in _titles("skolehjelp")


def test_a_group_needs_two_terms_and_is_tidied():
    group = SynonymGroup(terms="leksehjelp")
    with pytest.raises(ValidationError) as error:
        group.full_clean()
    assert error.value.message_dict["terms"] == [
        "Skriv minst to ord eller uttrykk, skilt med komma."
    ]
    group = SynonymGroup(terms="  Leksehjelp,skolehjelp , ,  Hjelp   med lekser, leksehjelp")
    group.full_clean()
    assert group.terms == "leksehjelp, skolehjelp, hjelp med lekser"


def test_a_new_site_gets_the_starting_list_once():
    assert synonyms_ensure_defaults() == len(DEFAULT_GROUPS)
    SynonymGroup.objects.first().delete()
    # The list is the editors' now: what they delete does not come back.
    assert synonyms_ensure_defaults() == 0
    assert SynonymGroup.objects.count() == len(DEFAULT_GROUPS) - 1


def test_only_portal_editors_keep_the_list(client, world):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    users = world["users"]
    assert [k for k, u in users.items() if can_manage_synonyms(u)] == [
        "portal_editor",
        "administrator",
    ]
    editor = users["portal_editor"]
    TOTP.activate(editor, generate_totp_secret())
    client.force_login(editor)
    url = "/admin/snippets/search/synonymgroup/add/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"terms": "besøksvenn, besøkstjeneste", "note": ""})
    assert response.status_code == 302
    assert SynonymGroup.objects.get().terms == "besøksvenn, besøkstjeneste"
    # A single term is refused with the message, and what was typed stays in the form.
    response = client.post(url, {"terms": "besøksvenn", "note": "Ensomhet"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "Skriv minst to ord eller uttrykk" in text and "Ensomhet" in text

    staff = users["nav_staff_x"]
    client.force_login(staff)
    assert client.get(url).status_code in (302, 403)
