"""The OpenAPI 3.1 document of the public REST API, built from the routes' declarations.

Paths, methods, security, query parameters and request bodies come from each route's
`@endpoint` spec (see `api/endpoint.py`), so the document cannot drift from the code;
`docs/openapi.json` is a checked-in copy that a test keeps equal (regenerate:
`python -m chalicelib.api.openapi > docs/openapi.json`).
"""

from __future__ import annotations

import json
import re
from typing import Any

from chalicelib.api.endpoint import Access, Endpoint, SchemaRef, declared

_PARAM = re.compile(r"{(\w+)}")
_SECURITY = {
    Access.PUBLIC: [],
    Access.ADMIN: [{"bearer": []}],
    Access.RECRUITER: [{"bearer": []}],
    Access.CANDIDATE: [{"invitationToken": []}],
    Access.SHARE: [{"shareToken": []}],
}

ERROR = {
    "type": "object",
    "required": ["error", "message", "details"],
    "properties": {
        "error": {"type": "string"},
        "message": {"type": "string"},
        "details": {"type": "array", "items": {"type": "object"}},
    },
}


def _components(bodies: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for name in sorted(bodies):
        body = bodies[name]
        model = body.load() if isinstance(body, SchemaRef) else body
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        found.update(schema.pop("$defs", {}))
        found[name] = schema
    return dict(sorted(found.items()))


def _operation(spec: Endpoint) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "operationId": spec.name,
        "summary": spec.summary,
        "security": _SECURITY[spec.access],
        # Who may call it beyond the scheme: an admin's token, or any recruiter's.
        "x-oneway-access": spec.access.value,
        "responses": {
            "2XX": {"description": "Success (JSON, or CSV for exports)"},
            "default": {
                "description": "An error, always in this shape",
                "content": {"application/json": {"schema": ERROR}},
            },
        },
    }
    parameters = [
        {"name": p, "in": "path", "required": True, "schema": {"type": "string"}}
        for p in _PARAM.findall(spec.path)
    ]
    parameters += [
        {"name": name, "in": "query", "required": False, "schema": param.schema()}
        | ({"description": param.description} if param.description else {})
        for name, param in spec.query.items()
    ]
    if spec.access in (Access.ADMIN, Access.RECRUITER) and spec.api_keys:
        # An API key may call it too (OpenAPI 3.1 names the scope a non-OAuth scheme needs);
        # a `read` key only where nothing changes.
        scope = "read" if spec.method == "GET" else "read-write"
        operation["security"] = [*operation["security"], {"apiKey": [scope]}]
        operation["x-oneway-api-key-scope"] = scope
    if parameters:
        operation["parameters"] = parameters
    if spec.body_schema:
        ref = {"$ref": f"#/components/schemas/{spec.body_schema}"}
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": ref}},
        }
    return operation


def document(routes: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The document for a Chalice route table, from the spec each route declared."""
    paths: dict[str, Any] = {}
    bodies: dict[str, Any] = {}
    for spec in declared(routes):
        paths.setdefault(spec.path, {})[spec.method.lower()] = _operation(spec)
        if spec.body_schema:
            bodies[spec.body_schema] = spec.body
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "oneway API",
            "version": "1",
            "description": "One-way video interviews. Every path is served under /api.",
        },
        "servers": [{"url": "/api"}],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "JWT",
                    "description": "A recruiter's Cognito ID token (signed in to the console).",
                },
                "apiKey": {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "ow_live_<key_id>_<secret>",
                    "description": (
                        "A company admin's API key for an integration, in the same header "
                        "(`Authorization: Bearer ow_live_…`). It acts as an admin of its "
                        "company on the operations whose security lists it, with the scope "
                        "named there: a `read` key on `read` (GET) operations, a `read-write` "
                        "key on all of them. The team, API keys, share links, the company "
                        "export and /me take people's tokens only. See docs/api-keys.md."
                    ),
                },
                "invitationToken": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "X-Invitation-Token",
                },
                "shareToken": {"type": "apiKey", "in": "header", "name": "X-Share-Token"},
            },
            "schemas": _components(bodies),
        },
    }


if __name__ == "__main__":
    from app import app  # the regeneration entry only: the document of the deployed route table

    print(json.dumps(document(app.routes), indent=2, sort_keys=True))
