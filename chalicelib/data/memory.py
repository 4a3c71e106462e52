"""In-memory twins of the repositories: the same answers from a dict, for fast rule tests.

The twins hold model instances by key and answer as the DynamoDB repositories do (same
order, same paging, same cursors, same tenant walls); one contract test runs against both,
so a rule tested against a twin is tested against what the table would say.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from chalicelib.data import cursor, keys
from chalicelib.data.models import Answer, Invitation, Item, LinkToken
from chalicelib.data.repositories import CandidateItems

_INDEX_KEY = ("pk", "sk", "gsi1pk", "gsi1sk")


class MemoryTable:
    """Items by (pk, sk), as the single table holds them."""

    def __init__(self) -> None:
        self.items: dict[tuple[str, str], Item] = {}

    def put(self, item: Item) -> None:
        self.items[(item.pk, item.sk)] = item

    def partition(self, pk: str) -> list[Item]:
        """A partition's items in sort-key order, as a Query returns them."""
        return [self.items[k] for k in sorted(k for k in self.items if k[0] == pk)]


class InMemoryCandidateRepository:
    """`CandidateRepository` over a `MemoryTable`."""

    def __init__(self, table: MemoryTable) -> None:
        self.table = table

    def load(self, company_id: str, invitation_id: str) -> CandidateItems:
        return CandidateItems.of(
            self.table.partition(keys.invitation_pk(company_id, invitation_id))
        )

    def answers(self, company_id: str, invitation_id: str) -> list[Answer]:
        return self.load(company_id, invitation_id).answers

    def attempts(
        self, company_id: str, invitation_id: str, question_id: str, *, consistent: bool = False
    ) -> list[Answer]:
        return [a for a in self.answers(company_id, invitation_id) if a.question_id == question_id]

    def answer(
        self,
        company_id: str,
        invitation_id: str,
        question_id: str,
        attempt: int,
        *,
        consistent: bool = False,
    ) -> Answer | None:
        found = self.table.items.get(Answer.key(company_id, invitation_id, question_id, attempt))
        return found if isinstance(found, Answer) else None


class InMemoryInvitationRepository:
    """`InvitationRepository` over a `MemoryTable` (no DynamoDB filter conditions)."""

    def __init__(self, table: MemoryTable) -> None:
        self.table = table

    def get(
        self, company_id: str, invitation_id: str, *, consistent: bool = False
    ) -> Invitation | None:
        found = self.table.items.get(Invitation.key(company_id, invitation_id))
        return found if isinstance(found, Invitation) else None

    def _children(self, company_id: str, interview_id: str) -> list[Invitation]:
        parent = keys.interview_children_pk(company_id, interview_id)
        children = [
            item
            for item in self.table.items.values()
            if isinstance(item, Invitation)
            and item.gsi1pk == parent
            and (item.gsi1sk or "").startswith(keys.INVITATION_CHILD_PREFIX)
        ]
        return sorted(children, key=lambda i: i.gsi1sk or "")

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
        if filter_condition is not None:
            raise NotImplementedError("the in-memory twin does not evaluate DynamoDB filters")
        parent = keys.interview_children_pk(company_id, interview_id)
        start = cursor.decode(
            page_cursor,
            attributes=_INDEX_KEY,
            fixed={"gsi1pk": parent, "sk": keys.INVITATION},
            prefixes={
                "pk": keys.invitation_pk(company_id, ""),
                "gsi1sk": keys.INVITATION_CHILD_PREFIX,
            },
        )
        rows = self._children(company_id, interview_id)
        if newest_first:
            rows.reverse()
        if start is not None:
            after = start["gsi1sk"]["S"]
            rows = [i for i in rows if _beyond(i.gsi1sk or "", after, newest_first)]
        page, more = rows[:limit], len(rows) > limit
        last = page[-1] if more and page else None
        last_key = {name: {"S": getattr(last, name)} for name in _INDEX_KEY} if last else None
        return page, cursor.encode(last_key)

    def all_by_interview(self, company_id: str, interview_id: str) -> Iterator[Invitation]:
        yield from self._children(company_id, interview_id)

    def find_by_token_hash(self, token_hash: str) -> Invitation | None:
        return self.find_link_by_token_hash(token_hash)[0]

    def find_link_by_token_hash(self, token_hash: str) -> tuple[Invitation | None, Any]:
        for item in self.table.items.values():
            if item.token_hash != token_hash:
                continue
            if isinstance(item, LinkToken):
                return self.get(item.company_id, item.invitation_id), item.created_at
            if isinstance(item, Invitation):
                return item, None
        return None, None


def _beyond(sort_key: str, after: str, descending: bool) -> bool:
    """Whether a row comes after the cursor's row in the page order."""
    return sort_key < after if descending else sort_key > after
