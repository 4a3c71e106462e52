"""The recruiters' daily digest, sent: a bounded email per team member, blind where it must be.

Each due `Digest` is claimed once (a conditional update, so overlapping sweeps send it once),
then its entries are read back: the first `LISTED` by completion time and a count of the
rest, so the email stays small however busy the day was ("… and 2,450 more" with a link to
the console). In blind review a reviewer's digest names a candidate by their label only,
as the console does (`review.hides_identity`); admins see names.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from pynamodb.exceptions import UpdateError

from chalicelib.adapters import email
from chalicelib.config import get_settings
from chalicelib.data import keys
from chalicelib.data.models import Company, Digest, DigestEntry, Interview, Recruiter
from chalicelib.domain import activity, review
from chalicelib.domain.auth import Principal, Role
from chalicelib.domain.digest import KEEP_AFTER_SENDING

LISTED = 50  # completions named in one email; the rest are counted


def send_digests(due: Iterable[Digest], now: datetime) -> int:
    """Send each due digest that has entries; returns how many went out."""
    sent = 0
    for item in due:
        legacy = [_legacy_entry(e) for e in item.entries or []]
        try:
            item.update(
                actions=[
                    Digest.sent_at.set(now),
                    Digest.due_bucket.remove(),
                    Digest.due_at.remove(),
                    Digest.entries.remove(),
                    Digest.expires_at.set(now + KEEP_AFTER_SENDING),
                ],
                condition=Digest.due_at == item.due_at,
            )
        except UpdateError:
            continue  # another sweep sent it
        entries, total = _entries(item, legacy)
        if total:
            _send_digest(item.company_id, entries, total)
            sent += 1
    return sent


def _legacy_entry(entry: Any) -> dict[str, Any]:
    """An entry of the single growing item digests were before (read once, then removed)."""
    values = dict(entry.as_dict()) if hasattr(entry, "as_dict") else dict(entry)
    values["completed_at"] = str(values.get("completed_at", ""))
    return values


def _entries(item: Digest, legacy: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], int]:
    """The first `LISTED` entries by completion time, and how many there are in all."""
    if legacy or not item.day:
        ordered = sorted(legacy, key=lambda e: e["completed_at"])
        return ordered[:LISTED], len(ordered)
    pk = keys.digest_entries_pk(item.company_id, item.day)
    in_digest = DigestEntry.sk.startswith(keys.DIGEST_ENTRY_PREFIX)
    listed = [
        {
            "invitation_id": e.invitation_id,
            "interview_id": e.interview_id,
            "title": e.title,
            "candidate_name": e.candidate_name,
            "completed_at": e.completed_at.isoformat(),
        }
        for e in DigestEntry.query(pk, in_digest, limit=LISTED)
    ]
    if not listed:
        return [], 0
    return listed, DigestEntry.count(pk, in_digest)


def _blind_interviews(company_id: str, entries: list[dict[str, Any]]) -> dict[str, bool]:
    """Interviews of these entries in blind review → whether admins are blind too.

    An interview that is gone is shown as blind to everyone.
    """
    ids = {e["interview_id"] for e in entries if e.get("interview_id")}
    if not ids:
        return {}
    found = {
        interview.interview_id: (bool(interview.blind_review), bool(interview.blind_for_admins))
        for interview in Interview.batch_get([Interview.key(company_id, i) for i in ids])
    }
    return {i: found.get(i, (True, True))[1] for i in ids if found.get(i, (True, True))[0]}


def _send_digest(company_id: str, entries: list[dict[str, Any]], total: int) -> None:
    try:
        company_name = Company.get(*Company.key(company_id)).name
    except Company.DoesNotExist:
        return
    site = get_settings().public_site_url
    blind = _blind_interviews(company_id, entries)
    team = Recruiter.query(
        keys.company_pk(company_id), Recruiter.sk.startswith(keys.RECRUITER_PREFIX)
    )
    sent = 0
    for recruiter in team:
        role = Role.ADMIN if recruiter.role == Role.ADMIN else Role.REVIEWER
        member = Principal(company_id, recruiter.user_id, recruiter.email, role, recruiter.name)
        rows = [
            {
                "candidate_name": (
                    review.candidate_label(e["invitation_id"])
                    if review.hides_identity(
                        e.get("interview_id") in blind,
                        member,
                        admins_too=blind.get(e.get("interview_id"), False),
                    )
                    else e["candidate_name"]
                ),
                "title": e["title"],
                "completed_at": e["completed_at"],
                "link": f"{site}/console/#/candidates/{e['invitation_id']}",
            }
            for e in entries
        ]
        message = email.render(
            "digest",
            to=recruiter.email,
            recruiter_name=recruiter.name,
            company_name=company_name,
            count=total,
            entries=rows,
            more=total - len(rows),
            console_link=f"{site}/console/#/interviews",
        )
        email.send(message)
        sent += 1
    activity.count_email(company_id, sent)
