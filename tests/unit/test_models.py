"""Keys and ids: tenant-prefixed, time-ordered, and the same shape everywhere."""

import time

from chalicelib.data.models import (
    Answer,
    Company,
    Interview,
    Invitation,
    Recruiter,
    new_id,
    table_schema,
)


def test_ids_are_unique_26_characters_and_sort_by_creation_time() -> None:
    first = new_id()
    time.sleep(0.002)
    later = [new_id() for _ in range(1000)]
    assert len(set(later)) == 1000
    assert all(len(i) == 26 and i.isalnum() for i in later)
    assert all(first < i for i in later)


def test_every_company_owned_key_starts_with_the_company() -> None:
    keys = [
        Company.key("C1"),
        Recruiter.key("C1", "u"),
        Interview.key("C1", "i"),
        Invitation.key("C1", "v"),
        Answer.key("C1", "v", "q", 2),
    ]
    assert all(pk == "C#C1" or pk.startswith("C#C1#") for pk, _ in keys)
    assert Answer.key("C1", "v", "q", 2) == ("C#C1#INV#v", "ANSWER#q#002")


def test_the_table_has_string_keys_and_three_sparse_indexes() -> None:
    schema = table_schema()
    assert schema["key_schema"] == [
        {"AttributeName": "pk", "KeyType": "HASH"},
        {"AttributeName": "sk", "KeyType": "RANGE"},
    ]
    assert schema["global_secondary_indexes"] == {
        "by_parent": [
            {"AttributeName": "gsi1pk", "KeyType": "HASH"},
            {"AttributeName": "gsi1sk", "KeyType": "RANGE"},
        ],
        "by_token": [{"AttributeName": "token_hash", "KeyType": "HASH"}],
        "by_due": [
            {"AttributeName": "due_bucket", "KeyType": "HASH"},
            {"AttributeName": "due_at", "KeyType": "RANGE"},
        ],
    }
    assert {a["AttributeType"] for a in schema["attribute_definitions"]} == {"S"}
