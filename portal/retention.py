"""Data retention: personal data the portal no longer needs is deleted on a schedule.

Periods come from PrivacySettings («Personvern og lagringstid»), which administrators edit in
Wagtail. Every step selects only what is still there to remove, so running the job twice (or on
two workers) does nothing the second time.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Exists, OuterRef, ProtectedError, Q
from django.utils import timezone

from directory.models import (
    Delivery,
    MunicipalityMembership,
    NavOfficeMembership,
    Organisation,
    OrganisationClaim,
    OrganisationMembership,
)
from portal.models import PrivacySettings, SecurityEvent
from portal.security_audit import security_event_record

logger = logging.getLogger(__name__)

# Stands in for a sent email's recipient once it is removed (the field may not be empty in forms,
# and the row itself stays: its unique key is what stops the email from going out again).
REMOVED_RECIPIENT = "fjernet@invalid"


@dataclass
class RetentionResult:
    accounts_deleted: int = 0
    accounts_kept_protected: int = 0
    organisation_contacts_cleared: int = 0
    claim_messages_cleared: int = 0
    deliveries_cleared: int = 0
    audit_ips_cleared: int = 0
    audit_events_deleted: int = 0


def unverified_accounts(*, now: datetime, days: int):
    """Accounts that signed up more than `days` ago and never confirmed their email.

    Only accounts that came through sign-up (they have an allauth address row) count: accounts an
    administrator made, and anyone with a role, a membership or a past login, are never touched.
    """
    User = get_user_model()
    verified = EmailAddress.objects.filter(user=OuterRef("pk"), verified=True)
    any_address = EmailAddress.objects.filter(user=OuterRef("pk"))
    memberships = [
        m.objects.filter(user=OuterRef("pk"))
        for m in (NavOfficeMembership, OrganisationMembership, MunicipalityMembership)
    ]
    qs = User.objects.filter(
        Exists(any_address),
        ~Exists(verified),
        date_joined__lt=now - timedelta(days=days),
        last_login__isnull=True,
        is_staff=False,
        is_superuser=False,
        portal_role="",
    )
    for m in memberships:
        qs = qs.filter(~Exists(m))
    return qs


def _accounts_delete(*, now: datetime, days: int, result: RetentionResult) -> None:
    for user in unverified_accounts(now=now, days=days).order_by("pk"):
        ref = str(user.pk)
        try:
            with transaction.atomic():
                user.delete()
                security_event_record(
                    event=SecurityEvent.Event.ACCOUNT_DELETED,
                    target_type="portal.user",
                    target_id=ref,
                    target_label=f"bruker #{ref}",
                    occurred_at=now,
                )
        except ProtectedError:
            # Something we must keep points at the account; leave it for a person to look at.
            result.accounts_kept_protected += 1
            logger.warning("retention: account %s not deleted, protected rows refer to it", ref)
        else:
            result.accounts_deleted += 1


def retention_sweep(*, now: datetime | None = None) -> RetentionResult:
    """Delete unverified accounts and stale personal data; returns what it removed."""
    now = now or timezone.now()
    rules = PrivacySettings.load()
    result = RetentionResult()

    _accounts_delete(now=now, days=rules.unverified_account_days, result=result)

    with transaction.atomic():
        # A rejected organisation never went public; its contact details serve no one. update()
        # leaves updated_at alone, so the rejection date stays what the cut-off is measured from.
        result.organisation_contacts_cleared = (
            Organisation.objects.filter(
                status=Organisation.Status.REJECTED,
                updated_at__lt=now - timedelta(days=rules.rejected_organisation_contact_days),
            )
            .filter(~Q(email="") | ~Q(phone=""))
            .update(email="", phone="")
        )
        # What someone wrote about themselves to get access, once the request is decided.
        result.claim_messages_cleared = (
            OrganisationClaim.objects.exclude(status=OrganisationClaim.Status.PENDING)
            .filter(decided_at__lt=now - timedelta(days=rules.claim_message_days))
            .filter(~Q(message="") | ~Q(decision_reason=""))
            .update(message="", decision_reason="")
        )
        result.deliveries_cleared = (
            Delivery.objects.filter(
                status=Delivery.Status.SENT,
                sent_at__lt=now - timedelta(days=rules.delivery_days),
            )
            .exclude(recipient=REMOVED_RECIPIENT)
            .update(recipient=REMOVED_RECIPIENT, body="")
        )
        result.audit_ips_cleared = SecurityEvent.objects.filter(
            occurred_at__lt=now - timedelta(days=rules.audit_ip_days), ip__isnull=False
        ).update(ip=None)
        result.audit_events_deleted, _ = SecurityEvent.objects.filter(
            occurred_at__lt=now - timedelta(days=rules.audit_days)
        ).delete()

    logger.info("retention sweep: %s", asdict(result))
    return result
