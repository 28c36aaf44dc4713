"""The offer search form: every parameter of /tilbud/ is validated here, and a bad one is
dropped with a message instead of failing the page (the URLs are shared and edited by hand)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from directory import selectors
from directory.models import OfferSchedule
from search.backends.base import AGE_BANDS, OFFER_FACETS, OfferQuery
from search.geocoding import geocode, geocoding_enabled

# Facets whose values are terms of a vocabulary: facet -> vocabulary slug.
TERM_FACETS = {
    "categories": "offer_categories",
    "target_groups": "target_groups",
    "life_areas": "life_areas",
    "cost_levels": "cost_levels",
    "languages": "languages",
    "participation_modes": "participation_modes",
}
FACET_LEGENDS = {
    "counties": _("Fylke"),
    "municipalities": _("Kommune"),
    "categories": _("Kategori"),
    "target_groups": _("Målgruppe"),
    "life_areas": _("Livsområde"),
    "cost_levels": _("Pris"),
    "languages": _("Språk"),
    "weekdays": _("Ukedag"),
    "participation_modes": _("Slik blir du med"),
    "ages": _("Aldersgruppe"),
}
SORT_CHOICES = (
    ("relevance", _("Relevans")),
    ("distance", _("Avstand")),
    ("verified", _("Sist bekreftet")),
)
KM_CHOICES = (("", _("Alle avstander")), *((str(km), f"{km} km") for km in (5, 10, 25, 50)))
# The Nav office select's value when the browser's position (lat/lon) is the starting point.
MY_POSITION = "min-posisjon"
MAX_VALUES_PER_FACET = 50


def age_band_label(low: int, high: int, slug: str) -> str:
    if slug.endswith("+"):
        return gettext("%(low)s år og eldre") % {"low": low}
    return gettext("%(low)s–%(high)s år") % {"low": low, "high": high}


def facet_labels() -> dict[str, dict[str, str]]:
    """facet -> value -> label, for the choices of the form and the labels of the counts."""
    labels = {facet: selectors.term_labels(vocabulary) for facet, vocabulary in TERM_FACETS.items()}
    labels["municipalities"] = selectors.municipality_names()
    labels["counties"] = selectors.county_names()
    labels["weekdays"] = {str(day): str(label) for day, label in OfferSchedule.Weekday.choices}
    labels["ages"] = {slug: age_band_label(low, high, slug) for slug, low, high in AGE_BANDS}
    return labels


class SearchInput(forms.TextInput):
    input_type = "search"


class FacetField(forms.MultipleChoiceField):
    """Checkbox values of one facet. Unknown values are dropped (and remembered for a message)
    rather than failing the field, so the known ones still filter."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.unknown: list[str] = []

    def clean(self, value):
        values = list(dict.fromkeys(self.to_python(value)))[:MAX_VALUES_PER_FACET]
        self.unknown = [v for v in values if not self.valid_value(v)]
        return [v for v in values if self.valid_value(v)]


class OfferSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Søk etter tilbud"),
        required=False,
        max_length=200,
        widget=SearchInput(attrs={"autocomplete": "off"}),
    )
    age = forms.IntegerField(
        label=_("Alder"),
        required=False,
        min_value=0,
        max_value=120,
        help_text=_("Viser tilbud som passer for denne alderen."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    # A Nav office to measure distances from (?kontor=<slug>).
    kontor = forms.ChoiceField(label=_("Avstand fra"), required=False)
    # A typed address, used only where a geocoder is configured (GEOCODER_URL).
    adresse = forms.CharField(
        label=_("eller fra adresse"),
        required=False,
        max_length=200,
        help_text=_("For eksempel «Storgata 1, Drammen»."),
    )
    lat = forms.FloatField(required=False, min_value=57.0, max_value=81.5, widget=forms.HiddenInput)
    lon = forms.FloatField(required=False, min_value=4.0, max_value=31.5, widget=forms.HiddenInput)
    km = forms.TypedChoiceField(
        label=_("Innen"), required=False, choices=KM_CHOICES, coerce=int, empty_value=None
    )
    sort = forms.ChoiceField(label=_("Sorter etter"), required=False, choices=SORT_CHOICES)

    def __init__(self, data, *, labels: dict[str, dict[str, str]], offices):
        super().__init__(data)
        self.offices = {office.slug: office for office in offices}
        office_choices = [("", _("Ikke valgt"))]
        if self.data.get("lat") and self.data.get("lon"):
            office_choices.append((MY_POSITION, _("Min posisjon")))
        office_choices += [(office.slug, office.name) for office in offices]
        self.fields["kontor"].choices = office_choices
        if not geocoding_enabled():
            del self.fields["adresse"]
        self.position_notes: list[str] = []
        for facet in OFFER_FACETS:
            self.fields[facet] = FacetField(
                label=FACET_LEGENDS[facet], required=False, choices=labels[facet].items()
            )

    def problems(self) -> list[str]:
        """What was ignored, in words a user understands."""
        self.is_valid()
        problems = []
        for name, errors in self.errors.items():
            label = self.fields[name].label if name in self.fields else name
            if name in ("lat", "lon"):
                problems.append(gettext("Vi kunne ikke bruke posisjonen, så vi så bort fra den."))
                continue
            problems.append(
                gettext("%(label)s: %(error)s Vi så bort fra det.")
                % {"label": label or name, "error": " ".join(errors)}
            )
        for facet in OFFER_FACETS:
            unknown = self.fields[facet].unknown
            if unknown:
                problems.append(
                    gettext("%(label)s: fant ikke %(values)s, så vi så bort fra det.")
                    % {
                        "label": self.fields[facet].label,
                        "values": ", ".join(f"«{v}»" for v in unknown),
                    }
                )
        return list(dict.fromkeys(problems))

    def position(self) -> tuple[tuple[float, float] | None, str]:
        """The starting point for distances and its name: a Nav office or the browser's position."""
        data = self.cleaned_data
        office = self.offices.get(data.get("kontor") or "")
        if office is not None:
            return (office.latitude, office.longitude), office.name
        address = data.get("adresse")
        if address:
            point = geocode(address)
            if point is not None:
                return point, address
            self.position_notes.append(
                gettext(
                    "Vi fant ikke adressen «%(address)s», så avstand er ikke med. Prøv med "
                    "gatenavn, nummer og sted, eller velg et Nav-kontor."
                )
                % {"address": address}
            )
        if data.get("lat") is not None and data.get("lon") is not None:
            return (data["lat"], data["lon"]), gettext("din posisjon")
        return None, ""

    def offer_query(self, *, page: int = 1, per_page: int = 20) -> tuple[OfferQuery, list[str]]:
        """The backend query for the valid parameters, and notes on what could not be used."""
        notes = self.problems()
        data = self.cleaned_data
        near, _name = self.position()
        notes.extend(self.position_notes)
        sort = data.get("sort") or "relevance"
        if sort == "distance" and near is None:
            sort = "relevance"
            notes.append(
                gettext(
                    "Sortering etter avstand trenger et utgangspunkt. Velg et Nav-kontor under "
                    "«Avstand fra» eller bruk posisjonen din. Nå er tilbudene sortert etter "
                    "relevans."
                )
            )
        within_km = data.get("km")
        if within_km and near is None:
            within_km = None
            notes.append(
                gettext(
                    "Avstandsgrensen trenger et utgangspunkt. Velg et Nav-kontor under "
                    "«Avstand fra» eller bruk posisjonen din."
                )
            )
        query = OfferQuery(
            text=data.get("q") or "",
            filters={facet: tuple(data[facet]) for facet in OFFER_FACETS if data.get(facet)},
            age=data.get("age"),
            near=near,
            within_km=float(within_km) if within_km else None,
            sort=sort,
            page=page,
            per_page=per_page,
        )
        return query, notes
