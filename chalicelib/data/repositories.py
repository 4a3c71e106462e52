"""Repositories: the reads the domain makes of a candidate and of invitations, as one call each.

The domain asks for what it needs (a candidate whole, a page of invitations, the invitation
a link hash opens); the key shapes, indexes, cursors and item kinds stay here. Every read
takes the company id from the caller's verified identity, so it cannot reach another tenant.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from chalicelib.data import cursor, keys
from chalicelib.data.models import (
    Answer,
    Comment,
    Invitation,
    Item,
    LinkToken,
    Review,
    ShareLink,
)


@dataclass
class CandidateItems:
    """Everything stored under one invitation's partition, sorted by kind."""

    invitation: Invitation | None = None
    answers: list[Answer] = field(default_factory=list)
    reviews: list[Review] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    shares: list[ShareLink] = field(default_factory=list)
    link_tokens: list[LinkToken] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)

    @classmethod
    def of(cls, items: list[Item]) -> CandidateItems:
        """Sort one partition's items by kind (the partition holds several kinds)."""
        found = cls(items=items)
        for item in items:
            if isinstance(item, Invitation):
                found.invitation = item
            elif isinstance(item, Answer):
                found.answers.append(item)
            elif isinstance(item, Review):
                found.reviews.append(item)
            elif isinstance(item, Comment):
                found.comments.append(item)
            elif isinstance(item, ShareLink):
                found.shares.append(item)
            elif isinstance(item, LinkToken):
                found.link_tokens.append(item)
        return found


class CandidateRepository:
    """One candidate's partition: the invitation, its answers, reviews, comments and links."""

    def load(self, company_id: str, invitation_id: str) -> CandidateItems:
        """The whole partition in one Query (the base model, so every kind comes back)."""
        return CandidateItems.of(list(Item.query(keys.invitation_pk(company_id, invitation_id))))

    def answers(self, company_id: str, invitation_id: str) -> list[Answer]:
        """Every attempt at every question, in question then attempt order."""
        return list(
            Answer.query(
                keys.invitation_pk(company_id, invitation_id),
                Answer.sk.startswith(keys.ANSWER_PREFIX),
            )
        )

    def attempts(
        self, company_id: str, invitation_id: str, question_id: str, *, consistent: bool = False
    ) -> list[Answer]:
        """Every attempt at one question, oldest first (`consistent`: after a write just made)."""
        return list(
            Answer.query(
                keys.invitation_pk(company_id, invitation_id),
                Answer.sk.startswith(keys.answer_question_prefix(question_id)),
                consistent_read=consistent,
            )
        )

    def answer(
        self,
        company_id: str,
        invitation_id: str,
        question_id: str,
        attempt: int,
        *,
        consistent: bool = False,
    ) -> Answer | None:
        try:
            return Answer.get(
                *Answer.key(company_id, invitation_id, question_id, attempt),
                consistent_read=consistent,
            )
        except Answer.DoesNotExist:
            return None


class InvitationRepository:
    """Invitations: by id within a company, by interview a page at a time, by link hash."""

    def get(
        self, company_id: str, invitation_id: str, *, consistent: bool = False
    ) -> Invitation | None:
        """The invitation, or None; `consistent` reads it as of the last write."""
        try:
            return Invitation.get(
                *Invitation.key(company_id, invitation_id), consistent_read=consistent
            )
        except Invitation.DoesNotExist:
            return None

    def page_by_interview(
        self,
        company_id: str,
        interview_id: str,
        *,
        limit: int = 100,
        page_cursor: str | None = None,
        filter_condition: Any = None,
        newest_first: bool = True,
    ) -> tuple[list[Invitation], str | None]:
        """One page of an interview's invitations: a single Query on `by_parent`.

        With `filter_condition`, DynamoDB filters the page, so it may hold fewer than `limit`
        rows while the cursor still moves on. A cursor from another interview or company is
        refused (400).
        """
        parent = keys.interview_children_pk(company_id, interview_id)
        start = cursor.decode(
            page_cursor,
            attributes=("pk", "sk", "gsi1pk", "gsi1sk"),
            fixed={"gsi1pk": parent, "sk": keys.INVITATION},
            prefixes={
                "pk": keys.invitation_pk(company_id, ""),
                "gsi1sk": keys.INVITATION_CHILD_PREFIX,
            },
        )
        kwargs: dict[str, Any] = {"limit": limit, "scan_index_forward": not newest_first}
        if filter_condition is not None:
            kwargs["filter_condition"] = filter_condition
        if start is not None:
            kwargs["last_evaluated_key"] = start
        results = Invitation.by_parent.query(
            parent, Invitation.gsi1sk.startswith(keys.INVITATION_CHILD_PREFIX), **kwargs
        )
        page = list(results)
        return page, cursor.encode(results.last_evaluated_key)

    def all_by_interview(self, company_id: str, interview_id: str) -> Iterator[Invitation]:
        """Every invitation of an interview, oldest first, read a page at a time."""
        yield from Invitation.by_parent.query(
            keys.interview_children_pk(company_id, interview_id),
            Invitation.gsi1sk.startswith(keys.INVITATION_CHILD_PREFIX),
        )

    def find_by_token_hash(self, token_hash: str) -> Invitation | None:
        """The invitation a candidate link's hash opens, directly or through a further link."""
        return self.find_link_by_token_hash(token_hash)[0]

    def find_link_by_token_hash(self, token_hash: str) -> tuple[Invitation | None, datetime | None]:
        """The invitation a link's hash names, and when the link was issued if a further one.

        A reminder's further link (or a replaced one) is a `LinkToken` naming its invitation;
        the base model is queried so both kinds are found with one read of the index. The
        invitation's own current link has no issue time: it is never stale.
        """
        match = next(iter(Item.by_token.query(token_hash, limit=1)), None)
        if isinstance(match, LinkToken):
            return self.get(match.company_id, match.invitation_id), match.created_at
        if isinstance(match, Invitation):
            return match, None
        return None, None


candidates = CandidateRepository()
invitations = InvitationRepository()

ItemT = TypeVar("ItemT", bound=Item)


def due(model: type[ItemT], bucket: str, now: datetime, limit: int) -> list[ItemT]:
    """Items of one kind whose time has come in a sweep bucket, earliest first (one Query).

    Querying through the kind's own model filters to that kind, so callers get typed items.
    """
    return list(model.by_due.query(bucket, model.due_at <= now.isoformat(), limit=limit))
