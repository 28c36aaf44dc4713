"""Signed agreement documents: PDF only (checked by content, not by name), size-limited."""

from __future__ import annotations

import re
import zlib

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from agreements import permissions as p
from agreements.models import Agreement, AgreementDocument, AgreementSettings
from agreements.services.history import agreement_version_record

# Names that make a PDF act when opened: scripts, launching programs, files hidden inside.
# A signed agreement needs none of them.
ACTIVE_PDF_NAMES = (b"/JavaScript", b"/JS", b"/Launch", b"/EmbeddedFile", b"/RichMedia")


# Bounds the inflated streams (a small upload can inflate to gigabytes).
MAX_INFLATED_BYTES = 64 * 1024 * 1024
_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.DOTALL)
_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")


def _pdf_plain(data: bytes) -> bytes:
    """The file as a name check must see it: with its compressed streams inflated beside it
    (objects, names included, may sit in a Flate-compressed object stream) and with `#xx`
    escapes in names decoded (`/J#61vaScript` is `/JavaScript` to a reader)."""
    parts, budget = [data], MAX_INFLATED_BYTES
    for match in _STREAM.finditer(data):
        inflater = zlib.decompressobj()
        try:
            inflated = inflater.decompress(match.group(1), budget)
        except zlib.error:
            continue  # not Flate, or not a stream at all: the raw bytes are checked anyway
        parts.append(inflated)
        budget -= len(inflated)
        if budget <= 0:
            break
    return _NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), b"\n".join(parts))


def _pdf_problem(uploaded) -> str | None:
    """Why the upload is not an acceptable PDF, judged by its bytes only; None when it is."""
    uploaded.seek(0)
    head = uploaded.read(1024)
    uploaded.seek(max(uploaded.size - 2048, 0))
    tail = uploaded.read()
    uploaded.seek(0)
    # A PDF starts with its header (some writers put a few bytes of junk before it, never
    # markup: HTML with "%PDF-" in it would otherwise pass) and ends with %%EOF.
    start = head.find(b"%PDF-")
    if start < 0 or b"<" in head[:start] or b"%%EOF" not in tail:
        return _("Filen er ikke en PDF. Last opp den signerte avtalen som PDF.")
    # Whole file at once: it is size-limited already, and a name must not hide across chunks.
    data = _pdf_plain(uploaded.read())
    uploaded.seek(0)
    if any(name in data for name in ACTIVE_PDF_NAMES):
        return _(
            "PDF-filen inneholder skript eller innebygde filer og kan ikke lastes opp. "
            "Skriv den ut til en ny PDF (for eksempel med «Skriv ut til PDF») og prøv igjen."
        )
    return None


@transaction.atomic
def agreement_document_add(*, agreement: Agreement, by, title: str, uploaded) -> AgreementDocument:
    if not p.can_add_agreement_document(by, agreement):
        raise PermissionDenied(_("Du kan ikke legge til dokumenter på denne avtalen."))
    limit_mb = AgreementSettings.load().document_max_megabytes
    if uploaded.size > limit_mb * 1024 * 1024:
        raise ValidationError(
            {
                "file": _(
                    "Filen er for stor (%(size)s MB). Største tillatte størrelse er %(limit)s MB."
                )
                % {
                    "size": f"{uploaded.size / 1024 / 1024:.1f}".replace(".", ","),
                    "limit": limit_mb,
                }
            }
        )
    problem = (
        _("Filen er ikke en PDF. Last opp den signerte avtalen som PDF.")
        if uploaded.size == 0
        else _pdf_problem(uploaded)
    )
    if problem:
        raise ValidationError({"file": problem})
    title = (title or "").strip() or uploaded.name.rsplit("/", 1)[-1][:200]
    document = AgreementDocument(
        agreement=agreement, title=title[:200], size=uploaded.size, uploaded_by=by
    )
    # Our own file name: the uploaded name is only a title, never a path.
    document.file.save(f"avtale-{agreement.pk}.pdf", uploaded, save=False)
    document.save()
    agreement_version_record(
        agreement=agreement, by=by, summary=_("Dokument lagt til: %(title)s") % {"title": title}
    )
    return document


@transaction.atomic
def agreement_document_remove(*, document: AgreementDocument, by) -> None:
    if not p.can_remove_agreement_document(by, document):
        raise PermissionDenied(_("Du kan ikke fjerne dette dokumentet."))
    agreement, title = document.agreement, document.title
    storage, name = document.file.storage, document.file.name
    document.delete()
    transaction.on_commit(lambda: storage.delete(name))
    agreement_version_record(
        agreement=agreement, by=by, summary=_("Dokument fjernet: %(title)s") % {"title": title}
    )
