import pytest

from directory.factories import (
    MunicipalityFactory,
    MunicipalityMembershipFactory,
    NavOfficeFactory,
    NavOfficeMembershipFactory,
    OrganisationFactory,
    OrganisationMembershipFactory,
)
from directory.models import NavOfficeMembership, OrganisationMembership
from portal.factories import UserFactory
from portal.models import User
from portal.services import user_set_portal_role


@pytest.fixture
def world(db):
    """Two organisations, two Nav offices, a municipality, and one user for every role."""
    from django.contrib.auth.models import AnonymousUser

    municipality = MunicipalityFactory()
    org_a, org_b = OrganisationFactory(), OrganisationFactory()
    office_x = NavOfficeFactory(municipalities=[municipality])
    office_y = NavOfficeFactory()
    users = {
        "anonymous": AnonymousUser(),
        "plain_user": UserFactory(),
        "owner_a": UserFactory(),
        "editor_a": UserFactory(),
        "rep_b": UserFactory(),
        "nav_staff_x": UserFactory(),
        "nav_leader_x": UserFactory(),
        "nav_staff_y": UserFactory(),
        "municipality_staff": UserFactory(),
        "portal_editor": UserFactory(),
        "administrator": UserFactory(),
    }
    owner, editor = OrganisationMembership.Role.OWNER, OrganisationMembership.Role.EDITOR
    OrganisationMembershipFactory(user=users["owner_a"], organisation=org_a, role=owner)
    OrganisationMembershipFactory(user=users["editor_a"], organisation=org_a, role=editor)
    OrganisationMembershipFactory(user=users["rep_b"], organisation=org_b, role=owner)
    NavOfficeMembershipFactory(user=users["nav_staff_x"], office=office_x)
    NavOfficeMembershipFactory(
        user=users["nav_leader_x"], office=office_x, role=NavOfficeMembership.Role.LEADER
    )
    NavOfficeMembershipFactory(user=users["nav_staff_y"], office=office_y)
    MunicipalityMembershipFactory(user=users["municipality_staff"], municipality=municipality)
    for key, role in (
        ("portal_editor", User.PortalRole.EDITOR),
        ("administrator", User.PortalRole.ADMINISTRATOR),
    ):
        NavOfficeMembershipFactory(user=users[key], office=office_y)
        user_set_portal_role(user=users[key], role=role, by=None)
        users[key].refresh_from_db()
    return {
        "users": users,
        "org_a": org_a,
        "org_b": org_b,
        "office_x": office_x,
        "office_y": office_y,
        "municipality": municipality,
    }


@pytest.fixture
def shell(db):
    """The site shell: home page, fixed content pages and footer settings."""
    from portal.services import site_shell_ensure

    site_shell_ensure()
