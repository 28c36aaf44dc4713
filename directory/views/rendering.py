"""Shared view helpers: pagination and full-page vs htmx-partial rendering."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import render


def errors_to_form(form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form, next to the field it is about, so the user
    sees it where they typed and keeps everything else they typed."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def paginate(request, items, *, per_page: int = 20):
    """A page of `items` from ?side=N; out-of-range or junk numbers give the nearest valid page."""
    paginator = Paginator(items, per_page)
    return paginator.get_page(request.GET.get("side"))


def render_page_or_partial(request, template: str, partial: str, context: dict):
    """htmx requests (except history restores) get only the partial; everyone else the page,
    so every URL works without JavaScript."""
    if getattr(request, "htmx", False) and not request.htmx.history_restore_request:
        return render(request, partial, context)
    return render(request, template, context)
