"""Reads across agreements, parties and evaluations, always through the viewer's access."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import IntegerField, Prefetch, Q, QuerySet, Value

from agreements.models import (
    HEALTH_LABELS,
    Agreement,
    AgreementParty,
    AgreementSettings,
    Evaluation,
)

PARTY_RELATED = (
    "nav_office",
    "municipality",
    "organisation",
    "public_service",
    "public_service_municipality",
)


def _parties():
    return Prefetch("parties", queryset=AgreementParty.objects.select_related(*PARTY_RELATED))


def health_filter(health: str, today: date, ending_days: int) -> Q:
    """The dashboard's status filter in SQL; mirrors `Agreement.health`."""
    active = Q(status=Agreement.Status.ACTIVE)
    due = Q(next_evaluation_due__lte=today)
    ending = Q(end_date__lte=today + timedelta(days=ending_days))
    return {
        "draft": Q(status=Agreement.Status.DRAFT),
        "evaluation_due": active & due,
        "expiring": active & ~due & ending,
        "ok": active & ~due & ~Q(end_date__lte=today + timedelta(days=ending_days)),
        "ended": Q(status__in=[Agreement.Status.ENDED, Agreement.Status.EXPIRED]),
    }.get(health, Q())


@dataclass(frozen=True)
class AgreementFilters:
    q: str = ""
    health: str = ""
    agreement_type: int | None = None
    nav_office: int | None = None
    municipality: int | None = None
    mine: bool = False


def agreements_for_user(user, *, filters: AgreementFilters, today: date) -> QuerySet[Agreement]:
    """The agreements `user` may see, filtered, with what a list shows."""
    ending_days = AgreementSettings.load().ending_before_days
    qs = Agreement.objects.visible_to(user)
    if filters.q:
        qs = qs.filter(Q(title__icontains=filters.q) | Q(purpose__icontains=filters.q))
    if filters.health:
        qs = qs.filter(health_filter(filters.health, today, ending_days))
    if filters.agreement_type:
        qs = qs.filter(agreement_type_id=filters.agreement_type)
    if filters.nav_office:
        qs = qs.filter(parties__nav_office_id=filters.nav_office)
    if filters.municipality:
        qs = qs.filter(
            Q(parties__municipality_id=filters.municipality)
            | Q(parties__nav_office__municipalities=filters.municipality)
        )
    if filters.mine:
        from agreements.permissions import party_member_filter

        mine = AgreementParty.objects.filter(party_member_filter(user)).values("agreement_id")
        qs = qs.filter(pk__in=mine)
    return (
        qs.distinct()
        .select_related("agreement_type")
        .prefetch_related(_parties())
        .order_by("next_evaluation_due", "title", "pk")
    )


def agreements_dashboard(user, *, today: date) -> dict:
    """The three lists staff act on: evaluations coming up, overdue, and agreements ending."""
    settings = AgreementSettings.load()
    base = (
        Agreement.objects.visible_to(user)
        .active()
        .select_related("agreement_type")
        .prefetch_related(_parties())
        # The page labels each row's health; carrying the setting saves a read per row.
        .annotate(ending_days=Value(settings.ending_before_days, output_field=IntegerField()))
    )
    soon = today + timedelta(days=settings.reminder_before_days)
    return {
        "overdue": list(
            base.filter(next_evaluation_due__lt=today).order_by("next_evaluation_due")[:50]
        ),
        "due_soon": list(
            base.filter(next_evaluation_due__gte=today, next_evaluation_due__lte=soon).order_by(
                "next_evaluation_due"
            )[:50]
        ),
        "ending": list(
            base.filter(
                end_date__gte=today,
                end_date__lte=today + timedelta(days=settings.ending_before_days),
            ).order_by("end_date")[:50]
        ),
        "ending_days": settings.ending_before_days,
        "soon_days": settings.reminder_before_days,
    }


def agreement_for_display(pk: int, user) -> Agreement | None:
    return (
        Agreement.objects.visible_to(user)
        .select_related("agreement_type", "created_by")
        .prefetch_related(
            _parties(),
            "cooperation_forms",
            "target_groups",
            "offers__organisation",
            "documents",
            Prefetch(
                "evaluations",
                queryset=Evaluation.objects.select_related("decided_by").prefetch_related(
                    "responses__party"
                ),
            ),
        )
        .filter(pk=pk)
        .first()
    )


def health_label(agreement: Agreement, today: date, *, ending_days: int | None = None) -> str:
    """The label agrees with `health_filter`: both use `AgreementSettings.ending_before_days`
    (pass it in when labelling many agreements, to read the setting once)."""
    if ending_days is None:
        ending_days = getattr(agreement, "ending_days", None)  # set by agreements_dashboard
    if ending_days is None:
        ending_days = AgreementSettings.load().ending_before_days
    return str(HEALTH_LABELS[agreement.health(today, ending_days=ending_days)])


@dataclass(frozen=True)
class OfferAgreementBadge:
    """What the offer page says about agreements: the public learns that one exists; the
    parties see its health."""

    exists: bool
    agreements: list


def offer_agreement_badge(offer, user, *, today: date) -> OfferAgreementBadge:
    active = Agreement.objects.active().filter(offers=offer)
    exists = active.exists()
    visible = (
        list(
            active.visible_to(user)
            .order_by("title")
            .only(
                "pk",
                "title",
                "status",
                "end_date",
                "next_evaluation_due",
                "last_evaluated_on",
                "last_decision",
            )
        )
        if exists and getattr(user, "is_authenticated", False)
        else []
    )
    return OfferAgreementBadge(exists=exists, agreements=visible)
