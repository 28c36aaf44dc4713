import pytest

from portal import permissions as p

NAV_AND_EDITORS = {"nav_staff_x", "nav_leader_x", "nav_staff_y", "portal_editor", "administrator"}
MATRIX = [
    (p.requires_mfa, NAV_AND_EDITORS),
    (p.can_access_admin, {"portal_editor", "administrator"}),
    (p.can_access_internal, NAV_AND_EDITORS),
    (p.can_assign_portal_role, {"administrator"}),
]


@pytest.mark.parametrize(("predicate", "allowed"), MATRIX, ids=[m[0].__name__ for m in MATRIX])
def test_portal_permission_matrix(world, predicate, allowed):
    for role, user in world["users"].items():
        assert predicate(user) is (role in allowed), f"{role} / {predicate.__name__}"
