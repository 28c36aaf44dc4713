"""Evaluation pages: each party answers, the Nav office decides, outsiders see nothing."""

import re
from datetime import timedelta
from html import unescape

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from dateutil.relativedelta import relativedelta
from django.utils import timezone

from agreements.models import (
    CHECKLIST_KEYS,
    Agreement,
    AgreementParty,
    Evaluation,
    EvaluationResponse,
)
from agreements.services.agreements import agreement_activate, agreement_save
from directory.factories import OrganisationMembershipFactory, TermFactory, VocabularyFactory
from portal.permissions import has_mfa

pytestmark = pytest.mark.django_db


def login(client, user):
    # Nav staff need TOTP for /intern/; for everyone else it changes nothing.
    if not has_mfa(user):
        TOTP.activate(user, generate_totp_secret())
    client.force_login(user)
    return client


def text(response) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))


def active_agreement(world, *, start_date=None, end_date=None, offers=(), parties=None, **fields):
    """An active agreement between office_x and org_a, registered by nav_staff_x."""
    today = timezone.localdate()
    agreement = Agreement(
        title=fields.pop("title", "Leksehjelp i Testby"),
        purpose="Frivillige gir leksehjelp til barn i familier med lav inntekt.",
        agreement_type=TermFactory(vocabulary=VocabularyFactory(slug="agreement_types")),
        start_date=start_date or today - relativedelta(months=11),
        end_date=end_date,
        **fields,
    )
    if parties is None:
        parties = [
            AgreementParty(
                kind="nav_office", nav_office=world["office_x"], contact_role="Veileder"
            ),
            AgreementParty(
                kind="organisation", organisation=world["org_a"], contact_role="Daglig leder"
            ),
        ]
    by = world["users"]["nav_staff_x"]
    agreement = agreement_save(
        agreement=agreement, parties=parties, m2m={"offers": list(offers)}, by=by
    )
    return agreement_activate(agreement=agreement, by=by)


def answer_data(**overrides):
    data = {
        "goals_met": "4",
        "works": "Faste møter hver tirsdag fungerer godt.",
        "not_working": "",
        "contacts_count": "12",
        "contact_quality": "5",
        "changes_needed": "",
    }
    for key in CHECKLIST_KEYS:
        data[f"checklist_{key}"] = "ja"
        data[f"checklist_{key}_comment"] = ""
    data.update(overrides)
    return data


def respond_url(agreement) -> str:
    return f"/intern/avtaler/{agreement.pk}/evaluering/"


def decide_url(agreement) -> str:
    return f"/intern/avtaler/{agreement.pk}/evaluering/beslutning/"


@pytest.fixture
def agreement(world):
    return active_agreement(world)


def test_both_parties_answer_then_nav_adjusts_and_the_next_date_is_recomputed(
    client, world, agreement
):
    users = world["users"]
    login(client, users["nav_staff_x"])
    page = client.get(respond_url(agreement))
    assert page.status_code == 200
    html = text(page)
    assert "Svar for " + world["office_x"].name in html
    assert "Er samarbeidet et supplement til lovpålagte tjenester" in html
    assert f"{world['org_a'].name} har ikke svart ennå" in html
    assert "Skriv aldri navn eller andre opplysninger om enkeltpersoner" in html

    response = client.post(respond_url(agreement), answer_data())
    assert response.status_code == 302
    assert response["Location"] == f"/intern/avtaler/{agreement.pk}/"

    login(client, users["owner_a"])
    page = text(client.get(respond_url(agreement)))
    assert f"{world['office_x'].name} har svart" in page
    assert f"Svar for {world['org_a'].name}" in page
    response = client.post(
        respond_url(agreement),
        answer_data(goals_met="3", works="Kaffe og prat", checklist_children="delvis"),
    )
    assert response.status_code == 302
    evaluation = agreement.evaluations.get(status=Evaluation.Status.OPEN)
    assert evaluation.responses.count() == 2

    # The organisation takes part but does not decide.
    assert client.get(decide_url(agreement)).status_code == 403

    login(client, users["nav_staff_x"])
    page = text(client.get(decide_url(agreement)))
    assert "Kaffe og prat" in page and "Faste møter hver tirsdag" in page
    assert "Delvis" in page
    assert "Avgjør uten svar fra alle partene" not in page  # everyone answered

    today = timezone.localdate()
    decision = {"decision": "justere", "changes": "", "decided_on": today.isoformat()}
    refused = client.post(decide_url(agreement), decision)
    assert refused.status_code == 200
    assert "Beskriv hvilke endringer dere er enige om." in text(refused)
    evaluation.refresh_from_db()
    assert evaluation.status == Evaluation.Status.OPEN

    decision |= {"changes": "Vi møtes annenhver uke.", "participants": "Nav-leder, daglig leder"}
    decided = client.post(decide_url(agreement), decision, follow=True)
    next_due = today + relativedelta(months=12)
    agreement.refresh_from_db()
    assert agreement.next_evaluation_due == next_due
    assert agreement.last_decision == "justere"
    html = text(decided)
    assert decided.redirect_chain[-1][0] == (
        f"/intern/avtaler/{agreement.pk}/evalueringer/{evaluation.pk}/"
    )
    assert f"Neste evaluering er {next_due.strftime('%d.%m.%Y')}" in html
    assert "Videreføres med endringer" in html and "Vi møtes annenhver uke." in html
    # A new evaluation is open for the next round.
    assert agreement.evaluations.get(status=Evaluation.Status.OPEN).due_on == next_due


