"""Compliance: the audit log, retention, candidates' own data, deletion and company export.

- Audit: every recruiter action (the middleware in app.py records each successful change)
  and every view of a candidate's media is an `AuditEvent`, one partition per company and
  month; admins page through a month or download it as CSV.
- Retention: a closed invitation (completed, expired or revoked) waits in the `RETENTION`
  bucket of `by_due`; once `Company.retention_days` have passed since it closed or since
  the decision on it, whichever is later, the sweep deletes its media (raw and playable),
  answers, reviews, comments, share links and personal fields. `expires_at` (DynamoDB TTL)
  is the backstop on the invitation; an S3 lifecycle rule on `media/` is infra's.
- Candidates: every email carries a privacy link to download their own data or ask for
  deletion; a request is honoured by the next sweep (within 24 hours, as the emails say).
- Admins may delete one candidate at once, and export the whole company as JSON.
"""

from __future__ import annotations

import contextlib
import csv
import io
from datetime import datetime, timedelta
from typing import Any

from pynamodb.exceptions import UpdateError

from chalicelib.adapters import uploads
from chalicelib.adapters.aws import client
from chalicelib.config import get_settings
from chalicelib.data.models import (
    Answer,
    AuditEvent,
    Comment,
    Company,
    EmailClaim,
    Interview,
    Invitation,
    Item,
    Review,
    company_pk,
    invitation_pk,
    utcnow,
)
from chalicelib.domain import activity
from chalicelib.domain.auth import Principal
from chalicelib.domain.errors import InvalidInput, NotFound
from chalicelib.observability import logger

DELETION_WITHIN = timedelta(hours=24)
AUDIT_CSV_FIELDS = ("at", "actor", "action", "target", "detail")


def privacy_link(token: str) -> str:
    """Where a candidate downloads their data or asks for deletion (their own link)."""
    return f"{get_settings().public_site_url}/candidate/#token={token}&view=privacy"


# --- audit log ------------------------------------------------------------------------------


def _month(value: str | None) -> str:
    month = value or utcnow().strftime("%Y-%m")
    try:
        datetime.strptime(month, "%Y-%m")
    except ValueError:
        raise InvalidInput(
            "month must look like 2026-11.",
            details=[{"field": "month", "problem": "format", "message": month}],
        ) from None
    return month


def _event_view(event: AuditEvent) -> dict[str, Any]:
    detail = event.detail.as_dict() if event.detail is not None else None
    return {
        "at": event.sk.split("#", 1)[0],
        "actor": event.actor,
        "action": event.action,
        "target": event.target,
        "detail": detail,
    }


def audit_page(
    company_id: str, month: str | None, limit: int = 100, cursor: str | None = None
) -> dict[str, Any]:
    """One page of a month's audit events, oldest first: one Query on the month partition."""
    month = _month(month)
    pk = f"C#{company_id}#AUDIT#{month}"
    kwargs: dict[str, Any] = {"limit": limit}
    if cursor:
        kwargs["last_evaluated_key"] = {"pk": {"S": pk}, "sk": {"S": cursor}}
    results = AuditEvent.query(pk, **kwargs)
    events = [_event_view(e) for e in results if isinstance(e, AuditEvent)]
    next_cursor = results.last_evaluated_key["sk"]["S"] if results.last_evaluated_key else None
    return {"month": month, "events": events, "next_cursor": next_cursor}


def audit_csv(company_id: str, month: str | None) -> str:
    month = _month(month)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(AUDIT_CSV_FIELDS)
    for event in AuditEvent.query(f"C#{company_id}#AUDIT#{month}"):
        if isinstance(event, AuditEvent):
            view = _event_view(event)
            detail = view["detail"]
            writer.writerow(
                [
                    view["at"],
                    view["actor"],
                    view["action"],
                    view["target"],
                    ";".join(f"{k}={v}" for k, v in sorted((detail or {}).items())),
                ]
            )
    return out.getvalue()


# Routes that record their own, more precise audit event.
_SELF_AUDITED = {
    "/team",
    "/team/{user_id}",
    "/invitations/{invitation_id}/review",
    "/invitations/{invitation_id}/stage",
    "/invitations/{invitation_id}/shares",
    "/shares/{share_id}",
}
_CHANGES = {"POST", "PUT", "PATCH", "DELETE"}


