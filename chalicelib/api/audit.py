"""The audit middleware: a recruiter's successful change lands in the audit log once.

Which changes it records is each route's declared `audit` (see `api/endpoint.py`): `AUTO`
routes get a generic "<METHOD> <path>" event here; `SELF` routes are left to the service,
which records a more precise event in its own write.
"""

from __future__ import annotations

from collections.abc import Callable

from chalice.app import Request, Response

from chalicelib.api.endpoint import ENDPOINTS, Audit
from chalicelib.domain import activity


def audit_request(request: Request, status: int) -> None:
    """Record the change if its route declares `Audit.AUTO` and the caller was verified.

    The route's wrapper verified the caller already and left the principal on the request.
    """
    context = request.context or {}
    spec = ENDPOINTS.get((context.get("resourcePath", ""), request.method))
    principal = getattr(request, "principal", None)
    if spec is None or spec.audit is not Audit.AUTO or status >= 400 or principal is None:
        return
    params = request.uri_params or {}
    target = next(iter(params.values()), principal.company_id)
    detail = getattr(request, "audit_detail", None)
    action = f"{spec.method} {spec.path}"
    activity.audit(principal.company_id, principal.user_id, action, target, detail)


def audit_changes(request: Request, get_response: Callable[[Request], Response]) -> Response:
    """Every successful recruiter change lands in the audit log (who, when, what)."""
    response = get_response(request)
    audit_request(request, response.status_code)
    return response
