"""Property-based run of the HSDS API against our own OpenAPI description (schemathesis): for
generated valid requests to every operation, no server error and every answer as described.

The app is called in-process through its WSGI handler. That handler closes the database
connection around each request when it is inside a transaction that is not its own, which
would end pytest-django's per-test transaction; so this test commits its data
(transaction=True) and the table flush afterwards cleans up.
"""

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from opendata import hsds
from opendata.openapi import openapi_description

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
MAX_EXAMPLES = 25


@pytest.mark.django_db(transaction=True)
def test_every_operation_answers_as_described(catalogue, settings):
    settings.OPENDATA_API_RATE = "100000/m"  # a few hundred requests from one address
    schema = schemathesis.openapi.from_wsgi("/api/hsds/openapi.json", get_wsgi_application())
    # Real ids too, so the by-id operations are exercised beyond their 404s.
    known_ids = {
        "/services/{id}": hsds.offer_id(catalogue["lekser"]),
        "/organizations/{id}": hsds.organisation_id(catalogue["lekser"].organisation),
        "/taxonomies/{id}": hsds.taxonomy_id("target_groups"),
        "/taxonomy_terms/{id}": hsds.term_id("cost_levels", "gratis"),
    }
    operations = [result.ok() for result in schema.get_all_operations()]
    # Schemathesis leaves out the operation serving the description it was loaded from.
    described = set(openapi_description()["paths"]) - {"/openapi.json"}
    assert {operation.path for operation in operations} == described

    for operation in operations:

        @given(case=operation.as_strategy())
        @hypothesis_settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case):
            case.call_and_validate(checks=CHECKS)

        check()
        if operation.path in known_ids:
            case = operation.Case(path_parameters={"id": known_ids[operation.path]})
            response = case.call_and_validate(checks=CHECKS)
            assert response.status_code == 200, operation.path
