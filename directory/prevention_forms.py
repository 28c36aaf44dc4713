"""Front-end forms for prevention models: the listing's filters and the proposal form."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from directory.models import GrantSchemePage, Municipality, Term


def _choices(vocabulary: str) -> list[tuple[str, str]]:
    return list(Term.objects.choosable(vocabulary).values_list("slug", "label_nb"))


class PreventionFilterForm(forms.Form):
    """The listing's filters, read from the query string (?prevention_levels=selektiv&...)."""

    VOCABULARIES = {
        "prevention_levels": ("prevention_levels", _("Forebyggingsnivå")),
        "target_groups": ("target_groups", _("Målgrupper")),
        "life_areas": ("life_areas", _("Livsområder")),
        "themes": ("themes", _("Temaer")),
        "arenas": ("arenas", _("Arena")),
        "evidence_tiers": ("evidence_tiers", _("Dokumentert effekt (fra registrene)")),
        "municipality_sizes": ("municipality_size", _("Kommunestørrelse der den er prøvd")),
        "funding_sources": ("funding_sources", _("Finansiering")),
        "model_statuses": ("model_statuses", _("Status")),
    }

    q = forms.CharField(label=_("Søk i modellene"), required=False, max_length=200)
    municipality = forms.ChoiceField(label=_("Kommune der modellen brukes"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, (vocabulary, label) in self.VOCABULARIES.items():
            self.fields[name] = forms.MultipleChoiceField(
                label=label,
                required=False,
                choices=_choices(vocabulary),
                widget=forms.CheckboxSelectMultiple,
            )
        self.fields["municipality"].choices = [("", _("Alle kommuner"))] + list(
            Municipality.objects.order_by("name").values_list("code", "name")
        )
        self.order_fields(["q", *self.VOCABULARIES, "municipality"])

    def filters(self) -> dict:
        """The chosen filters for the selector. A value that is not a choice (an old link)
        drops that filter rather than showing an error."""
        self.is_valid()
        chosen = {name: value for name, value in self.cleaned_data.items() if value}
        if code := chosen.pop("municipality", None):
            chosen["municipalities"] = [code]
        return chosen


class PreventionProposalForm(forms.Form):
    """A municipality's proposal of a new model, or of an update to a published one."""

    title = forms.CharField(
        label=_("Navn på modellen"),
        max_length=255,
        help_text=_("For eksempel «Familiekoordinator»."),
        error_messages={"required": _("Skriv navnet på modellen.")},
    )
    problem = forms.CharField(
        label=_("Problemet modellen løser"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Hvilken risiko eller hvilket hinder tar modellen tak i?"),
        error_messages={"required": _("Beskriv problemet modellen løser.")},
    )
    prevention_levels = forms.ModelMultipleChoiceField(
        label=_("Forebyggingsnivå"),
        queryset=Term.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Velg ett eller flere nivåer."),
        error_messages={"required": _("Velg minst ett forebyggingsnivå.")},
    )
    target_groups = forms.ModelMultipleChoiceField(
        label=_("Målgrupper"),
        queryset=Term.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Velg minst én målgruppe.")},
    )
    life_areas = forms.ModelMultipleChoiceField(
        label=_("Livsområder"),
        queryset=Term.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    themes = forms.ModelMultipleChoiceField(
        label=_("Temaer"),
        queryset=Term.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    arenas = forms.ModelMultipleChoiceField(
        label=_("Arenaer"),
        queryset=Term.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    how_it_works = forms.CharField(
        label=_("Slik fungerer det"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Metode, hvor tett oppfølgingen er og hvor ofte dere møtes."),
        error_messages={"required": _("Beskriv hvordan modellen fungerer.")},
    )
    partners_text = forms.CharField(
        label=_("Partnere og roller"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Hvem gjør hva. Én linje per partner."),
    )
    resources = forms.CharField(
        label=_("Ressurser som trengs"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Stillinger, kompetanse, lokaler og kostnader."),
    )
    how_to_start = forms.CharField(
        label=_("Slik kommer dere i gang"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("Ett steg per linje."),
    )
    municipality_sizes = forms.ModelMultipleChoiceField(
        label=_("Kommunestørrelse der den er prøvd"),
        queryset=Term.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    funding_sources = forms.ModelMultipleChoiceField(
        label=_("Slik finansieres modellen"),
        queryset=Term.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    fundable_by = forms.ModelMultipleChoiceField(
        label=_("Tilskuddsordninger som kan finansiere modellen"),
        queryset=GrantSchemePage.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Ordninger dere har brukt, eller som dere vet passer."),
    )
    contact_role = forms.CharField(
        label=_("Kontakt (rolle)"),
        max_length=120,
        help_text=_("Oppgi en rolle, for eksempel «Familiekoordinator i Nav Lillestrøm»."),
        error_messages={"required": _("Oppgi hvilken rolle andre kan kontakte.")},
    )
    contact_email = forms.EmailField(
        label=_("Kontakt-e-post"),
        required=False,
        help_text=_("Bruk gjerne en funksjonsadresse."),
        error_messages={
            "invalid": _("Skriv en gyldig e-postadresse, for eksempel navn@kommune.no.")
        },
    )

    VOCABULARIES = {
        "prevention_levels": "prevention_levels",
        "target_groups": "target_groups",
        "life_areas": "life_areas",
        "themes": "themes",
        "arenas": "arenas",
        "municipality_sizes": "municipality_size",
        "funding_sources": "funding_sources",
    }
    # Form field -> page relation, for every many-to-many the form edits.
    RELATIONS = (*VOCABULARIES, "fundable_by")

    def __init__(self, *args, page=None, **kwargs):
        if page is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_from(page)
        super().__init__(*args, **kwargs)
        for name, vocabulary in self.VOCABULARIES.items():
            self.fields[name].queryset = Term.objects.choosable(vocabulary)
        # Published schemes, plus any the model already names, so an update never drops one.
        chosen = [s.pk for s in page.fundable_by.all()] if page is not None else []
        self.fields["fundable_by"].queryset = GrantSchemePage.objects.filter(
            Q(live=True) | Q(pk__in=chosen)
        ).order_by("title")

    @classmethod
    def initial_from(cls, page) -> dict:
        """The current text of a model, so an update starts from what is published."""
        initial = {
            name: getattr(page, name)
            for name in cls.base_fields
            if name not in cls.RELATIONS and hasattr(page, name)
        }
        for name in cls.RELATIONS:
            initial[name] = list(getattr(page, name).all())
        return initial

    def clean_title(self):
        return " ".join(self.cleaned_data["title"].split())
