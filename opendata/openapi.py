"""Our OpenAPI 3.1 description of the HSDS read API, served at /api/hsds/openapi.json.

Derived from HSDS 3.0's own openapi.json: the same paths and parameters (those we support),
responses referencing the HSDS schemas, plus our error body and the 304/400/404/429 answers.
The HSDS schemas are vendored in openapi_hsds_schemas.json: HSDS 3.0's schema/*.json files with
their `$ref`s pointed at `#/components/schemas/<name>` and the tabular-package keywords
(datapackage_metadata, path, tabular_required, constraints, core, datapackage_type, example,
name) left out, as they say nothing about JSON. tests/opendata/test_api.py checks the copy
against ../shared/hsds-3.0 when that is present.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path

from opendata import hsds
from opendata.api import DEFAULT_PER_PAGE, MAX_PER_PAGE, MAX_SEARCH_LENGTH

SCHEMAS_FILE = Path(__file__).with_name("openapi_hsds_schemas.json")
REF = "#/components/schemas/"


@cache
def hsds_schemas() -> dict:
    """HSDS 3.0's schemas by name (service, organization, ...), as vendored."""
    return json.loads(SCHEMAS_FILE.read_text(encoding="utf-8"))


def _one_to_one(schema: dict, **nested) -> dict:
    """The list form of an HSDS schema: its one-to-one fields, plus `nested` objects."""
    properties = {
        name: prop
        for name, prop in schema["properties"].items()
        if prop.get("type") != "array" and "$ref" not in prop
    }
    properties |= {name: {"$ref": REF + target} for name, target in nested.items()}
    return {
        "type": "object",
        "description": schema.get("description", ""),
        "required": schema.get("required", []),
        "properties": properties,
    }


def _ref(name: str) -> dict:
    return {"$ref": REF + name}


def _components() -> dict:
    schemas = copy.deepcopy(hsds_schemas())
    base = hsds_schemas()
    schemas |= {
        "organization_list": _one_to_one(base["organization"]),
        "location_list": _one_to_one(base["location"]),
        "service_list": _one_to_one(base["service"], organization="organization_list"),
        "service_at_location_list": _one_to_one(
            base["service_at_location"], service="service_list", location="location_list"
        ),
        # HSDS's compiled service_at_location nests the service; its plain schema does not.
        "service_at_location_full": {
            "allOf": [_ref("service_at_location")],
            "properties": {"service": _ref("service")},
        },
        "organization_full": {
            "allOf": [_ref("organization")],
            "properties": {"services": {"type": "array", "items": _ref("service")}},
        },
        "Page": {
            "type": "object",
            "required": [
                "total_items",
                "total_pages",
                "page_number",
                "size",
                "first_page",
                "last_page",
                "empty",
                "contents",
            ],
            "properties": {
                "total_items": {"type": "integer", "minimum": 0},
                "total_pages": {"type": "integer", "minimum": 1},
                "page_number": {"type": "integer", "minimum": 1},
                "size": {"type": "integer", "minimum": 0},
                "first_page": {"type": "boolean"},
                "last_page": {"type": "boolean"},
                "empty": {"type": "boolean"},
                "contents": {"type": "array"},
            },
        },
        "Error": {
            "type": "object",
            "description": "Our error body (HSDS defines none).",
            "required": ["error"],
            "properties": {
                "error": {
                    "type": "object",
                    "required": ["status", "code", "message"],
                    "properties": {
                        "status": {"type": "integer", "description": "The HTTP status."},
                        "code": {
                            "type": "string",
                            "enum": [
                                "invalid_parameter",
                                "not_found",
                                "method_not_allowed",
                                "rate_limited",
                            ],
                        },
                        "message": {"type": "string", "description": "In Norwegian (bokmål)."},
                        "parameter": {
                            "type": "string",
                            "description": "The query parameter at fault (400 only).",
                        },
                    },
                }
            },
        },
        "ApiInfo": {
            "type": "object",
            "required": ["version", "profile", "openapi_url"],
            "properties": {
                "version": {"type": "string", "description": "HSDS version of this API."},
                "profile": {"type": "string", "format": "uri"},
                "openapi_url": {"type": "string", "format": "uri"},
            },
        },
        "Profile": {
            "type": "object",
            "required": ["name", "version", "hsds_version", "id_namespace", "taxonomy", "terms"],
            "properties": {
                "name": {"type": "string"},
                "version": {"type": "string"},
                "hsds_version": {"type": "string"},
                "id_namespace": {"type": "string", "format": "uuid"},
                "organization_identifier_scheme": {"type": "string"},
                "taxonomy": _ref("taxonomy"),
                "terms": {"type": "array", "items": _ref("taxonomy_term")},
                "documentation": {"type": "string"},
            },
        },
    }
    for name, item in (
        ("service", "service_list"),
        ("service_full", "service"),
        ("organization", "organization_list"),
        ("organization_full", "organization"),
        ("service_at_location", "service_at_location_list"),
        ("service_at_location_full", "service_at_location_full"),
        ("taxonomy", "taxonomy"),
        ("taxonomy_term", "taxonomy_term"),
    ):
        schemas[f"Page_{name}"] = {
            "allOf": [_ref("Page")],
            "properties": {"contents": {"type": "array", "items": _ref(item)}},
        }
    return {
        "schemas": schemas,
        "parameters": _parameters(),
        "responses": _responses(),
        "headers": {
            "ETag": {"description": "A hash of the body.", "schema": {"type": "string"}},
            "Last-Modified": {
                "description": "The latest change of the records in the answer (when known).",
                "schema": {"type": "string"},
            },
        },
    }