def test_invalid_answers_are_explained_and_nothing_typed_is_lost(client, world, agreement):
    login(client, world["users"]["owner_a"])
    data = answer_data(works="Kaffe og prat fungerer", contact_quality="")
    del data["checklist_supplement"]
    response = client.post(respond_url(agreement), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Rett opp dette før du går videre" in html
    assert 'href="#id_checklist_supplement_0"' in html
    assert 'href="#id_contact_quality_0"' in html
    assert "Kaffe og prat fungerer</textarea>" in html
    assert re.search(r'value="4" id="id_goals_met_3" checked', html)
    assert 'aria-describedby="id_checklist_supplement_feil"' in html
    assert not EvaluationResponse.objects.exists()


def test_earlier_answers_are_prefilled(client, world, agreement):
    login(client, world["users"]["owner_a"])
    client.post(
        respond_url(agreement),
        answer_data(checklist_children="nei", checklist_children_comment="Ingen fritidstilbud"),
    )
    html = client.get(respond_url(agreement)).content.decode()
    assert re.search(r'name="checklist_children" value="nei" id="[^"]+" checked', html)
    assert "Ingen fritidstilbud</textarea>" in html
    assert "sender du igjen, erstattes de" in unescape(html)


def test_a_user_of_several_parties_chooses_which_to_answer_for(client, world, agreement):
    user = world["users"]["nav_staff_x"]
    OrganisationMembershipFactory(user=user, organisation=world["org_a"])
    login(client, user)
    page = client.get(respond_url(agreement))
    assert "Hvilken part svarer du for?" in text(page)
    assert 'name="goals_met"' not in page.content.decode()
    org_party = agreement.parties.get(kind="organisation")
    chosen = client.get(respond_url(agreement) + f"?part={org_party.pk}")
    assert f"Svar for {world['org_a'].name}" in text(chosen)
    assert f'action="{respond_url(agreement)}?part={org_party.pk}"' in chosen.content.decode()
    client.post(respond_url(agreement) + f"?part={org_party.pk}", answer_data())
    assert EvaluationResponse.objects.get().party == org_party
    other = agreement.parties.get(kind="nav_office").pk + 1000
    assert client.get(respond_url(agreement) + f"?part={other}").status_code == 404


@pytest.mark.parametrize("role", ["rep_b", "nav_staff_y", "plain_user"])
def test_outsiders_cannot_see_or_answer(client, world, agreement, role):
    login(client, world["users"][role])
    evaluation = agreement.evaluations.get()
    assert client.get(respond_url(agreement)).status_code == 404
    assert client.post(respond_url(agreement), answer_data()).status_code == 404
    assert client.get(decide_url(agreement)).status_code == 404
    detail = f"/intern/avtaler/{agreement.pk}/evalueringer/{evaluation.pk}/"
    assert client.get(detail).status_code == 404
    assert not EvaluationResponse.objects.exists()


def test_anonymous_is_sent_to_login(client, agreement):
    for url in (respond_url(agreement), decide_url(agreement)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/konto/login/")


def test_municipality_staff_see_the_evaluation_but_answer_for_no_party(client, world, agreement):
    login(client, world["users"]["municipality_staff"])
    page = client.get(respond_url(agreement))
    assert page.status_code == 200
    assert "du svarer ikke for noen av partene" in text(page)
    assert client.post(respond_url(agreement), answer_data()).status_code == 200
    assert not EvaluationResponse.objects.exists()


def test_deciding_before_everyone_answered_needs_a_tick(client, world, agreement):
    login(client, world["users"]["nav_staff_x"])
    client.post(respond_url(agreement), answer_data())
    page = text(client.get(decide_url(agreement)))
    assert "Avgjør uten svar fra alle partene" in page
    assert f"Ikke svart ennå: {world['org_a'].name}" in page
    data = {"decision": "fornye", "decided_on": timezone.localdate().isoformat()}
    refused = client.post(decide_url(agreement), data)
    assert "Kryss av hvis dere vil avgjøre likevel" in text(refused)
    done = client.post(decide_url(agreement), data | {"without_all_answers": "on"}, follow=True)
    assert "Beslutningen er registrert" in text(done)
    assert "Videreføres uendret" in text(done)


def test_ending_in_the_evaluation_ends_the_agreement(client, world, agreement):
    login(client, world["users"]["nav_staff_x"])
    data = {
        "decision": "avslutte",
        "decided_on": timezone.localdate().isoformat(),
        "without_all_answers": "on",
    }
    done = client.post(decide_url(agreement), data, follow=True)
    assert "Avtalen er avsluttet" in text(done)
    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.ENDED
    # Nothing left to answer, and the page says so.
    page = text(client.get(respond_url(agreement)))
    assert "Avtalen har ingen åpen evaluering nå" in page
    assert "Se siste evaluering" in page


def test_a_next_date_chosen_by_hand_wins(client, world, agreement):
    login(client, world["users"]["nav_staff_x"])
    chosen = timezone.localdate() + timedelta(days=100)
    data = {
        "decision": "fornye",
        "decided_on": timezone.localdate().isoformat(),
        "next_due_on": chosen.isoformat(),
        "without_all_answers": "on",
    }
    client.post(decide_url(agreement), data)
    agreement.refresh_from_db()
    assert agreement.next_evaluation_due == chosen


def test_open_evaluation_detail_redirects_to_answering(client, world, agreement):
    login(client, world["users"]["owner_a"])
    evaluation = agreement.evaluations.get()
    response = client.get(f"/intern/avtaler/{agreement.pk}/evalueringer/{evaluation.pk}/")
    assert response.status_code == 302
    assert response["Location"] == respond_url(agreement)


def test_decided_on_default_is_today(client, world, agreement):
    login(client, world["users"]["nav_staff_x"])
    html = client.get(decide_url(agreement)).content.decode()
    assert f'value="{timezone.localdate().isoformat()}"' in html
