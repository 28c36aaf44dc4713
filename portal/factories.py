import factory
from allauth.account.models import EmailAddress

from portal.models import User

DEFAULT_PASSWORD = "et-godt-passord-123"  # noqa: S105 - test and demo factories only


class UserFactory(factory.django.DjangoModelFactory):
    """A user with a verified primary email, able to log in with DEFAULT_PASSWORD."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"bruker{n}@example.org")
    first_name = factory.Faker("first_name", locale="no_NO")
    last_name = factory.Faker("last_name", locale="no_NO")

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or DEFAULT_PASSWORD)
        if create:
            self.save(update_fields=["password"])

    @factory.post_generation
    def verified_email(self, create, extracted, **kwargs):
        if create and extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)
