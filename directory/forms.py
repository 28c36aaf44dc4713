from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from modelcluster.forms import ClusterForm
from wagtail.admin.forms import WagtailAdminModelForm

from directory.models import Municipality, Offer, Organisation, PreventionModelPage, Term
from directory.validators import normalise_organisation_number


class StableSlugAdminForm(WagtailAdminModelForm):
    """Slugs are stable keys for URLs, fixtures and the API: set once, never edited."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and "slug" in self.fields:
            self.fields["slug"].disabled = True
            self.fields["slug"].help_text = _(
                "Nøkkelen kan ikke endres etter at den er opprettet. Deaktiver termen i stedet."
            )


# --- Front-end forms (Min side) -----------------------------------------------------------------


class OrganisationNumberField(forms.CharField):
    """Accepts «889 640 782» as people type it; stores nine digits."""

    def to_python(self, value):
        return normalise_organisation_number(super().to_python(value) or "")


class OrganisationRegistrationForm(forms.ModelForm):
    organisation_number = OrganisationNumberField(
        label=_("Organisasjonsnummer"),
        required=False,
        help_text=_(
            "9 sifre, for eksempel 889 640 782. Lokallag uten eget nummer kan la feltet stå tomt."
        ),
    )

    class Meta:
        model = Organisation
        fields = [
            "name",
            "organisation_number",
            "organisation_type",
            "in_frivillighetsregisteret",
            "website",
            "email",
            "phone",
            "municipalities",
        ]
        widgets = {"municipalities": forms.SelectMultiple(attrs={"size": 8})}
        help_texts = {
            "email": _("Bruk gjerne en funksjonsadresse, for eksempel post@organisasjon.no."),
            "municipalities": _("Hold inne Ctrl (Cmd på Mac) for å velge flere."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation_type"].queryset = Term.objects.choosable("organisation_types")
        self.fields["organisation_type"].required = True
        self.fields["municipalities"].queryset = Municipality.objects.order_by("name")

    def clean_organisation_number(self):
        number = self.cleaned_data["organisation_number"]
        return number or None


class OrganisationClaimForm(forms.Form):
    organisation_number = OrganisationNumberField(
        label=_("Organisasjonsnummer"), help_text=_("9 sifre.")
    )
    message = forms.CharField(
        label=_("Din rolle i organisasjonen"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_organisation_number(self):
        number = self.cleaned_data["organisation_number"]
        organisation = Organisation.objects.filter(organisation_number=number).first()
        if organisation is None:
            raise forms.ValidationError(
                _("Fant ingen organisasjon med dette nummeret i portalen. Registrer den i stedet.")
            )
        self.organisation = organisation
        return number


def prevention_model_choices(already: list[int]):
    """Published models, plus any already named (so saving never drops a link because a model
    was unpublished): a proposal still in review must not be offered."""
    return PreventionModelPage.objects.filter(Q(live=True) | Q(pk__in=already)).order_by("title")


class OrganisationModelsForm(forms.Form):
    """Which prevention models an organisation's work follows (shown on each model's page)."""

    prevention_models = forms.ModelMultipleChoiceField(
        label=_("Forebyggingsmodeller organisasjonen bruker"),
        queryset=PreventionModelPage.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Du kan bare velge modeller som er publisert.")},
        help_text=_(
            "Kryss av for modellene arbeidet deres bygger på. Da vises organisasjonen på "
            "modellenes sider, så kommuner i nærheten kan finne dere."
        ),
    )

    def __init__(self, *args, organisation, **kwargs):
        already = list(organisation.prevention_models.values_list("pk", flat=True))
        kwargs.setdefault("initial", {"prevention_models": already})
        super().__init__(*args, **kwargs)
        self.fields["prevention_models"].queryset = prevention_model_choices(already)


class DecisionForm(forms.Form):
    """Approve, or reject with a reason the organisation will read."""

    reason = forms.CharField(
        label=_("Begrunnelse (vises for organisasjonen)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class OfferForm(ClusterForm):
    """The whole offer with its places and weekly times, as one form.

    Formsets come from modelcluster, so everything (terms included) stays in memory until the
    service decides whether it goes to the live row or only to a revision."""

    class Meta:
        model = Offer
        fields = [
            "title",
            "summary",
            "description",
            "categories",
            "target_groups",
            "life_areas",
            "needs",
            "not_nav_user_required",
            "min_age",
            "max_age",
            "cost_level",
            "price_amount",
            "price_text",
            "fees_can_be_covered",
            "languages",
            "kind",
            "start_date",
            "end_date",
            "season_text",
            "participation_mode",
            "next_step",
            "capacity",
            "has_waiting_list",
            "accessibility_features",
            "accessibility_text",
            "contact_role",
            "contact_email",
            "contact_phone",
            "is_digital",
            "is_national",
            "notice",
            "prevention_models",
        ]
        formsets = {
            "locations": {
                "fields": [
                    "name",
                    "address",
                    "postal_code",
                    "municipality",
                    "latitude",
                    "longitude",
                    "hidden_address",
                ],
                "extra": 1,
                "min_num": 0,
            },
            "schedules": {"fields": ["weekday", "opens", "closes"], "extra": 2},
        }
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 3, "maxlength": 300}),
            "description": forms.Textarea(attrs={"rows": 8}),
            "categories": forms.CheckboxSelectMultiple,
            "target_groups": forms.CheckboxSelectMultiple,
            "life_areas": forms.CheckboxSelectMultiple,
            "needs": forms.CheckboxSelectMultiple,
            "languages": forms.CheckboxSelectMultiple,
            "accessibility_features": forms.CheckboxSelectMultiple,
            "cost_level": forms.RadioSelect,
            "kind": forms.RadioSelect,
            "participation_mode": forms.RadioSelect,
            "start_date": forms.DateInput(attrs={"type": "date"}),
            "end_date": forms.DateInput(attrs={"type": "date"}),
            "accessibility_text": forms.Textarea(attrs={"rows": 2}),
            "prevention_models": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "description": _(
                "Enkel formatering er lov: avsnitt, fet, kursiv, lister og lenker. "
                "Ikke skriv personopplysninger om brukere her."
            ),
            "prevention_models": _(
                "Kryss av hvis tilbudet er bygd på en av forebyggingsmodellene i portalen. "
                "Da vises tilbudet på modellens side."
            ),
        }
        labels = {"prevention_models": _("Forebyggingsmodeller tilbudet følger")}

    VOCABULARIES = {
        "categories": "offer_categories",
        "target_groups": "target_groups",
        "life_areas": "life_areas",
        "needs": "needs",
        "languages": "languages",
        "accessibility_features": "accessibility_features",
        "cost_level": "cost_levels",
        "kind": "offer_kinds",
        "participation_mode": "participation_modes",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, vocabulary in self.VOCABULARIES.items():
            self.fields[name].queryset = Term.objects.choosable(vocabulary)
        for name in ("cost_level", "kind", "participation_mode"):
            self.fields[name].empty_label = None
        chosen = [m.pk for m in self.instance.prevention_models.all()] if self.instance.pk else []
        self.fields["prevention_models"].queryset = prevention_model_choices(chosen)
        municipalities = Municipality.objects.order_by("name")
        for form in self.formsets["locations"].forms:
            form.fields["municipality"].queryset = municipalities

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if kind and kind.slug == "tidsavgrenset" and not cleaned.get("end_date"):
            self.add_error("end_date", _("Et tidsavgrenset tilbud må ha en sluttdato."))
        return cleaned

    def is_valid(self):
        # The places are in a formset, validated after clean(): check them once all are clean.
        valid = super().is_valid()
        if self.formsets["locations"].is_valid():
            places = [
                f
                for f in self.formsets["locations"].forms
                if f.cleaned_data and not f.cleaned_data.get("DELETE")
            ]
            remote = self.cleaned_data.get("is_digital") or self.cleaned_data.get("is_national")
            if not places and not remote:
                self.add_error(
                    None,
                    _(
                        "Legg til minst ett sted, eller kryss av for digitalt eller "
                        "landsdekkende tilbud."
                    ),
                )
                return False
        return valid
