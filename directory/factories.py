import factory
from django.utils.text import slugify

from directory.models import (
    County,
    Municipality,
    MunicipalityMembership,
    NavOffice,
    NavOfficeMembership,
    Organisation,
    OrganisationMembership,
    Term,
    Vocabulary,
)
from directory.services.demo_content import fictitious_organisation_number


class CountyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = County
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"{90 + n % 10:02d}")
    name = factory.Sequence(lambda n: f"Testfylke {n}")


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Municipality
        django_get_or_create = ("code",)

    # Four characters, like real municipality numbers; get_or_create reuses a wrapped code.
    code = factory.Sequence(lambda n: f"{9000 + n % 1000:04d}")
    name = factory.Sequence(lambda n: f"Testkommune {n}")
    county = factory.SubFactory(CountyFactory)


class VocabularyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Vocabulary
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"vocabulary-{n}")
    name = factory.Sequence(lambda n: f"Vokabular {n}")


class TermFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Term

    vocabulary = factory.SubFactory(VocabularyFactory)
    slug = factory.Sequence(lambda n: f"term-{n}")
    label_nb = factory.Sequence(lambda n: f"Term {n}")


class NavOfficeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NavOffice
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Nav Testby {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))

    @factory.post_generation
    def municipalities(self, create, extracted, **kwargs):
        if create:
            self.municipalities.set(extracted or [MunicipalityFactory()])


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Frivilligsentralen i Testby {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    organisation_number = factory.LazyAttribute(lambda o: fictitious_organisation_number(o.name))


class NavOfficeMembershipFactory(factory.django.DjangoModelFactory):
    """Pass `user`: directory/ does not know the user model's factory (it lives in portal/)."""

    class Meta:
        model = NavOfficeMembership

    office = factory.SubFactory(NavOfficeFactory)


class OrganisationMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrganisationMembership

    organisation = factory.SubFactory(OrganisationFactory)


class MunicipalityMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MunicipalityMembership

    municipality = factory.SubFactory(MunicipalityFactory)


def term(vocabulary: str, slug: str) -> Term:
    """A term loaded from vocabularies.yaml (load reference data first)."""
    return Term.objects.get(vocabulary__slug=vocabulary, slug=slug)


def offer_build(*, organisation, municipality=None, point=(59.91, 10.75), **fields):
    """An unsaved offer with its terms, a place and a weekly time in memory, as a form gives
    them to offer_save_draft."""
    from datetime import time

    from directory.models import Offer, OfferLocation, OfferSchedule

    categories = fields.pop("categories", ["leksehjelp"])
    target_groups = fields.pop("target_groups", ["barn-og-unge"])
    offer = Offer(
        organisation=organisation,
        title=fields.pop("title", "Leksehjelp for ungdom"),
        summary=fields.pop("summary", "Gratis leksehjelp med frivillige voksne hver tirsdag."),
        cost_level=term("cost_levels", fields.pop("cost", "gratis")),
        kind=term("offer_kinds", fields.pop("kind", "lopende")),
        participation_mode=term("participation_modes", fields.pop("mode", "drop-in")),
        contact_role=fields.pop("contact_role", "Koordinator"),
        **fields,
    )
    offer.categories = [term("offer_categories", slug) for slug in categories]
    offer.target_groups = [term("target_groups", slug) for slug in target_groups]
    offer.locations = [
        OfferLocation(
            municipality=municipality or MunicipalityFactory(),
            address="Eksempelgata 1",
            latitude=point[0],
            longitude=point[1],
        )
    ]
    offer.schedules = [OfferSchedule(weekday=1, opens=time(17), closes=time(19))]
    return offer
