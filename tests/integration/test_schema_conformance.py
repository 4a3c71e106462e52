"""What `docs/openapi.json` allows the API takes; what it refuses is a 4xx, never a 500.

An integrator generates clients and test data from the published document: a body the
document allows must never come back as "Some fields are missing or invalid." (2.0 for an
integer, `x@host.test` for an email, a name padded with U+0085), and a query parameter the
document bounds is refused with a 400 naming it, never a 500 from deep in a query.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from chalicelib.domain.interviews import MAX_INTERVIEW_BYTES
from tests.drivers.api import INTERVIEW, Http, Team, create, links_sent_to

DOCUMENT = Path(__file__).parents[2] / "docs" / "openapi.json"
SCHEMA_REFUSAL = "Some fields are missing or invalid."


def _published() -> dict[str, Any]:
    return json.loads(DOCUMENT.read_text())


def _bodies() -> dict[tuple[str, str], str]:
    """(METHOD, path) → the body schema's name, for every operation that takes a body."""
    found = {}
    for path, methods in _published()["paths"].items():
        for method, operation in methods.items():
            content = operation.get("requestBody", {}).get("content", {})
            if content:
                ref = content["application/json"]["schema"]["$ref"]
                found[(method.upper(), path)] = ref.rsplit("/", 1)[1]
    return found


def _takes_integers(schema: Any, components: dict[str, Any], seen: frozenset = frozenset()) -> bool:
    if isinstance(schema, dict):
        if schema.get("type") == "integer":
            return True
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[1]
            return name not in seen and _takes_integers(components[name], components, seen | {name})
        return any(_takes_integers(value, components, seen) for value in schema.values())
    if isinstance(schema, list):
        return any(_takes_integers(value, components, seen) for value in schema)
    return False


def _decimals(value: Any) -> Any:
    """The same JSON with every whole number written as a decimal (2 → 2.0)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return float(value)
    if isinstance(value, list):
        return [_decimals(item) for item in value]
    if isinstance(value, dict):
        return {key: _decimals(item) for key, item in value.items()}
    return value


class World:
    """Real ids and callers, so a body the API takes gets as far as a user's would."""

    def __init__(self, http: Http, admin: dict) -> None:
        self.team = Team(http, admin)
        [self.invitation_id] = self.team.invite("Ann")
        self.candidate = links_sent_to("ann@example.com")[0]
        self.ids = {
            "interview_id": self.team.interview_id,
            "invitation_id": self.invitation_id,
            "question_id": self.team.questions[0],
            "attempt": "1",
            "code": "no-such-code",
            "video_id": "no-such-video",
        }

    def call(self, method: str, template: str, body: Any) -> tuple[int, Any]:
        """Call an operation of the document as its security asks, with the real ids."""
        operation = _published()["paths"][template][method.lower()]
        schemes = {name for need in operation["security"] for name in need}
        headers = {"X-Invitation-Token": self.candidate} if "invitationToken" in schemes else {}
        token = self.team.admin if "bearer" in schemes else None
        path = template
        for name, value in self.ids.items():
            path = path.replace("{" + name + "}", value)
        return self.team.http.call(method, path, body, token=token, headers=headers)


@pytest.fixture
def world(http: Http, admin: dict) -> World:
    return World(http, admin)


def _refused_as_invalid(status: int, body: Any) -> bool:
    return status in (400, 422) and isinstance(body, dict) and body.get("message") == SCHEMA_REFUSAL


