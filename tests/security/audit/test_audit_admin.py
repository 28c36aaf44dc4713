"""Administrators read the audit log in the Wagtail admin; no one else can, and no one can
change it there."""

import re

import pytest

from portal.models import SecurityEvent
from portal.security_audit import security_event_record

pytestmark = pytest.mark.django_db

LIST = "/admin/security_events/"


@pytest.fixture
def event(world):
    return security_event_record(
        event=SecurityEvent.Event.APPROVED,
        actor=world["users"]["nav_staff_x"],
        instance=world["org_a"],
    )


def test_administrator_sees_the_log_with_filters_and_details(world, admin_login, event):
    client = admin_login(world["users"]["administrator"])
    response = client.get(LIST)
    assert response.status_code == 200
    html = response.content.decode()
    assert world["org_a"].name in html
    assert "Godkjent" in html
    assert 'name="event"' in html  # the event filter
    assert f"{LIST}inspect/{event.pk}/" in html
    detail = client.get(f"{LIST}inspect/{event.pk}/")
    assert detail.status_code == 200
    assert str(world["users"]["nav_staff_x"]) in detail.content.decode()

    filtered = client.get(LIST, {"event": SecurityEvent.Event.LOGOUT})
    assert world["org_a"].name not in filtered.content.decode()

    settings_menu = client.get("/admin/").content.decode()
    assert "Sikkerhetslogg" in settings_menu


def test_nobody_can_add_change_or_delete_rows_in_the_admin(world, admin_login, event):
    client = admin_login(world["users"]["administrator"])
    for path in ("new/", f"edit/{event.pk}/", f"delete/{event.pk}/"):
        assert client.get(f"{LIST}{path}").status_code in (403, 404), path
    assert client.post(f"{LIST}delete/{event.pk}/").status_code in (403, 404)
    assert SecurityEvent.objects.filter(pk=event.pk).exists()
    html = client.get(LIST).content.decode()
    assert not re.search(rf'href="{LIST}(new|edit|delete)/', html)


def test_portal_editor_gets_403_and_no_menu_item(world, admin_login, event):
    client = admin_login(world["users"]["portal_editor"])
    assert client.get("/admin/").status_code == 200
    assert client.get(LIST).status_code == 403
    assert client.get(f"{LIST}inspect/{event.pk}/").status_code == 403
    assert "Sikkerhetslogg" not in client.get("/admin/").content.decode()


@pytest.mark.parametrize("role", ["nav_leader_x", "owner_a", "municipality_staff", "anonymous"])
def test_everyone_else_is_kept_out(client, world, admin_login, event, role):
    user = world["users"][role]
    if user.is_authenticated:
        admin_login(user)
    response = client.get(LIST)
    assert response.status_code in (302, 403)
    assert world["org_a"].name not in response.content.decode()
