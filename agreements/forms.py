"""Front-end forms for cooperation agreements: the agreement with its parties, the list filters,
documents and ending an agreement."""

from __future__ import annotations

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Q
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.utils.translation import gettext_lazy as _

from agreements.models import Agreement, AgreementParty, AgreementSettings
from agreements.selectors import PARTY_RELATED, AgreementFilters
from directory.models import Municipality, NavOffice, Offer, Organisation, Term


def _terms(vocabulary: str):
    return Term.objects.active().in_vocabulary(vocabulary).order_by("sort_order", "label_nb")


def _date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class OfferChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.title} ({obj.organisation.name})"


class AgreementForm(forms.ModelForm):
    """The agreement itself; its parties are `AgreementPartyFormSet`."""

    offers = OfferChoiceField(
        label=_("Tilbud avtalen omfatter"),
        queryset=Offer.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Agreement
        fields = [
            "title",
            "purpose",
            "agreement_type",
            "cooperation_forms",
            "target_groups",
            "legal_basis",
            "meetings",
            "start_date",
            "end_date",
            "renewal",
            "notice_months",
            "evaluation_interval_months",
            "dormant",
            "offers",
        ]
        widgets = {
            "purpose": forms.Textarea(attrs={"rows": 4}),
            "cooperation_forms": forms.CheckboxSelectMultiple,
            "target_groups": forms.CheckboxSelectMultiple,
            "renewal": forms.RadioSelect,
            "start_date": _date_input(),
            "end_date": _date_input(),
        }

    def __init__(self, *args, organisations=(), **kwargs):
        """`organisations`: ids of the party organisations, whose public offers may be linked."""
        super().__init__(*args, **kwargs)
        self.fields["agreement_type"].queryset = _terms("agreement_types")
        self.fields["cooperation_forms"].queryset = _terms("cooperation_forms")
        self.fields["target_groups"].queryset = _terms("target_groups")
        interval = self.fields["evaluation_interval_months"]
        interval.validators += [MinValueValidator(1), MaxValueValidator(60)]
        interval.widget.attrs.update(min=1, max=60)
        if self.instance.pk is None:
            # The model's default is fixed; the portal's rule is a setting administrators change.
            rules = AgreementSettings.load()
            self.initial["evaluation_interval_months"] = rules.evaluation_interval_months
        # Only the parties' own offers: a list of every offer in the country helps nobody.
        linked = self.instance.offers.values("pk") if self.instance.pk else []
        parties_offers = Offer.objects.public().filter(organisation__in=list(organisations))
        offers = self.fields["offers"]
        offers.queryset = (
            Offer.objects.filter(Q(pk__in=parties_offers.values("pk")) | Q(pk__in=linked))
            .select_related("organisation")
            .order_by("title", "pk")
        )
        offers.help_text = _(
            "Offentlige tilbud fra organisasjonene som er part. Legg til organisasjonen som "
            "part og lagre, så kan du velge tilbudene her."
        )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            # Same wording as agreement_validate; caught here so the database constraint on the
            # dates never produces its own, less helpful, message.
            self.add_error(
                "end_date",
                _("Sluttdatoen kan ikke være før startdatoen (%(start)s).")
                % {"start": start.strftime("%d.%m.%Y")},
            )
        return cleaned


# The reference each kind of party needs, and what to say when it is missing.
PARTY_REFERENCES = {
    AgreementParty.Kind.NAV_OFFICE: ("nav_office", _("Velg Nav-kontoret som er part.")),
    AgreementParty.Kind.MUNICIPALITY: ("municipality", _("Velg kommunen som er part.")),
    AgreementParty.Kind.ORGANISATION: ("organisation", _("Velg organisasjonen som er part.")),
    AgreementParty.Kind.PUBLIC_SERVICE: (
        "public_service",
        _("Velg den offentlige tjenesten som er part."),
    ),
}
REFERENCE_FIELDS = ("nav_office", "municipality", "organisation", "public_service")


class AgreementPartyForm(forms.ModelForm):
    class Meta:
        model = AgreementParty
        fields = [
            "kind",
            "nav_office",
            "municipality",
            "organisation",
            "public_service",
            "public_service_municipality",
            "responsibilities",
            "contact_role",
            "contact_email",
            "signatory_role",
            "signed_on",
        ]
        widgets = {
            "responsibilities": forms.Textarea(attrs={"rows": 3}),
            "signed_on": _date_input(),
        }
        help_texts = {
            "kind": _("Fyll ut feltet under som hører til typen part."),
            "public_service_municipality": _("Kommunen tjenesten hører til, hvis det er én."),
        }

    @staticmethod
    def reference_querysets() -> dict:
        municipalities = Municipality.objects.order_by("name")
        return {
            "nav_office": NavOffice.objects.order_by("name"),
            "municipality": municipalities,
            "organisation": Organisation.objects.exclude(
                status=Organisation.Status.REJECTED
            ).order_by("name"),
            "public_service": _terms("public_services"),
            "public_service_municipality": municipalities,
        }

    def __init__(self, *args, choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        for name, queryset in self.reference_querysets().items():
            self.fields[name].queryset = queryset
        # The formset works the option lists out once and shares them between its forms.
        for name, options in (choices or {}).items():
            self.fields[name].choices = options

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if kind in PARTY_REFERENCES:
            wanted, message = PARTY_REFERENCES[kind]
            if not cleaned.get(wanted) and wanted not in self.errors:
                self.add_error(wanted, message)
            # Only the matching reference is kept: the database allows exactly one.
            for name in REFERENCE_FIELDS:
                if name != wanted:
                    cleaned[name] = None
            if kind != AgreementParty.Kind.PUBLIC_SERVICE:
                cleaned["public_service_municipality"] = None
        return cleaned


class BaseAgreementPartyFormSet(BaseInlineFormSet):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices, options = {}, {}
        for name, queryset in AgreementPartyForm.reference_querysets().items():
            key = str(queryset.query)
            if key not in options:
                options[key] = [(obj.pk, str(obj)) for obj in queryset]
            empty_label = AgreementPartyForm.base_fields[name].empty_label
            choices[name] = [("", empty_label), *options[key]]
        self.form_kwargs = {**self.form_kwargs, "choices": choices}

    def get_queryset(self):
        # Existing rows show the party's name: load what the name is made of with them.
        if not hasattr(self, "_parties"):
            self._parties = super().get_queryset().select_related(*PARTY_RELATED)
        return self._parties

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Fjern parten fra avtalen")

    def parties(self) -> tuple[list[AgreementParty], list[AgreementParty]]:
        """(the parties to keep, in order, unsaved; the stored parties to remove)."""
        kept, removed = [], []
        for form in self.forms:
            if self._should_delete_form(form):
                if form.instance.pk:
                    removed.append(form.instance)
            elif form.instance.pk or form.has_changed():
                kept.append(form.save(commit=False))
        return kept, removed


def agreement_party_formset(*, extra: int):
    """Parties as an inline formset: two empty rows for a new agreement, one when editing."""
    return inlineformset_factory(
        Agreement,
        AgreementParty,
        form=AgreementPartyForm,
        formset=BaseAgreementPartyFormSet,
        extra=extra,
        can_delete=True,
        can_delete_extra=False,
    )


HEALTH_CHOICES = [
    ("", _("Alle")),
    ("draft", _("Utkast")),
    ("evaluation_due", _("Evaluering forfalt")),
    ("expiring", _("Utløper snart")),
    ("ok", _("Aktiv")),
    ("ended", _("Avsluttet eller utløpt")),
]


class AgreementFilterForm(forms.Form):
    """The agreement list's filters. Every filter is optional; junk values are ignored."""

    q = forms.CharField(
        label=_("Søk i tittel og formål"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    health = forms.ChoiceField(label=_("Status"), choices=HEALTH_CHOICES, required=False)
    agreement_type = forms.ModelChoiceField(
        label=_("Avtaletype"),
        queryset=Term.objects.none(),
        required=False,
        empty_label=_("Alle"),
    )
    nav_office = forms.ModelChoiceField(
        label=_("Nav-kontor"), queryset=NavOffice.objects.none(), required=False
    )
    municipality = forms.ModelChoiceField(
        label=_("Kommune"), queryset=Municipality.objects.none(), required=False
    )
    mine = forms.BooleanField(label=_("Bare avtaler der jeg representerer en part"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agreement_type"].queryset = _terms("agreement_types")
        self.fields["nav_office"].queryset = NavOffice.objects.order_by("name")
        self.fields["municipality"].queryset = Municipality.objects.order_by("name")
        self.fields["nav_office"].empty_label = _("Alle")
        self.fields["municipality"].empty_label = _("Alle")

    def filters(self) -> AgreementFilters:
        self.is_valid()
        data = self.cleaned_data
        pk = lambda name: data[name].pk if data.get(name) else None  # noqa: E731
        return AgreementFilters(
            q=(data.get("q") or "").strip(),
            health=data.get("health") or "",
            agreement_type=pk("agreement_type"),
            nav_office=pk("nav_office"),
            municipality=pk("municipality"),
            mine=bool(data.get("mine")),
        )

    def is_filtered(self) -> bool:
        return self.filters() != AgreementFilters()


class AgreementDocumentForm(forms.Form):
    title = forms.CharField(
        label=_("Tittel"),
        max_length=200,
        required=False,
        help_text=_("For eksempel «Signert avtale 2026». Tom: filnavnet brukes."),
    )
    file = forms.FileField(
        label=_("Fil (PDF)"),
        widget=forms.FileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    def __init__(self, *args, max_megabytes: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "Bare PDF. Største tillatte størrelse er %(limit)s MB."
        ) % {"limit": max_megabytes}


class AgreementEndForm(forms.Form):
    reason = forms.CharField(
        label=_("Hvorfor avsluttes avtalen?"),
        required=False,
        max_length=170,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Vises i historikken. Ikke skriv opplysninger om enkeltbrukere."),
    )
