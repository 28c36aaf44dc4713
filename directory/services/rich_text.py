"""Rich text written by organisations is sanitised on the way in (and rendered as stored)."""

import nh3

ALLOWED_TAGS = {"p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "a", "h2", "h3"}
ALLOWED_ATTRIBUTES = {"a": {"href"}}


def sanitise_rich_text(html: str) -> str:
    """Keep simple formatting and links; drop scripts, styles, event handlers and the rest."""
    return nh3.clean(
        html or "",
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer nofollow",
    ).strip()
