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
from datetime import datetime, timedelta
from typing import Any

from pynamodb.exceptions import UpdateError

from chalicelib.adapters.aws import client
from chalicelib.config import get_settings
from chalicelib.data import keys
from chalicelib.data.media_layout import invitation_prefixes
from chalicelib.data.models import Company, EmailClaim, Invitation, Item
from chalicelib.data.repositories import candidates as candidate_repository
from chalicelib.domain import activity, digest
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
    objects = _delete_media(company_id, invitation.interview_id, invitation_id)
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


def _delete_media(company_id: str, interview_id: str, invitation_id: str) -> int:
    s3 = client("s3")
    bucket = get_settings().media_bucket
    count = 0
    paginator = s3.get_paginator("list_objects_v2")
    for prefix in invitation_prefixes(company_id, interview_id, invitation_id):
        for page in paginator.paginate(Bucket=bucket, Prefix=prefix):
            keys = [{"Key": o["Key"]} for o in page.get("Contents", [])]
            if keys:
                s3.delete_objects(Bucket=bucket, Delete={"Objects": keys, "Quiet": True})
                count += len(keys)
    return count


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
