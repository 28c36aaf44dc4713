"""The form of the unified search (/sok/) and its autocomplete: every parameter is validated
here, and a bad one is dropped with a message instead of failing the page (search URLs are
shared, bookmarked and edited by hand)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from agreements.models import Agreement
from directory import selectors
from directory.grant_forms import GRANT_STATUS_CHOICES
from search.backends.base import KINDS, SITE_FACETS, SiteQuery, site_facets_for
from search.forms import FacetField, SearchInput

# The result types, as the type facet names them (plural) and as a hit's tag names it.
KIND_LABELS = {
    "offer": _("Frivillige tilbud"),
    "organisation": _("Organisasjoner"),
    "grant_scheme": _("Tilskuddsordninger"),
    "prevention_model": _("Forebyggingsmodeller"),
    "page": _("Sider"),
    "agreement": _("Samarbeidsavtaler"),
}
KIND_TAGS = {
    "offer": _("Frivillig tilbud"),
    "organisation": _("Organisasjon"),
    "grant_scheme": _("Tilskuddsordning"),
    "prevention_model": _("Forebyggingsmodell"),
    "page": _("Side"),
    "agreement": _("Samarbeidsavtale"),
}
SITE_FACET_LEGENDS = {
    "counties": _("Fylke"),
    "categories": _("Kategori"),
    "target_groups": _("Målgruppe"),
    "life_areas": _("Livsområde"),
    "cost_levels": _("Pris"),
    "organisation_types": _("Organisasjonstype"),
    "grant_status": _("Status for tilskudd"),
    "applicant_types": _("Hvem kan søke"),
    "themes": _("Tema"),
    "prevention_levels": _("Forebyggingsnivå"),
    "agreement_status": _("Avtalestatus"),
    "agreement_types": _("Avtaletype"),
}
# Facets whose values are terms of a vocabulary: facet -> vocabulary slug.
SITE_TERM_FACETS = {
    "categories": "offer_categories",
    "target_groups": "target_groups",
    "life_areas": "life_areas",
    "cost_levels": "cost_levels",
    "organisation_types": "organisation_types",
    "applicant_types": "applicant_types",
    "themes": "themes",
    "prevention_levels": "prevention_levels",
    "agreement_types": "agreement_types",
}
MAX_TEXT = 200


def site_facet_labels() -> dict[str, dict[str, str]]:
    """facet -> value -> label for every facet of the unified search (and the type facet)."""
    labels = {
        facet: selectors.term_labels(vocabulary) for facet, vocabulary in SITE_TERM_FACETS.items()
    }
    labels["counties"] = selectors.county_names()
    labels["grant_status"] = {code: str(label) for code, label in GRANT_STATUS_CHOICES if code}
    labels["agreement_status"] = {code: str(label) for code, label in Agreement.Status.choices}
    labels["type"] = {kind: str(label) for kind, label in KIND_LABELS.items()}
    return labels


class SiteSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Søk i hele portalen"),
        required=False,
        max_length=MAX_TEXT,
        widget=SearchInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, data, *, labels: dict[str, dict[str, str]]):
        super().__init__(data)
        self.fields["type"] = FacetField(
            label=_("Type treff"), required=False, choices=labels["type"].items()
        )
        for facet in SITE_FACETS:
            self.fields[facet] = FacetField(
                label=SITE_FACET_LEGENDS[facet], required=False, choices=labels[facet].items()
            )

    def problems(self) -> list[str]:
        """What was ignored, in words a user understands."""
        self.is_valid()
        problems = [
            gettext("%(label)s: %(error)s Vi så bort fra det.")
            % {
                "label": self.fields[name].label if name in self.fields else name,
                "error": " ".join(errors),
            }
            for name, errors in self.errors.items()
        ]
        for name in ("type", *SITE_FACETS):
            unknown = self.fields[name].unknown
            if unknown:
                problems.append(
                    gettext("%(label)s: fant ikke %(values)s, så vi så bort fra det.")
                    % {
                        "label": self.fields[name].label,
                        "values": ", ".join(f"«{v}»" for v in unknown),
                    }
                )
        return list(dict.fromkeys(problems))

    def kinds(self) -> tuple[str, ...]:
        chosen = set(self.cleaned_data.get("type") or ())
        return tuple(kind for kind in KINDS if kind in chosen)

    def filters(self) -> dict[str, tuple[str, ...]]:
        """The facet filters that apply to the chosen types. A filter left from an earlier
        choice of types (categories, then only organisations) would empty the page without a
        checkbox to untick, so it is left out, as its group is."""
        shown = site_facets_for(self.kinds())
        data = self.cleaned_data
        return {facet: tuple(data[facet]) for facet in shown if data.get(facet)}

    def is_blank(self) -> bool:
        """Nothing asked yet: no words and no filters."""
        return not (self.cleaned_data.get("q") or self.kinds() or self.filters())

    def site_query(
        self, *, scopes: frozenset[str], page: int = 1, per_page: int = 20
    ) -> tuple[SiteQuery, list[str]]:
        """The backend query for the valid parameters, and notes on what could not be used."""
        notes = self.problems()
        query = SiteQuery(
            text=(self.cleaned_data.get("q") or "").strip(),
            kinds=self.kinds(),
            filters=self.filters(),
            scopes=scopes,
            page=page,
            per_page=per_page,
        )
        return query, notes


class SuggestForm(forms.Form):
    q = forms.CharField(required=False, max_length=MAX_TEXT, strip=True)

    def text(self) -> str:
        """The typed text, or "" when it is too short (or too long) to suggest anything for."""
        if not self.is_valid():
            return ""
        text = " ".join((self.cleaned_data.get("q") or "").split())
        return text if len(text) >= 2 else ""
