"""Uploads are judged by their bytes: a wrong file with a good name is refused with a clear
message, and a right file with a misleading name is handled as what it is."""

import io
import zlib
from html import unescape

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from agreements.models import AgreementDocument
from agreements.services.documents import agreement_document_add
from opendata.importing import TEMPLATE_REQUIRED, import_upload
from opendata.models import DataImport

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
CSV = (",".join(TEMPLATE_REQUIRED) + "\n").encode()


def _add(world, name: str, content: bytes):
    return agreement_document_add(
        agreement=world["agreement"],
        by=world["users"]["nav_staff_x"],
        title="",
        uploaded=SimpleUploadedFile(name, content, content_type="application/pdf"),
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"<html><script>alert(1)</script>%PDF-1.4\n%%EOF\n", "Filen er ikke en PDF"),
        (b"Hei! Dette er en tekstfil.\n", "Filen er ikke en PDF"),
        (CSV, "Filen er ikke en PDF"),
        (
            PDF.replace(b"/Type /Catalog", b"/Type /Catalog /OpenAction << /JS (app.alert(1)) >>"),
            "inneholder skript",
        ),
        (
            PDF.replace(b"/Type /Catalog", b"/Type /Catalog /Names << /EmbeddedFiles 2 0 R >>"),
            "innebygde filer",
        ),
        (
            PDF.replace(b"/Type /Catalog", b"/Type /Catalog /OpenAction << /J#53 (alert(1)) >>"),
            "inneholder skript",
        ),
        (
            PDF.replace(
                b"trailer",
                b"2 0 obj << /Type /ObjStm /Filter /FlateDecode >>\nstream\n"
                + zlib.compress(b"3 0 obj << /S /JavaScript /JS (app.alert(1)) >> endobj")
                + b"\nendstream\nendobj\ntrailer",
            ),
            "inneholder skript",
        ),
    ],
    ids=[
        "html-with-pdf-header",
        "text",
        "csv",
        "pdf-with-javascript",
        "pdf-with-attachment",
        "pdf-with-escaped-name",
        "pdf-with-javascript-in-a-compressed-object-stream",
    ],
)
def test_an_agreement_document_named_pdf_must_be_a_plain_pdf(agreement_world, content, message):
    with pytest.raises(ValidationError) as excinfo:
        _add(agreement_world, "Signert avtale.pdf", content)
    assert message in " ".join(excinfo.value.message_dict["file"])
    assert not AgreementDocument.objects.exists()


def test_a_real_pdf_with_a_misleading_name_is_stored_as_a_pdf(agreement_world):
    document = _add(agreement_world, "avtale.docx", PDF)
    assert document.file.name.endswith(".pdf") and "docx" not in document.file.name
    with document.file.open("rb") as stored:
        assert stored.read() == PDF


def _editor_client(client, world):
    editor = world["users"]["portal_editor"]
    TOTP.activate(editor, generate_totp_secret())
    client.force_login(editor)
    return client


@pytest.mark.parametrize(
    ("content", "what"),
    [
        (PDF, "Filen er en PDF"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "Filen er et bilde (PNG)"),
        (b"<!DOCTYPE html><html><body>tilbud</body></html>", "Filen er en nettside"),
    ],
    ids=["pdf", "png", "html"],
)
def test_an_import_file_named_csv_that_is_not_data_is_refused_with_what_it_is(
    client, world, content, what
):
    response = _editor_client(client, world).post(
        "/apne-data/import/", {"file": SimpleUploadedFile("tilbud.csv", content)}
    )
    assert response.status_code == 400
    html = unescape(response.content.decode())
    assert what in html and "ikke filnavnet" in html
    assert not DataImport.objects.exists()


def _xlsx() -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(list(TEMPLATE_REQUIRED))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("tilbud.pdf", _xlsx(), DataImport.Kind.XLSX),
        ("tilbud.xlsx", CSV, DataImport.Kind.TEMPLATE_CSV),
        ("tilbud", CSV, DataImport.Kind.TEMPLATE_CSV),
    ],
    ids=["xlsx-named-pdf", "csv-named-xlsx", "csv-without-extension"],
)
def test_an_import_file_with_a_misleading_name_is_read_by_its_content(world, name, content, kind):
    data_import = import_upload(
        user=world["users"]["portal_editor"], uploaded_file=SimpleUploadedFile(name, content)
    )
    assert data_import.kind == kind
    assert data_import.original_name == name
