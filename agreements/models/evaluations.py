"""Evaluations: each party answers the same short form; the Nav office records the decision.

The questions are the review checklist of DOMAIN.md 3.2. Answers are about the cooperation, never
about people: counts are aggregates and the form says so.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

# (key, question). Keys are stable: stored answers refer to them.
CHECKLIST = [
    (
        "supplement",
        _(
            "Er samarbeidet et supplement til lovpålagte tjenester, ikke en erstatning? Blir ingen "
            "sendt til matutdeling i stedet for å få vurdert retten til økonomisk stønad?"
        ),
    ),
    (
        "knows_services",
        _(
            "Kjenner partneren de sosiale tjenestene, og vet de hvordan brukere kan kontakte "
            "Nav-kontoret?"
        ),
    ),
    ("form_as_agreed", _("Er samarbeidsformen slik avtalen beskriver?")),
    (
        "priority_groups",
        _(
            "Når samarbeidet de prioriterte gruppene: barnefamilier, unge under 30, "
            "langtidsmottakere, flyktninger, innsatte og løslatte?"
        ),
    ),
    (
        "children",
        _("Tas det hensyn til barns behov, også fritid uavhengig av foreldrenes økonomi?"),
    ),
    ("user_involvement", _("Er brukerne med og påvirker (brukermedvirkning)?")),
    (
        "leadership",
        _("Er samarbeidet forankret hos ledere, og tatt opp i partnerskapet der det passer?"),
    ),
    ("helps_hinders", _("Har dere sett på hva som hemmer og hva som fremmer samarbeidet?")),
    (
        "contact_person",
        _("Har hver part en fast, navngitt kontaktperson med oppdaterte kontaktdata?"),
    ),
    (
        "continue_share",
        _("Bør samarbeidet fortsette, endres eller avsluttes? Er det noe å dele som erfaring?"),
    ),
]
CHECKLIST_KEYS = [key for key, _question in CHECKLIST]


class ChecklistAnswer(models.TextChoices):
    YES = "ja", _("Ja")
    PARTLY = "delvis", _("Delvis")
    NO = "nei", _("Nei")
    NOT_RELEVANT = "ikke-relevant", _("Ikke relevant")


class Evaluation(models.Model):
    class ReviewType(models.TextChoices):
        SCHEDULED = "arlig", _("Fast evaluering")
        BEFORE_END = "ved-utlop", _("Før avtalen utløper")
        ON_CHANGE = "ved-endring", _("Ved endring eller forlengelse")

    class Status(models.TextChoices):
        OPEN = "open", _("Åpen")
        DECIDED = "decided", _("Avgjort")
        CANCELLED = "cancelled", _("Avlyst")

    class Decision(models.TextChoices):
        # Slugs of the `evaluation_decisions` vocabulary.
        RENEW = "fornye", _("Videreføres uendret")
        ADJUST = "justere", _("Videreføres med endringer")
        END = "avslutte", _("Avsluttes")

    agreement = models.ForeignKey(
        "agreements.Agreement", on_delete=models.CASCADE, related_name="evaluations"
    )
    review_type = models.CharField(
        _("årsak"), max_length=20, choices=ReviewType.choices, default=ReviewType.SCHEDULED
    )
    due_on = models.DateField(_("frist"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN
    )
    period_from = models.DateField(_("perioden fra"), null=True, blank=True)
    period_to = models.DateField(_("perioden til"), null=True, blank=True)
    decision = models.CharField(
        _("beslutning"), max_length=20, choices=Decision.choices, blank=True
    )
    changes = models.TextField(
        _("endringer og tiltak"),
        blank=True,
        help_text=_("Hva skal endres, hvem gjør det og innen når."),
    )
    participants = models.CharField(
        _("deltakere (roller)"),
        max_length=300,
        blank=True,
        help_text=_("Roller, ikke navn. For eksempel «Nav-leder, daglig leder»."),
    )
    share_as_experience = models.BooleanField(_("del som erfaring"), default=False)
    decided_on = models.DateField(_("beslutningsdato"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    next_due_on = models.DateField(_("neste evaluering"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("evaluering")
        verbose_name_plural = _("evalueringer")
        ordering = ["-due_on", "-pk"]
        constraints = [
            # One open evaluation per agreement at a time.
            models.UniqueConstraint(
                fields=["agreement"],
                condition=models.Q(status="open"),
                name="evaluation_one_open_per_agreement",
            )
        ]

    def __str__(self) -> str:
        return f"{self.agreement} – {self.due_on}"


class EvaluationResponse(models.Model):
    """One party's answers. A party may revise its answers until the decision is recorded."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="responses")
    party = models.ForeignKey(
        "agreements.AgreementParty", on_delete=models.CASCADE, related_name="responses"
    )
    goals_met = models.PositiveSmallIntegerField(
        _("i hvilken grad er målene nådd (1–5)"),
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    works = models.TextField(_("hva fungerer"), blank=True)
    not_working = models.TextField(_("hva fungerer ikke"), blank=True)
    contacts_count = models.PositiveIntegerField(
        _("antall kontakter eller henvisninger i perioden"),
        null=True,
        blank=True,
        help_text=_("Et samlet antall. Aldri navn eller opplysninger om enkeltpersoner."),
    )
    contact_quality = models.PositiveSmallIntegerField(
        _("hvor godt fungerer kontakten mellom partene (1–5)"),
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    changes_needed = models.TextField(_("hva bør endres"), blank=True)
    # {checklist key: {"answer": ChecklistAnswer, "comment": str}}
    checklist = models.JSONField(_("sjekkliste"), default=dict)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    submitted_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("svar på evaluering")
        verbose_name_plural = _("svar på evalueringer")
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "party"], name="evaluation_response_one_per_party"
            )
        ]

    def __str__(self) -> str:
        return f"{self.evaluation} – {self.party}"

    def checklist_rows(self):
        """(question, answer label, comment) in checklist order, for display."""
        labels = dict(ChecklistAnswer.choices)
        for key, question in CHECKLIST:
            item = self.checklist.get(key) or {}
            yield question, labels.get(item.get("answer"), "–"), item.get("comment", "")
