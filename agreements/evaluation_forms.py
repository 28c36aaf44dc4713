"""Forms for answering an evaluation and recording its decision. They only collect input: the
rules (every checklist item answered, changes described when adjusting, all parties heard) are
the services' and come back as ValidationErrors placed on these forms."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from agreements.models import CHECKLIST, ChecklistAnswer, Evaluation, EvaluationResponse
from agreements.services.evaluations import RESPONSE_FIELDS

SCALE = [
    (1, _("1 – i svært liten grad")),
    (2, "2"),
    (3, "3"),
    (4, "4"),
    (5, _("5 – i svært stor grad")),
]
QUALITY_SCALE = [
    (1, _("1 – svært dårlig")),
    (2, "2"),
    (3, "3"),
    (4, "4"),
    (5, _("5 – svært godt")),
]
ISO_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _label(name: str):
    return capfirst(EvaluationResponse._meta.get_field(name).verbose_name)


def answer_field(key: str) -> str:
    return f"checklist_{key}"


def comment_field(key: str) -> str:
    return f"checklist_{key}_comment"


class EvaluationResponseForm(forms.Form):
    goals_met = forms.TypedChoiceField(
        label=_("I hvilken grad er målene i avtalen nådd?"),
        choices=SCALE,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Velg et tall fra 1 til 5.")},
    )
    works = forms.CharField(
        label=_label("works"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    not_working = forms.CharField(
        label=_label("not_working"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    contacts_count = forms.IntegerField(
        label=_("Antall kontakter eller henvisninger i perioden"),
        required=False,
        min_value=0,
        help_text=_(
            "Et samlet antall for perioden. Skriv aldri navn eller andre opplysninger om "
            "enkeltpersoner."
        ),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    contact_quality = forms.TypedChoiceField(
        label=_("Hvor godt fungerer kontakten mellom partene?"),
        choices=QUALITY_SCALE,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Velg et tall fra 1 til 5.")},
    )
    changes_needed = forms.CharField(
        label=_label("changes_needed"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for number, (key, question) in enumerate(CHECKLIST, start=1):
            self.fields[answer_field(key)] = forms.ChoiceField(
                label=question,
                choices=ChecklistAnswer.choices,
                widget=forms.RadioSelect,
                error_messages={"required": _("Velg et svar.")},
            )
            self.fields[comment_field(key)] = forms.CharField(
                label=_("Kommentar til punkt %(number)s") % {"number": number},
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    @staticmethod
    def initial_from(response: EvaluationResponse | None) -> dict:
        """The party's earlier answers, so sending again only changes what they change."""
        if response is None:
            return {}
        initial = {name: getattr(response, name) for name in RESPONSE_FIELDS}
        for key, _question in CHECKLIST:
            item = response.checklist.get(key) or {}
            initial[answer_field(key)] = item.get("answer")
            initial[comment_field(key)] = item.get("comment", "")
        return initial

    def main_fields(self):
        return [self[name] for name in RESPONSE_FIELDS]

    def checklist_items(self):
        """(number, answer field, comment field) per checklist question, for the template."""
        return [
            {
                "number": number,
                "answer": self[answer_field(key)],
                "comment": self[comment_field(key)],
            }
            for number, (key, _question) in enumerate(CHECKLIST, start=1)
        ]

    def answers(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in RESPONSE_FIELDS}

    def checklist(self) -> dict:
        return {
            key: {
                "answer": self.cleaned_data.get(answer_field(key)),
                "comment": self.cleaned_data.get(comment_field(key), ""),
            }
            for key, _question in CHECKLIST
        }


class EvaluationDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Beslutning"),
        choices=Evaluation.Decision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Velg en beslutning.")},
    )
    changes = forms.CharField(
        label=_("Endringer og tiltak"),
        required=False,
        help_text=_(
            "Må fylles ut når avtalen videreføres med endringer: hva skal endres, hvem gjør det "
            "og innen når."
        ),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    participants = forms.CharField(
        label=_("Deltakere (roller)"),
        required=False,
        max_length=300,
        help_text=_("Roller, ikke navn. For eksempel «Nav-leder, daglig leder»."),
    )
    decided_on = forms.DateField(label=_("Beslutningsdato"), widget=ISO_DATE)
    next_due_on = forms.DateField(
        label=_("Neste evaluering"),
        required=False,
        widget=ISO_DATE,
        help_text=_(
            "La feltet stå tomt for å beregne datoen ut fra avtalens intervall og eventuell "
            "sluttdato."
        ),
    )
    share_as_experience = forms.BooleanField(
        label=_("Del som erfaring med andre Nav-kontorer og kommuner"), required=False
    )
    without_all_answers = forms.BooleanField(
        label=_("Avgjør uten svar fra alle partene"), required=False
    )

    def __init__(self, *args, missing_parties=(), today: date, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("decided_on", today)
        super().__init__(*args, **kwargs)
        if missing_parties:
            self.fields["without_all_answers"].help_text = _("Ikke svart ennå: %(names)s.") % {
                "names": ", ".join(party.name for party in missing_parties)
            }
        else:
            del self.fields["without_all_answers"]

    def decision_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "decision": data["decision"],
            "changes": data.get("changes", ""),
            "participants": data.get("participants", ""),
            "share_as_experience": data.get("share_as_experience", False),
            "decided_on": data["decided_on"],
            "next_due_on": data.get("next_due_on"),
            "without_all_answers": data.get("without_all_answers", False),
        }
