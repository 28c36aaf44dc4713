"""No leaks: a hidden, draft or internal record is never found by someone who may not see it,
not in hits, totals, type or facet counts, suggestions, nor as a "did you mean" correction.

Every hidden record carries a word nothing else uses, in its title and text. Records are made
and hidden through the services, with their on-commit indexing run, as in production. Most of
them were public first, so their words are in the shared word list the corrections come from.
"""

import re
import unicodedata
from datetime import date, timedelta

import pytest
from django.db import connection
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.text import slugify
from wagtail.models import PageViewRestriction

from agreements.models import Agreement, AgreementParty
from agreements.permissions import agreements_visible_filter
from agreements.services.agreements import agreement_activate, agreement_save
from directory.factories import MunicipalityMembershipFactory, offer_build, term
from directory.models import (
    GrantSchemePage,
    Municipality,
    Offer,
    Organisation,
    PreventionModelPage,
)
from directory.services.demo_grants import demo_grant_index_ensure
from directory.services.freshness import offers_freshness_sweep
from directory.services.offers import (
    offer_reject,
    offer_save_draft,
    offer_set_visibility,
    offer_submit,
)
from directory.services.organisations import organisation_decide, organisation_register
from directory.services.prevention import prevention_index_ensure
from portal.factories import UserFactory
from portal.models import ContentPage, HomePage
from search.backends.base import OfferQuery, SiteQuery
from search.backends.postgresql_text import WORD_SIMILARITY
from search.indexing import site_reindex_all
from search.models import SearchWord
from search.permissions import search_scopes
from tests.search.conftest import DRAMMEN, index_sync

pytestmark = pytest.mark.django_db

# What is hidden -> its word. Misspelt (see TYPOS), each is close enough to be "corrected".
WORDS = {
    "draft offer": "kvitveisturen",
    "submitted offer": "multebaerdugnad",
    "rejected offer": "tyttebaerkvelden",
    "unapproved edit of a published offer": "snohuleverkstedet",
    "paused offer": "rimfrostkafeen",
    "hidden-stale offer": "tangloppetreffet",
    "archived offer": "fjaeresteinkurset",
    "pending organisation": "krokusforeningen",
    "rejected organisation": "lyngheilaget",
    "grant scheme never published": "mosegrodde",
    "unpublished grant scheme": "bregnestiene",
    "unpublished edit of a live grant scheme": "sandloperne",
    "draft prevention model": "tindrevandringen",
    "prevention model behind login": "kantarellmodellen",
    "prevention model behind a password": "bringebaermodellen",
    "unpublished content page": "skjaergardsdiktet",
    "content page under a private page": "nordlysnotatet",
    "agreement": "gaupesporingen",
}
# These were public before they were hidden, so their words are in the shared word list that
# "did you mean" draws on: a correction could spell them out.
ONCE_PUBLIC = (
    "hidden-stale offer",
    "paused offer",
    "archived offer",
    "rejected organisation",
    "unpublished grant scheme",
    "prevention model behind login",
    "prevention model behind a password",
    "unpublished content page",
    "content page under a private page",
)
AGREEMENT_TITLE = "Samarbeid om gaupesporingen"
# Facet values only hidden records have: they must not be counted either.
HIDDEN_FACETS = {
    "categories": "julehjelp",
    "organisation_types": "idrettslag",
    "applicant_types": "privat-aktor",
    "themes": "mat",
}


def typo(word: str) -> str:
    """The word with one letter dropped from its middle: a trigram neighbour, not a prefix."""
    middle = len(word) // 2
    return word[:middle] + word[middle + 1 :]


# The agreement is between Nav office X and organisation A; the world's municipality is served
# by office X. Everyone else may not see it, portal editors and administrators included.
PARTIES = ("nav_staff_x", "nav_leader_x", "owner_a", "editor_a", "municipality_staff")
OUTSIDERS = (
    "anonymous",
    "plain_user",
    "rep_b",
    "nav_staff_y",
    "other_municipality_staff",
    "portal_editor",
    "administrator",
)


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text.lower()).encode("ascii", "ignore").decode()


@pytest.fixture
def people(world, publish):
    """The world's users, and municipality staff elsewhere (`publish` loads municipalities)."""
    users = dict(world["users"])
    # Municipality staff of Bergen, which office X does not serve.
    users["other_municipality_staff"] = UserFactory()
    MunicipalityMembershipFactory(
        user=users["other_municipality_staff"],
        municipality=Municipality.objects.get(code="4601"),
    )
    return users


