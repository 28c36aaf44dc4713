"""The permission matrix (issue 9, «Access»): every role x every record and state x every way
of reaching it, checked against what a user actually gets back.

The expectations are data (`MATRIX`), written from the domain rules (DOMAIN.md and the
docstrings of the apps' permissions modules), not read off current behaviour, so a reader can
audit one table. Each row is (record, channel, roles that may see or do it, rule); one test per
row and role asks the portal through that channel and compares. «Seen» means the response
carries the record's own word (conftest.MARK), or, for writes, that the write happened. Every
role outside a row's set must get nothing: no page, no word, no count, no file, no email.
"""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from agreements.models import AgreementDocument
from directory.models import Offer, Organisation
from opendata import hsds
from opendata.models import DataImport
from tests.security.access.conftest import MARK, ROLES

pytestmark = pytest.mark.django_db

# --- Who ---------------------------------------------------------------------------------------

EVERYONE = frozenset(ROLES)
NOBODY = frozenset()
ORG_A = frozenset({"owner_a", "editor_a"})
EDITORS = frozenset({"portal_editor", "administrator"})  # administrators are editors too
# Moderators: every Nav office member, and portal editors (directory.permissions.is_nav_staff).
NAV = frozenset({"nav_staff_x", "nav_staff_y"}) | EDITORS
# Agreements are the parties' business (agreements.permissions): the members of a party, and
# municipality staff where a party Nav office serves their municipality. Never editors or
# administrators.
PARTIES_X = frozenset({"nav_staff_x", "owner_a", "editor_a", "municipality_staff"})
PARTIES_Y = frozenset({"nav_staff_y", "rep_b"})
# owner_a requested the world's catalogue export; its requester and portal editors (who help
# users with their files) may download it (opendata.permissions.can_download_export).
REQUESTER = frozenset({"owner_a"}) | EDITORS

# --- Offers: one row per state -----------------------------------------------------------------

# state -> (public: anyone may see it; live: published at some point and not withdrawn from the
# workflow; awaiting: waits for a moderator). Public means published, visible, and from an
# organisation Nav has approved (DOMAIN.md 4.3: offers go public only from approved
# organisations, and leave the catalogue when approval is withdrawn).
OFFER_STATES = {
    "offer_draft": (False, False, False),
    "offer_submitted": (False, False, True),
    "offer_rejected": (False, False, False),
    "offer_published": (True, True, False),
    # The word is in an edit awaiting review: the live version stays public meanwhile.
    "offer_pending_edit": (False, True, True),
    "offer_stale": (False, True, False),  # not re-confirmed: «skjult-utdatert»
    "offer_paused": (False, True, False),
    "offer_archived": (False, True, False),
    "offer_withdrawn_org": (False, True, False),
}
OFFER_OWNERS = dict.fromkeys(OFFER_STATES, ORG_A) | {"offer_withdrawn_org": NOBODY}


def _offer_rows():
    rows = []
    for key, (public, live, awaiting) in OFFER_STATES.items():
        # Representatives of the owning organisation and portal editors edit; moderators
        # (Nav staff) see every state (directory.permissions.can_view_offer_draft).
        editors = OFFER_OWNERS[key] | EDITORS
        insiders = editors | NAV
        # A pending edit: the public page shows the live version; the edit is for the
        # organisation and its moderators until approved.
        page = NOBODY if key == "offer_pending_edit" else EVERYONE if public else insiders
        found = EVERYONE if public else NOBODY  # search never lists what is not public
        archived = key == "offer_archived"
        rows += [
            (key, "page", page, "public, or the organisation and moderators"),
            (key, "print", page, "the handout follows the page"),
            (key, "edit", editors, "organisation representatives and portal editors"),
            (key, "review", NAV, "moderators see every state"),
            (key, "approve", NAV if awaiting else NOBODY, "moderators approve what waits"),
            (key, "end", editors if live and not archived else NOBODY, "owners end live offers"),
            (key, "site_search", found, "search: public only, hits and counts"),
            (key, "offer_search_htmx", found, "live results: public only"),
            (key, "suggest", found, "autocomplete: public only"),
            (key, "api_list", found, "HSDS API: public only"),
            (key, "api_detail", found, "HSDS API: public only"),
            (key, "api_places", found, "HSDS API: services at locations, public only"),
            (key, "organisation_page", found, "the organisation page lists public offers"),
            # The export file holds the public catalogue only, whoever asked for it.
            (key, "export_file", found & REQUESTER, "exports: public offers, requester only"),
        ]
    rows.append(
        ("offer_live_version", "page", EVERYONE, "a published offer stays up during review")
    )
    return rows


