"""Receivers that write the security audit log (portal.security_audit).

Unlike other receivers these write at once instead of enqueuing work: the audit row belongs to
the same transaction as the change it records, so a rolled-back approval leaves no trace and a
committed one cannot lose its row to a broker outage.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from wagtail.signals import workflow_approved, workflow_rejected

from portal.models import SecurityEvent
from portal.security_audit import security_event_record

Event = SecurityEvent.Event
# Set on an instance by pre_save: the tracked fields' values in the database before the save.
BEFORE = "_security_audit_before"
# Set on a user whose role change was just logged, so the group change that follows is not.
ROLE_LOGGED = "_security_audit_role_logged"


# --- Sign-in ----------------------------------------------------------------------------------


def on_logged_in(sender, request, user, **kwargs):
    security_event_record(event=Event.LOGIN, request=request, actor=user, instance=user)


def on_logged_out(sender, request, user, **kwargs):
    if user is not None:
        security_event_record(event=Event.LOGOUT, request=request, actor=user, instance=user)


def on_login_failed(sender, credentials, request=None, **kwargs):
    # The typed identifier is never stored (it may be a mistyped password); only the account it
    # names, when there is one.
    identifier = credentials.get("email") or credentials.get("username") or ""
    account = (
        get_user_model().objects.filter(email__iexact=identifier).first() if identifier else None
    )
    if account is not None:
        security_event_record(event=Event.LOGIN_FAILED, request=request, instance=account)
    else:
        security_event_record(
            event=Event.LOGIN_FAILED, request=request, target_label="ukjent konto"
        )


# --- MFA (allauth) ----------------------------------------------------------------------------


def _mfa_receiver(event):
    def receiver(sender, request, user, authenticator=None, **kwargs):
        # Recovery codes come and go with TOTP (allauth makes and drops them itself): the TOTP
        # event is the one a person caused. Regenerating them is logged (MFA_RESET).
        if (
            event in (Event.MFA_ADDED, Event.MFA_REMOVED)
            and authenticator is not None
            and authenticator.type == authenticator.Type.RECOVERY_CODES
        ):
            return
        security_event_record(
            event=event,
            request=request,
            # A wrong code means the account was not shown to be in that person's hands.
            actor=None if event == Event.MFA_FAILED else user,
            instance=user,
            target_label=f"{user} ({authenticator.get_type_display()})"
            if authenticator is not None
            else "",
        )

    return receiver


# --- Changes to tracked fields ----------------------------------------------------------------


def _remember(fields):
    """A pre_save receiver that reads the tracked fields' stored values, only when the save may
    change them (a login's update of last_login costs nothing)."""

    def receiver(sender, instance, update_fields=None, raw=False, **kwargs):
        if raw or instance._state.adding or instance.pk is None:
            return
        if update_fields is not None and not set(update_fields) & set(fields):
            return
        before = sender._base_manager.filter(pk=instance.pk).values(*fields).first()
        setattr(instance, BEFORE, before)

    return receiver


def _changed(instance, fields) -> dict | None:
    before = getattr(instance, BEFORE, None)
    if before is None:
        return None
    delattr(instance, BEFORE)
    changes = {
        f: (before[f], getattr(instance, f)) for f in fields if before[f] != getattr(instance, f)
    }
    return changes or None


ROLE_FIELDS = ("portal_role", "is_superuser")


def on_user_saved(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    label = None
    if created:
        if instance.portal_role or instance.is_superuser:
            label = f"{instance} (→ {instance.portal_role or 'superbruker'})"
    elif changes := _changed(instance, ROLE_FIELDS):
        if "portal_role" in changes:
            old, new = changes["portal_role"]
            label = f"{instance} ({old or 'ingen'} → {new or 'ingen'})"
        else:
            old, new = ("ja" if v else "nei" for v in changes["is_superuser"])
            label = f"{instance} (superbruker: {old} → {new})"
    if label is not None:
        security_event_record(event=Event.ROLE_CHANGED, instance=instance, target_label=label)
    setattr(instance, ROLE_LOGGED, label is not None)


def on_groups_changed(sender, instance, action, reverse, pk_set=None, **kwargs):
    """Wagtail groups carry admin permissions, so joining or leaving one is a role change too,
    unless the same save already logged the portal role that put the user there."""
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if action != "post_clear" and not pk_set:
        return  # Django signals an add of groups the user already had, with nothing in it
    users = list(get_user_model().objects.filter(pk__in=pk_set or ())) if reverse else [instance]
    for user in users:
        if getattr(user, ROLE_LOGGED, False):
            continue
        label = f"{user} (grupper endret)"
        security_event_record(event=Event.ROLE_CHANGED, instance=user, target_label=label)


def on_membership_saved(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    if created:
        security_event_record(event=Event.MEMBERSHIP_ADDED, instance=instance)
    elif _changed(instance, ("role",)):
        security_event_record(event=Event.MEMBERSHIP_CHANGED, instance=instance)


def on_membership_deleted(sender, instance, **kwargs):
    security_event_record(event=Event.MEMBERSHIP_REMOVED, instance=instance)


def _decision_receiver(field, approved, rejected):
    """Logs a moderation decision: the status field moving to its approved or rejected value."""

    def receiver(sender, instance, created, raw=False, **kwargs):
        if raw or created:
            return
        changes = _changed(instance, (field,))
        if not changes:
            return
        new = changes[field][1]
        if new == approved:
            security_event_record(event=Event.APPROVED, instance=instance)
        elif new == rejected:
            security_event_record(event=Event.REJECTED, instance=instance)

    return receiver


def on_workflow_decided(event):
    def receiver(sender, instance, user=None, **kwargs):
        page = instance.content_object
        security_event_record(event=event, actor=user, instance=getattr(page, "specific", page))

    return receiver


def on_export_saved(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        security_event_record(
            event=Event.EXPORT_REQUESTED,
            actor=instance.requested_by,
            instance=instance,
            target_label=f"Eksport #{instance.pk} ({instance.get_format_display()})",
        )


def _password_receiver(event):
    def receiver(sender, request, user, **kwargs):
        security_event_record(event=event, request=request, actor=user, instance=user)

    return receiver


def on_settings_saved(sender, instance, created, raw=False, **kwargs):
    """Administrators' settings decide who sees contact data, how long personal data is kept
    and when reminders go: a change to any of them is worth knowing about."""
    if not raw:
        security_event_record(
            event=Event.SETTINGS_CHANGED,
            target_type=instance._meta.label_lower,
            target_id=str(instance.pk),
            target_label=str(instance._meta.verbose_name),
        )


def connect() -> None:
    """Called from PortalConfig.ready()."""
    from allauth.account import signals as account_signals
    from allauth.mfa import signals as mfa_signals

    from agreements.models import AgreementSettings
    from directory.models import (
        CatalogueSettings,
        ContactSettings,
        MunicipalityMembership,
        NavOfficeMembership,
        Offer,
        Organisation,
        OrganisationClaim,
        OrganisationMembership,
    )
    from opendata.models import DataExport
    from portal.models import PrivacySettings

    User = get_user_model()
    uid = "portal.security_audit"
    user_logged_in.connect(on_logged_in, dispatch_uid=f"{uid}.login")
    user_logged_out.connect(on_logged_out, dispatch_uid=f"{uid}.logout")
    user_login_failed.connect(on_login_failed, dispatch_uid=f"{uid}.login_failed")
    for signal, event in (
        (mfa_signals.authenticator_added, Event.MFA_ADDED),
        (mfa_signals.authenticator_removed, Event.MFA_REMOVED),
        (mfa_signals.authenticator_reset, Event.MFA_RESET),
        (mfa_signals.authentication_failed, Event.MFA_FAILED),
    ):
        # weak=False: the receivers are closures that nothing else holds on to.
        signal.connect(_mfa_receiver(event), weak=False, dispatch_uid=f"{uid}.{event}")

    pre_save.connect(_remember(ROLE_FIELDS), sender=User, weak=False, dispatch_uid=f"{uid}.u0")
    post_save.connect(on_user_saved, sender=User, dispatch_uid=f"{uid}.user")
    m2m_changed.connect(on_groups_changed, sender=User.groups.through, dispatch_uid=f"{uid}.grp")
    for model in (NavOfficeMembership, OrganisationMembership, MunicipalityMembership):
        name = model._meta.model_name
        if hasattr(model, "Role"):  # a municipality membership has no role to change
            pre_save.connect(
                _remember(("role",)), sender=model, weak=False, dispatch_uid=f"{uid}.{name}.pre"
            )
        post_save.connect(on_membership_saved, sender=model, dispatch_uid=f"{uid}.{name}.save")
        post_delete.connect(on_membership_deleted, sender=model, dispatch_uid=f"{uid}.{name}.del")

    decisions = (
        (Offer, "moderation_status", Offer.ModerationStatus),
        (Organisation, "status", Organisation.Status),
        (OrganisationClaim, "status", OrganisationClaim.Status),
    )
    for model, field, choices in decisions:
        name = model._meta.model_name
        pre_save.connect(
            _remember((field,)), sender=model, weak=False, dispatch_uid=f"{uid}.{name}.pre"
        )
        post_save.connect(
            _decision_receiver(field, choices.APPROVED, choices.REJECTED),
            sender=model,
            weak=False,
            dispatch_uid=f"{uid}.{name}.decided",
        )
    # Prevention models are approved in Wagtail's moderation workflow.
    workflow_approved.connect(
        on_workflow_decided(Event.APPROVED), weak=False, dispatch_uid=f"{uid}.wf.approved"
    )
    workflow_rejected.connect(
        on_workflow_decided(Event.REJECTED), weak=False, dispatch_uid=f"{uid}.wf.rejected"
    )
    post_save.connect(on_export_saved, sender=DataExport, dispatch_uid=f"{uid}.export")

    for name, event in (
        ("password_changed", Event.PASSWORD_CHANGED),
        ("password_set", Event.PASSWORD_CHANGED),
        ("password_reset", Event.PASSWORD_RESET),
    ):
        getattr(account_signals, name).connect(
            _password_receiver(event), weak=False, dispatch_uid=f"{uid}.{name}"
        )
    for model in (ContactSettings, CatalogueSettings, AgreementSettings, PrivacySettings):
        post_save.connect(
            on_settings_saved, sender=model, dispatch_uid=f"{uid}.{model._meta.label_lower}"
        )
