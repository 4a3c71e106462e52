"""One declaration per route: who may call it, the body it takes, what it audits.

`@endpoint(blueprint, path, method, access=..., body=..., audit=...)` registers the view on
its Blueprint and records an `Endpoint` spec. The wrapper authenticates, validates the body
and maps domain errors to the one JSON error shape (Chalice would answer an exception raised
in a view with a bare 500); the audit middleware (`api/audit.py`) and the OpenAPI generator
(`api/openapi.py`) read the same spec, so the three cannot disagree.
"""

from __future__ import annotations

import functools
import inspect
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any

from chalice.app import Blueprint, Request, Response

from chalicelib.api.http import domain_error_response, parse_body
from chalicelib.domain.auth import Principal, Role, authenticate
from chalicelib.domain.errors import BadRequest, DomainError, InvalidInput

if TYPE_CHECKING:
    from pydantic import BaseModel

    from chalicelib.api import schemas
else:

    class _LazySchemas:
        """`schemas.InterviewIn` names the class; pydantic loads on the first request with a body.

        Importing pydantic and the schemas costs about half a second of cold start, which
        reads such as a candidate opening their link should not pay.
        """

        def __getattr__(self, name: str) -> SchemaRef:
            if name.startswith("_"):
                raise AttributeError(name)
            return SchemaRef(name)

    schemas = _LazySchemas()


class Access(Enum):
    """Who may call a route; the header each kind of caller proves itself with."""

    PUBLIC = "public"  # anyone (sign-in, the public apply link, health)
    ADMIN = "admin"  # a company admin's bearer token (or an API key: `api_keys`)
    RECRUITER = "recruiter"  # any recruiter's bearer token, admin or reviewer (or an API key)
    CANDIDATE = "candidate"  # X-Invitation-Token, checked by the candidate services
    SHARE = "share"  # X-Share-Token, checked by the share service


class Audit(Enum):
    """What lands in the audit log when a recruiter's change succeeds."""

    AUTO = "auto"  # the middleware records "<METHOD> <path>" against the first path id
    SELF = "self"  # the service records its own, more precise event (never twice)
    NOTHING = "nothing"  # a POST that changes nothing (a preview): there is no event


_ROLES = {Access.ADMIN: Role.ADMIN, Access.RECRUITER: None}
_TOKEN_HEADERS = {Access.CANDIDATE: "x-invitation-token", Access.SHARE: "x-share-token"}
_CHANGES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass(frozen=True)
class SchemaRef:
    """A request-body class of `chalicelib.api.schemas`, imported on first use."""

    name: str

    def load(self) -> type[BaseModel]:
        # The pydantic schemas cost ~0.6 s to import: loaded by the first request with a body.
        from chalicelib.api import schemas as module  # noqa: PLC0415

        model: type[BaseModel] = getattr(module, self.name)
        return model


