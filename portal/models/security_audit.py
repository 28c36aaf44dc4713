"""The security audit log: who did what security-relevant thing, to what, when, from where.

Rows hold ids and short labels of portal records only, never free text a user typed, so no
client personal data can end up here. IPs are dropped after a retention period (portal.retention).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SecurityEvent(models.Model):
    class Event(models.TextChoices):
        LOGIN = "login", _("Innlogging")
        LOGIN_FAILED = "login_failed", _("Mislykket innlogging")
        MFA_FAILED = "mfa_failed", _("Feil engangskode")
        LOGOUT = "logout", _("Utlogging")
        MFA_ADDED = "mfa_added", _("Tofaktor lagt til")
        MFA_REMOVED = "mfa_removed", _("Tofaktor fjernet")
        MFA_RESET = "mfa_reset", _("Gjenopprettingskoder fornyet")
        ROLE_CHANGED = "role_changed", _("Rolle i portalen endret")
        MEMBERSHIP_ADDED = "membership_added", _("Medlemskap lagt til")
        MEMBERSHIP_CHANGED = "membership_changed", _("Medlemskap endret")
        MEMBERSHIP_REMOVED = "membership_removed", _("Medlemskap fjernet")
        APPROVED = "approved", _("Godkjent")
        REJECTED = "rejected", _("Avvist")
        EXPORT_REQUESTED = "export_requested", _("Eksport bestilt")
        EXPORT_DOWNLOADED = "export_downloaded", _("Eksport lastet ned")
        ACCOUNT_DELETED = "account_deleted", _("Konto slettet (ikke bekreftet)")
        PASSWORD_CHANGED = "password_changed", _("Passord endret")
        PASSWORD_RESET = "password_reset", _("Passord tilbakestilt")
        SETTINGS_CHANGED = "settings_changed", _("Innstilling endret")
        DOCUMENT_DOWNLOADED = "document_downloaded", _("Avtaledokument lastet ned")

    occurred_at = models.DateTimeField(_("tidspunkt"), db_index=True)
    # SET_NULL keeps the row when the account goes; actor_ref still says which account it was.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("utført av"),
    )
    actor_ref = models.CharField(_("bruker-id"), max_length=40, blank=True)
    event = models.CharField(_("hendelse"), max_length=40, choices=Event.choices, db_index=True)
    target_type = models.CharField(_("gjelder (type)"), max_length=100, blank=True)
    target_id = models.CharField(_("gjelder (id)"), max_length=64, blank=True)
    target_label = models.CharField(_("gjelder"), max_length=255, blank=True)
    ip = models.GenericIPAddressField(_("IP-adresse"), null=True, blank=True)

    class Meta:
        verbose_name = _("sikkerhetshendelse")
        verbose_name_plural = _("sikkerhetslogg")
        ordering = ["-occurred_at", "-pk"]
        indexes = [models.Index(fields=["target_type", "target_id"], name="security_event_target")]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.get_event_display()}"

    @property
    def actor_display(self) -> str:
        if self.actor is not None:
            return str(self.actor)
        return _("slettet bruker #%(ref)s") % {"ref": self.actor_ref} if self.actor_ref else "–"
