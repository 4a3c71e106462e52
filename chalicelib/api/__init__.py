"""The HTTP layer: Chalice blueprints, request schemas, error mapping and the OpenAPI document."""