def audit_request(request: Any, status: int) -> None:
    """Record a recruiter's successful change (called by app.py's middleware).

    The route verified the caller already and left the principal on the request.
    """
    principal = getattr(request, "principal", None)
    context = request.context or {}
    path = context.get("resourcePath", "")
    if (
        request.method not in _CHANGES
        or status >= 400
        or path in _SELF_AUDITED
        or not path
        or path.startswith(("/auth/", "/candidate/", "/apply/"))
        or principal is None
    ):
        return
    params = request.uri_params or {}
    action = f"{request.method} {path}"
    target = next(iter(params.values()), principal.company_id) if params else principal.company_id
    activity.audit(principal.company_id, principal.user_id, action, target)


# --- retention ------------------------------------------------------------------------------


def _purge_at(invitation: Invitation, retention_days: int) -> datetime | None:
    anchors = [t for t in (invitation.closed_at, invitation.decided_at) if t is not None]
    if invitation.deletion_requested_at is not None:
        return invitation.deletion_requested_at
    if not anchors:
        return None
    return max(anchors) + timedelta(days=retention_days)


def sweep_retention(now: datetime) -> int:
    """Delete candidates whose retention ended (or who asked); returns how many."""
    from chalicelib.domain.reminders import BATCH, RETENTION_BUCKET

    purged = 0
    companies: dict[str, int] = {}
    due = Item.by_due.query(RETENTION_BUCKET, Item.due_at <= now.isoformat(), limit=BATCH)
    for item in list(due):
        if not isinstance(item, Invitation):
            continue
        if item.company_id not in companies:
            try:
                days = int(Company.get(*Company.key(item.company_id)).retention_days)
            except Company.DoesNotExist:
                days = 0
            companies[item.company_id] = days
        purge_at = _purge_at(item, companies[item.company_id]) or now
        if purge_at > now:
            # Not yet: wait until then, with DynamoDB's TTL as the backstop.
            from chalicelib.domain.reminders import TTL_GRACE

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
    items = list(Item.query(invitation_pk(company_id, invitation_id)))
    invitation = next((i for i in items if isinstance(i, Invitation)), None)
    if invitation is None:
        return False
    objects = _delete_media(company_id, invitation.interview_id, invitation_id)
    address = invitation.candidate_email
    EmailClaim(*EmailClaim.key(company_id, invitation.interview_id, address)).delete()
    with Item.batch_write() as batch:
        for item in items:
            if not isinstance(item, Invitation):
                batch.delete(item)
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
    for top in ("raw", "media"):
        prefix = f"{top}/{company_id}/{interview_id}/{invitation_id}/"
        for page in paginator.paginate(Bucket=bucket, Prefix=prefix):
            keys = [{"Key": o["Key"]} for o in page.get("Contents", [])]
            if keys:
                s3.delete_objects(Bucket=bucket, Delete={"Objects": keys, "Quiet": True})
                count += len(keys)
    return count


def delete_candidate(principal: Principal, invitation_id: str) -> None:
    """An admin deletes one candidate now; another company's id is not found."""
    from chalicelib.domain.invitations import get_invitation

    get_invitation(principal.company_id, invitation_id)
    purge(principal.company_id, invitation_id, principal.user_id, "admin")


def set_retention(principal: Principal, days: int) -> dict[str, Any]:
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
    return {"retention_days": days}


# --- the candidate's own data ---------------------------------------------------------------


def _answer_export(answer: Answer) -> dict[str, Any]:
    return {
        "question_id": answer.question_id,
        "attempt": int(answer.attempt),
        "answer_type": answer.answer_type,
        "status": answer.status,
        "text": answer.text,
        "duration_seconds": float(answer.duration_seconds)
        if answer.duration_seconds is not None
        else None,
        "media_url": uploads.playback_url(answer.media_key) if answer.status == "ready" else None,
        "recorded_at": answer.created_at.isoformat(),
    }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def candidate_data(token: str) -> dict[str, Any]:
    """Everything stored about the candidate behind `token`, with short-lived media links."""
    from chalicelib.domain.invitations import find_by_token

    invitation = find_by_token(token)
    answers = [
        a
        for a in Answer.query(
            invitation_pk(invitation.company_id, invitation.invitation_id),
            Answer.sk.startswith("ANSWER#"),
        )
        if isinstance(a, Answer)
    ]
    activity.audit(
        invitation.company_id, "candidate", "candidate.data_downloaded", invitation.invitation_id
    )
    return {
        "candidate": {"name": invitation.candidate_name, "email": invitation.candidate_email},
        "company": {"name": invitation.company_name},
        "interview": {"title": invitation.title},
        "invitation": {
            "status": invitation.status,
            "invited_at": invitation.created_at.isoformat(),
            "deadline": invitation.deadline.isoformat(),
            "opened_at": _iso(invitation.opened_at),
            "consent_at": _iso(invitation.consent_at),
            "completed_at": _iso(invitation.completed_at),
            "deletion_requested_at": _iso(invitation.deletion_requested_at),
        },
        "questions": [
            {"question_id": q.question_id, "text": q.text, "answer_type": q.answer_type}
            for q in invitation.questions
        ],
        "answers": [_answer_export(a) for a in answers],
        "feedback": {
            "rating": int(invitation.feedback_rating),
            "comment": invitation.feedback_comment,
        }
        if invitation.feedback_at is not None
        else None,
        "media_links_expire_in_seconds": get_settings().playback_url_ttl_seconds,
    }


