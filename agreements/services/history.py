"""The change history of an agreement: a snapshot after every change, and the difference to the
previous snapshot in words people can read."""

from __future__ import annotations

from django.utils.translation import gettext as _

from agreements.models import Agreement, AgreementVersion

TRACKED_FIELDS = [
    "title",
    "purpose",
    "agreement_type",
    "legal_basis",
    "meetings",
    "start_date",
    "end_date",
    "renewal",
    "notice_months",
    "evaluation_interval_months",
    "next_evaluation_due",
    "status",
    "dormant",
]


def _display(agreement: Agreement, field: str) -> str:
    value = getattr(agreement, field)
    if value is None or value == "":
        return "–"
    if field in ("status", "renewal"):
        return str(getattr(agreement, f"get_{field}_display")())
    if isinstance(value, bool):
        return _("Ja") if value else _("Nei")
    if hasattr(value, "strftime"):
        return value.strftime("%d.%m.%Y")
    return str(value)


def agreement_snapshot(agreement: Agreement) -> dict[str, str]:
    """Every tracked value as displayed, including parties, offers and vocabularies."""
    data = {field: _display(agreement, field) for field in TRACKED_FIELDS}
    data["parties"] = "; ".join(
        f"{p.name} ({p.contact_role}{', ' + p.contact_email if p.contact_email else ''})"
        + (f": {p.responsibilities}" if p.responsibilities else "")
        for p in agreement.parties.all()
    )
    data["offers"] = ", ".join(sorted(o.title for o in agreement.offers.all()))
    data["cooperation_forms"] = ", ".join(
        sorted(t.label_nb for t in agreement.cooperation_forms.all())
    )
    data["target_groups"] = ", ".join(sorted(t.label_nb for t in agreement.target_groups.all()))
    return data


def _label(field: str) -> str:
    extra = {
        "parties": _("parter"),
        "offers": _("tilbud"),
        "cooperation_forms": _("samarbeidsformer"),
        "target_groups": _("målgrupper"),
    }
    if field in extra:
        return str(extra[field])
    return str(Agreement._meta.get_field(field).verbose_name)


def agreement_version_record(*, agreement: Agreement, by, summary: str) -> AgreementVersion:
    """Store who changed what: the difference between the last snapshot and now."""
    previous = agreement.versions.order_by("-created_at", "-pk").first()
    before = previous.snapshot if previous else {}
    after = agreement_snapshot(agreement)
    changes = [
        {"field": key, "label": _label(key), "old": before.get(key, "–"), "new": value}
        for key, value in after.items()
        if before.get(key) != value and (previous is not None)
    ]
    return AgreementVersion.objects.create(
        agreement=agreement,
        user=by if getattr(by, "is_authenticated", False) else None,
        summary=summary[:200],
        changes=changes,
        snapshot=after,
    )
