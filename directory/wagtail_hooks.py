"""The catalogue's reference data in the Wagtail admin, guarded by directory.permissions."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from directory import permissions as p
from directory.admin_permissions import PredicatePermissionPolicy
from directory.forms import StableSlugAdminForm
from directory.models import (
    County,
    Municipality,
    MunicipalityMembership,
    NavOffice,
    NavOfficeMembership,
    Organisation,
    OrganisationMembership,
    Term,
    Vocabulary,
)


def _editors(user):
    return p.is_portal_editor(user)


def _policy(model, *, add, change, delete, view=_editors, instance_rules=None):
    return PredicatePermissionPolicy(
        model,
        rules={"add": add, "change": change, "delete": delete, "view": view},
        instance_rules=instance_rules,
    )


class VocabularyViewSet(SnippetViewSet):
    model = Vocabulary
    icon = "list-ul"
    menu_label = _("Vokabularer")
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    edit_handler = ObjectList(
        [FieldPanel("name"), FieldPanel("slug"), FieldPanel("description")],
        base_form_class=StableSlugAdminForm,
    )
    permission_policy = _policy(
        Vocabulary,
        add=p.can_manage_reference_data,
        change=p.can_manage_vocabularies,
        delete=p.can_manage_reference_data,
    )


class TermViewSet(SnippetViewSet):
    model = Term
    icon = "tag"
    menu_label = _("Termer")
    list_display = ["label_nb", "slug", "vocabulary", "is_active"]
    list_filter = ["vocabulary", "is_active"]
    search_fields = ["label_nb", "label_en", "slug"]
    edit_handler = ObjectList(
        [
            FieldPanel("vocabulary"),
            FieldPanel("slug"),
            FieldPanel("label_nb"),
            FieldPanel("label_en"),
            FieldPanel("description_nb"),
            FieldPanel("sort_order"),
            FieldPanel("is_active"),
        ],
        base_form_class=StableSlugAdminForm,
    )
    permission_policy = _policy(
        Term,
        add=p.can_manage_vocabularies,
        change=p.can_manage_vocabularies,
        # Terms are deactivated, not deleted: a slug must never come back with a new meaning.
        delete=p.can_manage_reference_data,
    )


class MunicipalityViewSet(SnippetViewSet):
    model = Municipality
    icon = "site"
    menu_label = _("Kommuner")
    list_display = ["name", "code", "county"]
    list_filter = ["county"]
    search_fields = ["name", "code", "alternative_names"]
    panels = [
        FieldPanel("code"),
        FieldPanel("name"),
        FieldPanel("alternative_names"),
        FieldPanel("county"),
    ]
    permission_policy = _policy(
        Municipality,
        add=p.can_manage_reference_data,
        change=p.can_manage_reference_data,
        delete=p.can_manage_reference_data,
    )


class CountyViewSet(SnippetViewSet):
    model = County
    icon = "site"
    menu_label = _("Fylker")
    list_display = ["name", "code"]
    panels = [FieldPanel("code"), FieldPanel("name")]
    permission_policy = _policy(
        County,
        add=p.can_manage_reference_data,
        change=p.can_manage_reference_data,
        delete=p.can_manage_reference_data,
    )


class NavOfficeViewSet(SnippetViewSet):
    model = NavOffice
    icon = "group"
    menu_label = _("Nav-kontorer")
    list_display = ["name", "unit_number", "is_demo"]
    list_filter = ["is_demo", "management_form"]
    search_fields = ["name", "unit_number"]
    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("unit_number"),
        FieldPanel("municipalities"),
        FieldPanel("management_form"),
        FieldPanel("email"),
        FieldPanel("phone"),
        FieldPanel("visiting_address"),
        FieldPanel("is_demo"),
    ]
    permission_policy = _policy(
        NavOffice,
        add=_editors,
        change=_editors,
        delete=p.can_manage_reference_data,
        instance_rules={"change": p.can_edit_nav_office},
    )


class OrganisationViewSet(SnippetViewSet):
    model = Organisation
    icon = "group"
    menu_label = _("Organisasjoner")
    list_display = ["name", "organisation_number", "organisation_type", "is_demo"]
    list_filter = ["organisation_type", "in_frivillighetsregisteret", "is_demo"]
    search_fields = ["name", "organisation_number"]
    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("organisation_number"),
        FieldPanel("parent"),
        FieldPanel("organisation_type"),
        FieldPanel("in_frivillighetsregisteret"),
        FieldPanel("website"),
        FieldPanel("email"),
        FieldPanel("phone"),
        FieldPanel("municipalities"),
        FieldPanel("prevention_models"),
        FieldPanel("logo"),
        FieldPanel("status"),
        FieldPanel("rejection_reason"),
        FieldPanel("is_demo"),
    ]
    permission_policy = _policy(
        Organisation,
        add=_editors,
        change=_editors,
        delete=p.can_manage_reference_data,
        instance_rules={
            "change": p.can_edit_organisation,
            "delete": p.can_delete_organisation,
        },
    )


def _membership_policy(model):
    return _policy(model, add=_editors, change=_editors, delete=_editors)


class NavOfficeMembershipViewSet(SnippetViewSet):
    model = NavOfficeMembership
    icon = "user"
    menu_label = _("Ansatte i Nav-kontor")
    list_display = ["user", "office", "role"]
    list_filter = ["role", "office"]
    search_fields = ["user__email", "office__name"]
    panels = [FieldPanel("user"), FieldPanel("office"), FieldPanel("role")]
    permission_policy = _membership_policy(NavOfficeMembership)


class OrganisationMembershipViewSet(SnippetViewSet):
    model = OrganisationMembership
    icon = "user"
    menu_label = _("Representanter for organisasjoner")
    list_display = ["user", "organisation", "role"]
    list_filter = ["role"]
    search_fields = ["user__email", "organisation__name"]
    panels = [FieldPanel("user"), FieldPanel("organisation"), FieldPanel("role")]
    permission_policy = _membership_policy(OrganisationMembership)


class MunicipalityMembershipViewSet(SnippetViewSet):
    model = MunicipalityMembership
    icon = "user"
    menu_label = _("Ansatte i kommuner")
    list_display = ["user", "municipality"]
    search_fields = ["user__email", "municipality__name"]
    panels = [FieldPanel("user"), FieldPanel("municipality")]
    permission_policy = _membership_policy(MunicipalityMembership)


class DirectoryViewSetGroup(SnippetViewSetGroup):
    menu_label = _("Katalog")
    menu_icon = "folder-open-inverse"
    menu_order = 200
    items = (
        OrganisationViewSet,
        NavOfficeViewSet,
        VocabularyViewSet,
        TermViewSet,
        MunicipalityViewSet,
        CountyViewSet,
        NavOfficeMembershipViewSet,
        OrganisationMembershipViewSet,
        MunicipalityMembershipViewSet,
    )


register_snippet(DirectoryViewSetGroup)
