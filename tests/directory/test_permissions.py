"""The permission matrix: every role x object x action, against the predicates that views,
querysets, the admin and tasks all call."""

import pytest

from directory import permissions as p

ROLES = [
    "anonymous",
    "plain_user",
    "owner_a",
    "editor_a",
    "rep_b",
    "nav_staff_x",
    "nav_leader_x",
    "nav_staff_y",
    "municipality_staff",
    "portal_editor",
    "administrator",
]
EDITORS = {"portal_editor", "administrator"}

# (predicate, object key or None, roles allowed)
MATRIX = [
    (p.can_view_organisation, "org_a", set(ROLES)),
    (p.can_edit_organisation, "org_a", {"owner_a", "editor_a"} | EDITORS),
    (p.can_edit_organisation, "org_b", {"rep_b"} | EDITORS),
    (p.can_manage_organisation_members, "org_a", {"owner_a"} | EDITORS),
    (p.can_manage_organisation_members, "org_b", {"rep_b"} | EDITORS),
    (p.can_delete_organisation, "org_a", {"administrator"}),
    (p.can_view_nav_office, "office_x", set(ROLES)),
    (p.can_edit_nav_office, "office_x", {"nav_leader_x"} | EDITORS),
    (p.can_edit_nav_office, "office_y", EDITORS),
    (p.can_manage_nav_office_members, "office_x", {"nav_leader_x"} | EDITORS),
    (p.can_view_municipality, "municipality", set(ROLES)),
    (p.can_edit_municipality, "municipality", {"administrator"}),
    (p.can_manage_vocabularies, None, EDITORS),
    (p.can_manage_reference_data, None, {"administrator"}),
    (p.is_nav_staff, None, {"nav_staff_x", "nav_leader_x", "nav_staff_y"} | EDITORS),
    (p.is_municipality_staff, None, {"municipality_staff"}),
    (p.is_organisation_representative, None, {"owner_a", "editor_a", "rep_b"}),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("predicate", "obj", "allowed"),
    MATRIX,
    ids=[f"{pred.__name__}[{obj}]" for pred, obj, _ in MATRIX],
)
def test_permission_matrix(world, role, predicate, obj, allowed):
    user = world["users"][role]
    args = (user,) if obj is None else (user, world[obj])
    assert predicate(*args) is (role in allowed), f"{role} / {predicate.__name__} / {obj}"


def test_deactivated_member_loses_every_right(world):
    owner = world["users"]["owner_a"]
    owner.is_active = False
    owner.save()
    assert not p.can_edit_organisation(owner, world["org_a"])
    assert not p.is_organisation_representative(owner)


def test_one_person_can_hold_several_memberships(world):
    from directory.factories import OrganisationMembershipFactory

    staff = world["users"]["nav_staff_x"]
    OrganisationMembershipFactory(user=staff, organisation=world["org_b"])
    assert p.is_nav_staff(staff)
    assert p.can_edit_organisation(staff, world["org_b"])
    assert not p.can_edit_organisation(staff, world["org_a"])
