"""The OpenAPI 3.1 document of the public REST API, generated from the Chalice routes.

Paths and methods come from the app's route table, request bodies from the pydantic schema
each handler passes to `parse_body`, and the security scheme from the path, so the document
cannot drift from the code; `docs/openapi.json` is a checked-in copy that a test keeps equal
(regenerate: `python -m chalicelib.api.openapi > docs/openapi.json`).
"""

from __future__ import annotations

import inspect
import json
import re
from typing import Any

_BODY = re.compile(r"""parse_body\(\s*app\.current_request\s*,\s*["'](\w+)["']""")
_PARAM = re.compile(r"{(\w+)}")
_PUBLIC = ("/health", "/auth/", "/apply/", "/openapi.json")

ERROR = {
    "type": "object",
    "required": ["error", "message", "details"],
    "properties": {
        "error": {"type": "string"},
        "message": {"type": "string"},
        "details": {"type": "array", "items": {"type": "object"}},
    },
}


def _security(path: str) -> list[dict[str, list[str]]]:
    if path.startswith("/candidate/"):
        return [{"invitationToken": []}]
    if path == "/shared":
        return [{"shareToken": []}]
    if path.startswith(_PUBLIC):
        return []
    return [{"bearer": []}]


def _body_schema(view: Any) -> str | None:
    try:
        source = inspect.getsource(view)
    except (OSError, TypeError):
        return None
    match = _BODY.search(source)
    return match.group(1) if match else None


def _summary(view: Any, name: str) -> str:
    doc = inspect.getdoc(view)
    if doc:
        return doc.splitlines()[0]
    return name.replace("_", " ").capitalize()


def _components(names: set[str]) -> dict[str, Any]:
    from chalicelib.api import schemas

    found: dict[str, Any] = {}
    for name in sorted(names):
        schema = getattr(schemas, name).model_json_schema(
            ref_template="#/components/schemas/{model}"
        )
        found.update(schema.pop("$defs", {}))
        found[name] = schema
    return dict(sorted(found.items()))


def document(routes: dict[str, dict[str, Any]]) -> dict[str, Any]:
    paths: dict[str, Any] = {}
    bodies: set[str] = set()
    for path in sorted(routes):
        for method in sorted(routes[path]):
            entry = routes[path][method]
            operation: dict[str, Any] = {
                "operationId": entry.view_name,
                "summary": _summary(entry.view_function, entry.view_name),
                "security": _security(path),
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
                for p in _PARAM.findall(path)
            ]
            if parameters:
                operation["parameters"] = parameters
            body = _body_schema(entry.view_function)
            if body:
                bodies.add(body)
                operation["requestBody"] = {
                    "required": True,
                    "content": {
                        "application/json": {"schema": {"$ref": f"#/components/schemas/{body}"}}
                    },
                }
            paths.setdefault(path, {})[method.lower()] = operation
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
                "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "Cognito ID token"},
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
    import app

    print(json.dumps(document(app.app.routes), indent=2, sort_keys=True))
