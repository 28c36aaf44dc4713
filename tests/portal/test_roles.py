import pytest
from django.core.exceptions import PermissionDenied
from wagtail.models import ModelLogEntry

from portal.factories import UserFactory
from portal.models import User
from portal.services import EDITOR_GROUP_NAME, user_set_portal_role

pytestmark = pytest.mark.django_db


def test_administrator_makes_someone_editor_and_it_is_audited(world):
    admin = world["users"]["administrator"]
    target = UserFactory()
    user_set_portal_role(user=target, role=User.PortalRole.EDITOR, by=admin)
    target.refresh_from_db()
    assert target.portal_role == "editor"
    assert target.groups.filter(name=EDITOR_GROUP_NAME).exists()
    assert target.has_perm("wagtailadmin.access_admin")
    entry = ModelLogEntry.objects.filter(action="portal.role_changed").latest("timestamp")
    assert entry.user == admin
    assert entry.object_id == str(target.pk)
    assert entry.data == {"from": "", "to": "editor"}


def test_removing_the_role_removes_admin_access(world):
    editor = world["users"]["portal_editor"]
    user_set_portal_role(user=editor, role="", by=world["users"]["administrator"])
    editor = User.objects.get(pk=editor.pk)
    assert not editor.has_perm("wagtailadmin.access_admin")


@pytest.mark.parametrize("role", ["portal_editor", "nav_leader_x", "owner_a"])
def test_only_administrators_assign_roles(world, role):
    with pytest.raises(PermissionDenied):
        user_set_portal_role(user=UserFactory(), role="editor", by=world["users"][role])


def test_unknown_role_is_refused(world):
    with pytest.raises(ValueError, match="Ukjent rolle"):
        user_set_portal_role(user=UserFactory(), role="superhelt", by=None)