def request_deletion(token: str, now: datetime | None = None) -> dict[str, Any]:
    """Record the candidate's request; the next sweep deletes everything (within 24 hours)."""
    from chalicelib.domain.invitations import find_by_token
    from chalicelib.domain.reminders import RETENTION_BUCKET

    now = now or utcnow()
    invitation = find_by_token(token)
    if invitation.deletion_requested_at is None:
        try:
            invitation.update(
                actions=[
                    Invitation.deletion_requested_at.set(now),
                    Invitation.due_bucket.set(RETENTION_BUCKET),
                    Invitation.due_at.set(now.isoformat()),
                    Invitation.expires_at.set(now + DELETION_WITHIN),
                ],
                condition=Invitation.deletion_requested_at.does_not_exist(),
            )
            activity.audit(
                invitation.company_id,
                "candidate",
                "candidate.deletion_requested",
                invitation.invitation_id,
            )
        except UpdateError:
            invitation.refresh()
    requested = invitation.deletion_requested_at or now
    return {
        "deletion_requested_at": requested.isoformat(),
        "deleted_by": (requested + DELETION_WITHIN).isoformat(),
    }


# --- company export -------------------------------------------------------------------------


def export_company(principal: Principal) -> dict[str, Any]:
    """The company's interviews, candidates, answers (media links), reviews and comments."""
    company_id = principal.company_id
    try:
        company = Company.get(*Company.key(company_id))
    except Company.DoesNotExist:
        raise NotFound("Company not found.") from None
    interviews = []
    for interview in Interview.query(company_pk(company_id), Interview.sk.startswith("INTERVIEW#")):
        if not isinstance(interview, Interview):
            continue
        candidates = []
        for invitation in Invitation.by_parent.query(
            Invitation.parent_key(company_id, interview.interview_id),
            Invitation.gsi1sk.startswith("INV#"),
        ):
            if isinstance(invitation, Invitation):
                candidates.append(_candidate_export(company_id, invitation))
        interviews.append(
            {
                "interview_id": interview.interview_id,
                "title": interview.title,
                "status": interview.status,
                "created_at": interview.created_at.isoformat(),
                "questions": [
                    {"question_id": q.question_id, "text": q.text, "answer_type": q.answer_type}
                    for q in interview.questions
                ],
                "candidates": candidates,
            }
        )
    activity.audit(company_id, principal.user_id, "company.exported", company_id)
    return {
        "company": {
            "company_id": company_id,
            "name": company.name,
            "retention_days": int(company.retention_days),
        },
        "exported_at": utcnow().isoformat(),
        "media_links_expire_in_seconds": get_settings().playback_url_ttl_seconds,
        "interviews": interviews,
    }


def _candidate_export(company_id: str, invitation: Invitation) -> dict[str, Any]:
    items = list(Item.query(invitation_pk(company_id, invitation.invitation_id)))
    return {
        "invitation_id": invitation.invitation_id,
        "candidate_name": invitation.candidate_name,
        "candidate_email": invitation.candidate_email,
        "status": invitation.status,
        "stage": invitation.stage,
        "invited_at": invitation.created_at.isoformat(),
        "completed_at": _iso(invitation.completed_at),
        "answers": [_answer_export(a) for a in items if isinstance(a, Answer)],
        "reviews": [
            {
                "reviewer": r.reviewer_name,
                "scores": r.scores.as_dict() if r.scores is not None else {},
                "recommendation": r.recommendation,
                "note": r.note,
            }
            for r in items
            if isinstance(r, Review)
        ],
        "comments": [
            {"author": c.author_name, "text": c.text, "at": c.created_at.isoformat()}
            for c in items
            if isinstance(c, Comment)
        ],
    }
