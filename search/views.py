"""The offer search page: a GET form with facets, live results over htmx, plain links without."""

from __future__ import annotations

from django.http import QueryDict
from django.urls import reverse
from django.utils.text import slugify

from directory import selectors
from directory.views.rendering import paginate, render_page_or_partial
from search.backends.base import AGE_BANDS, OFFER_FACETS, FacetValue, OfferResults
from search.forms import FACET_LEGENDS, OfferSearchForm, facet_labels
from search.page_cache import anonymous_page_cache
from search.paging import BackendPages, requested_page
from search.result_cache import searcher

PER_PAGE = 20
# Groups with more values than this show the first ones and fold the rest into <details>.
VISIBLE_FACET_VALUES = 6
# Facets listed in their natural order (days, age bands) or by name; the rest by count.
NATURAL_ORDER = {
    "weekdays": [str(day) for day in range(7)],
    "ages": [slug for slug, _low, _high in AGE_BANDS],
}
ORDER_BY_LABEL = {"counties", "municipalities"}
# Facets with too many values to list them all: the most frequent are listed, and a ticked
# county narrows the list to its own municipalities (their counts apply the other filters).
MOST_FREQUENT = {"municipalities": 40}


def _url(params: QueryDict) -> str:
    query = params.urlencode()
    return reverse("offer_search") + (f"?{query}" if query else "")


def _without(request, name: str, value: str | None = None) -> str:
    """The current search without one parameter value (and back on the first page)."""
    params = request.GET.copy()
    params.pop("side", None)
    if value is None:
        params.pop(name, None)
    else:
        params.setlist(name, [v for v in params.getlist(name) if v != value])
    return _url(params)


def _facet_groups(results: OfferResults, labels: dict[str, dict[str, str]]) -> list[dict]:
    groups = []
    for facet in OFFER_FACETS:
        values = list(results.facets.get(facet, []))
        # A ticked value that matches nothing now still needs its checkbox, to untick it.
        present = {v.value for v in values}
        values += [
            FacetValue(value=value, count=0, selected=True)
            for value in results.query.filters.get(facet, ())
            if value not in present
        ]
        options = [
            {
                "value": v.value,
                "label": labels[facet].get(v.value, v.value),
                "count": v.count,
                "selected": v.selected,
                "id": f"filter-{facet}-{slugify(v.value) or index}",
            }
            for index, v in enumerate(values)
        ]
        hidden = 0
        limit = MOST_FREQUENT.get(facet)
        if limit and len(options) > limit:
            by_count = sorted(options, key=lambda o: (not o["selected"], -o["count"], o["label"]))
            hidden = len(options) - max(limit, sum(1 for o in options if o["selected"]))
            options = by_count[: len(options) - hidden]
        if facet in NATURAL_ORDER:
            order = NATURAL_ORDER[facet]
            options.sort(key=lambda o: order.index(o["value"]) if o["value"] in order else 99)
        elif facet in ORDER_BY_LABEL:
            options.sort(key=lambda o: o["label"])
        # Selected values first, so a shared link shows its filters without opening anything.
        options.sort(key=lambda o: not o["selected"])
        selected = sum(1 for o in options if o["selected"])
        shown = max(VISIBLE_FACET_VALUES, selected)
        groups.append(
            {
                "name": facet,
                "legend": FACET_LEGENDS[facet],
                "visible": options[:shown],
                "more": options[shown:],
                "selected": selected,
                "hidden": hidden,
            }
        )
    return groups


def _active_filters(request, form, labels, place_name: str) -> list[dict]:
    """Chips for the filters in use, each a link to the same search without it."""
    data = form.cleaned_data
    chips = []
    for facet in OFFER_FACETS:
        for value in data.get(facet) or []:
            chips.append(
                {
                    "label": f"{FACET_LEGENDS[facet]}: {labels[facet].get(value, value)}",
                    "url": _without(request, facet, value),
                }
            )
    if data.get("age") is not None:
        chips.append(
            {"label": f"{form.fields['age'].label}: {data['age']}", "url": _without(request, "age")}
        )
    if data.get("km") and place_name:
        chips.append(
            {"label": f"{form.fields['km'].label} {data['km']} km", "url": _without(request, "km")}
        )
    return chips


def _hits(hits, labels) -> list[dict]:
    return [
        {
            "title": hit.title,
            "url": reverse("offer_detail", args=[hit.offer_id]),
            "summary": hit.summary,
            "organisation": hit.organisation_name,
            "municipalities": [labels["municipalities"].get(c, c) for c in hit.municipalities],
            "categories": [labels["categories"].get(c, c) for c in hit.categories],
            "distance_km": hit.distance_km,
            "last_verified_at": hit.last_verified_at,
        }
        for hit in hits
    ]


@anonymous_page_cache
def offer_search(request):
    labels = facet_labels()
    offices = list(selectors.nav_offices_with_position())
    form = OfferSearchForm(request.GET, labels=labels, offices=offices)
    query, notes = form.offer_query(page=requested_page(request), per_page=PER_PAGE)
    pages = BackendPages(searcher("search_offers"), query)
    page_obj = paginate(request, pages, per_page=PER_PAGE)
    results = pages.results
    _near, place_name = form.position()
    chips = _active_filters(request, form, labels, place_name)
    params = request.GET.copy()
    params.pop("side", None)
    clear_all = QueryDict(mutable=True)
    if query.text:
        clear_all["q"] = query.text
    context = {
        "form": form,
        "query": query,
        "total": results.total,
        "hits": _hits(page_obj.object_list, labels),
        "page_obj": page_obj,
        "page_range": list(page_obj.paginator.get_elided_page_range(page_obj.number, on_ends=1)),
        "page_url_prefix": _url(params) + ("&" if params else "?") + "side=",
        "facet_groups": _facet_groups(results, labels),
        "chips": chips,
        "clear_filters_url": _url(clear_all) if chips else "",
        "start_over_url": reverse("offer_search"),
        "place_name": place_name,
        # The backend's notice (Elasticsearch down: answered from PostgreSQL) with the notes.
        "notes": [*notes, results.notice] if results.notice else notes,
    }
    return render_page_or_partial(
        request, "pages/offer_search.html", "components/offer_search_update.html", context
    )
