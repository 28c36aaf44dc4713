from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm


class StableSlugAdminForm(WagtailAdminModelForm):
    """Slugs are stable keys for URLs, fixtures and the API: set once, never edited."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and "slug" in self.fields:
            self.fields["slug"].disabled = True
            self.fields["slug"].help_text = _(
                "Nøkkelen kan ikke endres etter at den er opprettet. Deaktiver termen i stedet."
            )