# Each operation whose body has an integer, with a body the document allows where every
# whole number is written as a decimal (JSON Schema's `integer` includes 2.0).
WHOLE_NUMBERS_AS_DECIMALS: dict[tuple[str, str], Any] = {
    ("POST", "/interviews"): _decimals(INTERVIEW),
    ("PUT", "/interviews/{interview_id}"): _decimals(INTERVIEW),
    ("PUT", "/interviews/{interview_id}/apply-link"): {"enabled": True, "cap": 50.0},
    ("PUT", "/interviews/{interview_id}/follow-up"): {"reminder_hours": [48.0, 4.0]},
    ("POST", "/invitations/{invitation_id}/extend"): {"days": 3.0},
    ("POST", "/interviews/{interview_id}/invitations"): {
        "candidates": [{"name": "Dee Cimal", "email": "dee@example.com"}],
        "deadline_days": 3.0,
    },
    ("POST", "/interviews/{interview_id}/invitation-jobs"): {
        "csv": "Jo Bulk,jo.bulk@example.com",
        "deadline_days": 3.0,
    },
    ("POST", "/invitations/{invitation_id}/shares"): {"expires_in_days": 7.0},
    ("PUT", "/company/retention"): {"retention_days": 365.0},
    ("POST", "/company/logo/upload"): {"content_type": "image/png", "size_bytes": 1000.0},
    ("POST", "/candidate/feedback"): {"rating": 5.0},
    ("POST", "/candidate/questions/{question_id}/attempts/{attempt}/finalise"): {"chunks": 2.0},
    ("POST", "/interviews/{interview_id}/question-videos/{video_id}/finalise"): {"chunks": 2.0},
}


def test_every_operation_with_an_integer_is_checked_with_decimals() -> None:
    """A new route with an integer in its body joins the check below, or this fails."""
    components = _published()["components"]["schemas"]
    with_integers = {
        operation
        for operation, name in _bodies().items()
        if _takes_integers(components[name], components)
    }
    assert with_integers == {
        *WHOLE_NUMBERS_AS_DECIMALS,
        ("PUT", "/invitations/{invitation_id}/review"),
    }


def test_a_whole_number_written_as_a_decimal_is_taken_as_the_integer(world: World) -> None:
    answers = {
        operation: world.call(*operation, body)
        for operation, body in WHOLE_NUMBERS_AS_DECIMALS.items()
    }
    refused = {
        op: body for op, (status, body) in answers.items() if _refused_as_invalid(status, body)
    }
    assert refused == {}
    assert {op: status for op, (status, _) in answers.items() if status >= 500} == {}
    # The ones a user can complete from here, completed
    assert answers[("POST", "/interviews")][0] == 201
    assert answers[("PUT", "/interviews/{interview_id}")][0] == 200
    assert answers[("PUT", "/interviews/{interview_id}/apply-link")][0] == 200
    assert answers[("POST", "/invitations/{invitation_id}/shares")][0] == 201


def test_a_review_scored_with_decimals_is_saved_as_whole_scores(world: World) -> None:
    team = world.team
    scores = {team.questions[0]: {team.criteria[0]: 4.0}}
    status, body = world.call("PUT", "/invitations/{invitation_id}/review", {"scores": scores})
    assert status == 200, body
    status, extended = world.call("POST", "/invitations/{invitation_id}/extend", {"days": 2.0})
    assert status == 200, extended
    # Still only whole numbers: 2.5 is no integer in the schema, nor in the API
    status, refused = world.call("POST", "/invitations/{invitation_id}/extend", {"days": 2.5})
    assert status == 422
    assert refused["details"][0]["field"] == "days"


def _positive_bodies(operation: Any, count: int) -> list[Any]:
    """`count` bodies schemathesis draws from the operation's schema (the same ones each run)."""
    from hypothesis import HealthCheck, Phase, given, settings
    from schemathesis.generation.modes import GenerationMode

    drawn: list[Any] = []

    @settings(
        max_examples=count,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(GenerationMode.POSITIVE))
    def draw(case: Any) -> None:
        drawn.append(case.body)

    draw()
    return drawn


