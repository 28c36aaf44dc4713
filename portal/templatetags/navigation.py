from django import template
from wagtail.models import Page, Site

register = template.Library()


@register.inclusion_tag("components/main_menu.html", takes_context=True)
def main_menu(context):
    """Pages below the site's home page that editors marked «Vis i menyer»."""
    request = context.get("request")
    site = Site.find_for_request(request) if request else None
    items = []
    if site is not None:
        items = list(
            Page.objects.child_of(site.root_page)
            .live()
            .public()
            .in_menu()
            .only("title", "url_path")
        )
    current = getattr(context.get("page"), "pk", None)
    return {"items": items, "current": current, "request": request}
