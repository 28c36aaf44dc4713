"""Grant scheme bits shown on other pages: «Ordninger dere kan søke på» on Min side."""

from django import template
from django.utils import timezone

from directory.selectors import grant_schemes_for_organisation

register = template.Library()


@register.inclusion_tag("components/grant_eligible.html", takes_context=True)
def grant_schemes_eligible(context, organisation):
    """The schemes the organisation may be eligible for, with the reasons and warnings."""
    request = context.get("request")
    return {
        "organisation": organisation,
        "matches": [
            {
                "title": scheme.title,
                "url": scheme.get_url(request),
                "deadline": scheme.upcoming_deadline,
                "is_example": scheme.is_example,
                "reasons": reasons,
                "warnings": warnings,
            }
            for scheme, reasons, warnings in grant_schemes_for_organisation(
                organisation, timezone.localdate()
            )
        ],
    }
