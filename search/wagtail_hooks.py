"""The synonym list in the Wagtail admin, for portal editors."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from directory.admin_permissions import PredicatePermissionPolicy
from search.models import SynonymGroup
from search.permissions import can_manage_synonyms


class SynonymGroupViewSet(SnippetViewSet):
    model = SynonymGroup
    icon = "search"
    menu_label = _("Synonymer for søk")
    add_to_admin_menu = True
    list_display = ["terms", "note", "updated_at"]
    search_fields = ["terms", "note"]
    edit_handler = ObjectList([FieldPanel("terms"), FieldPanel("note")])
    permission_policy = PredicatePermissionPolicy(
        SynonymGroup,
        rules=dict.fromkeys(("add", "change", "delete", "view"), can_manage_synonyms),
    )


register_snippet(SynonymGroupViewSet)
