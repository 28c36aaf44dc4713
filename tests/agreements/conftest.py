"""Agreements between the `world`'s actors, made through the services as a Nav office makes them."""

from datetime import date
from zoneinfo import ZoneInfo

import pytest

from agreements.models import CHECKLIST_KEYS, Agreement, AgreementParty, Evaluation
from agreements.services.agreements import agreement_activate, agreement_save
from agreements.services.evaluations import evaluation_respond
from directory.factories import TermFactory, VocabularyFactory

OSLO = ZoneInfo("Europe/Oslo")
OFFICE_CONTACT_EMAIL = "samarbeid@nav-x.example"
ORG_CONTACT_EMAIL = "post@org-a.example"


@pytest.fixture
def agreement_type(db):
    vocabulary = VocabularyFactory(slug="agreement_types", name="Avtaletyper")
    return TermFactory(vocabulary=vocabulary, slug="samarbeidsavtale", label_nb="Samarbeidsavtale")


def office_party(office, *, contact_user=None, contact_email=OFFICE_CONTACT_EMAIL):
    return AgreementParty(
        kind=AgreementParty.Kind.NAV_OFFICE,
        nav_office=office,
        contact_role="Veileder sosiale tjenester",
        contact_email=contact_email,
        contact_user=contact_user,
    )


def organisation_party(organisation, *, contact_email=ORG_CONTACT_EMAIL):
    return AgreementParty(
        kind=AgreementParty.Kind.ORGANISATION,
        organisation=organisation,
        contact_role="Daglig leder",
        contact_email=contact_email,
    )


def municipality_party(municipality, *, contact_user=None):
    return AgreementParty(
        kind=AgreementParty.Kind.MUNICIPALITY,
        municipality=municipality,
        contact_role="Kommunalsjef",
        contact_user=contact_user,
    )


@pytest.fixture
def make_agreement(world, agreement_type):
    """Register (and by default activate) an agreement; office_x and org_a unless told."""
    users = world["users"]

    def make(
        *,
        title="Matutdeling og veiledning",
        parties=None,
        by=None,
        start=date(2026, 1, 15),
        end=None,
        renewal=Agreement.Renewal.TACIT,
        interval=12,
        activate=True,
    ) -> Agreement:
        by = by or users["nav_staff_x"]
        if parties is None:
            parties = [
                office_party(world["office_x"], contact_user=users["nav_staff_x"]),
                organisation_party(world["org_a"]),
            ]
        agreement = Agreement(
            title=title,
            purpose="Frivilligsentralen deler ut mat, og Nav-kontoret har veiledere til stede.",
            agreement_type=agreement_type,
            start_date=start,
            end_date=end,
            renewal=renewal,
            evaluation_interval_months=interval,
        )
        agreement = agreement_save(agreement=agreement, parties=parties, by=by)
        if activate:
            agreement = agreement_activate(agreement=agreement, by=by)
        return Agreement.objects.get(pk=agreement.pk)

    return make


@pytest.fixture
def agreement_world(world, make_agreement):
    """The world, plus an active agreement between office_x (contact nav_staff_x) and org_a,
    from 15 January 2026 with yearly evaluations: the first is due 15 January 2027."""
    agreement = make_agreement()
    return {
        **world,
        "agreement": agreement,
        "make_agreement": make_agreement,
        "office_party": agreement.parties.get(kind=AgreementParty.Kind.NAV_OFFICE),
        "org_party": agreement.parties.get(kind=AgreementParty.Kind.ORGANISATION),
        "evaluation": agreement.evaluations.get(status=Evaluation.Status.OPEN),
    }


def full_answers(goals_met=4):
    """A complete response: the numbers and every checklist item answered."""
    return (
        {"goals_met": goals_met, "contact_quality": 4, "contacts_count": 12, "works": "Godt"},
        {key: {"answer": "ja"} for key in CHECKLIST_KEYS},
    )


ANSWERING_USER = {
    AgreementParty.Kind.NAV_OFFICE: "nav_staff_x",
    AgreementParty.Kind.ORGANISATION: "owner_a",
    AgreementParty.Kind.MUNICIPALITY: "municipality_staff",
}


@pytest.fixture
def answer_all(world):
    """Every party of the evaluation's agreement answers, each through one of its members."""

    def answer(evaluation):
        for party in evaluation.agreement.parties.all():
            answers, checklist = full_answers()
            evaluation_respond(
                evaluation=evaluation,
                party=party,
                by=world["users"][ANSWERING_USER[party.kind]],
                answers=answers,
                checklist=checklist,
            )

    return answer
