"""The site shell's navigation: the main menu and the footer. Tags query, templates don't."""

from django import template
from wagtail.models import Page, Site

from portal.models import SiteShellSettings

register = template.Library()


@register.inclusion_tag("components/main_menu.html", takes_context=True)
def main_menu(context):
    """Live, public pages below the site's home page that editors marked «Vis i menyer»."""
    request = context.get("request")
    site = Site.find_for_request(request) if request else None
    items = []
    if site is not None:
        items = [
            {"title": page.title, "url": page.get_url(request), "pk": page.pk}
            for page in Page.objects.child_of(site.root_page).live().public().in_menu()
        ]
    items = _app_links(request) + items
    current = getattr(context.get("page"), "pk", None)
    return {"items": items, "current": current}


def _app_links(request) -> list[dict]:
    """The catalogue's own pages, shown to whoever may use them."""
    from django.urls import NoReverseMatch, reverse
    from django.utils.translation import gettext as _

    from agreements.permissions import can_use_agreements
    from directory.models import Notification
    from directory.permissions import can_moderate_offers

    user = getattr(request, "user", None)
    wanted = [("offer_search", _("Finn tilbud"), True)]
    if user is not None and user.is_authenticated:
        wanted.append(("min_side", _("Min side"), True))
        wanted.append(("moderation_queue", _("Moderering"), can_moderate_offers(user)))
        wanted.append(("agreement_dashboard", _("Samarbeidsavtaler"), can_use_agreements(user)))
        # Export, import and the API are reached from this one page, to keep the menu short.
        wanted.append(("opendata_exports", _("Åpne data"), True))
        unread = Notification.objects.filter(user=user).unread().count()
        notifications = _("Varsler (%(count)s)") % {"count": unread} if unread else _("Varsler")
        wanted.append(("notification_list", notifications, True))
    links = []
    for name, title, allowed in wanted:
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        if allowed:
            links.append({"title": title, "url": url, "pk": name})
    return links


@register.inclusion_tag("components/site_footer.html", takes_context=True)
def site_footer(context):
    """Contact details and the accessibility statement and privacy links, edited in Wagtail."""
    request = context.get("request")
    # No site matches before the shell is set up (fresh database, some tests): show no footer.
    site = Site.find_for_request(request) if request else None
    shell = SiteShellSettings.for_request(request) if site else None
    links = []
    if shell is not None:
        pages = Page.objects.live().in_bulk(
            [shell.accessibility_statement_page_id, shell.privacy_page_id]
        )
        for page_id, kind in (
            (shell.accessibility_statement_page_id, "accessibility"),
            (shell.privacy_page_id, "privacy"),
        ):
            if page_id in pages:
                links.append({"kind": kind, "url": pages[page_id].get_url(request)})
    return {
        "contact_email": shell.contact_email if shell else "",
        "contact_text": shell.contact_text if shell else "",
        "links": links,
    }
