"""Keeping offers fresh: organisations re-confirm their offers on a schedule (DOMAIN.md 4.4).

A daily sweep queues reminders before the due date, hides offers that stay unconfirmed past the
grace period (never deleting them), and archives dated offers past their end date. Every
message has a key made of the offer, its due date and the stage, so a sweep that runs twice,
or twice at once, queues each message once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from directory import permissions as p
from directory.models import CatalogueSettings, Offer, OrganisationMembership
from directory.services.deliveries import Message, deliveries_enqueue
from directory.signals import announce_offers_changed

CONFIRM_SALT = "directory.offer-confirm"
ONGOING_KIND = "lopende"
DATED_KIND = "tidsavgrenset"


def _rules() -> CatalogueSettings:
    return CatalogueSettings.load()


def confirmation_due_after(moment: datetime) -> datetime:
    return moment + relativedelta(months=_rules().confirmation_interval_months)


def confirmation_token(offer: Offer) -> str:
    """A signed token bound to the offer's current due date: once the offer is confirmed the
    due date moves on and the old link stops working (single use)."""
    due = offer.confirmation_due_at.isoformat() if offer.confirmation_due_at else ""
    return signing.dumps({"offer": offer.pk, "due": due}, salt=CONFIRM_SALT)


def offer_from_confirmation_token(token: str) -> Offer:
    rules = _rules()
    max_age = timedelta(days=rules.first_reminder_days + rules.grace_period_days + 60)
    try:
        data = signing.loads(token, salt=CONFIRM_SALT, max_age=max_age)
    except signing.SignatureExpired as exc:
        raise ValidationError(
            _("Lenken er utløpt. Logg inn og bekreft tilbudet fra Min side.")
        ) from exc
    except signing.BadSignature as exc:
        raise ValidationError(_("Lenken er ugyldig.")) from exc
    offer = Offer.objects.filter(pk=data["offer"]).first()
    current_due = (
        offer.confirmation_due_at.isoformat() if offer and offer.confirmation_due_at else ""
    )
    if offer is None or current_due != data["due"]:
        raise ValidationError(_("Lenken er allerede brukt. Tilbudet er bekreftet."))
    return offer


@transaction.atomic
def offer_confirm(*, offer: Offer, by=None, role: str = "", via_token: bool = False, now=None):
    """«Fortsatt riktig»: the offer is current; a hidden-for-staleness offer becomes visible."""
    if not via_token and not p.can_edit_offer(by, offer):
        raise PermissionDenied(_("Du kan ikke bekrefte dette tilbudet."))
    now = now or timezone.now()
    token_due = offer.confirmation_due_at
    offer = Offer.objects.select_for_update().get(pk=offer.pk)
    if via_token and offer.confirmation_due_at != token_due:
        # Two clicks on one link at once both passed the token check; the first moved the due
        # date under this lock, so the second changes nothing (the link is single-use).
        return offer
    offer.last_verified_at = now
    offer.verified_by_role = role[:120]
    offer.confirmation_due_at = confirmation_due_after(now)
    if offer.visibility == Offer.Visibility.HIDDEN_STALE:
        offer.visibility = Offer.Visibility.VISIBLE
    offer.save(
        update_fields=["last_verified_at", "verified_by_role", "confirmation_due_at", "visibility"]
    )
    announce_offers_changed([offer.pk])
    return offer


def _recipients(offer_ids: list[int]) -> dict[int, list[str]]:
    result: dict[int, list[str]] = {}
    rows = (
        OrganisationMembership.objects.filter(
            organisation__offers__in=offer_ids, user__is_active=True
        )
        .values_list("organisation__offers", "user__email")
        .distinct()
    )
    for offer_id, email in rows:
        result.setdefault(offer_id, []).append(email)
    return result


def _messages(offers, stage: str, subject: str, body: str, with_link: bool) -> list[Message]:
    offers = list(offers)
    recipients = _recipients([o.pk for o in offers])
    messages = []
    for offer in offers:
        due = offer.confirmation_due_at.date().isoformat() if offer.confirmation_due_at else "-"
        link = f"{settings.SITE_URL}/bekreft/{confirmation_token(offer)}/" if with_link else ""
        context = {
            "title": offer.title,
            "due": timezone.localtime(offer.confirmation_due_at).strftime("%d.%m.%Y")
            if offer.confirmation_due_at
            else "",
            "link": link,
        }
        for email in recipients.get(offer.pk, []):
            messages.append(
                Message(
                    key=f"offer:{offer.pk}:{stage}:{due}:{email}",
                    recipient=email,
                    subject=subject % context,
                    body=body % context,
                    link=link,
                )
            )
    return messages


@transaction.atomic
def offers_freshness_sweep(*, now=None) -> dict[str, int]:
    """One pass of the freshness rules; returns what it did. Safe to run any number of times."""
    now = now or timezone.now()
    rules = _rules()
    live_visible = Offer.objects.filter(live=True, visibility=Offer.Visibility.VISIBLE)
    ongoing = live_visible.filter(kind__slug=ONGOING_KIND, confirmation_due_at__isnull=False)
    report = {"påminnelser": 0, "skjult": 0, "arkivert": 0}

    reminder_body = _(
        "Tilbudet «%(title)s» må bekreftes innen %(due)s for å bli liggende i "
        "Samarbeidsportalen.\n\nEr alt fortsatt riktig? Bekreft med ett klikk:\n%(link)s\n\n"
        "Har noe endret seg, logg inn og oppdater tilbudet under Min side."
    )
    # Disjoint windows: an offer gets the message for the stage it is in now, and each stage's
    # message at most once (the key holds the due date and the stage).
    first = now + timedelta(days=rules.first_reminder_days)
    second = now + timedelta(days=rules.second_reminder_days)
    grace_start = now - timedelta(days=rules.grace_period_days)
    stages = [
        (
            "reminder-first",
            ongoing.filter(confirmation_due_at__gt=second, confirmation_due_at__lte=first),
        ),
        (
            "reminder-second",
            ongoing.filter(confirmation_due_at__gt=now, confirmation_due_at__lte=second),
        ),
        ("due", ongoing.filter(confirmation_due_at__gt=grace_start, confirmation_due_at__lte=now)),
    ]
    for stage, due_soon in stages:
        report["påminnelser"] += deliveries_enqueue(
            _messages(
                due_soon,
                stage,
                _("Bekreft at «%(title)s» fortsatt er riktig"),
                reminder_body,
                with_link=True,
            )
        )

    stale = list(ongoing.filter(confirmation_due_at__lte=grace_start))
    if stale:
        Offer.objects.filter(pk__in=[o.pk for o in stale]).update(
            visibility=Offer.Visibility.HIDDEN_STALE
        )
        report["skjult"] = len(stale)
        announce_offers_changed([o.pk for o in stale])
        deliveries_enqueue(
            _messages(
                stale,
                "hidden",
                _("«%(title)s» er skjult fordi det ikke er bekreftet"),
                _(
                    "Tilbudet «%(title)s» ble ikke bekreftet innen fristen og vises ikke lenger i "
                    "søk. Det er ikke slettet. Bekreft det for å gjøre det synlig igjen:\n"
                    "%(link)s"
                ),
                with_link=True,
            )
        )

    ended = list(live_visible.filter(kind__slug=DATED_KIND, end_date__lt=timezone.localdate(now)))
    if ended:
        Offer.objects.filter(pk__in=[o.pk for o in ended]).update(
            visibility=Offer.Visibility.ARCHIVED
        )
        report["arkivert"] = len(ended)
        announce_offers_changed([o.pk for o in ended])
    return report
