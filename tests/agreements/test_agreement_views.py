"""The agreement pages as Nav staff, municipality staff and organisation reps use them."""

from datetime import date

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from dateutil.relativedelta import relativedelta
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from agreements.models import (
    Agreement,
    AgreementDocument,
    AgreementParty,
    AgreementSettings,
    Evaluation,
)
from agreements.services.agreements import agreement_activate, agreement_save
from directory.factories import NavOfficeFactory, TermFactory, VocabularyFactory, offer_build
from directory.models import Organisation
from directory.services.reference_data import vocabularies_load
from portal.permissions import has_mfa

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def site(world):
    agreement_types = VocabularyFactory(slug="agreement_types", name="Avtaletyper")
    world["type_cooperation"] = TermFactory(
        vocabulary=agreement_types, slug="samarbeidsavtale", label_nb="Samarbeidsavtale"
    )
    world["type_host"] = TermFactory(
        vocabulary=agreement_types, slug="vertskommune", label_nb="Vertskommunesamarbeid"
    )
    forms = VocabularyFactory(slug="cooperation_forms", name="Samarbeidsformer")
    world["form_meetings"] = TermFactory(
        vocabulary=forms, slug="kjennskap", label_nb="Kjennskap til hverandres tilbud"
    )
    return world


def staff_login(client, user):
    """Nav staff need an authenticator before /intern/ lets them in."""
    if not has_mfa(user):
        TOTP.activate(user, generate_totp_secret())
    client.force_login(user)
    return client


def form_data(site, *, parties=None, **overrides):
    """A POST for the agreement form: the fields, then the party rows as a formset."""
    data = {
        "title": "Samarbeid om leksehjelp",
        "purpose": "Nav-kontoret og frivilligsentralen samarbeider om leksehjelp for barn.",
        "agreement_type": site["type_cooperation"].pk,
        "cooperation_forms": [site["form_meetings"].pk],
        "legal_basis": "sotjl. § 14",
        "meetings": "Kvartalsvis kontaktmøte",
        "start_date": "2026-01-01",
        "end_date": "",
        "renewal": "tacit",
        "notice_months": "3",
        "evaluation_interval_months": "12",
    }
    if parties is None:
        parties = [
            {"kind": "nav_office", "nav_office": site["office_x"].pk, "contact_role": "Veileder"},
            {
                "kind": "organisation",
                "organisation": site["org_a"].pk,
                "contact_role": "Daglig leder",
                "contact_email": "post@frivilligsentralen.example.org",
                "responsibilities": "Stiller med frivillige.",
            },
        ]
    data.update(
        {
            "parties-TOTAL_FORMS": str(len(parties)),
            "parties-INITIAL_FORMS": "0",
            "parties-MIN_NUM_FORMS": "0",
            "parties-MAX_NUM_FORMS": "1000",
        }
    )
    for index, party in enumerate(parties):
        for key, value in party.items():
            data[f"parties-{index}-{key}"] = value
    data.update(overrides)
    return data


def make_agreement(site, *, by=None, title="Avtale om leksehjelp", office=None, activate=False):
    by = by or site["users"]["nav_staff_x"]
    agreement = Agreement(
        title=title,
        purpose="Et samarbeid.",
        agreement_type=site["type_cooperation"],
        # A month ago, so the first evaluation is due in eleven months whenever the test runs.
        start_date=timezone.localdate() - relativedelta(months=1),
    )
    parties = [
        AgreementParty(
            kind=AgreementParty.Kind.NAV_OFFICE,
            nav_office=office or site["office_x"],
            contact_role="Veileder",
        ),
        AgreementParty(
            kind=AgreementParty.Kind.ORGANISATION,
            organisation=site["org_a"],
            contact_role="Daglig leder",
        ),
    ]
    agreement = agreement_save(agreement=agreement, parties=parties, by=by)
    if activate:
        agreement = agreement_activate(agreement=agreement, by=by)
    return agreement


def detail_url(agreement):
    return reverse("agreement_detail", args=[agreement.pk])


# --- Create, activate, edit ----------------------------------------------------------------------