@dataclass(frozen=True)
class Param:
    """A query-string parameter a route reads: its type and bounds, checked before the view.

    The same declaration is published in the OpenAPI document, so what the document allows
    is what the route takes; anything else is a 400 naming the parameter (never a 500 from
    `float("nan")` deep in a query).
    """

    kind: str = "string"  # string | integer | number | boolean
    description: str = ""
    minimum: float | None = None
    maximum: float | None = None
    enum: tuple[str, ...] = ()
    pattern: str | None = None  # the whole value must match
    max_length: int = 2000
    # A route whose clients already expect a 422 for a bad value keeps it (400 otherwise).
    refused_with: type[DomainError] = BadRequest

    def schema(self) -> dict[str, Any]:
        """The parameter's JSON Schema, as published."""
        schema: dict[str, Any] = {"type": self.kind}
        if self.kind == "string":
            schema["maxLength"] = self.max_length
        if self.minimum is not None:
            schema["minimum"] = self.minimum
        if self.maximum is not None:
            schema["maximum"] = self.maximum
        if self.enum:
            schema["enum"] = list(self.enum)
        if self.pattern:
            schema["pattern"] = f"^(?:{self.pattern})$"
        return schema

    def problem(self, value: str) -> str | None:
        """What is wrong with a value of this parameter, or None when it is fine."""
        if self.kind == "boolean":
            return None if value in ("true", "false") else "must be true or false"
        if self.kind in ("integer", "number"):
            return self._number_problem(value)
        if len(value) > self.max_length:
            return f"must be at most {self.max_length} characters"
        if self.enum and value not in self.enum:
            return "must be one of " + ", ".join(self.enum)
        if self.pattern and not re.fullmatch(self.pattern, value):
            return "has the wrong format"
        return None

    def _number_problem(self, value: str) -> str | None:
        whole = re.fullmatch(r"-?[0-9]{1,12}", value) is not None
        number: float | None = None
        if len(value) <= 40:
            try:
                number = float(value)
            except ValueError:
                number = None
        if self.kind == "integer" and not whole:
            return "must be a whole number"
        if number is None or not math.isfinite(number):
            return "must be a number"
        if self.minimum is not None and number < self.minimum:
            return f"must be at least {self.minimum:g}"
        if self.maximum is not None and number > self.maximum:
            return f"must be at most {self.maximum:g}"
        return None


# The parameters of every paged list.
LIMIT = Param("integer", "How many items a page holds (50 unless given).", 1, 100)
CURSOR = Param("string", "`next_cursor` of the previous page.", max_length=2000)
PAGED = {"limit": LIMIT, "cursor": CURSOR}


def _checked_query(declared: dict[str, Param], given: dict[str, str]) -> dict[str, str]:
    """The query string, each declared parameter checked (400 naming each bad one)."""
    details, refusal = [], BadRequest
    for name, param in declared.items():
        value = given.get(name)
        if value is None:
            continue
        problem = param.problem(value)
        if problem:
            details.append({"field": name, "problem": "invalid", "message": f"{name} {problem}"})
            refusal = param.refused_with if len(details) == 1 else refusal
    if details:
        names = ", ".join(detail["field"] for detail in details)
        raise refusal(f"Check the query parameters: {names}.", details=details)
    return given


def body_name(body: Any) -> str:
    """The schema's name whether declared lazily or as the class itself."""
    return body.name if isinstance(body, SchemaRef) else body.__name__


@dataclass(frozen=True)
class Endpoint:
    """What a route needs and promises, declared once beside its view."""

    path: str
    method: str
    name: str
    summary: str
    access: Access
    body: Any = None  # a schemas class (or its lazy SchemaRef); None when the route takes none
    audit: Audit | None = None
    status: int = 200
    query: dict[str, Param] = field(default_factory=dict)  # the query parameters it reads
    # Whether an API key may call it (a recruiter route; GET only for a `read` key).
    api_keys: bool = True

    @property
    def body_schema(self) -> str | None:
        return body_name(self.body) if self.body is not None else None


@dataclass
class Call:
    """What a view gets: the verified caller or token, the validated body, the query string."""

    principal: Principal | None = None
    token: str = ""
    body: Any = None
    query: dict[str, str] = field(default_factory=dict)
    # An `Audit.AUTO` route's own words for its event (which records it touched), if any.
    audit_detail: dict[str, Any] | None = None

    @property
    def recruiter(self) -> Principal:
        """The principal of a bearer-token route (the wrapper verified it before the view)."""
        if self.principal is None:  # a declaration error, not a caller's
            raise RuntimeError("this route is not declared for recruiters")
        return self.principal

    def page_size(self, name: str = "limit", default: str = "50") -> int:
        """A page size from the query string, clamped to 1..100 (50 when unreadable)."""
        try:
            return max(1, min(int(self.query.get(name, default)), 100))
        except ValueError:
            return 50


# Every declared route by (path, method); read by the audit middleware and the OpenAPI generator.
ENDPOINTS: dict[tuple[str, str], Endpoint] = {}


