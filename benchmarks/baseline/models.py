"""The records as stock Wagtail would search them (issue 8's baseline).

Proxies of our own models with the `search_fields` a Wagtail site would give them, indexed by
Wagtail's database backend (`wagtail.search.backends.database`, the site's default) in its own
index table. Installed only by `benchmarks.settings`, so the portal itself never pays for
keeping a second index.

Stock Wagtail can filter and facet only on the model's own columns: on offers the cost level,
participation mode and kind (foreign keys), not on municipalities or target groups (many-to-many
and places), and it cannot sort by distance. The baseline queries do what it can.
"""

from wagtail.search import index

from directory.models import Offer, Organisation


class BaselineOffer(index.Indexed, Offer):
    search_fields = [
        index.SearchField("title", boost=3),
        index.AutocompleteField("title"),
        index.SearchField("summary", boost=2),
        index.SearchField("description"),
        index.RelatedFields("organisation", [index.SearchField("name")]),
        index.FilterField("live"),
        index.FilterField("visibility"),
        index.FilterField("cost_level"),
        index.FilterField("participation_mode"),
        index.FilterField("kind"),
        index.FilterField("organisation"),
        index.FilterField("min_age"),
        index.FilterField("max_age"),
    ]

    class Meta:
        proxy = True


class BaselineOrganisation(index.Indexed, Organisation):
    search_fields = [
        index.SearchField("name", boost=3),
        index.AutocompleteField("name"),
        index.FilterField("status"),
    ]

    class Meta:
        proxy = True
