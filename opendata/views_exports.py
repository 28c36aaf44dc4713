"""«Eksporter katalogen»: ask for a file, follow its progress, download it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from opendata import permissions as p
from opendata.exporting import export_request
from opendata.forms import ExportForm
from opendata.models import DataExport, JobStatus

# How many of a user's exports the page lists (the newest).
LISTED = 20


@login_required
@require_http_methods(["GET", "POST"])
def export_list(request):
    form = ExportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            export_request(user=request.user, format=form.cleaned_data["format"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Eksporten er startet. Du kan følge den her."))
            return redirect("opendata_exports")
    exports = DataExport.objects.filter(requested_by=request.user)[:LISTED]
    status = 400 if form.errors else 200
    return render(
        request,
        "pages/opendata_exports.html",
        {"form": form, "exports": exports, "can_import": p.can_import(request.user)},
        status=status,
    )


@login_required
def export_status(request, pk: int):
    """One export's row, which htmx polls while the export is queued or running."""
    export = get_object_or_404(DataExport, pk=pk)
    if not p.can_download_export(request.user, export):
        raise PermissionDenied
    return render(request, "components/opendata_export_row.html", {"export": export})


@login_required
def export_download(request, pk: int):
    export = get_object_or_404(DataExport, pk=pk)
    if not p.can_download_export(request.user, export):
        raise PermissionDenied
    if export.status != JobStatus.DONE or not export.file:
        raise Http404
    name = export.file.name.rsplit("/", 1)[-1]
    return FileResponse(export.file.open("rb"), as_attachment=True, filename=name)
