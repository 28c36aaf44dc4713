from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _


class PortalUserManager(UserManager):
    """Email is the login; there is no username."""

    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("E-postadresse må oppgis.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email=None, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email=None, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        extra_fields.setdefault("portal_role", User.PortalRole.ADMINISTRATOR)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person who signs in. What they may do follows from memberships (directory) and, for
    editors and administrators of the whole portal, from `portal_role`."""

    class PortalRole(models.TextChoices):
        NONE = "", _("Ingen")
        EDITOR = "editor", _("Portalredaktør")
        ADMINISTRATOR = "administrator", _("Administrator")

    username = None
    email = models.EmailField(_("e-postadresse"), unique=True)
    portal_role = models.CharField(
        _("rolle i hele portalen"),
        max_length=20,
        choices=PortalRole.choices,
        blank=True,
        default=PortalRole.NONE,
        help_text=_("Redaktører og administratorer er Nav-ansatte med ansvar for hele portalen."),
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = PortalUserManager()

    class Meta:
        verbose_name = _("bruker")
        verbose_name_plural = _("brukere")

    def __str__(self) -> str:
        return self.get_full_name() or self.email
