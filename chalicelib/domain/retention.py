"""Retention: how long a closed candidate is kept, and deleting them when that ends.

A closed invitation (completed, expired or revoked) waits in the `RETENTION` bucket of
`by_due`; once `Company.retention_days` have passed since it closed or since the decision
on it, whichever is later, the sweep deletes its media (raw and playable), answers,
reviews, comments, share links and personal fields. A candidate's deletion request makes
it due at once. `expires_at` (DynamoDB TTL) is the backstop on the invitation; an S3
lifecycle rule on `media/` is infra's. Admins may also delete one candidate now.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from pynamodb.exceptions import UpdateError

from chalicelib.adapters.aws import client
from chalicelib.config import get_settings
from chalicelib.data import keys
from chalicelib.data.media_layout import MEDIA_ROOT, invitation_prefixes
from chalicelib.data.models import Company, EmailClaim, Interview, Invitation, Item, utcnow
from chalicelib.data.repositories import candidates as candidate_repository
from chalicelib.data.repositories import invitations as invitation_repository
from chalicelib.domain import activity, digest, identity
from chalicelib.domain.auth import Principal
from chalicelib.domain.errors import NotFound
from chalicelib.observability import logger

RETENTION_BUCKET = keys.DUE_RETENTION
# DynamoDB's TTL deletes the invitation this long after its purge date if no sweep did.
TTL_GRACE = timedelta(days=7)


def closed_actions(invitation: Invitation, now: datetime) -> list[Any]:
    """Update actions for an invitation that was completed, expired or revoked.

    It leaves the reminder bucket for the retention bucket: the sweep checks it again once
    the shortest retention could have passed and reads the company's setting then.
    """
    return [
        Invitation.closed_at.set(now),
        Invitation.due_bucket.set(RETENTION_BUCKET),
        Invitation.due_at.set((now + timedelta(days=1)).isoformat()),
    ]


def decided_actions(now: datetime) -> list[Any]:
    """Update actions for a decision (advanced or rejected): retention counts from now."""
    return [Invitation.decided_at.set(now)]


def _purge_at(invitation: Invitation, retention_days: int) -> datetime | None:
    anchors = [t for t in (invitation.closed_at, invitation.decided_at) if t is not None]
    if invitation.deletion_requested_at is not None:
        return invitation.deletion_requested_at
    if not anchors:
        return None
    return max(anchors) + timedelta(days=retention_days)


def sweep_retention(due: Iterable[Invitation], now: datetime) -> int:
    """Delete the due candidates whose retention ended (or who asked); returns how many."""
    purged = 0
    companies: dict[str, int] = {}
    for item in list(due):
        if item.company_id not in companies:
            try:
                days = int(Company.get(*Company.key(item.company_id)).retention_days)
            except Company.DoesNotExist:
                days = 0
            companies[item.company_id] = days
        purge_at = _purge_at(item, companies[item.company_id]) or now
        if purge_at > now:
            # Not yet: wait until then, with DynamoDB's TTL as the backstop.
            # Moved meanwhile (a decision, a deletion request): read again when next due.
            with contextlib.suppress(UpdateError):
                item.update(
                    actions=[
                        Invitation.due_at.set(purge_at.isoformat()),
                        Invitation.expires_at.set(purge_at + TTL_GRACE),
                    ],
                    condition=Invitation.due_at == item.due_at,
                )
            continue
        reason = "deletion_requested" if item.deletion_requested_at else "retention"
        if purge(item.company_id, item.invitation_id, "system", reason):
            purged += 1
    return purged


def purge(company_id: str, invitation_id: str, actor: str, reason: str) -> bool:
    """Delete a candidate's media, answers, reviews, comments, links and personal data.

    Idempotent: the invitation item goes last, so an interrupted purge is finished by the
    next sweep (it is still in the retention bucket).
    """
    found = candidate_repository.load(company_id, invitation_id)
    items, invitation = found.items, found.invitation
    if invitation is None:
        return False
    objects, media_bytes = _delete_media(company_id, invitation.interview_id, invitation_id)
    activity.media_deleted(company_id, media_bytes)
    address = invitation.candidate_email
    EmailClaim(*EmailClaim.key(company_id, invitation.interview_id, address)).delete()
    with Item.batch_write() as batch:
        for item in items:
            if item is not invitation:
                batch.delete(item)
    digest.forget(invitation)
    invitation.delete()
    activity.audit(
        company_id,
        actor,
        "candidate.deleted",
        invitation_id,
        {"reason": reason, "items": len(items), "objects": objects},
    )
    logger.info("candidate deleted", extra={"invitation_id": invitation_id, "reason": reason})
    return True


def _delete_media(company_id: str, interview_id: str, invitation_id: str) -> tuple[int, int]:
    """Delete the candidate's objects; returns how many, and the playable media's bytes.

    Only playable media (and posters) count in the company's stored bytes: raw uploads are
    transient. The bytes are those listed before deleting, so a repeated purge counts none.
    """
    s3 = client("s3")
    bucket = get_settings().media_bucket
    count = media_bytes = 0
    paginator = s3.get_paginator("list_objects_v2")
    for prefix in invitation_prefixes(company_id, interview_id, invitation_id):
        for page in paginator.paginate(Bucket=bucket, Prefix=prefix):
            contents = page.get("Contents", [])
            keys = [{"Key": o["Key"]} for o in contents]
            if keys:
                s3.delete_objects(Bucket=bucket, Delete={"Objects": keys, "Quiet": True})
                count += len(keys)
                media_bytes += sum(
                    int(o.get("Size", 0)) for o in contents if o["Key"].startswith(MEDIA_ROOT)
                )
    return count, media_bytes


def delete_candidate(principal: Principal, invitation_id: str) -> None:
    """An admin deletes one candidate now; another company's id is not found.

    The partition is read under the caller's company, so `purge` finding no invitation
    there is the tenant check.
    """
    if not purge(principal.company_id, invitation_id, principal.user_id, "admin"):
        raise NotFound("Invitation not found.")


def set_retention(principal: Principal, days: int) -> int:
    """Keep the company's closed candidates `days` after closing or decision; returns it."""
    company = Company(*Company.key(principal.company_id))
    try:
        company.update(actions=[Company.retention_days.set(days)], condition=Company.pk.exists())
    except UpdateError:
        raise NotFound("Company not found.") from None
    activity.audit(
        principal.company_id,
        principal.user_id,
        "company.retention_set",
        principal.company_id,
        {"days": days},
    )
    return days