# --- Organisations ---------------------------------------------------------------------------

ORG_STATES = {
    # key -> (approved, members)
    "org_a": (True, ORG_A),
    "org_b": (False, frozenset({"rep_b"})),  # registered, waiting for Nav
    "org_withdrawn": (False, NOBODY),
    "org_rejected": (False, NOBODY),
}


def _organisation_rows():
    rows = []
    for key, (approved, members) in ORG_STATES.items():
        public = EVERYONE if approved else NOBODY
        rows += [
            (key, "page", EVERYONE if approved else members | EDITORS, "approved, or its own"),
            (key, "site_search", public, "search: approved organisations only"),
            (key, "suggest", public, "autocomplete: approved organisations only"),
            (key, "api_list", public, "HSDS API: approved organisations only"),
            (key, "api_detail", public, "HSDS API: approved organisations only"),
            (key, "export_file", public & REQUESTER, "exports: approved ones, requester only"),
            (key, "approve", NOBODY if approved else NAV, "Nav staff decide registrations"),
        ]
    return rows


# --- Agreements, their evaluations and documents -------------------------------------------


def _agreement_rows():
    rows = []
    for key, parties, active in (
        ("agreement_active", PARTIES_X, True),
        ("agreement_draft", PARTIES_X, False),
        ("agreement_y", PARTIES_Y, True),
    ):
        # Only staff of a party Nav office or municipality edit (agreements.permissions).
        editors = parties & frozenset({"nav_staff_x", "nav_staff_y"})
        rows += [
            (key, "detail", parties, "the parties only"),
            (key, "edit", editors, "the public side of the agreement"),
            (key, "history", parties, "the parties only"),
            (key, "list", parties, "the agreement list holds the parties' own"),
            (key, "site_search", parties, "search audience: the parties"),
            (key, "suggest", parties, "autocomplete audience: the parties"),
            (key, "calendar", parties if active else NOBODY, "feeds: active, visible ones"),
        ]
    rows += [
        ("evaluation", "detail", PARTIES_X, "an evaluation is part of its agreement"),
        # Each party answers for itself; municipality staff only see the agreement.
        ("evaluation", "respond", PARTIES_X - {"municipality_staff"}, "a party's members"),
        ("evaluation", "decide", frozenset({"nav_staff_x"}), "the Nav office party decides"),
        ("document", "download", PARTIES_X, "signed files for the parties only"),
        ("document", "remove", frozenset({"nav_staff_x"}), "the public side or the uploader"),
    ]
    return rows


# --- Grant schemes and prevention models (Wagtail pages) ------------------------------------


def _page_rows():
    rows = []
    for key, live in (
        ("grant_live", True),
        ("grant_draft", False),
        ("model_live", True),
        ("model_proposal", False),
    ):
        public = EVERYONE if live else NOBODY  # unpublished pages: editors preview in admin
        rows += [
            (key, "page", public, "live pages only"),
            (key, "listing", public, "the catalogue lists live pages"),
            (key, "site_search", public, "search: live pages only"),
            (key, "suggest", public, "autocomplete: live pages only"),
            (key, "admin_edit", EDITORS, "editors curate in the admin"),
        ]
        if key.startswith("grant"):
            rows.append((key, "ical", public, "deadline feeds: live schemes"))
    return rows


# --- Exports, imports, notifications, emails -----------------------------------------------

OTHER_ROWS = [
    ("export", "status_htmx", REQUESTER, "requester and editors"),
    ("export", "download", REQUESTER, "requester and editors"),
    # The import report names unpublished records: uploader (municipality staff) and editors.
    ("import", "detail", frozenset({"municipality_staff"}) | EDITORS, "uploader and editors"),
    ("import", "detail_htmx", frozenset({"municipality_staff"}) | EDITORS, "uploader, editors"),
    ("import", "apply", frozenset({"municipality_staff"}) | EDITORS, "uploader and editors"),
    ("notification", "list", frozenset({"owner_a"}), "one's own notifications"),
    ("notification", "open", frozenset({"owner_a"}), "one's own notifications"),
    # Emails: who hears about what.
    ("offer_rejected", "email", ORG_A, "the organisation hears Nav's decision"),
    ("prevention_proposal", "email", EDITORS, "editors approve model proposals"),
    ("agreement_active", "email", frozenset({"nav_staff_x", "owner_a", "editor_a"}), "parties"),
]

