"""Key shapes: every key is built in one module, stays inside its company, and parses back."""

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from chalicelib.data import keys
from chalicelib.data.models import (
    Answer,
    AuditEvent,
    Comment,
    Company,
    Digest,
    DigestEntry,
    EmailClaim,
    Interview,
    Invitation,
    LinkToken,
    Recruiter,
    Review,
    ShareLink,
    Usage,
    Webhook,
    WebhookDelivery,
)

AT = datetime(2026, 11, 30, 9, 15, tzinfo=UTC)


def test_every_company_owned_partition_starts_with_its_company_and_no_other() -> None:
    built = [
        Company.key("C1"),
        Recruiter.key("C1", "u"),
        Interview.key("C1", "i"),
        Invitation.key("C1", "v"),
        Answer.key("C1", "v", "q", 2),
        EmailClaim.key("C1", "i", "a@example.com"),
        Review.key("C1", "v", "u"),
        Comment.key("C1", "v", "c"),
        ShareLink.key("C1", "v", "s"),
        LinkToken.key("C1", "v", "t"),
        AuditEvent.key("C1", AT, "e"),
        Usage.key("C1", "2026-11"),
        Digest.key("C1", "2026-12-01"),
        DigestEntry.key("C1", "2026-12-01", AT, "v"),
        Webhook.key("C1", "w"),
        WebhookDelivery.key("C1", "d"),
    ]
    assert all(pk == "C#C1" or pk.startswith("C#C1#") for pk, _ in built)
    # A company whose id starts like another's never shares its partitions.
    assert not any(pk == "C#C" or pk.startswith("C#C#") for pk, _ in built)


def test_the_stored_key_shapes_are_the_ones_existing_items_were_written_with() -> None:
    assert Invitation.key("C1", "v") == ("C#C1#INV#v", "INVITATION")
    assert Invitation.parent_key("C1", "i") == "C#C1#INTERVIEW#i"
    assert keys.invitation_child_sk("v") == "INV#v"
    assert EmailClaim.key("C1", "i", "a@x.io") == ("C#C1#INTERVIEW#i", "EMAIL#a@x.io")
    assert AuditEvent.key("C1", AT, "e") == ("C#C1#AUDIT#2026-11", "2026-11-30T09:15:00+00:00#e")
    assert WebhookDelivery.key("C1", "d") == ("C#C1#DELIVERIES", "d")
    assert keys.apply_gsi1pk("abc") == "APPLY#abc"
    assert Usage.key("C1", "2026-11") == ("C#C1", "USAGE#2026-11")


def test_a_candidate_partition_key_round_trips() -> None:
    assert keys.split_invitation_pk(keys.invitation_pk("C1", "V9")) == ("C1", "V9")


def test_an_answer_sort_key_round_trips_and_sorts_attempts_in_order() -> None:
    assert keys.split_answer_sk(keys.answer_sk("Q1", 7)) == ("Q1", 7)
    attempts = [keys.answer_sk("Q1", n) for n in (10, 2, 1)]
    assert sorted(attempts) == [keys.answer_sk("Q1", n) for n in (1, 2, 10)]


def test_an_invitation_index_key_round_trips() -> None:
    assert keys.invitation_id_of_child_sk(keys.invitation_child_sk("V9")) == "V9"


def test_an_audit_sort_key_gives_back_when_it_happened_and_sorts_by_time() -> None:
    sk = keys.audit_sk(AT, "E1")
    assert keys.audit_time(sk) == AT.isoformat()
    assert keys.audit_sk(AT, "Z") < keys.audit_sk(AT.replace(minute=16), "A")


@pytest.mark.parametrize(
    ("parse", "value"),
    [
        (keys.split_invitation_pk, "C#C1"),
        (keys.split_invitation_pk, "C#C1#INTERVIEW#i"),
        (keys.split_invitation_pk, "X#C1#INV#v"),
        (keys.split_invitation_pk, "C#C1#INV#"),
        (keys.split_invitation_pk, "C#C1#INV#v#INV#w"),
        (keys.split_answer_sk, "REVIEW#u"),
        (keys.split_answer_sk, "ANSWER#q"),
        (keys.split_answer_sk, "ANSWER#q#x1"),
        (keys.invitation_id_of_child_sk, "INTERVIEW"),
        (keys.invitation_id_of_child_sk, "INV#"),
    ],
)
def test_a_key_of_another_shape_is_refused_not_misread(
    parse: Callable[[str], object], value: str
) -> None:
    with pytest.raises(keys.MalformedKey):
        parse(value)


def test_the_sweep_buckets_are_distinct() -> None:
    assert len(set(keys.DUE_BUCKETS)) == len(keys.DUE_BUCKETS)
