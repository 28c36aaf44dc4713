"""Rich text is cleaned again on the way out, whatever wrote it: an import, a migration or an
older version of the input rules must never be able to put a script on a page."""

from django import template
from django.utils.safestring import mark_safe

from directory.services.rich_text import sanitise_rich_text

register = template.Library()


@register.filter(is_safe=True)
def clean_rich_text(html) -> str:
    """Keep the formatting the editors offer; drop scripts, event handlers and javascript: links."""
    # sanitise_rich_text returns HTML built by nh3 from an allow-list, so it is safe to mark.
    return mark_safe(sanitise_rich_text(str(html or "")))  # noqa: S308
