"""The repositories' contract, on a real table (moto in-process) and on the in-memory twin.

Each test runs against both, so a rule tested with the twin is tested against what the
table would answer: same kinds, same order, same pages and cursors, same tenant walls.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from pynamodb.exceptions import TransactWriteError

from chalicelib.data import keys
from chalicelib.data.memory import (
    InMemoryCandidateRepository,
    InMemoryInvitationRepository,
    MemoryTable,
)
from chalicelib.data.models import (
    Answer,
    Comment,
    Invitation,
    Item,
    LinkToken,
    Review,
    ShareLink,
    new_id,
    utcnow,
)
from chalicelib.data.repositories import CandidateRepository, InvitationRepository
from chalicelib.data.transactions import transact_write
from chalicelib.domain.errors import BadRequest


@dataclass
class Store:
    """A pair of repositories and how to put an item where they read."""

    candidates: CandidateRepository | InMemoryCandidateRepository
    invitations: InvitationRepository | InMemoryInvitationRepository
    put: Callable[[Item], None]


@pytest.fixture(params=["dynamodb", "memory"])
def store(request: pytest.FixtureRequest) -> Store:
    if request.param == "dynamodb":
        request.getfixturevalue("aws")
        return Store(CandidateRepository(), InvitationRepository(), lambda item: item.save())
    table = MemoryTable()
    return Store(InMemoryCandidateRepository(table), InMemoryInvitationRepository(table), table.put)


def _invite(
    store: Store, company_id: str, interview_id: str, token_hash: str | None = None
) -> Invitation:
    invitation_id = new_id()
    invitation = Invitation(
        *Invitation.key(company_id, invitation_id),
        company_id=company_id,
        interview_id=interview_id,
        invitation_id=invitation_id,
        candidate_name="Sam",
        candidate_email=f"{invitation_id.lower()}@example.com",
        deadline=utcnow() + timedelta(days=7),
        gsi1pk=Invitation.parent_key(company_id, interview_id),
        gsi1sk=keys.invitation_child_sk(invitation_id),
        token_hash=token_hash,
    )
    store.put(invitation)
    return invitation


def _answer(store: Store, invitation: Invitation, question_id: str, attempt: int) -> Answer:
    answer = Answer(
        *Answer.key(invitation.company_id, invitation.invitation_id, question_id, attempt),
        company_id=invitation.company_id,
        interview_id=invitation.interview_id,
        invitation_id=invitation.invitation_id,
        question_id=question_id,
        attempt=attempt,
        answer_type="video",
    )
    store.put(answer)
    return answer


def test_an_invitation_is_found_by_id_only_within_its_company(store: Store) -> None:
    invitation = _invite(store, "C1", "I1")
    found = store.invitations.get("C1", invitation.invitation_id)
    assert found is not None
    assert found.candidate_email == invitation.candidate_email
    assert store.invitations.get("C2", invitation.invitation_id) is None


def test_an_interviews_invitations_come_in_pages_newest_first_until_none_are_left(
    store: Store,
) -> None:
    # GIVEN five invitations to one interview and one to another interview
    made = [_invite(store, "C1", "I1").invitation_id for _ in range(5)]
    _invite(store, "C1", "I2")
    # WHEN they are read two at a time
    seen: list[str] = []
    page, cursor = store.invitations.page_by_interview("C1", "I1", limit=2)
    seen += [i.invitation_id for i in page]
    while cursor:
        page, cursor = store.invitations.page_by_interview("C1", "I1", limit=2, page_cursor=cursor)
        seen += [i.invitation_id for i in page]
    # THEN each of the interview's invitations comes once, newest first, and no other
    assert seen == sorted(made, reverse=True)
    assert [i.invitation_id for i in store.invitations.all_by_interview("C1", "I1")] == sorted(made)


def test_a_page_cursor_from_another_interview_is_refused(store: Store) -> None:
    for _ in range(3):
        _invite(store, "C1", "I1")
    _, cursor = store.invitations.page_by_interview("C1", "I1", limit=1)
    assert cursor
    with pytest.raises(BadRequest):
        store.invitations.page_by_interview("C1", "I2", limit=1, page_cursor=cursor)
    with pytest.raises(BadRequest):
        store.invitations.page_by_interview("C2", "I1", limit=1, page_cursor=cursor)


def test_a_link_hash_finds_its_invitation_directly_or_through_a_further_link(store: Store) -> None:
    invitation = _invite(store, "C1", "I1", token_hash="h-first")
    store.put(
        LinkToken(
            *LinkToken.key("C1", invitation.invitation_id, new_id()),
            company_id="C1",
            invitation_id=invitation.invitation_id,
            token_hash="h-reminder",
        )
    )
    direct = store.invitations.find_by_token_hash("h-first")
    further = store.invitations.find_by_token_hash("h-reminder")
    assert direct is not None
    assert direct.invitation_id == invitation.invitation_id
    assert further is not None
    assert further.invitation_id == invitation.invitation_id
    assert store.invitations.find_by_token_hash("h-unknown") is None


def test_a_share_links_hash_opens_no_invitation(store: Store) -> None:
    invitation = _invite(store, "C1", "I1")
    store.put(
        ShareLink(
            *ShareLink.key("C1", invitation.invitation_id, "s1"),
            company_id="C1",
            invitation_id=invitation.invitation_id,
            share_id="s1",
            created_by="u1",
            expires=utcnow() + timedelta(days=1),
            token_hash="h-share",
        )
    )
    assert store.invitations.find_by_token_hash("h-share") is None


def test_a_candidate_is_read_whole_from_one_partition_and_sorted_by_kind(store: Store) -> None:
    # GIVEN an invitation with answers, a review, a comment and a share link
    invitation = _invite(store, "C1", "I1")
    iid = invitation.invitation_id
    _answer(store, invitation, "Q1", 2)
    _answer(store, invitation, "Q1", 1)
    _answer(store, invitation, "Q2", 1)
    store.put(
        Review(
            *Review.key("C1", iid, "u1"),
            company_id="C1",
            invitation_id=iid,
            user_id="u1",
            reviewer_name="Ada",
        )
    )
    store.put(
        Comment(
            *Comment.key("C1", iid, "c1"),
            company_id="C1",
            invitation_id=iid,
            comment_id="c1",
            user_id="u1",
            author_name="Ada",
            text="Good",
        )
    )
    other = _invite(store, "C1", "I1")
    _answer(store, other, "Q1", 1)
    # WHEN the candidate is loaded
    found = store.candidates.load("C1", iid)
    # THEN everything under the invitation comes back by kind, nothing of anyone else's
    assert found.invitation is not None
    assert found.invitation.invitation_id == iid
    assert [(a.question_id, int(a.attempt)) for a in found.answers] == [
        ("Q1", 1),
        ("Q1", 2),
        ("Q2", 1),
    ]
    assert [r.user_id for r in found.reviews] == ["u1"]
    assert [c.text for c in found.comments] == ["Good"]
    assert len(found.items) == 6
    assert [(a.question_id, int(a.attempt)) for a in store.candidates.answers("C1", iid)] == [
        ("Q1", 1),
        ("Q1", 2),
        ("Q2", 1),
    ]
    # AND another company asking for the same id sees nothing
    assert store.candidates.load("C2", iid).items == []


def test_an_answer_is_got_by_its_attempt_or_not_at_all(store: Store) -> None:
    invitation = _invite(store, "C1", "I1")
    _answer(store, invitation, "Q1", 1)
    assert store.candidates.answer("C1", invitation.invitation_id, "Q1", 1) is not None
    assert store.candidates.answer("C1", invitation.invitation_id, "Q1", 2) is None
    assert store.candidates.answer("C2", invitation.invitation_id, "Q1", 1) is None


def test_the_attempts_at_one_question_are_read_without_its_neighbours(store: Store) -> None:
    # GIVEN attempts at Q1 and at Q10, whose id starts like Q1's
    invitation = _invite(store, "C1", "I1")
    for question_id, attempt in (("Q1", 1), ("Q10", 1), ("Q1", 2)):
        _answer(store, invitation, question_id, attempt)
    # WHEN Q1's attempts are read THEN only Q1's come back, oldest first
    attempts = store.candidates.attempts("C1", invitation.invitation_id, "Q1", consistent=True)
    assert [(a.question_id, int(a.attempt)) for a in attempts] == [("Q1", 1), ("Q1", 2)]
    assert store.candidates.attempts("C2", invitation.invitation_id, "Q1") == []


def test_a_transaction_through_the_shared_connection_writes_all_or_nothing(aws: dict) -> None:
    dynamodb = Store(CandidateRepository(), InvitationRepository(), lambda item: item.save())
    candidates = dynamodb.candidates
    invitation = _invite(dynamodb, "C1", "I1")
    iid = invitation.invitation_id
    comment = Comment(
        *Comment.key("C1", iid, "c1"),
        company_id="C1",
        invitation_id=iid,
        comment_id="c1",
        user_id="u1",
        author_name="Ada",
        text="Hi",
    )

    def comment_on_a_new_invitation() -> None:
        with transact_write() as transaction:
            transaction.save(comment)
            transaction.save(invitation, condition=Invitation.pk.does_not_exist())

    # A failed condition on one write cancels the other.
    with pytest.raises(TransactWriteError):
        comment_on_a_new_invitation()
    assert candidates.load("C1", iid).comments == []
    with transact_write() as transaction:
        transaction.save(comment)
        transaction.update(invitation, actions=[Invitation.stage.set("shortlist")])
    loaded = candidates.load("C1", iid)
    assert [c.comment_id for c in loaded.comments] == ["c1"]
    assert loaded.invitation is not None
    assert loaded.invitation.stage == "shortlist"
