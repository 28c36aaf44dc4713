"""Agreement bits shown on other pages: the offer page's agreement badge and health labels."""

from django import template
from django.utils import timezone

from agreements import selectors
from agreements.models import AgreementSettings, Evaluation

register = template.Library()


def _decision_label(value: str) -> str:
    return str(Evaluation.Decision(value).label) if value in Evaluation.Decision.values else ""


@register.inclusion_tag("components/offer_agreement_badge.html", takes_context=True)
def offer_agreement_badge(context, offer):
    """The public learns that an active agreement covers the offer; those who may see the
    agreement get its health and a link."""
    request = context.get("request")
    user = getattr(request, "user", None)
    today = timezone.localdate()
    badge = selectors.offer_agreement_badge(offer, user, today=today)
    # The setting read once for every agreement shown, and used for the label and the colour
    # alike, so the two agree when administrators change it.
    ending_days = AgreementSettings.load().ending_before_days if badge.agreements else None
    return {
        "exists": badge.exists,
        "agreements": [
            {
                "agreement": agreement,
                "health": selectors.health_label(agreement, today, ending_days=ending_days),
                "healthy": agreement.health(today, ending_days=ending_days) == "ok",
                "last_decision": _decision_label(agreement.last_decision),
            }
            for agreement in badge.agreements
        ],
    }


@register.filter
def agreement_health(agreement, today):
    """The agreement's status as of `today`, in words («Evaluering forfalt», «Utløper snart»)."""
    return selectors.health_label(agreement, today)


@register.filter
def decision_label(value):
    return _decision_label(value)
