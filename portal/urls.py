from django.conf import settings
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from portal import views
from portal.accounts.views import admin_login_redirect

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    # Before Wagtail's admin URLs: its login view must never be reachable.
    path("admin/login/", admin_login_redirect, name="wagtailadmin_login"),
    path("admin/", include(wagtailadmin_urls)),
    path("konto/", include("allauth.urls")),
    path("dokumenter/", include(wagtaildocs_urls)),
    path("", include("opendata.urls")),
    path("", include("search.urls")),
    path("", include("agreements.urls")),
    path("", include("directory.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [path("", include(wagtail_urls))]

handler403 = "portal.views.permission_denied"
handler404 = "portal.views.page_not_found"
handler500 = "portal.views.server_error"
