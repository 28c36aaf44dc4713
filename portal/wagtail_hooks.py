from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from django.views.defaults import permission_denied
from wagtail import hooks
from wagtail.admin.views import generic
from wagtail.admin.views.generic import history, usage
from wagtail.admin.viewsets.model import ModelViewSet

from directory.admin_permissions import PredicatePermissionPolicy
from directory.permissions import is_portal_admin
from portal.models import SecurityEvent


@hooks.register("register_log_actions")
def register_portal_log_actions(actions):
    actions.register_action("portal.role_changed", _("Endret rolle"), _("Endret rolle i portalen"))


def _never(user) -> bool:
    return False


class _AdministratorsOnly:
    """Refuses with 403 instead of Wagtail's redirect to the dashboard: the log's existence is
    no secret, but the answer to anyone else must be an unambiguous no."""

    allowed = staticmethod(is_portal_admin)

    def dispatch(self, request, *args, **kwargs):
        if not self.allowed(request.user):
            return permission_denied(request, PermissionDenied())
        return super().dispatch(request, *args, **kwargs)


def _read_only(view_class):
    return type(
        view_class.__name__, (_AdministratorsOnly, view_class), {"allowed": staticmethod(_never)}
    )


def _admins_only(view_class):
    return type(view_class.__name__, (_AdministratorsOnly, view_class), {})


class SecurityEventViewSet(ModelViewSet):
    """The security audit log: read-only, for administrators only (everyone else gets 403)."""

    model = SecurityEvent
    icon = "lock"
    menu_label = _("Sikkerhetslogg")
    add_to_settings_menu = True
    copy_view_enabled = False
    inspect_view_enabled = True
    # No one may add or change rows (the policy says so); the create and edit views still need
    # a form class to exist.
    form_fields = ["event"]
    list_display = ["occurred_at", "event", "actor_display", "target_label", "ip"]
    list_filter = ["event", "occurred_at", "target_type"]
    list_per_page = 50
    inspect_view_fields = [
        "occurred_at",
        "event",
        "actor_display",
        "actor_ref",
        "target_type",
        "target_id",
        "target_label",
        "ip",
    ]
    index_view_class = _admins_only(generic.IndexView)
    inspect_view_class = _admins_only(generic.InspectView)
    history_view_class = _admins_only(history.HistoryView)
    usage_view_class = _admins_only(usage.UsageView)
    add_view_class = _read_only(generic.CreateView)
    edit_view_class = _read_only(generic.EditView)
    delete_view_class = _read_only(generic.DeleteView)
    permission_policy = PredicatePermissionPolicy(
        SecurityEvent,
        rules={"view": is_portal_admin, "add": _never, "change": _never, "delete": _never},
    )

    def get_queryset(self, request):
        return SecurityEvent.objects.select_related("actor")


@hooks.register("register_admin_viewset")
def register_security_event_viewset():
    return SecurityEventViewSet("security_events")