@pytest.fixture
def hidden(backend, world, shell, publish, people, django_capture_on_commit_callbacks):
    """One record per way of being hidden, each with its word; most were public first."""
    run = django_capture_on_commit_callbacks
    users = world["users"]
    owner, staff = users["owner_a"], users["nav_staff_x"]
    site_reindex_all()  # the world's organisations and the site shell's pages
    drammen = Municipality.objects.get(code="3301")

    def draft(key, **fields):
        offer = offer_build(
            organisation=world["org_a"],
            municipality=drammen,
            title=f"Tilbud {WORDS[key]}",
            summary=f"Vi møtes til {WORDS[key]} hver uke.",
            categories=["julehjelp"],
            **fields,
        )
        with run(execute=True):
            return offer_save_draft(offer=offer, by=owner)

    def published(key):
        return publish(
            f"Tilbud {WORDS[key]}",
            "3301",
            DRAMMEN,
            summary=f"Vi møtes til {WORDS[key]} hver uke.",
            categories=["julehjelp"],
        )

    # The freshness sweep hides what was not confirmed in time; it runs first, while this is
    # the only published offer.
    stale = published("hidden-stale offer")
    with run(execute=True):
        offers_freshness_sweep(now=timezone.now() + timedelta(days=800))
    assert Offer.objects.get(pk=stale.pk).visibility != Offer.Visibility.VISIBLE

    draft("draft offer")
    submitted = draft("submitted offer")
    with run(execute=True):
        offer_submit(offer=submitted, by=owner)
    rejected = draft("rejected offer")
    with run(execute=True):
        offer_submit(offer=rejected, by=owner)
        offer_reject(offer=rejected, by=staff, reason="Mangler kontaktperson.")
    for key, action in (("paused offer", "pause"), ("archived offer", "end")):
        offer = published(key)
        with run(execute=True):
            offer_set_visibility(offer=offer, by=owner, action=action)
    # A published offer stays as it was while an edit waits for approval.
    live = publish("Leksehjelp i Drammen", "3301", DRAMMEN, categories=["leksehjelp"])
    live.title = f"Leksehjelp og {WORDS['unapproved edit of a published offer']}"
    live.summary = f"Nå også {WORDS['unapproved edit of a published offer']}."
    with run(execute=True):
        offer_submit(offer=offer_save_draft(offer=live, by=owner), by=owner)

    with run(execute=True):
        organisation_register(
            organisation=Organisation(
                name=f"Foreningen {WORDS['pending organisation']}".title(),
                organisation_type=term("organisation_types", "idrettslag"),
            ),
            by=users["plain_user"],
        )
    applicant = UserFactory()
    with run(execute=True):
        turned_down = organisation_register(
            organisation=Organisation(
                name=f"{WORDS['rejected organisation']} idrettslag".capitalize(),
                organisation_type=term("organisation_types", "idrettslag"),
            ),
            by=applicant,
        )
        organisation_decide(organisation=turned_down, by=staff, approve=True)
    with run(execute=True):
        organisation_decide(
            organisation=turned_down, by=staff, approve=False, reason="Ikke en forening."
        )

    grants = demo_grant_index_ensure()
    for key, publish_first in (
        ("grant scheme never published", False),
        ("unpublished grant scheme", True),
    ):
        page = GrantSchemePage(
            title=f"Tilskudd til {WORDS[key]}",
            slug=slugify(WORDS[key]),
            administrator="Arbeids- og velferdsetaten",
            purpose=f"Støtte til {WORDS[key]} i hele landet.",
            live=False,
        )
        page.applicant_types = [term("applicant_types", "privat-aktor")]
        with run(execute=True):
            grants.add_child(instance=page)
            revision = page.save_revision()
        if publish_first:
            with run(execute=True):
                revision.publish()
            with run(execute=True):
                GrantSchemePage.objects.get(pk=page.pk).unpublish()

    # A published scheme keeps its live title and text while an edit is only saved.
    word = WORDS["unpublished edit of a live grant scheme"]
    page = GrantSchemePage(
        title="Tilskudd til fritid",
        slug="tilskudd-til-fritid",
        administrator="Bufdir",
        purpose="Støtte til fritidsaktiviteter.",
    )
    with run(execute=True):
        grants.add_child(instance=page)
        page.save_revision().publish()
    page = GrantSchemePage.objects.get(pk=page.pk)
    page.title, page.purpose = f"Tilskudd til {word}", f"Nå også {word}."
    with run(execute=True):
        page.save_revision()

    models = prevention_index_ensure()
    for key in (
        "draft prevention model",
        "prevention model behind login",
        "prevention model behind a password",
    ):
        page = PreventionModelPage(
            title=f"Modellen {WORDS[key]}",
            slug=slugify(WORDS[key]),
            problem=f"Problemet {WORDS[key]} løser.",
            how_it_works="Slik virker det.",
            live=False,
        )
        page.themes = [term("themes", "mat")]
        with run(execute=True):
            models.add_child(instance=page)
            revision = page.save_revision()
        if key == "draft prevention model":
            continue
        with run(execute=True):
            revision.publish()
        restriction = {"restriction_type": PageViewRestriction.LOGIN}
        if key.endswith("password"):
            restriction = {"restriction_type": PageViewRestriction.PASSWORD, "password": "hemmelig"}
        with run(execute=True):
            PageViewRestriction.objects.create(page=page, **restriction)

    home = HomePage.objects.first()

    def content_page(parent, title, intro):
        return _content_page(run, parent, title, intro)

    word = WORDS["unpublished content page"]
    gone = content_page(home, f"Om {word}", f"Alt om {word}.")
    with run(execute=True):
        ContentPage.objects.get(pk=gone.pk).unpublish()
    internal = content_page(home, "Internt for veiledere", "Bare for innloggede.")
    word = WORDS["content page under a private page"]
    content_page(internal, f"Notat om {word}", f"Referat fra {word}.")
    with run(execute=True):
        PageViewRestriction.objects.create(
            page=internal, restriction_type=PageViewRestriction.LOGIN
        )

    word = WORDS["agreement"]
    with run(execute=True):
        agreement = agreement_save(
            agreement=Agreement(
                title=AGREEMENT_TITLE,
                purpose=f"Nav-kontoret og foreningen samarbeider om {word}.",
                agreement_type=term("agreement_types", "intensjonsavtale"),
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
    with run(execute=True):
        agreement = agreement_activate(agreement=agreement, by=staff)
    index_sync(backend)
    # The misspellings below must be ones a correction would reach, or they prove nothing.
    listed = SearchWord.objects.filter(word__in=[WORDS[k] for k in ONCE_PUBLIC])
    assert set(listed.values_list("word", flat=True)) == {WORDS[k] for k in ONCE_PUBLIC}
    with connection.cursor() as cursor:
        for word in WORDS.values():
            cursor.execute("SELECT similarity(%s, %s)", [typo(word), word])
            assert cursor.fetchone()[0] >= WORD_SIMILARITY, word
    return {"agreement": agreement, "live": live}


def _content_page(run, parent, title, intro):
    page = ContentPage(title=title, slug=slugify(title), intro=intro)
    with run(execute=True):
        parent.add_child(instance=page)
        page.save_revision().publish()
    return page


def visible_counts(user) -> dict[str, int]:
    """What each kind holds for `user` by the records' own rules, without the search tables."""
    counts = {
        "offer": Offer.objects.public().count(),
        "organisation": Organisation.objects.filter(status=Organisation.Status.APPROVED).count(),
        "grant_scheme": GrantSchemePage.objects.live().public().count(),
        "prevention_model": PreventionModelPage.objects.live().public().count(),
        "page": ContentPage.objects.live().public().count(),
        "agreement": Agreement.objects.filter(agreements_visible_filter(user)).count(),
    }
    return {kind: n for kind, n in counts.items() if n}


def leaks(backend, scopes, word: str) -> list[str]:
    """Every way `word` shows through for a searcher holding `scopes`; empty when none."""
    out = []
    results = backend.search_site(SiteQuery(text=word, scopes=scopes))
    if results.hits or results.total:
        out.append(f"found: {[h.title for h in results.hits]} total={results.total}")
    if any(v.count for v in results.kinds):
        out.append(f"type counts: {[(v.value, v.count) for v in results.kinds]}")
    counted = {(name, v.value): v.count for name, values in results.facets.items() for v in values}
    if any(counted.values()):
        out.append(f"facet counts: {counted}")
    for text in (word, word[:6]):
        titles = [s.title for s in backend.suggest(text, scopes=scopes)]
        if any(word in _fold(t) for t in titles):
            out.append(f"suggested for {text!r}: {titles}")
    misspelt = backend.search_site(SiteQuery(text=typo(word), scopes=scopes))
    if word in _fold(misspelt.suggestion):
        out.append(f"did you mean {misspelt.suggestion!r} for {typo(word)!r}")
    if misspelt.hits or misspelt.total:
        out.append(f"found by {typo(word)!r}: {[h.title for h in misspelt.hits]}")
    return out


@pytest.mark.parametrize("name", PARTIES + OUTSIDERS)
def test_hidden_records_show_nowhere(backend, hidden, people, name):
    scopes = search_scopes(people[name])
    problems = {
        what: found
        for what, word in WORDS.items()
        if what != "agreement" or name in OUTSIDERS
        for found in [leaks(backend, scopes, word)]
        if found
    }
    assert problems == {}

    # Browsing everything: each kind counts exactly what the records' own rules let this
    # user see, and no hidden facet value is counted.
    everything = backend.search_site(SiteQuery(scopes=scopes, per_page=100))
    assert {v.value: v.count for v in everything.kinds if v.count} == visible_counts(people[name])
    assert everything.total == sum(visible_counts(people[name]).values())
    titles = " ".join(_fold(hit.title) for hit in everything.hits)
    shown = [w for what, w in WORDS.items() if w in titles]
    assert shown == (["gaupesporingen"] if name in PARTIES else [])
    for facet, value in HIDDEN_FACETS.items():
        counts = {v.value: v.count for v in everything.facets.get(facet, [])}
        assert not counts.get(value), (facet, value)
        chosen = backend.search_site(SiteQuery(scopes=scopes, filters={facet: (value,)}))
        assert chosen.total == 0 and not chosen.hits, (facet, value)
        assert not any(v.count for v in chosen.kinds), (facet, value)
    agreement_facets = {
        (facet, v.value): v.count
        for facet in ("agreement_status", "agreement_types")
        for v in everything.facets.get(facet, [])
        if v.count
    }
    if name in PARTIES:
        assert agreement_facets == {
            ("agreement_status", "active"): 1,
            ("agreement_types", "intensjonsavtale"): 1,
        }
    else:
        assert agreement_facets == {}


@pytest.mark.parametrize("name", PARTIES)
def test_the_parties_find_their_agreement(backend, hidden, people, name):
    scopes = search_scopes(people[name])
    results = backend.search_site(SiteQuery(text=WORDS["agreement"], scopes=scopes))
    assert [(h.kind, h.title) for h in results.hits] == [("agreement", AGREEMENT_TITLE)]
    assert results.total == 1
    assert {v.value: v.count for v in results.kinds if v.count} == {"agreement": 1}
    assert {v.value: v.count for v in results.facets["agreement_status"]} == {"active": 1}
    only = backend.search_site(SiteQuery(text="samarbeid", kinds=("agreement",), scopes=scopes))
    assert [h.title for h in only.hits] == [AGREEMENT_TITLE]
    suggested = backend.suggest("gaupespor", scopes=scopes)
    assert [(s.kind, s.title) for s in suggested] == [("agreement", AGREEMENT_TITLE)]


def test_municipality_staff_lose_the_agreement_when_the_office_stops_serving_them(
    backend, hidden, people, world, django_capture_on_commit_callbacks
):
    scopes = search_scopes(people["municipality_staff"])
    word = WORDS["agreement"]
    assert backend.search_site(SiteQuery(text=word, scopes=scopes)).total == 1
    with django_capture_on_commit_callbacks(execute=True):
        world["office_x"].municipalities.remove(world["municipality"])
    index_sync(backend)
    assert leaks(backend, scopes, word) == []
    # Their own membership did not change; the agreement's audience did.
    assert search_scopes(people["municipality_staff"]) == scopes


def test_search_finds_exactly_the_agreements_the_agreement_rules_allow(
    backend, hidden, people, world
):
    """The search's audience keys against agreements_visible_filter, for every kind of party
    and every user: a municipality party, and one where a public service in Bergen is party."""
    bergen = Municipality.objects.get(code="4601")
    for title, party in (
        (
            "Avtale med kommunen om fritidskort",
            AgreementParty(
                kind=AgreementParty.Kind.MUNICIPALITY,
                municipality=world["municipality"],
                contact_role="Kommunalsjef",
            ),
        ),
        (
            "Avtale med Bergen om fritidskort",
            AgreementParty(
                kind=AgreementParty.Kind.MUNICIPALITY,
                municipality=bergen,
                contact_role="Kommunalsjef",
            ),
        ),
    ):
        agreement_save(
            agreement=Agreement(
                title=title,
                purpose="Fritidskort for barn i familier med lav inntekt.",
                agreement_type=term("agreement_types", "samarbeidsavtale-offentlig"),
                start_date=date(2026, 3, 1),
                renewal=Agreement.Renewal.TACIT,
                evaluation_interval_months=12,
            ),
            parties=[
                AgreementParty(
                    kind=AgreementParty.Kind.NAV_OFFICE,
                    nav_office=world["office_y"],
                    contact_role="Veileder",
                    contact_email="samarbeid@nav-y.example",
                ),
                party,
            ],
            by=world["users"]["nav_staff_y"],
        )
    site_reindex_all(["agreement"])
    index_sync(backend)
    for name, user in people.items():
        allowed = set(
            Agreement.objects.filter(agreements_visible_filter(user)).values_list(
                "title", flat=True
            )
        )
        results = backend.search_site(
            SiteQuery(kinds=("agreement",), scopes=search_scopes(user), per_page=50)
        )
        assert {h.title for h in results.hits} == allowed, name
        assert results.total == len(allowed), name


# --- Hiding and showing again, through the services, with the on-commit indexing ----------


def shows(backend, word: str, title: str) -> dict[str, object]:
    """What an anonymous searcher sees of the record called `title`, whose text has `word`."""
    results = backend.search_site(SiteQuery(text=word))
    misspelt = backend.search_site(SiteQuery(text=typo(word)))
    return {
        "hits": [h.title for h in results.hits],
        "total": results.total,
        "kinds": {v.value: v.count for v in results.kinds if v.count},
        "suggest": [s.title for s in backend.suggest(word[:6])],
        "did you mean": _fold(misspelt.suggestion),
        "browse": title in [h.title for h in backend.search_site(SiteQuery(per_page=100)).hits],
    }


def shown(kind: str, word: str, title: str, also=()) -> dict[str, object]:
    """What an anonymous searcher should see of a public record; `also` are (kind, title) of
    other records whose documents carry the word (an organisation lists its offers)."""
    kinds = {kind: 1}
    for other_kind, _title in also:
        kinds[other_kind] = kinds.get(other_kind, 0) + 1
    return {
        "hits": [title, *(t for _k, t in also)],
        "total": 1 + len(also),
        "kinds": kinds,
        "suggest": [title],
        "did you mean": word,
        "browse": True,
    }


NOT_SHOWN = {
    "hits": [],
    "total": 0,
    "kinds": {},
    "suggest": [],
    "did you mean": "",
    "browse": False,
}


def test_an_offer_leaves_search_when_paused_or_ended_and_returns_when_resumed(
    backend, world, publish, django_capture_on_commit_callbacks
):
    word, title = "hvalsafarien", "Hvalsafarien for familier"
    owner = world["users"]["owner_a"]
    offer = publish(title, "3301", DRAMMEN, summary=f"Bli med på {word}.", categories=["julehjelp"])
    index_sync(backend)
    # The organisation's document lists what its public offers are about, and only those.
    published = shown("offer", word, title, also=[("organisation", world["org_a"].name)])
    assert shows(backend, word, title) == published
    for action, expected in (("pause", NOT_SHOWN), ("resume", published), ("end", NOT_SHOWN)):
        with django_capture_on_commit_callbacks(execute=True):
            offer_set_visibility(offer=offer, by=owner, action=action)
        index_sync(backend)
        assert shows(backend, word, title) == expected, action
        counts = backend.search_offers(OfferQuery(filters={"categories": ("julehjelp",)}))
        assert counts.total == (1 if expected["total"] else 0), action


def test_an_organisation_leaves_search_when_rejected(
    backend, world, django_capture_on_commit_callbacks
):
    word = "orkideforeningen"
    title = "Orkideforeningen Bergen"
    staff = world["users"]["nav_staff_x"]
    with django_capture_on_commit_callbacks(execute=True):
        organisation = organisation_register(
            organisation=Organisation(name=title), by=world["users"]["plain_user"]
        )
    index_sync(backend)
    assert shows(backend, word, title)["total"] == 0
    with django_capture_on_commit_callbacks(execute=True):
        organisation_decide(organisation=organisation, by=staff, approve=True)
    index_sync(backend)
    assert shows(backend, word, title) == shown("organisation", word, title)
    with django_capture_on_commit_callbacks(execute=True):
        organisation_decide(organisation=organisation, by=staff, approve=False, reason="Dublett.")
    index_sync(backend)
    assert shows(backend, word, title) == NOT_SHOWN


def test_a_grant_scheme_leaves_search_when_unpublished_and_returns_when_published(
    backend, world, shell, publish, django_capture_on_commit_callbacks
):
    word = "tareskogene"
    title = f"Tilskudd til {word}"
    page = GrantSchemePage(
        title=title,
        slug=word,
        administrator="Arbeids- og velferdsetaten",
        purpose=f"Støtte til {word} langs kysten.",
    )
    with django_capture_on_commit_callbacks(execute=True):
        demo_grant_index_ensure().add_child(instance=page)
        page.save_revision().publish()
    index_sync(backend)
    assert shows(backend, word, title) == shown("grant_scheme", word, title)
    with django_capture_on_commit_callbacks(execute=True):
        GrantSchemePage.objects.get(pk=page.pk).unpublish()
    index_sync(backend)
    assert shows(backend, word, title) == NOT_SHOWN
    with django_capture_on_commit_callbacks(execute=True):
        GrantSchemePage.objects.get(pk=page.pk).save_revision().publish()
    index_sync(backend)
    assert shows(backend, word, title) == shown("grant_scheme", word, title)


def test_a_view_restriction_hides_a_published_prevention_model(
    backend, world, shell, publish, django_capture_on_commit_callbacks
):
    word = "sjekkpunktmodellen"
    title = f"Modellen {word}"
    page = PreventionModelPage(
        title=title, slug=word, problem=f"Hva {word} løser.", how_it_works="Slik."
    )
    with django_capture_on_commit_callbacks(execute=True):
        prevention_index_ensure().add_child(instance=page)
        page.save_revision().publish()
    index_sync(backend)
    assert shows(backend, word, title) == shown("prevention_model", word, title)
    with django_capture_on_commit_callbacks(execute=True):
        restriction = PageViewRestriction.objects.create(
            page=page, restriction_type=PageViewRestriction.PASSWORD, password="hemmelig"
        )
    index_sync(backend)
    assert shows(backend, word, title) == NOT_SHOWN
    with django_capture_on_commit_callbacks(execute=True):
        restriction.delete()
    index_sync(backend)
    assert shows(backend, word, title) == shown("prevention_model", word, title)


def test_pages_moved_under_a_private_page_leave_search(
    backend, world, shell, django_capture_on_commit_callbacks
):
    run, home = django_capture_on_commit_callbacks, HomePage.objects.first()
    private = _content_page(run, home, "Internt område", "Bare for innloggede.")
    with run(execute=True):
        PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.LOGIN)
    section = _content_page(run, home, "Veiledning for frivillige", "Slik kommer du i gang.")
    word = "havhestnotatet"
    title = f"Notat om {word}"
    _content_page(run, section, title, f"Referat fra {word}.")
    index_sync(backend)
    assert shows(backend, word, title) == shown("page", word, title)
    with run(execute=True):
        ContentPage.objects.get(pk=section.pk).move(private, pos="last-child")
    index_sync(backend)
    assert not ContentPage.objects.live().public().filter(title=title).exists()
    assert backend.search_site(SiteQuery(text="veiledning frivillige")).total == 0
    assert shows(backend, word, title) == NOT_SHOWN


# --- The HTTP layer passes the searcher's scopes -------------------------------------------


def _url(name: str) -> str:
    try:
        return reverse(name)
    except NoReverseMatch:
        pytest.skip(f"the URL {name!r} does not exist yet")


@pytest.mark.parametrize("name", ["site_search", "site_suggest"])
def test_the_pages_show_the_agreement_to_its_parties_only(backend, hidden, client, people, name):
    url, word = _url(name), WORDS["agreement"]
    agreement_link = f"/avtaler/{hidden['agreement'].pk}/"
    for user in ("anonymous", "rep_b", "nav_staff_y", "portal_editor", "nav_staff_x", "owner_a"):
        client.logout()
        if user != "anonymous":
            client.force_login(people[user])
        for q in (word, word[:6], "gaupespor"):
            response = client.get(url, {"q": q})
            assert response.status_code == 200
            html = response.content.decode()
            # The query itself is echoed in the search field: look for the record, not the word.
            assert (AGREEMENT_TITLE in html) is (user in PARTIES), (user, q)
            assert (agreement_link in html) is (user in PARTIES), (user, q)
        if name == "site_search":
            html = client.get(url, {"q": typo(word)}).content.decode()
            assert AGREEMENT_TITLE not in html and agreement_link not in html
        for what, other in WORDS.items():
            if what == "agreement":
                continue
            html = client.get(url, {"q": other}).content.decode()
            titles = re.findall(r'href="[^"]*"[^>]*>([^<]*)<', html)
            assert not [t for t in titles if other in _fold(t)], (user, what)
