"""The unified search page (/sok/) over every catalogue, and its as-you-type suggestions.

What a searcher may find is decided by the backend inside the query, from the scope keys of
`search_scopes`: the views pass them on every call and never filter hits afterwards, so the
hits, the counts and the suggestions agree and hidden records leave no trace in them.
"""

from __future__ import annotations

from django.http import QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from directory.models import GrantSchemeIndexPage, PreventionModelIndexPage
from directory.selectors import municipality_names
from directory.views.rendering import paginate, render_page_or_partial
from search.backends import get_backend
from search.backends.base import FacetValue, SiteQuery, SiteResults, site_facets_for
from search.page_cache import anonymous_page_cache
from search.paging import BackendPages, requested_page
from search.permissions import search_scopes
from search.result_cache import searcher
from search.site_forms import (
    KIND_LABELS,
    KIND_TAGS,
    SITE_FACET_LEGENDS,
    SiteSearchForm,
    SuggestForm,
    site_facet_labels,
)

PER_PAGE = 20
SUGGESTIONS = 8
# Groups with more values than this show the first ones and fold the rest into <details>.
VISIBLE_FACET_VALUES = 6
ORDER_BY_LABEL = {"counties"}


def _url(params: QueryDict) -> str:
    query = params.urlencode()
    return reverse("site_search") + (f"?{query}" if query else "")


def _params(request) -> QueryDict:
    """The current search without its page and without empty parameters."""
    params = QueryDict(mutable=True)
    for key, values in request.GET.lists():
        kept = [v for v in values if v.strip()]
        if key != "side" and kept:
            params.setlist(key, kept)
    return params


def _without(request, name: str, value: str) -> str:
    params = _params(request)
    params.setlist(name, [v for v in params.getlist(name) if v != value])
    return _url(params)


def _option(name: str, value: FacetValue, label: str, index: int) -> dict:
    return {
        "value": value.value,
        "label": label,
        "count": value.count,
        "selected": value.selected,
        "id": f"sok-{name}-{slugify(value.value) or index}",
    }


def _group(name: str, legend, options: list[dict]) -> dict:
    # Selected values first, so a shared link shows its filters without opening anything.
    options.sort(key=lambda o: not o["selected"])
    selected = sum(1 for o in options if o["selected"])
    shown = max(VISIBLE_FACET_VALUES, selected)
    return {
        "name": name,
        "legend": legend,
        "visible": options[:shown],
        "more": options[shown:],
        "selected": selected,
    }


def _type_group(results: SiteResults) -> dict:
    # The backend lists only the kinds with hits the searcher may see (and any ticked), so
    # «Samarbeidsavtaler» appears only for someone with agreements to find.
    options = [
        _option("type", v, str(KIND_LABELS.get(v.value, v.value)), i)
        for i, v in enumerate(results.kinds)
    ]
    group = _group("type", _("Type treff"), options)
    group.update(visible=options, more=[])
    return group


def _facet_groups(results: SiteResults, labels: dict[str, dict[str, str]]) -> list[dict]:
    groups = []
    for facet in site_facets_for(results.query.kinds):
        values = list(results.facets.get(facet, []))
        present = {v.value for v in values}
        # A ticked value that matches nothing now still needs its checkbox, to untick it.
        values += [
            FacetValue(value=value, count=0, selected=True)
            for value in results.query.filters.get(facet, ())
            if value not in present
        ]
        options = [
            _option(facet, v, labels[facet].get(v.value, v.value), i) for i, v in enumerate(values)
        ]
        if facet in ORDER_BY_LABEL:
            options.sort(key=lambda o: o["label"])
        if options:
            groups.append(_group(facet, SITE_FACET_LEGENDS[facet], options))
    return groups


def _chips(request, query: SiteQuery, labels) -> list[dict]:
    """The filters in use, each a link to the same search without it."""
    chips = [
        {"label": f"{_('Type')}: {KIND_LABELS[kind]}", "url": _without(request, "type", kind)}
        for kind in query.kinds
    ]
    for facet, values in query.filters.items():
        chips += [
            {
                "label": f"{SITE_FACET_LEGENDS[facet]}: {labels[facet].get(value, value)}",
                "url": _without(request, facet, value),
            }
            for value in values
        ]
    return chips


def _hits(hits, municipality_names: dict[str, str]) -> list[dict]:
    return [
        {
            "kind": hit.kind,
            "tag": KIND_TAGS.get(hit.kind, hit.kind),
            "url": hit.url,
            "title": hit.title,
            "highlight": hit.highlight,
            "municipalities": [municipality_names.get(c, c) for c in hit.municipalities[:5]],
            "more_municipalities": max(0, len(hit.municipalities) - 5),
        }
        for hit in hits
    ]


def _catalogues() -> list[dict]:
    """The catalogues to browse instead, for the start and empty states."""
    links = [{"title": KIND_LABELS["offer"], "url": reverse("offer_search")}]
    for model, kind in (
        (GrantSchemeIndexPage, "grant_scheme"),
        (PreventionModelIndexPage, "prevention_model"),
    ):
        index = model.objects.live().public().first()
        if index is not None and index.url:
            links.append({"title": KIND_LABELS[kind], "url": index.url})
    return links


@anonymous_page_cache
def site_search(request):
    labels = site_facet_labels()
    form = SiteSearchForm(request.GET, labels=labels)
    query, notes = form.site_query(
        scopes=search_scopes(request.user), page=requested_page(request), per_page=PER_PAGE
    )
    context = {
        "form": form,
        "query": query,
        "notes": notes,
        "blank": form.is_blank(),
        "catalogues": _catalogues(),
        "start_over_url": reverse("site_search"),
    }
    if context["blank"]:
        # Nothing asked yet: a page of every record in no order would help nobody.
        context.update(total=None, hits=[], type_group=None, facet_groups=[], chips=[])
    else:
        pages = BackendPages(searcher("search_site"), query)
        page_obj = paginate(request, pages, per_page=PER_PAGE)
        results = pages.results
        params = _params(request)
        chips = _chips(request, query, labels)
        clear = QueryDict(mutable=True)
        if query.text:
            clear["q"] = query.text
        did_you_mean_url = ""
        if results.suggestion:
            corrected = _params(request)
            corrected["q"] = results.suggestion
            did_you_mean_url = _url(corrected)
        context.update(
            total=results.total,
            hits=_hits(page_obj.object_list, municipality_names()),
            page_obj=page_obj,
            page_range=list(page_obj.paginator.get_elided_page_range(page_obj.number, on_ends=1)),
            page_url_prefix=_url(params) + ("&" if params else "?") + "side=",
            type_group=_type_group(results),
            facet_groups=_facet_groups(results, labels),
            chips=chips,
            clear_filters_url=_url(clear) if chips else "",
            suggestion=results.suggestion,
            did_you_mean_url=did_you_mean_url,
            notice=results.notice,
        )
    return render_page_or_partial(
        request, "pages/site_search.html", "components/site_search_update.html", context
    )


@require_GET
@never_cache
def site_suggest(request):
    """As-you-type suggestions as a fragment of listbox options. Never cached: what someone
    may be suggested depends on who they are."""
    text = SuggestForm(request.GET).text()
    suggestions = []
    if text:
        suggestions = [
            {"kind": s.kind, "tag": KIND_TAGS.get(s.kind, s.kind), "title": s.title, "url": s.url}
            for s in get_backend().suggest(
                text, scopes=search_scopes(request.user), limit=SUGGESTIONS
            )
        ]
    return render(
        request,
        "components/site_search_suggestions.html",
        {"suggestions": suggestions, "text": text},
    )