def test_every_body_the_document_allows_is_taken(world: World) -> None:
    """schemathesis draws bodies from each operation's published schema; none is refused."""
    import schemathesis

    schema = schemathesis.openapi.from_path(str(DOCUMENT))
    refused: list[dict[str, Any]] = []
    tried = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.definition.raw.get("requestBody") is None:
            continue
        for drawn in _positive_bodies(operation, 3):
            body = _decimals(drawn)  # still allowed: whole numbers written as decimals
            tried += 1
            status, answer = world.call(operation.method.upper(), operation.path, body)
            if _refused_as_invalid(status, answer):
                refused.append({"operation": operation.path, "body": body, "answer": answer})
    assert tried >= len(_bodies())
    assert refused == [], json.dumps(refused[:5], indent=1, default=str)


# --- query parameters -------------------------------------------------------------------------


def test_a_min_score_that_is_no_score_is_a_400_naming_it(world: World) -> None:
    team = world.team
    for value in ("nan", "NaN", "inf", "-inf", "1e999", "high", "", "6", "-1"):
        status, body = team.http.call(
            "GET", f"/interviews/{team.interview_id}/pipeline?min_score={value}", token=team.admin
        )
        assert status == 400, (value, body)
        assert [d["field"] for d in body["details"]] == ["min_score"]
        assert "min_score" in body["message"]


def test_other_pipeline_parameters_outside_their_schema_are_400s(world: World) -> None:
    team = world.team
    for query in ("limit=0", "limit=101", "limit=2.5", "limit=ten", "status=lost", "stage=maybe"):
        status, body = team.http.call(
            "GET", f"/interviews/{team.interview_id}/pipeline?{query}", token=team.admin
        )
        assert status == 400, (query, body)
        assert [d["field"] for d in body["details"]] == [query.split("=", maxsplit=1)[0]]


def test_query_parameters_are_published_with_their_bounds() -> None:
    parameters = _published()["paths"]["/interviews/{interview_id}/pipeline"]["get"]["parameters"]
    query = {p["name"]: p["schema"] for p in parameters if p["in"] == "query"}
    assert query["min_score"] == {"type": "number", "minimum": 0, "maximum": 5}
    assert query["limit"] == {"type": "integer", "minimum": 1, "maximum": 100}
    assert set(query) == {"limit", "cursor", "status", "stage", "min_score"}
    audit = _published()["paths"]["/audit"]["get"]["parameters"]
    assert {p["name"] for p in audit} == {
        *("limit", "cursor", "month"),
        *("since", "until", "actor", "action", "order"),
    }
    grant = _published()["paths"]["/candidate/questions/{question_id}/attempts/{attempt}/grant"][
        "post"
    ]["parameters"]
    [first_chunk] = [p["schema"] for p in grant if p["in"] == "query"]
    assert first_chunk == {"type": "integer", "minimum": 0, "maximum": 99999}


def test_parameters_within_their_schema_still_work(world: World) -> None:
    team = world.team
    for query in ("?min_score=0", "?min_score=4.5&limit=100", "?status=invited&stage=new"):
        assert team.pipeline(team.admin, query)["candidates"] is not None
    status, body = team.http.call("GET", "/audit?month=2026-13x", token=team.admin)
    assert status == 400
    assert body["details"][0]["field"] == "month"


# --- the interview's size ---------------------------------------------------------------------


def _largest_interview() -> dict[str, Any]:
    """Every field at its published limit, in 4-byte characters (what the schema allows)."""
    components = _published()["components"]["schemas"]
    interview, question = components["InterviewIn"], components["QuestionIn"]
    criterion = components["CriterionIn"]

    def longest(schema: dict[str, Any]) -> str:
        limit = next(s for s in [schema, *schema.get("anyOf", [])] if "maxLength" in s)
        return "😀" * limit["maxLength"]

    props, q_props, c_props = (
        interview["properties"],
        question["properties"],
        criterion["properties"],
    )
    return {
        "title": longest(props["title"]),
        "role_description": longest(props["role_description"]),
        "intro": longest(props["intro"]),
        "outro": longest(props["outro"]),
        "questions": [
            {"text": longest(q_props["text"]), "answer_type": "text"}
            for _ in range(props["questions"]["maxItems"])
        ],
        "rubric": [
            {
                "name": longest(c_props["name"]),
                "anchors": [longest(c_props["anchors"]["items"])] * 5,
            }
            for _ in range(props["rubric"]["maxItems"])
        ],
    }