def test_create_with_an_organisation_party_is_a_draft_that_can_be_put_in_force(client, site):
    staff_login(client, site["users"]["nav_staff_x"])
    assert client.get(reverse("agreement_create")).status_code == 200

    response = client.post(reverse("agreement_create"), form_data(site))
    agreement = Agreement.objects.get(title="Samarbeid om leksehjelp")
    assert response.status_code == 302
    assert response.url == detail_url(agreement)
    assert agreement.status == Agreement.Status.DRAFT
    assert agreement.created_by == site["users"]["nav_staff_x"]
    assert [p.name for p in agreement.parties.all()] == [
        site["office_x"].name,
        site["org_a"].name,
    ]
    assert list(agreement.cooperation_forms.all()) == [site["form_meetings"]]

    page = client.get(detail_url(agreement)).content.decode()
    assert "Avtalen er registrert som utkast" in page
    assert "Sett i kraft" in page
    assert "post@frivilligsentralen.example.org" in page

    response = client.post(reverse("agreement_activate", args=[agreement.pk]))
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.ACTIVE
    assert agreement.next_evaluation_due == date(2027, 1, 1)
    assert agreement.evaluations.filter(status=Evaluation.Status.OPEN).exists()
    page = client.get(detail_url(agreement)).content.decode()
    assert "Evaluering med frist 1. januar 2027" in page
    assert "Sett i kraft" not in page


def test_new_agreement_form_suggests_the_configured_evaluation_interval(client, site):
    rules = AgreementSettings.load()
    rules.evaluation_interval_months = 18
    rules.save()
    staff_login(client, site["users"]["nav_staff_x"])
    response = client.get(reverse("agreement_create"))
    html = response.content.decode()
    assert 'name="evaluation_interval_months" value="18"' in html
    assert 'type="date"' in html
    assert 'name="parties-TOTAL_FORMS" value="2"' in html


def test_end_date_before_start_is_explained_and_keeps_what_was_typed(client, site):
    staff_login(client, site["users"]["nav_staff_x"])
    response = client.post(
        reverse("agreement_create"),
        form_data(site, start_date="2026-05-01", end_date="2026-04-01", title="Min avtale"),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Sluttdatoen kan ikke være før startdatoen (01.05.2026)." in html
    assert 'aria-invalid="true"' in html
    assert 'value="Min avtale"' in html
    assert 'value="2026-04-01"' in html
    assert 'value="post@frivilligsentralen.example.org"' in html
    assert not Agreement.objects.exists()


def test_an_agreement_needs_two_parties(client, site):
    staff_login(client, site["users"]["nav_staff_x"])
    only_nav = [{"kind": "nav_office", "nav_office": site["office_x"].pk, "contact_role": "Leder"}]
    response = client.post(reverse("agreement_create"), form_data(site, parties=only_nav))
    html = response.content.decode()
    assert response.status_code == 200
    assert "En avtale må ha minst to parter" in html
    assert 'value="Samarbeid om leksehjelp"' in html
    assert not Agreement.objects.exists()


def test_a_party_needs_the_reference_its_kind_names(client, site):
    staff_login(client, site["users"]["nav_staff_x"])
    parties = [
        {"kind": "nav_office", "nav_office": site["office_x"].pk, "contact_role": "Veileder"},
        {"kind": "organisation", "municipality": site["municipality"].pk, "contact_role": "Leder"},
    ]
    response = client.post(reverse("agreement_create"), form_data(site, parties=parties))
    html = response.content.decode()
    assert "Velg organisasjonen som er part." in html
    assert 'href="#id_parties-1-organisation"' in html
    assert not Agreement.objects.exists()


def test_creator_must_speak_for_a_public_side_party(client, site):
    staff_login(client, site["users"]["nav_staff_y"])
    response = client.post(reverse("agreement_create"), form_data(site))
    assert response.status_code == 200
    assert "Du må selv høre til et av Nav-kontorene" in response.content.decode()
    assert not Agreement.objects.exists()


def test_organisations_may_not_register_agreements(client, site):
    client.force_login(site["users"]["owner_a"])
    assert client.get(reverse("agreement_create")).status_code == 403
    assert client.post(reverse("agreement_create"), form_data(site)).status_code == 403


def test_edit_changes_fields_removes_a_party_and_keeps_the_status(client, site):
    agreement = make_agreement(site, activate=True)
    third = AgreementParty.objects.create(
        agreement=agreement,
        kind=AgreementParty.Kind.ORGANISATION,
        organisation=site["org_b"],
        contact_role="Koordinator",
        sort_order=2,
    )
    staff_login(client, site["users"]["nav_leader_x"])
    page = client.get(reverse("agreement_edit", args=[agreement.pk])).content.decode()
    assert 'name="parties-TOTAL_FORMS" value="4"' in page  # three parties and one empty row

    parties = list(agreement.parties.all())
    rows = [
        {
            "id": party.pk,
            "agreement": agreement.pk,
            "kind": party.kind,
            "nav_office": party.nav_office_id or "",
            "organisation": party.organisation_id or "",
            "contact_role": party.contact_role,
        }
        for party in parties
    ]
    rows[2]["DELETE"] = "on"
    data = form_data(site, parties=rows, title="Nytt navn", end_date="2027-12-31")
    data["parties-INITIAL_FORMS"] = "3"
    response = client.post(reverse("agreement_edit", args=[agreement.pk]), data)
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.title == "Nytt navn"
    assert agreement.end_date == date(2027, 12, 31)
    assert agreement.status == Agreement.Status.ACTIVE
    assert not AgreementParty.objects.filter(pk=third.pk).exists()


def test_offers_of_party_organisations_can_be_linked(client, site):
    vocabularies_load()
    # Only public offers can be linked, and an offer is public only once Nav has approved its
    # organisation.
    for key in ("org_a", "org_b"):
        site[key].status = Organisation.Status.APPROVED
        site[key].save(update_fields=["status"])
    offer = offer_build(organisation=site["org_a"], title="Leksehjelp på biblioteket")
    offer.save()
    offer_build(organisation=site["org_b"], title="Annen organisasjons tilbud").save()
    agreement = make_agreement(site)
    staff_login(client, site["users"]["nav_staff_x"])
    page = client.get(reverse("agreement_edit", args=[agreement.pk])).content.decode()
    assert "Leksehjelp på biblioteket" in page
    assert "Annen organisasjons tilbud" not in page

    parties = [
        {
            "id": party.pk,
            "agreement": agreement.pk,
            "kind": party.kind,
            "nav_office": party.nav_office_id or "",
            "organisation": party.organisation_id or "",
            "contact_role": party.contact_role,
        }
        for party in agreement.parties.all()
    ]
    data = form_data(site, parties=parties, offers=[offer.pk])
    data["parties-INITIAL_FORMS"] = "2"
    assert client.post(reverse("agreement_edit", args=[agreement.pk]), data).status_code == 302
    page = client.get(detail_url(agreement)).content.decode()
    assert reverse("offer_detail", args=[offer.pk]) in page


# --- Who sees what -------------------------------------------------------------------------------


def test_outsiders_get_404_and_anonymous_users_the_login_page(client, site):
    agreement = make_agreement(site)
    urls = [
        detail_url(agreement),
        reverse("agreement_edit", args=[agreement.pk]),
        reverse("agreement_history", args=[agreement.pk]),
        reverse("agreement_end", args=[agreement.pk]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))
    staff_login(client, site["users"]["nav_staff_y"])
    for url in urls:
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("agreement_activate", args=[agreement.pk])).status_code == 404
    client.force_login(site["users"]["rep_b"])
    for url in urls:
        assert client.get(url).status_code == 404, url
    assert client.get(reverse("agreement_detail", args=[987654])).status_code == 404