def _query(name: str, description: str, schema: dict) -> dict:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema,
    }


def _parameters() -> dict:
    uuid_schema = {"type": "string", "format": "uuid"}
    return {
        "search": _query(
            "search",
            "Full text search, by the portal's own search (synonyms and spelling as on the site).",
            {"type": "string", "maxLength": MAX_SEARCH_LENGTH},
        ),
        "page": _query(
            "page", "Page number, from 1.", {"type": "integer", "minimum": 1, "maximum": 1000000}
        ),
        "per_page": _query(
            "per_page",
            f"Results per page (default {DEFAULT_PER_PAGE}).",
            {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
        ),
        "format": _query("format", "Only `json`.", {"type": "string", "enum": ["json"]}),
        "taxonomy_term_id": _query(
            "taxonomy_term_id", "Only records linked to this taxonomy term.", uuid_schema
        ),
        "taxonomy_id": _query(
            "taxonomy_id", "Only records linked to any term of this taxonomy.", uuid_schema
        ),
        "organization_id": _query(
            "organization_id", "Only services of this organization.", uuid_schema
        ),
        "modified_after": _query(
            "modified_after",
            "Only records modified on or after this time (ISO 8601; Europe/Oslo if no offset).",
            {"type": "string", "format": "date-time"},
        ),
        "full": _query("full", "Return fully nested objects.", {"type": "boolean"}),
        "full_service": _query(
            "full_service", "Nest the organization's services in full.", {"type": "boolean"}
        ),
        "id": {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}},
    }


def _error_response(description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": _ref("Error")}},
    }


def _responses() -> dict:
    return {
        "NotModified": {"description": "Not modified since the ETag or date the client holds."},
        "BadRequest": _error_response("A parameter is invalid or not supported."),
        "NotFound": _error_response("No public record has this id."),
        "TooManyRequests": {
            **_error_response("Rate limit reached; retry after Retry-After seconds."),
            "headers": {"Retry-After": {"schema": {"type": "string"}}},
        },
    }


def _operation(operation_id: str, summary: str, schema: str, params=(), *, by_id=False) -> dict:
    responses = {
        "200": {
            "description": summary,
            "headers": {
                "ETag": {"$ref": "#/components/headers/ETag"},
                "Last-Modified": {"$ref": "#/components/headers/Last-Modified"},
            },
            "content": {"application/json": {"schema": _ref(schema)}},
        },
        "304": {"$ref": "#/components/responses/NotModified"},
        "400": {"$ref": "#/components/responses/BadRequest"},
        "429": {"$ref": "#/components/responses/TooManyRequests"},
    }
    if by_id:
        responses["404"] = {"$ref": "#/components/responses/NotFound"}
    parameters = [{"$ref": f"#/components/parameters/{name}"} for name in params]
    if by_id:
        parameters.append({"$ref": "#/components/parameters/id"})
    return {
        "get": {
            "operationId": operation_id,
            "summary": summary,
            "parameters": parameters,
            "responses": responses,
        }
    }


