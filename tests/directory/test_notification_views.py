"""«Varsler»: each user sees, opens and clears only their own notifications."""

import re
from html import unescape

import pytest

from directory.models import Notification

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))


def notify(user, title, *, link="", key=None):
    return Notification.objects.create(
        key=key or f"test:{user.pk}:{title}", user=user, title=title, body="Tekst.", link=link
    )


@pytest.fixture
def notes(world):
    owner, other = world["users"]["owner_a"], world["users"]["rep_b"]
    return {
        "local": notify(owner, "Evaluering av Matsentralen", link="/intern/avtaler/7/evaluering/"),
        "external": notify(owner, "Les mer", link="https://evil.example/"),
        "protocol_relative": notify(owner, "Les mer her", link="//evil.example/sti"),
        "foreign": notify(other, "Til noen andre", link="/min-side/"),
    }


def test_list_shows_own_notifications_with_unread_marked(client, world, notes):
    client.force_login(world["users"]["owner_a"])
    response = client.get("/varsler/")
    html = text(response)
    assert response.status_code == 200
    assert "Evaluering av Matsentralen" in html
    assert "Til noen andre" not in html
    assert "Du har 3 uleste varsler." in html
    assert html.count("Ulest") == 3
    assert "Varsler (3)" in html  # in the main menu


def test_empty_list_says_so(client, world):
    client.force_login(world["users"]["plain_user"])
    html = text(client.get("/varsler/"))
    assert "Du har ingen varsler." in html
    assert "Varsler (" not in html


def test_opening_marks_read_and_follows_only_local_links(client, world, notes):
    client.force_login(world["users"]["owner_a"])
    response = client.get(f"/varsler/{notes['local'].pk}/")
    assert response.status_code == 302
    assert response["Location"] == "/intern/avtaler/7/evaluering/"
    notes["local"].refresh_from_db()
    assert notes["local"].read_at is not None

    for name in ("external", "protocol_relative"):
        response = client.get(f"/varsler/{notes[name].pk}/")
        assert response["Location"] == "/varsler/"
    html = text(client.get("/varsler/"))
    assert "Ulest" not in html
    assert "Varsler (" not in html


def test_another_users_notification_is_not_found_and_stays_unread(client, world, notes):
    client.force_login(world["users"]["owner_a"])
    assert client.get(f"/varsler/{notes['foreign'].pk}/").status_code == 404
    notes["foreign"].refresh_from_db()
    assert notes["foreign"].read_at is None


def test_mark_all_read_touches_only_own_notifications(client, world, notes):
    client.force_login(world["users"]["owner_a"])
    assert client.get("/varsler/les-alle/").status_code == 405
    response = client.post("/varsler/les-alle/", follow=True)
    assert "Alle varslene er merket som lest." in text(response)
    assert not Notification.objects.filter(user=world["users"]["owner_a"]).unread().exists()
    assert Notification.objects.filter(user=world["users"]["rep_b"]).unread().count() == 1


def test_list_is_paginated(client, world):
    user = world["users"]["plain_user"]
    for number in range(25):
        notify(user, f"Varsel nummer {number}")
    client.force_login(user)
    first = text(client.get("/varsler/"))
    assert "Side 1 av 2" in first and "Varsel nummer 24" in first
    second = text(client.get("/varsler/", {"side": 2}))
    assert "Varsel nummer 0" in second and "Varsel nummer 24" not in second


def test_anonymous_is_sent_to_login(client, notes):
    for response in (
        client.get("/varsler/"),
        client.get(f"/varsler/{notes['local'].pk}/"),
        client.post("/varsler/les-alle/"),
    ):
        assert response.status_code == 302
        assert response["Location"].startswith("/konto/login/")
    notes["local"].refresh_from_db()
    assert notes["local"].read_at is None
