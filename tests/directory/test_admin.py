"""Reference data is managed in the Wagtail admin, with the same predicates as everywhere else."""

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from wagtail.models import ModelLogEntry

from directory.models import Term
from directory.services.reference_data import reference_data_load

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_user(client, world):
    def login(role):
        user = world["users"][role]
        TOTP.activate(user, generate_totp_secret())
        client.force_login(user)
        return client

    return login


def _term_url(term, action="edit"):
    return f"/admin/snippets/directory/term/{action}/{term.pk}/"


def test_editor_renames_a_term_but_cannot_change_its_slug_and_it_is_logged(as_user, world):
    reference_data_load()
    term = Term.objects.get(vocabulary__slug="offer_categories", slug="leksehjelp")
    client = as_user("portal_editor")
    page = client.get(_term_url(term))
    assert page.status_code == 200
    form = page.context["form"]
    assert form.fields["slug"].disabled
    data = {
        "vocabulary": term.vocabulary_id,
        "slug": "noe-annet",
        "label_nb": "Lekse- og skolehjelp",
        "label_en": term.label_en,
        "description_nb": term.description_nb,
        "sort_order": term.sort_order,
        "is_active": "on",
    }
    response = client.post(_term_url(term), data)
    assert response.status_code == 302, response.context["form"].errors
    term.refresh_from_db()
    assert (term.slug, term.label_nb) == ("leksehjelp", "Lekse- og skolehjelp")
    entry = ModelLogEntry.objects.filter(object_id=str(term.pk), action="wagtail.edit").get()
    assert entry.user == world["users"]["portal_editor"]


def test_editor_cannot_delete_terms_or_edit_municipalities(as_user, world):
    reference_data_load()
    term = Term.objects.first()
    client = as_user("portal_editor")
    assert client.get(_term_url(term, "delete")).status_code in (302, 403)
    assert Term.objects.filter(pk=term.pk).exists()
    response = client.get("/admin/snippets/directory/municipality/add/")
    assert response.status_code in (302, 403)


def test_administrator_may_edit_municipalities(as_user, world):
    client = as_user("administrator")
    assert client.get("/admin/snippets/directory/municipality/add/").status_code == 200


@pytest.mark.parametrize("role", ["nav_staff_x", "nav_leader_x", "owner_a", "municipality_staff"])
def test_others_do_not_reach_the_admin(as_user, role):
    response = as_user(role).get("/admin/snippets/directory/term/")
    assert response.status_code == 302
    assert "/konto/login/" in response.url or "/admin/login/" in response.url
