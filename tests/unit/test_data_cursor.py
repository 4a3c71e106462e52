"""The page cursor: opaque to clients, and refused (400 naming the cursor) unless it is ours."""

import base64
import json

import pytest

from chalicelib.data import cursor
from chalicelib.domain.errors import BadRequest

TABLE_KEY = ("pk", "sk")
LAST = {"pk": {"S": "C#C1#AUDIT#2026-11"}, "sk": {"S": "2026-11-30T09:15:00+00:00#E1"}}


def _forge(plain: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(plain).encode()).decode().rstrip("=")


def test_the_last_page_has_no_cursor() -> None:
    assert cursor.encode(None) is None
    assert cursor.encode({}) is None


def test_a_cursor_is_url_safe_and_gives_back_the_key_the_page_ended_at() -> None:
    # GIVEN a page that ended at a key
    token = cursor.encode(LAST)
    # THEN the cursor needs no escaping in a query string and hides the key's shape
    assert token is not None
    assert token.replace("-", "").replace("_", "").isalnum()
    assert "C#" not in token
    # AND decoding it for the same partition gives the key back
    assert cursor.decode(token, attributes=TABLE_KEY, fixed={"pk": LAST["pk"]["S"]}) == LAST


def test_no_cursor_means_the_first_page() -> None:
    assert cursor.decode(None, attributes=TABLE_KEY) is None
    assert cursor.decode("", attributes=TABLE_KEY) is None


def _refused(token: str, **rules: object) -> BadRequest:
    with pytest.raises(BadRequest) as caught:
        cursor.decode(token, attributes=TABLE_KEY, **rules)  # type: ignore[arg-type]
    return caught.value


@pytest.mark.parametrize(
    "token",
    [
        "not base64!",
        "%%%",
        "a",  # not a whole base64 quantum
        _forge("a string"),
        _forge(["pk", "sk"]),
        _forge({"pk": "C#C1#AUDIT#2026-11"}),  # a key attribute missing
        _forge({"pk": "C#C1#AUDIT#2026-11", "sk": "x", "extra": "y"}),
        _forge({"pk": "C#C1#AUDIT#2026-11", "sk": 5}),
        _forge({"pk": "C#C1#AUDIT#2026-11", "sk": ""}),
        "A" * (cursor.MAX_LENGTH + 4),
    ],
)
def test_a_cursor_this_service_did_not_issue_is_a_400_naming_the_cursor(token: str) -> None:
    error = _refused(token)
    assert error.status_code == 400
    assert error.to_body()["details"][0]["field"] == "cursor"


def test_a_cursor_for_another_companys_partition_is_refused() -> None:
    # GIVEN a well-formed cursor edited to start in another company's audit log
    forged = cursor.encode({"pk": {"S": "C#OTHER#AUDIT#2026-11"}, "sk": {"S": "x"}})
    assert forged is not None
    # WHEN it comes back for this company's query THEN it is refused, never used
    error = _refused(forged, fixed={"pk": "C#C1#AUDIT#2026-11"})
    assert error.details[0]["message"] == "it belongs to a different list"


def test_a_cursor_whose_key_lacks_the_required_prefix_is_refused() -> None:
    token = cursor.encode({"pk": {"S": "C#C1"}, "sk": {"S": "WEBHOOK#w"}})
    assert token is not None
    _refused(token, prefixes={"sk": "USAGE#"})
    assert cursor.decode(token, attributes=TABLE_KEY, prefixes={"sk": "WEBHOOK#"})
