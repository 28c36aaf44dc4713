import pytest
from django.core.management import call_command

from directory.models import County, Municipality, Term, Vocabulary
from directory.services.reference_data import reference_data_load

pytestmark = pytest.mark.django_db


def test_loads_all_357_municipalities_in_15_counties():
    reference_data_load()
    assert Municipality.objects.count() == 357
    assert County.objects.count() == 15
    assert Municipality.objects.get(code="0301").name == "Oslo"
    # Codes are strings: the leading zero survives.
    assert Municipality.objects.filter(code__startswith="0").exists()
    assert not County.objects.filter(name="Viken").exists()


def test_loading_twice_duplicates_nothing():
    reference_data_load()
    counts = (Municipality.objects.count(), County.objects.count(), Term.objects.count())
    call_command("load_reference_data")
    assert (Municipality.objects.count(), County.objects.count(), Term.objects.count()) == counts


def test_vocabularies_have_stable_slugs_and_keep_editor_changes():
    reference_data_load()
    assert Vocabulary.objects.count() == 32
    term = Term.objects.get(vocabulary__slug="offer_categories", slug="leksehjelp")
    term.label_nb = "Leksehjelp (endret av redaktør)"
    term.save()
    reference_data_load()
    term.refresh_from_db()
    assert term.label_nb == "Leksehjelp (endret av redaktør)"


def test_evidence_registries_keep_their_own_scale():
    reference_data_load()
    ungsinn = Term.objects.get(vocabulary__slug="evidence_registries", slug="ungsinn")
    labels = [step["nb"] for step in ungsinn.extra["scale"]]
    assert "Noe dokumentasjon" in labels


def test_setup_portal_is_idempotent_with_demo_content(settings):
    from directory.models import NavOffice, Organisation
    from portal.models import ContentPage, HomePage, User

    settings.DEBUG = True
    call_command("setup_portal", "--demo")
    counts = (
        NavOffice.objects.count(),
        Organisation.objects.count(),
        User.objects.count(),
        HomePage.objects.count(),
        ContentPage.objects.count(),
    )
    call_command("setup_portal", "--demo")
    assert counts == (
        NavOffice.objects.count(),
        Organisation.objects.count(),
        User.objects.count(),
        HomePage.objects.count(),
        ContentPage.objects.count(),
    )
    assert counts[0] >= 16 and counts[1] >= 16 and counts[3] == 1
    assert all(o.is_demo for o in Organisation.objects.all())


def test_renamed_term_label_is_shown_at_once(settings):
    from directory.selectors import term_labels

    reference_data_load()
    assert term_labels("offer_categories")["leksehjelp"] == "Leksehjelp"
    term = Term.objects.get(vocabulary__slug="offer_categories", slug="leksehjelp")
    term.label_nb = "Lekse- og skolehjelp"
    term.save()
    assert term_labels("offer_categories")["leksehjelp"] == "Lekse- og skolehjelp"
