from django.utils.translation import gettext_lazy as _
from wagtail import hooks


@hooks.register("register_log_actions")
def register_portal_log_actions(actions):
    actions.register_action("portal.role_changed", _("Endret rolle"), _("Endret rolle i portalen"))