def _check(spec: Endpoint) -> None:
    """Refuse declarations that would audit nothing, or audit a caller who is not a recruiter."""
    recruiter = spec.access in _ROLES
    if spec.audit is not None and not (recruiter and spec.method in _CHANGES):
        raise ValueError(f"{spec.method} {spec.path}: only recruiter changes are audited")
    if recruiter and spec.method in _CHANGES and spec.audit is None:
        raise ValueError(f"{spec.method} {spec.path}: say how this change is audited")
    if (spec.path, spec.method) in ENDPOINTS:
        raise ValueError(f"{spec.method} {spec.path} is declared twice")


def _summary(view: Callable[..., Any]) -> str:
    doc = inspect.getdoc(view)
    return doc.splitlines()[0] if doc else view.__name__.replace("_", " ").capitalize()


def _call(spec: Endpoint, request: Request) -> Call:
    """Authenticate, then check the query string and the body: a stranger learns nothing."""
    call = Call(query=dict(request.query_params or {}))
    if spec.access in _ROLES:
        call.principal = authenticate(
            request.headers,
            _ROLES[spec.access],
            writes=spec.method in _CHANGES,
            keys_allowed=spec.api_keys,
        )
        # Kept on the request so the audit middleware need not verify the token again.
        request.principal = call.principal  # type: ignore[attr-defined]
    elif spec.access in _TOKEN_HEADERS:
        call.token = request.headers.get(_TOKEN_HEADERS[spec.access], "")
    if spec.query:
        call.query = _checked_query(spec.query, call.query)
    if spec.body is not None:
        model = spec.body.load() if isinstance(spec.body, SchemaRef) else spec.body
        call.body = parse_body(request, model)
    return call


def endpoint(
    blueprint: Blueprint,
    path: str,
    method: str,
    *,
    access: Access,
    body: type[BaseModel] | None = None,
    audit: Audit | None = None,
    status: int = 200,
    query: dict[str, Param] | None = None,
    api_keys: bool = True,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare and register a route; the view receives a `Call` and the path parameters.

    A view returns its JSON body (sent with `status`, or an empty 204) or a `Response` of
    its own (for other media types). `api_keys=False` keeps a recruiter route for people.
    """

    def register(view: Callable[..., Any]) -> Callable[..., Any]:
        spec = Endpoint(
            path,
            method,
            view.__name__,
            _summary(view),
            access,
            body,
            audit,
            status,
            query or {},
            api_keys,
        )
        _check(spec)
        ENDPOINTS[(path, method)] = spec

        @functools.wraps(view)
        def handle(**params: str) -> Any:
            try:
                call = _call(spec, blueprint.current_request)
                result = view(call, **params)
                blueprint.current_request.audit_detail = call.audit_detail  # type: ignore[attr-defined]
            except DomainError as error:
                return domain_error_response(error)
            if isinstance(result, Response):
                return result
            if status == 204:
                return Response(body="", status_code=204)
            return result if status == 200 else Response(result, status_code=status)

        blueprint.route(path, methods=[method])(handle)
        return handle

    return register


def declared(routes: dict[str, dict[str, Any]]) -> Iterable[Endpoint]:
    """The spec of every route in a Chalice route table (a route without one is a bug)."""
    for path in sorted(routes):
        for method in sorted(routes[path]):
            yield ENDPOINTS[(path, method)]


#: The window of chunk numbers an upload grant covers (answers and question videos alike):
#: `?first_chunk=`, 0 when absent. Its clients expect a 422 for a bad value.
FIRST_CHUNK = {
    "first_chunk": Param(
        "integer",
        "First chunk number of the window (0 unless given).",
        0,
        99999,
        refused_with=InvalidInput,
    )
}


def first_chunk(call: Call) -> int:
    """The first chunk number of the grant window a recorder asks for ahead of time."""
    first = call.query.get("first_chunk", "0")
    if not first.isdigit() or int(first) > 99999:
        raise InvalidInput(
            "first_chunk must be a chunk number.",
            details=[{"field": "first_chunk", "problem": "not_a_chunk_number"}],
        )
    return int(first)
