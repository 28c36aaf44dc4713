"""The export and import pages (included at the site root by portal/urls.py)."""

from django.urls import path

from opendata import views_exports, views_imports

urlpatterns = [
    path("apne-data/eksport/", views_exports.export_list, name="opendata_exports"),
    path(
        "apne-data/eksport/<int:pk>/status/",
        views_exports.export_status,
        name="opendata_export_status",
    ),
    path(
        "apne-data/eksport/<int:pk>/last-ned/",
        views_exports.export_download,
        name="opendata_export_download",
    ),
    path("apne-data/import/", views_imports.import_list, name="opendata_imports"),
    path(
        "apne-data/import/mal.csv", views_imports.import_template, name="opendata_import_template"
    ),
    path("apne-data/import/<int:pk>/", views_imports.import_detail, name="opendata_import_detail"),
    path(
        "apne-data/import/<int:pk>/importer/",
        views_imports.import_apply,
        name="opendata_import_apply",
    ),
]
