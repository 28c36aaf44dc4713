"""Signed one-click links expire and work once: a second use, or a late one, shows a clear
message and changes nothing."""

import re
import time
from datetime import timedelta
from html import unescape
from unittest import mock

import pytest
from django.core import mail
from django.utils import timezone

from directory.factories import offer_build
from directory.models import Offer, Organisation
from directory.services.deliveries import deliveries_dispatch
from directory.services.freshness import (
    confirmation_token,
    offer_confirm,
    offer_from_confirmation_token,
)
from directory.services.offers import offer_approve, offer_save_draft, offer_submit
from directory.services.reference_data import vocabularies_load

pytestmark = pytest.mark.django_db


@pytest.fixture
def offer(world, shell):
    vocabularies_load()
    Organisation.objects.filter(pk=world["org_a"].pk).update(status="approved")
    owner = world["users"]["owner_a"]
    draft = offer_save_draft(offer=offer_build(organisation=world["org_a"]), by=owner)
    offer_submit(offer=draft, by=owner)
    return offer_approve(offer=draft, by=world["users"]["nav_staff_x"])


def _state(offer):
    row = Offer.objects.get(pk=offer.pk)
    return row.last_verified_at, row.confirmation_due_at, row.verified_by_role


def _text(response) -> str:
    return unescape(re.sub(r"\s+", " ", response.content.decode()))


def test_a_confirmation_link_works_once(client, offer):
    url = f"/bekreft/{confirmation_token(offer)}/"
    assert "Fortsatt riktig" in _text(client.get(url))
    done = client.post(url)
    assert "Tilbudet er bekreftet" in _text(done)
    after_first = _state(offer)
    again = client.post(url)
    assert again.status_code == 400
    assert "Lenken er allerede brukt" in _text(again)
    assert _state(offer) == after_first


def test_an_expired_confirmation_link_is_refused_and_changes_nothing(client, offer):
    long_ago = time.time() - timedelta(days=400).total_seconds()
    with mock.patch("django.core.signing.time.time", return_value=long_ago):
        token = confirmation_token(offer)
    before = _state(offer)
    for response in (client.get(f"/bekreft/{token}/"), client.post(f"/bekreft/{token}/")):
        assert response.status_code == 400
        assert "Lenken er utløpt" in _text(response)
    assert _state(offer) == before


def test_a_link_stops_working_once_the_offer_is_confirmed_another_way(client, world, offer):
    token = confirmation_token(offer)
    offer_confirm(offer=offer, by=world["users"]["owner_a"], role="Koordinator")
    before = _state(offer)
    response = client.post(f"/bekreft/{token}/")
    assert response.status_code == 400 and "allerede brukt" in _text(response)
    assert _state(offer) == before


def test_two_clicks_at_once_confirm_once(offer):
    # Both requests passed the token check before either confirmed.
    first = offer_from_confirmation_token(confirmation_token(offer))
    second = Offer.objects.get(pk=offer.pk)
    later = timezone.now() + timedelta(minutes=5)
    offer_confirm(offer=first, via_token=True, role="via lenke")
    after_first = _state(offer)
    offer_confirm(offer=second, via_token=True, role="via lenke", now=later)
    assert _state(offer) == after_first


def test_a_password_reset_link_works_once(client, world):
    user = world["users"]["plain_user"]
    client.post("/konto/password/reset/", {"email": user.email})
    deliveries_dispatch()
    link = re.search(r"http://testserver(/konto/password/reset/key/\S+/)", mail.outbox[-1].body)
    assert link, mail.outbox[-1].body
    form = client.get(link.group(1), follow=True)
    set_url = form.redirect_chain[-1][0]
    password = "et-nytt-langt-passord-2026"
    done = client.post(set_url, {"password1": password, "password2": password})
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password(password)

    client.logout()
    again = client.get(link.group(1), follow=True)
    assert "ugyldig" in _text(again).lower()
    client.post(
        again.redirect_chain[-1][0] if again.redirect_chain else link.group(1),
        {"password1": "noe-helt-annet-2026", "password2": "noe-helt-annet-2026"},
    )
    user.refresh_from_db()
    assert user.check_password(password)
