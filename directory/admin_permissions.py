"""Wagtail permission policies that ask directory.permissions instead of Django model perms, so
the admin and the front end follow the same rules."""

from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.db.models import Q
from wagtail.permission_policies.base import BasePermissionPolicy

from directory.permissions import EDITOR_ROLES

UserRule = Callable[[object], bool]
InstanceRule = Callable[[object, object], bool]


class PredicatePermissionPolicy(BasePermissionPolicy):
    def __init__(
        self,
        model,
        *,
        rules: dict[str, UserRule],
        instance_rules: dict[str, InstanceRule] | None = None,
    ):
        super().__init__(model)
        self.rules = rules
        self.instance_rules = instance_rules or {}

    def user_has_permission(self, user, action):
        rule = self.rules.get(action)
        return bool(rule and rule(user))

    def user_has_permission_for_instance(self, user, action, instance):
        rule = self.instance_rules.get(action)
        if rule is not None:
            return rule(user, instance)
        return self.user_has_permission(user, action)

    def users_with_any_permission(self, actions):
        # Only portal editors and administrators reach the admin, so they are the candidates.
        candidates = get_user_model().objects.filter(
            Q(is_superuser=True) | Q(portal_role__in=EDITOR_ROLES), is_active=True
        )
        allowed = [u.pk for u in candidates if self.user_has_any_permission(u, actions)]
        return candidates.filter(pk__in=allowed)
