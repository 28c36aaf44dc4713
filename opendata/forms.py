"""Forms of the export and import pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from opendata.importing import MAX_UPLOAD_BYTES
from opendata.models import DataExport


class ExportForm(forms.Form):
    format = forms.ChoiceField(
        label=_("Format"),
        choices=DataExport.Format.choices,
        initial=DataExport.Format.HSDS_CSV,
        widget=forms.RadioSelect,
        help_text=_(
            "HSDS-datapakken er standarden for tjenestekataloger (Open Referral). Excel-filen har "
            "de samme tabellene, ett ark per tabell."
        ),
    )


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Fil med tilbud"),
        help_text=_(
            "CSV (UTF-8) etter malen, Excel-fil (.xlsx) med malen på første ark, eller en "
            "HSDS-datapakke (zip) slik eksporten lager den. Høyst %(mb)s MB."
        )
        % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)},
        widget=forms.FileInput(attrs={"accept": ".csv,.xlsx,.zip"}),
    )