def test_organisation_reps_see_but_do_not_edit(client, site):
    agreement = make_agreement(site)
    client.force_login(site["users"]["owner_a"])
    page = client.get(detail_url(agreement)).content.decode()
    assert agreement.title in page
    assert "Endre" not in page and "Sett i kraft" not in page
    assert client.get(reverse("agreement_edit", args=[agreement.pk])).status_code == 403
    assert client.post(reverse("agreement_activate", args=[agreement.pk])).status_code == 403
    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.DRAFT


def test_detail_offers_evaluation_actions_to_those_who_may_take_them(client, site):
    agreement = make_agreement(site, activate=True)
    respond = reverse("evaluation_respond", args=[agreement.pk])
    decide = reverse("evaluation_decide", args=[agreement.pk])

    staff_login(client, site["users"]["nav_staff_x"])
    page = client.get(detail_url(agreement)).content.decode()
    assert respond in page and decide in page
    assert "har ikke svart ennå" in page

    client.force_login(site["users"]["owner_a"])
    page = client.get(detail_url(agreement)).content.decode()
    assert respond in page and decide not in page

    client.force_login(site["users"]["municipality_staff"])
    page = client.get(detail_url(agreement)).content.decode()
    assert agreement.title in page
    assert respond not in page and decide not in page


