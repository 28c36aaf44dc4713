"""Who belongs where. A user's kind (Nav staff, organisation representative, municipality staff)
follows from memberships, never from flags, so one person can hold several."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class NavOfficeMembership(models.Model):
    class Role(models.TextChoices):
        STAFF = "staff", _("Ansatt")
        LEADER = "leader", _("Leder")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="nav_office_memberships"
    )
    office = models.ForeignKey(
        "directory.NavOffice", on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("rolle"), max_length=20, choices=Role.choices, default=Role.STAFF)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("medlemskap i Nav-kontor")
        verbose_name_plural = _("medlemskap i Nav-kontorer")
        constraints = [
            models.UniqueConstraint(fields=["user", "office"], name="navoffice_membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.office} ({self.get_role_display()})"


class OrganisationMembership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", _("Administrator")
        EDITOR = "editor", _("Redaktør")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="organisation_memberships"
    )
    organisation = models.ForeignKey(
        "directory.Organisation", on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("rolle"), max_length=20, choices=Role.choices, default=Role.EDITOR)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("medlemskap i organisasjon")
        verbose_name_plural = _("medlemskap i organisasjoner")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"], name="organisation_membership_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.organisation} ({self.get_role_display()})"


class MunicipalityMembership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="municipality_memberships"
    )
    municipality = models.ForeignKey(
        "directory.Municipality", on_delete=models.CASCADE, related_name="memberships"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("medlemskap i kommune")
        verbose_name_plural = _("medlemskap i kommuner")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "municipality"], name="municipality_membership_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.municipality}"