# --- what a retention period would delete, before it is saved --------------------------------

# The preview reads each closed candidate's answers; past this many it stops and says so.
PREVIEW_LIMIT = 2000


@dataclass
class Deletion:
    """Candidates deleted on one day: how many, their answers and their stored bytes."""

    day: str  # yyyy-mm-dd (UTC); the sweep deletes them during that day
    candidates: int = 0
    answers: int = 0
    bytes: int = 0

    def add(self, answers: int, stored: int) -> None:
        self.candidates += 1
        self.answers += answers
        self.bytes += stored


@dataclass
class RetentionPreview:
    """What keeping closed candidates `days` would delete, and when, against today's setting.

    `due_now` is what the next sweep (within the hour) deletes at once; `schedule` the later
    deletions by day; `open_candidates` are still live, so not counted yet.
    """

    days: int
    current_days: int
    now: str
    due_now: Deletion
    schedule: list[Deletion] = field(default_factory=list)
    open_candidates: int = 0
    truncated: bool = False

    @property
    def total(self) -> Deletion:
        total = Deletion("all", self.due_now.candidates, self.due_now.answers, self.due_now.bytes)
        for group in self.schedule:
            total.candidates += group.candidates
            total.answers += group.answers
            total.bytes += group.bytes
        return total


def _stored(company_id: str, invitation_id: str) -> tuple[int, int]:
    """A candidate's answers and their stored bytes (playable media, as usage counts them)."""
    answers = candidate_repository.answers(company_id, invitation_id)
    return len(answers), sum(int(a.size_bytes or 0) for a in answers)


def preview(principal: Principal, days: int) -> RetentionPreview:
    """Which closed candidates a retention of `days` deletes at once, and which on what day.

    Read-only: one Query for the interviews, one per interview for its invitations (the
    `by_parent` index), one per closed candidate for the answers; all under the caller's
    company, so no other company's candidates can be counted.
    """
    company_id = principal.company_id
    current = int(identity.get_company(company_id).retention_days)
    now = utcnow()
    result = RetentionPreview(days, current, now.isoformat(), Deletion(now.date().isoformat()))
    by_day: dict[str, Deletion] = {}
    seen = 0
    interviews = Interview.query(
        keys.company_pk(company_id), Interview.sk.startswith(keys.INTERVIEW_PREFIX)
    )
    for interview in interviews:
        for invitation in invitation_repository.all_by_interview(
            company_id, interview.interview_id
        ):
            purge_at = _purge_at(invitation, days)
            if purge_at is None:
                result.open_candidates += 1
                continue
            if seen >= PREVIEW_LIMIT:
                result.truncated = True
                continue
            seen += 1
            answers, stored = _stored(company_id, invitation.invitation_id)
            if purge_at <= now:
                result.due_now.add(answers, stored)
            else:
                day = purge_at.date().isoformat()
                by_day.setdefault(day, Deletion(day)).add(answers, stored)
    result.schedule = [by_day[day] for day in sorted(by_day)]
    return result
