"""Signed agreement documents: PDF only (checked by content, not by name), size-limited."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from agreements import permissions as p
from agreements.models import Agreement, AgreementDocument, AgreementSettings
from agreements.services.history import agreement_version_record


def _is_pdf(uploaded) -> bool:
    uploaded.seek(0)
    head = uploaded.read(1024)
    uploaded.seek(max(uploaded.size - 2048, 0))
    tail = uploaded.read()
    uploaded.seek(0)
    # A PDF starts with its header (some writers put a few bytes before it) and ends with %%EOF.
    return b"%PDF-" in head and b"%%EOF" in tail


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
    if uploaded.size == 0 or not _is_pdf(uploaded):
        raise ValidationError(
            {"file": _("Filen er ikke en PDF. Last opp den signerte avtalen som PDF.")}
        )
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
