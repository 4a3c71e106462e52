"""Route declarations: every route says who may call it and how its changes are audited."""

from __future__ import annotations

import subprocess
import sys

import pytest
from chalice.app import Blueprint

from chalicelib.api import schemas as schema_module
from chalicelib.api.endpoint import (
    ENDPOINTS,
    LIMIT,
    Access,
    Audit,
    Call,
    Param,
    declared,
    endpoint,
    schemas,
)

CHANGES = {"POST", "PUT", "PATCH", "DELETE"}


def _view(_call: Call) -> dict:
    return {}


def test_a_recruiter_change_must_say_how_it_is_audited() -> None:
    with pytest.raises(ValueError, match="audited"):
        endpoint(Blueprint(__name__), "/nowhere", "POST", access=Access.ADMIN)(_view)
    assert ("/nowhere", "POST") not in ENDPOINTS


@pytest.mark.parametrize("access", [Access.PUBLIC, Access.CANDIDATE, Access.SHARE])
def test_only_a_recruiters_change_can_be_audited(access: Access) -> None:
    with pytest.raises(ValueError, match="only recruiter changes"):
        endpoint(Blueprint(__name__), "/nowhere", "POST", access=access, audit=Audit.AUTO)(_view)


def test_a_read_is_not_audited() -> None:
    with pytest.raises(ValueError, match="only recruiter changes"):
        endpoint(Blueprint(__name__), "/nowhere", "GET", access=Access.ADMIN, audit=Audit.AUTO)(
            _view
        )


def test_a_route_is_declared_once() -> None:
    import app  # noqa: F401  (declares /health)

    with pytest.raises(ValueError, match="declared twice"):
        endpoint(Blueprint(__name__), "/health", "GET", access=Access.PUBLIC)(_view)


def test_every_route_of_the_app_is_declared_and_every_recruiter_change_audited() -> None:
    import app

    specs = list(declared(app.app.routes))  # a route without a declaration raises KeyError
    assert len(specs) == sum(len(methods) for methods in app.app.routes.values())
    for spec in specs:
        recruiter_change = spec.access in {Access.ADMIN, Access.RECRUITER} and (
            spec.method in CHANGES
        )
        assert (spec.audit is not None) == recruiter_change, spec


def test_only_previews_change_nothing_and_record_nothing() -> None:
    import app  # noqa: F401  (registers the routes)

    silent = {key for key, spec in ENDPOINTS.items() if spec.audit is Audit.NOTHING}
    assert silent == {
        ("/company/emails/{kind}/{language}/preview", "POST"),
        ("/invitations/{invitation_id}/decision-preview", "POST"),
    }


def test_the_routes_that_audit_themselves() -> None:
    import app  # noqa: F401  (registers the routes)

    self_audited = {key for key, spec in ENDPOINTS.items() if spec.audit is Audit.SELF}
    assert self_audited == {
        ("/team", "POST"),
        ("/team/{user_id}", "DELETE"),
        ("/team/{user_id}", "PATCH"),
        ("/invitations/{invitation_id}/review", "PUT"),
        ("/invitations/{invitation_id}/stage", "POST"),
        ("/invitations/{invitation_id}/shares", "POST"),
        ("/shares/{share_id}", "DELETE"),
        ("/company/retention", "PUT"),
        ("/webhooks", "POST"),
        ("/webhooks/{webhook_id}", "DELETE"),
        ("/webhooks/{webhook_id}", "PATCH"),
        ("/webhooks/{webhook_id}/rotate-secret", "POST"),
        ("/webhooks/{webhook_id}/test", "POST"),
        ("/invitations/{invitation_id}", "DELETE"),
        ("/company/export", "POST"),
        ("/api-keys", "POST"),
        ("/api-keys/{key_id}", "DELETE"),
        ("/invitations/{invitation_id}/accommodation/grant", "POST"),
        ("/invitations/{invitation_id}/accommodation/decline", "POST"),
    }


def test_a_declared_body_names_the_schema_class() -> None:
    assert schemas.InterviewIn.load() is schema_module.InterviewIn


def test_importing_the_app_does_not_load_pydantic() -> None:
    """Cold starts stay short: the schemas load on the first request that has a body."""
    probe = (
        "import sys, app; "
        "print(sorted(m for m in ('pydantic', 'chalicelib.api.schemas') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize("value", ["nan", "NaN", "inf", "-inf", "Infinity", "1e999", "x", "", "6"])
def test_a_number_parameter_refuses_what_is_no_number_in_its_bounds(value: str) -> None:
    assert Param("number", minimum=0, maximum=5).problem(value) is not None


@pytest.mark.parametrize("value", ["0", "4.5", "5", "1e0", "3."])
def test_a_number_parameter_takes_every_number_in_its_bounds(value: str) -> None:
    assert Param("number", minimum=0, maximum=5).problem(value) is None


@pytest.mark.parametrize("value", ["2.0", "2.5", "0", "101", "1e2", " 5", "9" * 40])
def test_an_integer_parameter_takes_whole_numbers_in_its_bounds_only(value: str) -> None:
    assert LIMIT.problem(value) is not None
    assert LIMIT.problem("100") is None


def test_a_parameter_is_published_as_it_is_checked() -> None:
    month = Param(pattern=r"[0-9]{4}-[0-9]{2}", max_length=7)
    assert month.schema() == {
        "type": "string",
        "maxLength": 7,
        "pattern": "^(?:[0-9]{4}-[0-9]{2})$",
    }
    assert month.problem("2026-11") is None
    assert month.problem("2026-11x") is not None
    assert Param(enum=("a", "b")).schema()["enum"] == ["a", "b"]
    assert LIMIT.schema() == {"type": "integer", "minimum": 1, "maximum": 100}
    assert Param("boolean").problem("yes") is not None


def test_a_parameter_may_keep_the_422_its_clients_expect() -> None:
    from chalicelib.api.endpoint import _checked_query
    from chalicelib.domain.errors import BadRequest, InvalidInput

    declared = {"first_chunk": Param("integer", "", 0, 99999, refused_with=InvalidInput)}
    with pytest.raises(InvalidInput) as refused:
        _checked_query(declared, {"first_chunk": "-1"})
    assert refused.value.details[0]["field"] == "first_chunk"
    with pytest.raises(BadRequest):
        _checked_query({"limit": LIMIT}, {"limit": "0"})
    assert _checked_query(declared, {"first_chunk": "30"}) == {"first_chunk": "30"}