def test_end_asks_for_confirmation_and_records_the_reason(client, site):
    agreement = make_agreement(site, activate=True)
    staff_login(client, site["users"]["nav_staff_x"])
    page = client.get(reverse("agreement_end", args=[agreement.pk]))
    assert page.status_code == 200
    assert "Hvorfor avsluttes avtalen?" in page.content.decode()
    response = client.post(
        reverse("agreement_end", args=[agreement.pk]), {"reason": "Organisasjonen er nedlagt"}
    )
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.ENDED
    assert agreement.next_evaluation_due is None
    history = client.get(reverse("agreement_history", args=[agreement.pk])).content.decode()
    assert "Avtalen ble avsluttet: Organisasjonen er nedlagt" in history
    # An ended agreement is a record: no more changes.
    assert client.get(reverse("agreement_edit", args=[agreement.pk])).status_code == 403


# --- History -------------------------------------------------------------------------------------


def test_history_shows_who_changed_what(client, site):
    agreement = make_agreement(site)
    staff_login(client, site["users"]["nav_leader_x"])
    agreement.title = "Avtale om leksehjelp og språkkafé"
    agreement.end_date = date(2028, 6, 30)
    agreement_save(
        agreement=agreement,
        parties=list(agreement.parties.all()),
        by=site["users"]["nav_leader_x"],
    )
    agreement_activate(agreement=agreement, by=site["users"]["nav_staff_x"])
    html = client.get(reverse("agreement_history", args=[agreement.pk])).content.decode()
    assert "Avtalen ble endret" in html
    assert site["users"]["nav_leader_x"].email in html
    assert "Tittel" in html
    assert "Avtale om leksehjelp" in html and "Avtale om leksehjelp og språkkafé" in html
    assert "30.06.2028" in html
    assert "Avtalen ble registrert" in html
    assert "Avtalen ble satt i kraft" in html


# --- Documents -----------------------------------------------------------------------------------


def upload(client, agreement, content, name="avtale.pdf", title="Signert avtale"):
    return client.post(
        reverse("agreement_document_upload", args=[agreement.pk]),
        {"title": title, "file": SimpleUploadedFile(name, content, "application/pdf")},
    )


def test_upload_rejects_a_text_file_named_pdf(client, site):
    agreement = make_agreement(site)
    staff_login(client, site["users"]["nav_staff_x"])
    response = upload(client, agreement, b"Dette er ikke en PDF.\n")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Filen er ikke en PDF" in html
    assert 'value="Signert avtale"' in html
    assert not AgreementDocument.objects.exists()


def test_upload_rejects_files_over_the_size_limit(client, site):
    rules = AgreementSettings.load()
    rules.document_max_megabytes = 1
    rules.save()
    agreement = make_agreement(site)
    staff_login(client, site["users"]["nav_staff_x"])
    page = client.get(detail_url(agreement)).content.decode()
    assert "Største tillatte størrelse er 1 MB." in page
    big = b"%PDF-1.4\n" + b"0" * (1024 * 1024 + 10) + b"\n%%EOF\n"
    response = upload(client, agreement, big)
    assert response.status_code == 400
    assert "Filen er for stor" in response.content.decode()
    assert not AgreementDocument.objects.exists()


def test_a_valid_pdf_is_stored_and_only_the_parties_can_download_it(client, site):
    agreement = make_agreement(site)
    other = make_agreement(site, title="En annen avtale")
    staff_login(client, site["users"]["nav_staff_x"])
    response = upload(client, agreement, PDF, title="Signert avtale 2026 – Nav/Frivilligsentralen")
    assert response.status_code == 302
    document = AgreementDocument.objects.get()
    url = reverse("agreement_document_download", args=[agreement.pk, document.pk])
    assert url in client.get(detail_url(agreement)).content.decode()

    client.force_login(site["users"]["owner_a"])
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="signert-avtale-2026-navfrivilligsentralen.pdf"'
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    # The document belongs to another agreement than the URL says.
    wrong = reverse("agreement_document_download", args=[other.pk, document.pk])
    assert client.get(wrong).status_code == 404

    for user in ("nav_staff_y", "rep_b"):
        staff_login(client, site["users"][user])
        assert client.get(url).status_code == 404, user
    client.logout()
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_documents_can_be_removed_by_those_who_may(client, site):
    agreement = make_agreement(site)
    client.force_login(site["users"]["owner_a"])
    assert upload(client, agreement, PDF).status_code == 302
    document = AgreementDocument.objects.get()
    remove = reverse("agreement_document_remove", args=[agreement.pk, document.pk])

    client.force_login(site["users"]["editor_a"])
    page = client.get(detail_url(agreement)).content.decode()
    assert remove not in page  # another representative uploaded it, and editor_a cannot edit
    assert client.post(remove).status_code == 403

    staff_login(client, site["users"]["nav_staff_x"])
    assert remove in client.get(detail_url(agreement)).content.decode()
    assert client.post(remove).status_code == 302
    assert not AgreementDocument.objects.exists()


