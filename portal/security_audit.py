"""Writing the security audit log (portal.models.SecurityEvent).

Events come from allauth's, Django's and Wagtail's signals and from model signals
(portal.signal_handlers), not from our views, so every channel that changes a role or approves
something (front end, Wagtail admin, services called from tasks) is covered. Those receivers have
no request; SecurityAuditMiddleware remembers the current one so that they can still say who did
it and from which address.
"""

from __future__ import annotations

import contextvars
import logging

from django.db import models
from django.utils import timezone

from portal.models import SecurityEvent

logger = logging.getLogger(__name__)

_current_request: contextvars.ContextVar = contextvars.ContextVar(
    "security_audit_request", default=None
)


class SecurityAuditMiddleware:
    """Makes the current request known to signal receivers, and logs downloads of exports and
    signed agreement documents (files leaving the portal; the views that serve them belong to
    apps that do not import portal)."""

    # Files leaving the portal through views of other apps, by URL name: the event and the
    # URL argument that names the file.
    DOWNLOADS = {
        "opendata_export_download": (
            SecurityEvent.Event.EXPORT_DOWNLOADED,
            "pk",
            "opendata.dataexport",
            "Eksport",
        ),
        "agreement_document_download": (
            SecurityEvent.Event.DOCUMENT_DOWNLOADED,
            "document_pk",
            "agreements.agreementdocument",
            "Dokument",
        ),
    }

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current_request.set(request)
        try:
            response = self.get_response(request)
            match = getattr(request, "resolver_match", None)
            download = self.DOWNLOADS.get(match.url_name) if match is not None else None
            if download is not None and response.status_code == 200:
                event, argument, target_type, label = download
                target_id = str(match.kwargs.get(argument, ""))
                security_event_record(
                    event=event,
                    request=request,
                    target_type=target_type,
                    target_id=target_id,
                    target_label=f"{label} #{target_id}",
                )
            return response
        finally:
            _current_request.reset(token)


def current_request():
    return _current_request.get()


def request_ip(request) -> str | None:
    # REMOTE_ADDR only: X-Forwarded-For can be written by anyone unless a trusted proxy sets it.
    return (request.META.get("REMOTE_ADDR") or None) if request is not None else None


def _actor_of(request):
    user = getattr(request, "user", None) if request is not None else None
    return user if user is not None and user.is_authenticated else None


def target_of(instance: models.Model) -> dict[str, str]:
    """Type, id and label of a portal record. The label is the record's own str (a user's name
    or email, an organisation's name): never free text someone typed about another person."""
    return {
        "target_type": instance._meta.label_lower,
        "target_id": str(instance.pk),
        "target_label": str(instance)[:255],
    }


def security_event_record(
    *,
    event: str,
    request=None,
    actor=None,
    instance: models.Model | None = None,
    target_type: str = "",
    target_id: str = "",
    target_label: str = "",
    occurred_at=None,
) -> SecurityEvent:
    """Write one audit row; actor and IP come from the request when not given."""
    request = request if request is not None else current_request()
    if actor is None:
        actor = _actor_of(request)
    if instance is not None:
        target = target_of(instance)
        target_type, target_id = target["target_type"], target["target_id"]
        target_label = target_label or target["target_label"]
    row = SecurityEvent.objects.create(
        occurred_at=occurred_at or timezone.now(),
        actor=actor,
        actor_ref=str(actor.pk) if actor is not None else "",
        event=event,
        target_type=target_type,
        target_id=target_id,
        target_label=target_label[:255],
        ip=request_ip(request),
    )
    logger.debug(
        "security event %s by %s on %s:%s", event, row.actor_ref or "-", target_type, target_id
    )
    return row
