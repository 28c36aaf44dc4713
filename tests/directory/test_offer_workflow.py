"""Organisations register offers; Nav staff approve or reject; edits wait for review."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from directory import permissions as p
from directory.factories import offer_build
from directory.models import Offer, Organisation
from directory.services.offers import offer_approve, offer_reject, offer_save_draft, offer_submit
from directory.services.reference_data import vocabularies_load


@pytest.fixture
def offers_world(world):
    vocabularies_load()
    for org in (world["org_a"], world["org_b"]):
        org.status = Organisation.Status.APPROVED
        org.save()
    return world


def _submitted_offer(world, **fields):
    offer = offer_save_draft(
        offer=offer_build(organisation=world["org_a"], **fields), by=world["users"]["owner_a"]
    )
    return offer_submit(offer=offer, by=world["users"]["owner_a"])


def test_reject_with_reason_then_fix_resubmit_and_approve(
    offers_world, django_capture_on_commit_callbacks
):
    w = offers_world
    staff, owner = w["users"]["nav_staff_x"], w["users"]["owner_a"]
    offer = _submitted_offer(w)
    assert not Offer.objects.public().filter(pk=offer.pk).exists()
    assert Offer.objects.awaiting_moderation().filter(pk=offer.pk).exists()

    with django_capture_on_commit_callbacks(execute=True):
        offer_reject(offer=offer, by=staff, reason="Oppgi hvilken skole det gjelder.")
    offer.refresh_from_db()
    assert offer.moderation_status == "rejected"
    assert offer.rejection_reason == "Oppgi hvilken skole det gjelder."
    rejection_mails = [m for m in mail.outbox if "må endres" in m.subject]
    assert {m.to[0] for m in rejection_mails} == {owner.email, w["users"]["editor_a"].email}
    assert "Oppgi hvilken skole det gjelder." in rejection_mails[0].body

    draft = offer.get_latest_revision_as_object()
    draft.title = "Leksehjelp på Huseby skole"
    offer_save_draft(offer=draft, by=owner)
    offer_submit(offer=Offer.objects.get(pk=offer.pk), by=owner)
    with django_capture_on_commit_callbacks(execute=True):
        offer_approve(offer=offer, by=staff)

    public = Offer.objects.public().get(pk=offer.pk)
    assert public.title == "Leksehjelp på Huseby skole"
    assert public.moderation_status == "approved"
    assert public.rejection_reason == ""
    assert public.confirmation_due_at > public.last_verified_at
    assert public.locations.count() == 1
    assert [t.slug for t in public.categories.all()] == ["leksehjelp"]
    assert any("er godkjent" in m.subject for m in mail.outbox)


def test_edit_of_a_published_offer_waits_for_review_and_the_live_version_stays(offers_world):
    w = offers_world
    offer = offer_approve(offer=_submitted_offer(w), by=w["users"]["nav_staff_x"])
    edit = offer.get_latest_revision_as_object()
    edit.title = "Nytt navn som ikke er godkjent"
    offer_save_draft(offer=edit, by=w["users"]["owner_a"])
    offer_submit(offer=Offer.objects.get(pk=offer.pk), by=w["users"]["owner_a"])

    live = Offer.objects.public().get(pk=offer.pk)
    assert live.title == "Leksehjelp for ungdom"
    assert live.has_unpublished_changes
    assert live.get_latest_revision_as_object().title == "Nytt navn som ikke er godkjent"

    offer_reject(offer=live, by=w["users"]["nav_staff_x"], reason="Uklart navn.")
    assert Offer.objects.public().get(pk=offer.pk).title == "Leksehjelp for ungdom"


def test_offers_of_an_unapproved_organisation_cannot_be_published(offers_world):
    w = offers_world
    Organisation.objects.filter(pk=w["org_a"].pk).update(status=Organisation.Status.PENDING)
    offer = _submitted_offer(w)
    with pytest.raises(ValidationError, match="må godkjennes"):
        offer_approve(offer=offer, by=w["users"]["nav_staff_x"])


def test_rejection_needs_a_reason(offers_world):
    offer = _submitted_offer(offers_world)
    with pytest.raises(ValidationError):
        offer_reject(offer=offer, by=offers_world["users"]["nav_staff_x"], reason="  ")


@pytest.mark.parametrize("role", ["rep_b", "municipality_staff", "plain_user", "nav_staff_x"])
def test_others_cannot_edit_or_submit_an_organisations_offer(offers_world, role):
    w = offers_world
    offer = _submitted_offer(w)
    user = w["users"][role]
    with pytest.raises(PermissionDenied):
        offer_save_draft(offer=offer.get_latest_revision_as_object(), by=user)
    with pytest.raises(PermissionDenied):
        offer_submit(offer=offer, by=user)


@pytest.mark.parametrize("role", ["owner_a", "rep_b", "plain_user", "municipality_staff"])
def test_only_nav_staff_moderate(offers_world, role):
    offer = _submitted_offer(offers_world)
    with pytest.raises(PermissionDenied):
        offer_approve(offer=offer, by=offers_world["users"][role])


def test_representative_cannot_create_offers_for_another_organisation(offers_world):
    with pytest.raises(PermissionDenied):
        offer_save_draft(
            offer=offer_build(organisation=offers_world["org_b"]),
            by=offers_world["users"]["owner_a"],
        )


# Who may see an offer that is not public; a published offer is visible to every role.
NOT_PUBLIC_VIEWERS = {
    "owner_a",
    "editor_a",
    "nav_staff_x",
    "nav_leader_x",
    "nav_staff_y",
    "portal_editor",
    "administrator",
}


@pytest.mark.parametrize(
    "state", ["draft", "submitted", "rejected", "published", "hidden_stale", "archived"]
)
def test_who_sees_an_offer_in_each_state(offers_world, state):
    w = offers_world
    staff = w["users"]["nav_staff_x"]
    offer = offer_save_draft(offer=offer_build(organisation=w["org_a"]), by=w["users"]["owner_a"])
    if state != "draft":
        offer_submit(offer=offer, by=w["users"]["owner_a"])
    if state == "rejected":
        offer_reject(offer=offer, by=staff, reason="Mangler tidspunkt.")
    if state in ("published", "hidden_stale", "archived"):
        offer_approve(offer=offer, by=staff)
    if state in ("hidden_stale", "archived"):
        Offer.objects.filter(pk=offer.pk).update(visibility=state)
    offer = Offer.objects.get(pk=offer.pk)
    allowed = set(w["users"]) if state == "published" else NOT_PUBLIC_VIEWERS
    for role, user in w["users"].items():
        assert p.can_view_offer(user, offer) is (role in allowed), (role, state)
    assert Offer.objects.public().filter(pk=offer.pk).exists() is (state == "published")


def test_script_and_html_in_descriptions_are_sanitised(offers_world):
    offer = offer_save_draft(
        offer=offer_build(
            organisation=offers_world["org_a"],
            description=(
                '<p onclick="steal()">Hei <strong>alle</strong></p><script>alert(1)</script>'
                '<a href="javascript:alert(1)">x</a><img src=x onerror=alert(1)>'
                '<a href="https://example.org">lenke</a>'
            ),
        ),
        by=offers_world["users"]["owner_a"],
    )
    html = offer.get_latest_revision_as_object().description
    assert "<script" not in html and "onclick" not in html and "onerror" not in html
    assert "javascript:" not in html and "<img" not in html
    assert "<strong>alle</strong>" in html
    assert 'href="https://example.org"' in html


def test_invalid_age_range_is_refused_with_a_clear_message(offers_world):
    with pytest.raises(ValidationError, match="Øvre aldersgrense"):
        offer_save_draft(
            offer=offer_build(organisation=offers_world["org_a"], min_age=16, max_age=10),
            by=offers_world["users"]["owner_a"],
        )
    assert not Offer.objects.exists()


def _end_state(offer: Offer) -> dict:
    """What moderators, the history and the owners see of an offer, minus ids and times."""
    from wagtail.models import ModelLogEntry

    offer = Offer.objects.get(pk=offer.pk)
    ignored = {"id", "pk", "offer", "created_at", "updated_at", "submitted_at", "latest_revision"}
    # The bulk path numbers places and times 0, 1, ... in the order given; a form leaves them
    # unnumbered when there is one. Either way they are listed in that order.
    ignored.add("sort_order")

    def strip(value):
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k not in ignored}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    revision = offer.latest_revision
    return {
        "row": strip(offer.serializable_data()),
        "revision": strip(revision.content),
        "revision_by": revision.user_id,
        "revision_str": revision.object_str,
        "revisions": offer.revisions.count(),
        "log": list(
            ModelLogEntry.objects.filter(object_id=str(offer.pk)).values_list(
                "action", "user_id", "revision_id", "content_changed", "label"
            )
        ),
        "awaiting": Offer.objects.awaiting_moderation().filter(pk=offer.pk).exists(),
        "public": Offer.objects.public().filter(pk=offer.pk).exists(),
    }


def test_many_new_offers_at_once_end_as_one_by_one_draft_and_submit_would(offers_world):
    from directory.models import Municipality
    from directory.services.offers import offers_submit_new

    owner, org = offers_world["users"]["owner_a"], offers_world["org_a"]
    fields = {
        "municipality": Municipality.objects.first(),
        "description": "<p>Hei</p><script>alert(1)</script>",
        "min_age": 10,
        "max_age": 16,
        "categories": ["leksehjelp", "moteplass"],
    }
    one = _submitted_offer(offers_world, title="Én om gangen", **fields)
    [many, other] = offers_submit_new(
        offers=[
            offer_build(organisation=org, title="Mange samtidig", **fields),
            offer_build(organisation=org, title="Et til"),
        ],
        by=owner,
    )

    expected, got = _end_state(one), _end_state(many)
    # Each log entry names its own offer and revision.
    expected["log"] = [e[:2] + e[3:4] for e in expected["log"]]
    got["log"] = [e[:2] + e[3:4] for e in got["log"]]
    expected["row"].pop("title"), got["row"].pop("title")
    expected["revision"].pop("title"), got["revision"].pop("title")
    expected.pop("revision_str"), got.pop("revision_str")
    assert got == expected
    assert "<script>" not in Offer.objects.get(pk=many.pk).description
    assert many.latest_revision.object_str == "Mange samtidig"
    assert Offer.objects.get(pk=other.pk).locations.count() == 1


def test_many_new_offers_are_refused_whole_for_an_organisation_the_user_does_not_represent(
    offers_world,
):
    from directory.services.offers import offers_submit_new

    with pytest.raises(PermissionDenied):
        offers_submit_new(
            offers=[
                offer_build(organisation=offers_world["org_a"]),
                offer_build(organisation=offers_world["org_b"]),
            ],
            by=offers_world["users"]["owner_a"],
        )
    assert not Offer.objects.exists()


def test_many_new_offers_with_one_invalid_write_nothing(offers_world):
    from directory.services.offers import offers_submit_new

    org = offers_world["org_a"]
    with pytest.raises(ValidationError) as error:
        offers_submit_new(
            offers=[
                offer_build(organisation=org),
                offer_build(organisation=org, min_age=9, max_age=3),
            ],
            by=offers_world["users"]["owner_a"],
        )
    assert "Øvre aldersgrense kan ikke være lavere enn nedre." in error.value.messages
    assert not Offer.objects.exists()
