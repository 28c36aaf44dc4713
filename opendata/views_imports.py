"""«Importer tilbud»: upload a file, read the dry run row by row, apply it as a whole."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from opendata import permissions as p
from opendata.forms import ImportUploadForm
from opendata.importing import (
    TEMPLATE_COLUMNS,
    TEMPLATE_REQUIRED,
    import_progress,
    import_request_apply,
    import_upload,
    template_csv,
)
from opendata.models import DataImport

LISTED = 20
# The report lists every rejected row, and this many of the others.
REPORT_ROWS_SHOWN = 500


def _require_import(user) -> None:
    if not p.can_import(user):
        raise PermissionDenied(_("Bare portalredaktører og kommuneansatte kan importere tilbud."))


@login_required
@require_http_methods(["GET", "POST"])
def import_list(request):
    _require_import(request.user)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            data_import = import_upload(user=request.user, uploaded_file=form.cleaned_data["file"])
        except ValidationError as error:
            form.add_error("file", error.message_dict.get("file", error.messages))
        else:
            messages.success(request, _("Filen er lastet opp. Vi kontrollerer den nå."))
            return redirect("opendata_import_detail", data_import.pk)
    imports = DataImport.objects.filter(uploaded_by=request.user)[:LISTED]
    context = {
        "form": form,
        "imports": imports,
        "columns": list(TEMPLATE_COLUMNS),
        "required": TEMPLATE_REQUIRED,
    }
    return render(
        request, "pages/opendata_imports.html", context, status=400 if form.errors else 200
    )


def _import_context(data_import: DataImport) -> dict:
    rows = data_import.report.get("rows", [])
    rejected = [r for r in rows if r["action"] == "reject"]
    others = [r for r in rows if r["action"] != "reject"]
    percent, message = import_progress(data_import)
    return {
        "data_import": data_import,
        "percent": percent,
        "message": message,
        "summary": data_import.report.get("summary", {}),
        "rejected": rejected,
        "others": others[:REPORT_ROWS_SHOWN],
        "others_hidden": max(0, len(others) - REPORT_ROWS_SHOWN),
    }


def _get_import(request, pk: int) -> DataImport:
    data_import = get_object_or_404(DataImport, pk=pk)
    if not p.can_view_import(request.user, data_import):
        raise PermissionDenied
    return data_import


@login_required
def import_detail(request, pk: int):
    data_import = _get_import(request, pk)
    context = _import_context(data_import)
    if getattr(request, "htmx", False) and not request.htmx.history_restore_request:
        return render(request, "components/opendata_import_status.html", context)
    return render(request, "pages/opendata_import_detail.html", context)


@login_required
@require_POST
def import_apply(request, pk: int):
    data_import = _get_import(request, pk)
    try:
        import_request_apply(data_import=data_import, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Importen er startet."))
    return redirect("opendata_import_detail", data_import.pk)


@login_required
def import_template(request):
    _require_import(request.user)
    response = HttpResponse(template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="mal-import-tilbud.csv"'
    return response