LIST_PARAMS = ("search", "page", "per_page", "format")
SERVICE_FILTERS = ("taxonomy_term_id", "taxonomy_id", "organization_id", "modified_after", "full")


def _paths() -> dict:
    return {
        "/": _operation("getAPIMetaInformation", "Information about this API.", "ApiInfo"),
        "/profile": _operation("getProfile", "Our Norwegian HSDS profile.", "Profile"),
        "/openapi.json": {
            "get": {
                "operationId": "getOpenAPIDescription",
                "summary": "This description.",
                "responses": {
                    "200": {
                        "description": "OpenAPI 3.1 document.",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    },
                    "304": {"$ref": "#/components/responses/NotModified"},
                    "429": {"$ref": "#/components/responses/TooManyRequests"},
                },
            }
        },
        "/services": _operation(
            "getPaginatedListOfServices",
            "Public services, one-to-one fields (all nested with full=true).",
            "Page_service",
            LIST_PARAMS + SERVICE_FILTERS,
        ),
        "/services/{id}": _operation(
            "getFullyNestedServiceById", "A fully nested service.", "service", by_id=True
        ),
        "/organizations": _operation(
            "getPaginatedListOfOrganizations",
            "Approved organizations, one-to-one fields (all nested with full=true).",
            "Page_organization",
            (*LIST_PARAMS, "taxonomy_term_id", "taxonomy_id", "modified_after", "full"),
        ),
        "/organizations/{id}": _operation(
            "getOrganizationById",
            "An organization with its public services.",
            "organization_full",
            ("full_service",),
            by_id=True,
        ),
        "/service_at_locations": _operation(
            "getPaginatedListOfServiceAtLocation",
            "Public services at their places (all nested with full=true).",
            "Page_service_at_location",
            LIST_PARAMS + SERVICE_FILTERS,
        ),
        "/service_at_locations/{id}": _operation(
            "getServiceAtLocationWithNestedDataById",
            "A service at a place, with service and location nested.",
            "service_at_location_full",
            by_id=True,
        ),
        "/taxonomies": _operation(
            "getPaginatedListOfTaxonomies", "Our taxonomies.", "Page_taxonomy", LIST_PARAMS
        ),
        "/taxonomies/{id}": _operation("getTaxonomyById", "A taxonomy.", "taxonomy", by_id=True),
        "/taxonomy_terms": _operation(
            "getPaginatedListOfTaxonomyTerms",
            "Our taxonomy terms (flat: no term has a parent).",
            "Page_taxonomy_term",
            LIST_PARAMS + ("taxonomy_id",),
        ),
        "/taxonomy_terms/{id}": _operation(
            "getTaxonomyTermById", "A taxonomy term.", "taxonomy_term", by_id=True
        ),
    }


def openapi_description() -> dict:
    """The OpenAPI 3.1 document of /api/hsds/."""
    paths = _paths()
    paths["/taxonomy_terms"]["get"]["parameters"] += [
        _query("parent_id", "Terms under this term (ours are flat: none).", {"type": "string"}),
        _query("top_only", "Only top-level terms (ours all are).", {"type": "boolean"}),
    ]
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Samarbeidsportalen HSDS API",
            "version": hsds.PROFILE_VERSION,
            "summary": "Frivillige tilbud for Nav-kontorene, som Open Referral HSDS 3.0.",
            "description": (
                "Read-only API following HSDS 3.0's API, with a Norwegian profile "
                "(docs/hsds-profile.md). Only public records: published, visible offers of "
                "approved organisations. Answers carry ETag and Last-Modified (conditional GET "
                "gives 304), allow any origin (CORS, GET only) and are rate limited per IP."
            ),
        },
        "servers": [{"url": "/api/hsds"}],
        "paths": paths,
        "components": _components(),
    }
