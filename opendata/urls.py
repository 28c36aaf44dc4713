from django.urls import path

from opendata import api, urls_data

# The HSDS 3.0 read API. Paths follow HSDS's own API description (no trailing slash but the root).
api_urlpatterns = [
    path("api/hsds/", api.root, name="hsds_root"),
    path("api/hsds/profile", api.profile, name="hsds_profile"),
    path("api/hsds/openapi.json", api.openapi_document, name="hsds_openapi"),
    path("api/hsds/services", api.services, name="hsds_services"),
    path("api/hsds/services/<str:id>", api.service, name="hsds_service"),
    path("api/hsds/organizations", api.organizations, name="hsds_organizations"),
    path("api/hsds/organizations/<str:id>", api.organization, name="hsds_organization"),
    path(
        "api/hsds/service_at_locations", api.service_at_locations, name="hsds_service_at_locations"
    ),
    path(
        "api/hsds/service_at_locations/<str:id>",
        api.service_at_location,
        name="hsds_service_at_location",
    ),
    path("api/hsds/taxonomies", api.taxonomies, name="hsds_taxonomies"),
    path("api/hsds/taxonomies/<str:id>", api.taxonomy, name="hsds_taxonomy"),
    path("api/hsds/taxonomy_terms", api.taxonomy_terms, name="hsds_taxonomy_terms"),
    path("api/hsds/taxonomy_terms/<str:id>", api.taxonomy_term, name="hsds_taxonomy_term"),
]

# The export and import pages (for signed-in users) follow the API.
urlpatterns = [*api_urlpatterns, *urls_data.urlpatterns]