MATRIX = [*_offer_rows(), *_organisation_rows(), *_agreement_rows(), *_page_rows(), *OTHER_ROWS]


# --- How each channel is asked ---------------------------------------------------------------

COUNT = re.compile(r"(\d+) treff")
FACET_COUNT = re.compile(r'portal-facet__count">\((\d+)')


def _body(response) -> str:
    return response.content.decode(errors="replace")


def _has(response, key) -> bool:
    assert response.status_code < 500, response.status_code
    return response.status_code == 200 and MARK[key].lower() in _body(response).lower()


def _counts(body: str) -> list[int]:
    return [int(n) for n in COUNT.findall(body) + FACET_COUNT.findall(body)]


# Pages several rows read (a list, an organisation's page, the API's lists, the feed of all
# schemes) are asked once per role: every test starts from the same rolled-back world, so the
# answer is the same. Only read-only requests go through here.
_SHARED: dict = {}


def _shared_get(client, world, path, params=None):
    cache_key = (id(world), client.role, path, tuple(sorted((params or {}).items())))
    if cache_key not in _SHARED:
        _SHARED[cache_key] = client.get(path, params or {})
    return _SHARED[cache_key]


def _record(world, key):
    for group in ("offers", "orgs", "agreements", "grants", "models"):
        if key in world[group]:
            return world[group][key]
    raise KeyError(key)


def _url(world, key) -> str:
    """Where a record lives: a hit in search results links there."""
    if key in world["offers"]:
        return reverse("offer_detail", args=[world["offers"][key].pk])
    if key in world["orgs"]:
        return reverse("organisation_detail", args=[world["orgs"][key].slug])
    if key in world["agreements"]:
        return reverse("agreement_detail", args=[world["agreements"][key].pk])
    return _record(world, key).url or f"/{key}-is-not-routable/"


def _hit(response, world, key, counts=()) -> bool:
    """A search answer gave the record away: a link to it, or a count above zero (the query
    is a word only the record has). The query itself is echoed back, so the word is no sign."""
    assert response.status_code < 500, response.status_code
    body = _body(response)
    return f'href="{_url(world, key)}"' in body or any(int(n) for n in counts)


KINDS = {
    "offer": "offer",
    "org": "organisation",
    "agreement": "agreement",
    "grant": "grant_scheme",
    "model": "prevention_model",
}


def site_search(client, world, key) -> bool:
    """Found in the hits, or counted in the total or a facet. Asked for the record's kind
    only: another record may rightly carry the word (an agreement names its parties)."""
    kind = KINDS[key.split("_")[0]]
    response = client.get("/sok/", {"q": MARK[key], "type": kind})
    body = _body(response)
    counts = COUNT.findall(body)
    for group in body.split("<fieldset ")[1:]:
        if 'data-facet="type"' in group.split(">", 1)[0]:
            # Each group counts with every filter but its own: only this kind's count is ours.
            counts += re.findall(rf'value="{kind}".*?portal-facet__count">\((\d+)', group, re.S)
        else:
            counts += FACET_COUNT.findall(group)
    return _hit(response, world, key, counts)


def offer_search_htmx(client, world, key) -> bool:
    response = client.get("/tilbud/", {"q": MARK[key]}, HTTP_HX_REQUEST="true")
    body = _body(response)
    return _hit(response, world, key, re.findall(r"(\d+) tilbud<", body) + _counts(body))


def suggest(client, world, key) -> bool:
    return _hit(client.get("/sok/forslag/", {"q": MARK[key][:7]}), world, key)


def api_list(client, world, key) -> bool:
    path = "/api/hsds/services" if key.startswith("offer") else "/api/hsds/organizations"
    return _has(_shared_get(client, world, path, {"per_page": 100}), key)


def api_detail(client, world, key) -> bool:
    if key in world["orgs"]:
        org = world["orgs"][key]
        return _has(client.get(f"/api/hsds/organizations/{hsds.organisation_id(org)}"), key)
    offer = world["offers"][key]
    hsds_id = hsds.offer_id_from(pk=offer.pk, source_id=offer.source_id)
    return _has(client.get(f"/api/hsds/services/{hsds_id}"), key)


def api_places(client, world, key) -> bool:
    path = "/api/hsds/service_at_locations"
    return _has(_shared_get(client, world, path, {"per_page": 100, "full": "true"}), key)


