"""The grant scheme listing's filters."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from directory.models import Term
from directory.selectors import (
    GRANT_CLOSED,
    GRANT_DISCONTINUED,
    GRANT_OPEN,
    GRANT_REPLACED,
    GRANT_UPCOMING,
    GrantFilters,
)
from directory.services.grants import DEFAULT_DAYS_BEFORE

GRANT_STATUS_CHOICES = [
    ("", _("Alle statuser")),
    (GRANT_OPEN, _("Åpen for søknad")),
    (GRANT_UPCOMING, _("Kommende")),
    (GRANT_CLOSED, _("Stengt")),
    (GRANT_DISCONTINUED, _("Avviklet")),
    (GRANT_REPLACED, _("Erstattet")),
]


class GrantFilterForm(forms.Form):
    """Every filter is optional. Term filters use slugs, so the URLs are readable and stable."""

    applicant_type = forms.ModelChoiceField(
        label=_("Hvem kan søke"),
        queryset=Term.objects.none(),
        to_field_name="slug",
        required=False,
        empty_label=_("Alle søkere"),
    )
    # Not just «Alle»: the vocabulary has a target group called «Alle» too.
    target_group = forms.ModelChoiceField(
        label=_("Målgruppe"),
        queryset=Term.objects.none(),
        to_field_name="slug",
        required=False,
        empty_label=_("Alle målgrupper"),
    )
    status = forms.ChoiceField(label=_("Status"), choices=GRANT_STATUS_CHOICES, required=False)
    within_days = forms.IntegerField(
        label=_("Søknadsfrist innen antall dager"),
        help_text=_("For eksempel 30 for frister den neste måneden."),
        required=False,
        min_value=1,
        max_value=366,
        error_messages={
            "invalid": _("Skriv antall dager som et helt tall, for eksempel 30."),
            "min_value": _("Skriv et antall dager fra 1 til 366."),
            "max_value": _("Skriv et antall dager fra 1 til 366."),
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["applicant_type"].queryset = Term.objects.choosable("applicant_types")
        self.fields["target_group"].queryset = Term.objects.choosable("target_groups")

    def filters(self) -> GrantFilters:
        """The valid filters; a field with an error is left out (and shown with its error)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        term = data.get("applicant_type")
        group = data.get("target_group")
        return GrantFilters(
            applicant_type=term.slug if term else "",
            target_group=group.slug if group else "",
            status=data.get("status") or "",
            within_days=data.get("within_days"),
        )


# The stages offered in the follow box (each also in services.grants.ALLOWED_DAYS_BEFORE).
FOLLOW_DAY_CHOICES = [
    (60, _("60 dager før")),
    (30, _("30 dager før")),
    (21, _("21 dager før")),
    (14, _("14 dager før")),
    (7, _("7 dager før")),
    (3, _("3 dager før")),
    (1, _("1 dag før")),
]


class GrantFollowForm(forms.Form):
    """When a follower wants to be reminded before each application deadline."""

    days_before = forms.TypedMultipleChoiceField(
        label=_("Påminn meg"),
        choices=FOLLOW_DAY_CHOICES,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        initial=list(DEFAULT_DAYS_BEFORE),
        error_messages={
            "required": _("Velg minst én påminnelse, for eksempel 7 dager før."),
            "invalid_choice": _("Velg påminnelser blant dagene som står i listen."),
        },
    )
