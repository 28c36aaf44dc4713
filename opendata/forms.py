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

    def clean_file(self):
        """Name the common wrong files by their content; opendata.importing.classify_upload then
        decides between CSV, XLSX and HSDS zip, also by content. The file name decides nothing."""
        uploaded = self.cleaned_data["file"]
        uploaded.seek(0)
        head = uploaded.read(512)
        uploaded.seek(0)
        what = not_a_data_file(head)
        if what:
            raise forms.ValidationError(
                _(
                    "Filen er %(what)s, ikke CSV, Excel (.xlsx) eller en HSDS-datapakke (zip). "
                    "Det er innholdet som teller, ikke filnavnet: last opp filen med tilbudene."
                )
                % {"what": what}
            )
        return uploaded


# Signatures of files people pick by mistake, and how to name them to the person.
NOT_DATA_SIGNATURES = (
    (b"%PDF-", _("en PDF")),
    (b"\x89PNG\r\n\x1a\n", _("et bilde (PNG)")),
    (b"\xff\xd8\xff", _("et bilde (JPEG)")),
    (b"GIF8", _("et bilde (GIF)")),
    (b"{\\rtf", _("et RTF-dokument")),
    (b"\x7fELF", _("et program")),
)


def not_a_data_file(head: bytes):
    """What the file is, when it is plainly not a data file; None otherwise."""
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    for signature, what in NOT_DATA_SIGNATURES:
        if stripped.startswith(signature):
            return what
    if stripped[:15].lower().startswith((b"<!doctype html", b"<html", b"<?xml", b"<svg")):
        return _("en nettside eller XML-fil")
    return None