def page(client, world, key) -> bool:
    if key.startswith(("offer", "offer_live")):
        offer = world["offers"].get(key) or world["offers"]["offer_pending_edit"]
        return _has(client.get(reverse("offer_detail", args=[offer.pk])), key)
    if key.startswith("org"):
        slug = world["orgs"][key].slug
        return _has(client.get(reverse("organisation_detail", args=[slug])), key)
    return _has(client.get(_record(world, key).url or f"/{key}-has-no-url/"), key)


def print_(client, world, key) -> bool:
    return _has(client.get(reverse("offer_print", args=[world["offers"][key].pk])), key)


def edit(client, world, key) -> bool:
    if key.startswith("agreement"):
        pk = world["agreements"][key].pk
        return _has(client.get(reverse("agreement_edit", args=[pk])), key)
    return _has(client.get(reverse("min_side_offer", args=[world["offers"][key].pk])), key)


def review(client, world, key) -> bool:
    return _has(client.get(reverse("moderation_offer", args=[world["offers"][key].pk])), key)


def approve(client, world, key) -> bool:
    if key.startswith("org"):
        # Fresh rows: the world's objects are shared by every test and must not change.
        organisation = Organisation.objects.get(pk=world["orgs"][key].pk)
        before = organisation.status
        client.post(
            reverse("moderation_organisation", args=[organisation.pk]), {"decision": "approve"}
        )
        organisation.refresh_from_db()
        approved = Organisation.Status.APPROVED
        return before != approved and organisation.status == approved
    offer = Offer.objects.get(pk=world["offers"][key].pk)
    before = (offer.moderation_status, offer.live_revision_id)
    client.post(reverse("moderation_offer", args=[offer.pk]), {"decision": "approve"})
    offer.refresh_from_db()
    return (
        offer.moderation_status == Offer.ModerationStatus.APPROVED
        and (offer.moderation_status, offer.live_revision_id) != before
    )


def end(client, world, key) -> bool:
    offer = world["offers"][key]
    client.post(reverse("min_side_offer_visibility", args=[offer.pk]), {"action": "end"})
    visibility = Offer.objects.values_list("visibility", flat=True).get(pk=offer.pk)
    return visibility != offer.visibility and visibility == Offer.Visibility.ARCHIVED


def organisation_page(client, world, key) -> bool:
    slug = world["offers"][key].organisation.slug
    return _has(_shared_get(client, world, reverse("organisation_detail", args=[slug])), key)


def detail(client, world, key) -> bool:
    if key == "evaluation":
        evaluation = world["evaluation"]
        url = reverse("evaluation_detail", args=[evaluation.agreement_id, evaluation.pk])
        response = client.get(url)
        assert response.status_code < 500
        # An open evaluation's page is the answer page; decided ones have their own.
        respond = reverse("evaluation_respond", args=[evaluation.agreement_id])
        return response.status_code == 200 or (
            response.status_code == 302 and response["Location"] == respond
        )
    if key == "import":
        return _has(client.get(reverse("opendata_import_detail", args=[world["import"].pk])), key)
    return _has(client.get(reverse("agreement_detail", args=[world["agreements"][key].pk])), key)


def history(client, world, key) -> bool:
    pk = world["agreements"][key].pk
    return _has(client.get(reverse("agreement_history", args=[pk])), key)


def list_(client, world, key) -> bool:
    if key == "notification":
        return _has(client.get(reverse("notification_list")), key)
    return _has(_shared_get(client, world, reverse("agreement_list")), key)


def calendar(client, world, key) -> bool:
    # Feeds are read by calendar programs, without a session: the token says whose it is.
    token = world["feeds"].get(client.role)
    if token is None:
        return False
    return _has(Client().get(reverse("calendar_feed", args=[token])), key)


def respond(client, world, key) -> bool:
    pk = world["evaluation"].agreement_id
    response = client.get(reverse("evaluation_respond", args=[pk]))
    assert response.status_code < 500
    # Someone who only sees the agreement gets the page without the answer form.
    return response.status_code == 200 and 'name="goals_met"' in _body(response)


def decide(client, world, key) -> bool:
    pk = world["evaluation"].agreement_id
    response = client.get(reverse("evaluation_decide", args=[pk]))
    assert response.status_code < 500
    return response.status_code == 200 and 'name="decision"' in _body(response)


