"""Rich text: scripts, event handlers and javascript: links are removed when saved and are never
rendered, even when something wrote them to the database past the input rules."""

import json
import re

import pytest
from wagtail.admin.rich_text.converters.contentstate import ContentstateConverter
from wagtail.models import Page
from wagtail.rich_text import RichText

from directory.factories import offer_build
from directory.models import Offer, Organisation
from directory.services.offers import offer_approve, offer_save_draft, offer_submit
from directory.services.reference_data import vocabularies_load
from portal.models.pages import RICH_TEXT_FEATURES, ContentPage

pytestmark = pytest.mark.django_db

NASTY = (
    '<p onclick="alert(1)">Hei <strong>der</strong></p><script>alert(2)</script>'
    '<a href="javascript:alert(3)">lenke</a><img src="x" onerror="alert(4)">'
    '<a href="https://www.nav.no/" onmouseover="alert(5)">trygg lenke</a>'
    '<svg><script>alert(6)</script></svg><iframe src="https://evil.example/"></iframe>'
)
ACTIVE = re.compile(r"<script|<iframe|<svg|<img|\bon[a-z]+\s*=|javascript:", re.IGNORECASE)


def assert_inert(html: str):
    assert not ACTIVE.search(html), ACTIVE.search(html)


def assert_page_inert(html: str):
    """A whole page has its own external <script src> tags; nothing of the payload may remain."""
    assert "alert(" not in html and "javascript:" not in html and "evil.example" not in html
    assert not re.search(r"<[^>]*\son[a-z]+\s*=", html, re.IGNORECASE)
    assert not re.search(r"<script(?![^>]*\ssrc=)", html, re.IGNORECASE)


def _published_offer(world):
    vocabularies_load()
    Organisation.objects.update(status=Organisation.Status.APPROVED)
    owner, staff = world["users"]["owner_a"], world["users"]["nav_staff_x"]
    offer = offer_save_draft(
        offer=offer_build(organisation=world["org_a"], description=NASTY), by=owner
    )
    return offer_approve(offer=offer_submit(offer=offer, by=owner), by=staff)


def test_an_offer_description_is_cleaned_when_saved(world):
    offer = _published_offer(world)
    stored = Offer.objects.get(pk=offer.pk).description
    assert_inert(stored)
    assert "<strong>der</strong>" in stored and 'href="https://www.nav.no/"' in stored


def test_an_offer_description_is_cleaned_when_rendered_whatever_is_stored(client, world, shell):
    offer = _published_offer(world)
    # As if an import or an older rule had stored it raw.
    Offer.objects.filter(pk=offer.pk).update(description=NASTY)
    html = client.get(f"/tilbud/{offer.pk}/").content.decode()
    assert "Hei <strong>der</strong>" in html and "trygg lenke" in html
    assert_page_inert(html)


def test_wagtail_rich_text_from_the_editor_loses_javascript_links_on_save():
    converter = ContentstateConverter(RICH_TEXT_FEATURES)
    contentstate = {
        "blocks": [
            {
                "key": "a",
                "type": "unstyled",
                "depth": 0,
                "text": "lenke her",
                "inlineStyleRanges": [],
                "entityRanges": [{"offset": 0, "length": 5, "key": 0}],
                "data": {},
            }
        ],
        "entityMap": {
            "0": {"type": "LINK", "mutability": "MUTABLE", "data": {"url": "javascript:alert(1)"}}
        },
    }
    stored = converter.to_database_format(json.dumps(contentstate))
    assert "lenke" in stored
    assert_inert(stored)


def test_wagtail_rich_text_is_cleaned_when_rendered_whatever_is_stored(client, shell):
    home = Page.objects.get(depth=2)
    page = home.add_child(
        instance=ContentPage(
            title="Om portalen test",
            slug="om-portalen-test",
            body=[("paragraph", RichText(NASTY))],
        )
    )
    page.save_revision().publish()
    response = client.get(page.url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Hei <strong>der</strong>" in html and "trygg lenke" in html
    assert_page_inert(html)
