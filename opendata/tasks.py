"""Background work for open data: building export files, checking and applying imports."""

from celery import shared_task


@shared_task(ignore_result=True)
def export_build_task(export_id: int):
    """Build the file of a queued export (quietly nothing when the row is gone)."""
    from opendata.exporting import export_build

    export_build(export_id=export_id)


@shared_task(ignore_result=True)
def import_check_task(import_id: int):
    """Dry-run an uploaded import: report row by row what would happen, write nothing."""
    from opendata.importing import import_check

    import_check(import_id=import_id)


@shared_task(ignore_result=True)
def import_apply_task(import_id: int):
    """Apply a checked import in one transaction."""
    from opendata.importing import import_apply

    import_apply(import_id=import_id)