def download(client, world, key) -> bool:
    if key == "export":
        url = reverse("opendata_export_download", args=[world["export"].pk])
    else:
        document = world["document"]
        url = reverse("agreement_document_download", args=[document.agreement_id, document.pk])
    response = client.get(url)
    assert response.status_code < 500
    if response.status_code != 200:
        return False
    content = b"".join(response.streaming_content)
    return content.startswith(b"%PDF") if key == "document" else content.startswith(b"PK")


def export_file(client, world, key) -> bool:
    response = _shared_get(
        client, world, reverse("opendata_export_download", args=[world["export"].pk])
    )
    if response.status_code != 200:
        return False
    if not hasattr(response, "unpacked"):
        archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
        response.unpacked = " ".join(
            archive.read(name).decode("utf-8", errors="replace") for name in archive.namelist()
        )
    return MARK[key].lower() in response.unpacked.lower()


def remove(client, world, key) -> bool:
    document = world["document"]
    client.post(reverse("agreement_document_remove", args=[document.agreement_id, document.pk]))
    return not AgreementDocument.objects.filter(pk=document.pk).exists()


def listing(client, world, key) -> bool:
    return _has(_shared_get(client, world, _record(world, key).get_parent().url), key)


def admin_edit(client, world, key) -> bool:
    response = client.get(reverse("wagtailadmin_pages:edit", args=[_record(world, key).pk]))
    return _has(response, key)


def ical(client, world, key) -> bool:
    page_id = world["grants"][key].pk
    one = client.get(reverse("grant_calendar", args=[page_id]))
    every = _shared_get(client, world, reverse("grant_calendar_all"))
    return _has(one, key) or _has(every, key)


def status_htmx(client, world, key) -> bool:
    url = reverse("opendata_export_status", args=[world["export"].pk])
    response = client.get(url, HTTP_HX_REQUEST="true")
    assert response.status_code < 500
    return response.status_code == 200


def detail_htmx(client, world, key) -> bool:
    url = reverse("opendata_import_detail", args=[world["import"].pk])
    return _has(client.get(url, HTTP_HX_REQUEST="true"), key)


def apply(client, world, key) -> bool:
    data_import = DataImport.objects.get(pk=world["import"].pk)
    assert data_import.status == DataImport.Status.CHECKED, [
        row.get("reasons") for row in data_import.report["rows"]
    ]
    client.post(reverse("opendata_import_apply", args=[data_import.pk]))
    data_import.refresh_from_db()
    return data_import.status != DataImport.Status.CHECKED


def open_(client, world, key) -> bool:
    response = client.get(reverse("notification_open", args=[world["notification"].pk]))
    assert response.status_code < 500
    return response.status_code == 302 and response["Location"] == "/min-side/"


def email(client, world, key) -> bool:
    return client.role in world["emails"][key]


PROBES = {
    "page": page,
    "print": print_,
    "edit": edit,
    "review": review,
    "approve": approve,
    "end": end,
    "site_search": site_search,
    "offer_search_htmx": offer_search_htmx,
    "suggest": suggest,
    "api_list": api_list,
    "api_detail": api_detail,
    "api_places": api_places,
    "organisation_page": organisation_page,
    "detail": detail,
    "history": history,
    "list": list_,
    "calendar": calendar,
    "respond": respond,
    "decide": decide,
    "download": download,
    "remove": remove,
    "export_file": export_file,
    "listing": listing,
    "admin_edit": admin_edit,
    "ical": ical,
    "status_htmx": status_htmx,
    "detail_htmx": detail_htmx,
    "apply": apply,
    "open": open_,
    "email": email,
}

CASES = [
    pytest.param(key, channel, role, role in allowed, id=f"{key}-{channel}-{role}")
    for key, channel, allowed, _rule in MATRIX
    for role in ROLES
]


def test_the_matrix_covers_every_role_and_names_a_rule():
    assert {channel for _k, channel, _a, _r in MATRIX} <= set(PROBES)
    for key, channel, allowed, rule in MATRIX:
        assert allowed <= EVERYONE and rule, (key, channel)
    assert len({(k, c) for k, c, _a, _r in MATRIX}) == len(MATRIX)


@pytest.mark.parametrize(("key", "channel", "role", "allowed"), CASES)
def test_access(matrix_world, key, channel, role, allowed):
    client = Client()
    client.role = role
    if role != "anonymous":
        client.cookies[settings.SESSION_COOKIE_NAME] = matrix_world["sessions"][role]
    seen = PROBES[channel](client, matrix_world, key)
    assert seen == allowed, (
        f"{role} {'could not' if allowed else 'COULD'} reach {key} through {channel}"
    )
