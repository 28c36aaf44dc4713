from django.contrib.auth.password_validation import MinimumLengthValidator
from django.utils.translation import ngettext


class NorwegianMinimumLengthValidator(MinimumLengthValidator):
    """Django 5.2 reworded this message and its bokmål catalogue has not caught up yet, so a
    Norwegian form would show one English sentence."""

    def get_error_message(self):
        return ngettext(
            "Passordet er for kort. Det må inneholde minst %(min_length)d tegn.",
            "Passordet er for kort. Det må inneholde minst %(min_length)d tegn.",
            self.min_length,
        ) % {"min_length": self.min_length}

    def get_help_text(self):
        return ngettext(
            "Passordet må inneholde minst %(min_length)d tegn.",
            "Passordet må inneholde minst %(min_length)d tegn.",
            self.min_length,
        ) % {"min_length": self.min_length}