def test_the_largest_interview_the_schema_allows_is_a_422_naming_its_size(
    http: Http, admin: dict
) -> None:
    token = admin["tokens"]["id_token"]
    largest = _largest_interview()
    assert len(json.dumps(largest, ensure_ascii=False).encode()) > 400_000  # beyond DynamoDB's item
    status, body = http.call("POST", "/interviews", largest, token=token)
    assert status == 422, body
    assert body["details"][0]["problem"] == "too_large"
    assert f"{MAX_INTERVIEW_BYTES // 1000} KB" in body["details"][0]["message"]
    assert http.call("GET", "/interviews", token=token)[1]["interviews"] == []  # nothing saved
    # The same content as an edit of an existing interview: refused, the interview unchanged
    existing = create(http, token)
    path = f"/interviews/{existing['interview_id']}"
    status, body = http.call("PUT", path, largest, token=token)
    assert status == 422, body
    assert body["details"][0]["problem"] == "too_large"
    assert http.call("GET", path, token=token)[1]["title"] == INTERVIEW["title"]


def test_a_long_interview_within_the_bound_is_saved_and_read_back(http: Http, admin: dict) -> None:
    token = admin["tokens"]["id_token"]
    long = {
        **INTERVIEW,
        "role_description": "é" * 5000,
        "intro": "😀" * 5000,
        "questions": [{"text": "😀" * 2000, "answer_type": "text"}] * 25,
    }
    status, body = http.call("POST", "/interviews", long, token=token)
    assert status == 201, body
    status, read = http.call("GET", f"/interviews/{body['interview_id']}", token=token)
    assert read["intro"] == "😀" * 5000
    assert len(read["questions"]) == 25


def test_a_candidate_can_be_invited_to_the_largest_interview_that_saves(
    http: Http, admin: dict
) -> None:
    """Each invitation copies the interview (and its rubric): that copy fits too."""
    token = admin["tokens"]["id_token"]
    largest = _largest_interview()
    # Trim the questions until the interview is just within the bound
    while True:
        status, body = http.call("POST", "/interviews", largest, token=token)
        if status == 201:
            break
        assert body["details"][0]["problem"] == "too_large"
        largest["questions"].pop()
    assert len(json.dumps(largest, ensure_ascii=False).encode()) > MAX_INTERVIEW_BYTES * 0.9
    status, report = http.call(
        "POST",
        f"/interviews/{body['interview_id']}/invitations",
        {"candidates": [{"name": "Ann", "email": "ann@example.com"}]},
        token=token,
    )
    assert status == 200, report
    [link] = links_sent_to("ann@example.com")
    status, seen = http.call("GET", "/candidate/session", headers={"X-Invitation-Token": link})
    assert status == 200, seen
    assert seen["interview"]["intro"] == largest["intro"]


def test_a_text_past_its_published_limit_is_refused_even_when_padded(
    http: Http, admin: dict
) -> None:
    """The document's maxLength is about the text as sent; spaces around it are dropped after."""
    token = admin["tokens"]["id_token"]
    padded = {"name": "Clarity", "anchors": [" " + "a" * 500, "2", "3", "4", "5"]}
    status, body = http.call("POST", "/interviews", {**INTERVIEW, "rubric": [padded]}, token=token)
    assert status == 422, body
    assert body["details"][0]["field"] == "rubric.0.anchors.0"
    status, body = http.call(
        "POST", "/interviews", {**INTERVIEW, "title": "\u3000 Senior Support \n"}, token=token
    )
    assert status == 201, body
    assert body["title"] == "Senior Support"