# --- The list ------------------------------------------------------------------------------------


def test_list_filters_and_rows(client, site):
    draft = make_agreement(site, title="Utkast om matutdeling")
    active = make_agreement(site, title="Avtale om språkkafé", activate=True)
    office_z = NavOfficeFactory()
    staff_login(client, site["users"]["nav_staff_x"])
    url = reverse("agreement_list")

    html = client.get(url).content.decode()
    assert draft.title in html and active.title in html
    assert site["org_a"].name in html and "Samarbeidsavtale" in html
    assert active.next_evaluation_due.strftime("%d.%m.%Y") in html
    assert "2 avtaler" in html

    def titles(**params):
        page = client.get(url, params).content.decode()
        return {title for title in (draft.title, active.title) if title in page}

    assert titles(health="draft") == {draft.title}
    assert titles(health="ok") == {active.title}
    assert titles(q="språkkafé") == {active.title}
    assert titles(agreement_type=site["type_host"].pk) == set()
    assert titles(agreement_type=site["type_cooperation"].pk) == {draft.title, active.title}
    assert titles(nav_office=office_z.pk) == set()
    assert titles(municipality=site["municipality"].pk) == {draft.title, active.title}
    assert titles(mine="on") == {draft.title, active.title}
    assert titles(health="nonsense", nav_office="x") == {draft.title, active.title}

    # municipality_staff sees both through the office that serves them, but is no party.
    client.force_login(site["users"]["municipality_staff"])
    assert titles() == {draft.title, active.title}
    assert titles(mine="on") == set()


def test_list_htmx_gets_only_the_results(client, site):
    make_agreement(site, title="Avtale om språkkafé")
    staff_login(client, site["users"]["nav_staff_x"])
    response = client.get(reverse("agreement_list"), {"q": "språk"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "Avtale om språkkafé" in html
    assert "<html" not in html
    assert 'hx-swap-oob="innerHTML"' in html


def test_list_empty_state_and_who_may_use_it(client, site):
    staff_login(client, site["users"]["nav_staff_y"])
    html = client.get(reverse("agreement_list")).content.decode()
    assert "Ingen samarbeidsavtaler ennå" in html
    assert "Registrer avtale" in html

    make_agreement(site)
    client.force_login(site["users"]["rep_b"])
    html = client.get(reverse("agreement_list")).content.decode()
    assert "Ingen samarbeidsavtaler ennå" in html
    assert "Registrer avtale" not in html

    client.force_login(site["users"]["plain_user"])
    assert client.get(reverse("agreement_list")).status_code == 403


def test_list_and_detail_queries_do_not_grow_with_rows(client, site, django_assert_max_num_queries):
    staff_login(client, site["users"]["nav_staff_x"])
    make_agreement(site, title="Avtale 1", activate=True)
    with django_assert_max_num_queries(40) as first:
        client.get(reverse("agreement_list"))
    for n in range(2, 7):
        make_agreement(site, title=f"Avtale {n}", activate=True)
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(reverse("agreement_list"))


def test_edit_page_queries_do_not_grow_with_parties(client, site, django_assert_max_num_queries):
    agreement = make_agreement(site)
    staff_login(client, site["users"]["nav_staff_x"])
    url = reverse("agreement_edit", args=[agreement.pk])
    with django_assert_max_num_queries(60) as first:
        assert client.get(url).status_code == 200
    for office in NavOfficeFactory.create_batch(3):
        AgreementParty.objects.create(
            agreement=agreement, kind="nav_office", nav_office=office, contact_role="Leder"
        )
    with django_assert_max_num_queries(len(first.captured_queries)):
        html = client.get(url).content.decode()
    assert 'name="parties-TOTAL_FORMS" value="6"' in html


def test_list_label_and_filter_follow_the_configured_ending_warning(client, site):
    rules = AgreementSettings.load()
    rules.ending_before_days = 300
    rules.save()
    agreement = make_agreement(site, title="Avtale som snart slutter", activate=True)
    Agreement.objects.filter(pk=agreement.pk).update(
        end_date=timezone.localdate() + relativedelta(days=200)
    )
    staff_login(client, site["users"]["nav_staff_x"])
    html = client.get(reverse("agreement_list"), {"health": "expiring"}).content.decode()
    assert "Avtale som snart slutter" in html
    assert 'data-variant="moderate">Utløper snart</span>' in html
