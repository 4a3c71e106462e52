"""The scheduled sweep over work that falls due: reminders, deadlines, digests, retention.

The schedule (EventBridge in AWS, a timer in the local stack) calls `sweep` every few
minutes with the time it runs at. Everything it handles is read from the sparse `by_due`
index one bucket at a time, never a scan:

- `INVITATION`: each live invitation, due at its next event (the earliest reminder not yet
  sent, else its deadline). A reminder is claimed by a conditional update that moves `due_at`
  on, so two overlapping sweeps send it once; at the deadline the invitation expires.
- `DIGEST`: one item per company collecting interviews completed since its last digest, due
  at the next digest hour.
- `RETENTION`: each closed invitation, due when its company's retention ends (or at once,
  after the candidate asked for deletion); `chalicelib.domain.compliance` deletes it.
- `PROCESSING`: answers stuck in processing (`chalicelib.domain.answer_lifecycle`).

Invitations enter `INVITATION` when created (`schedule`), move within it when extended
(`due_actions`) and leave it for `RETENTION` when completed, expired or revoked
(`closed_actions`).
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from pynamodb.exceptions import UpdateError

from chalicelib.data.models import (
    Company,
    Digest,
    Invitation,
    Item,
    LinkToken,
    Recruiter,
    company_pk,
    invitation_pk,
    new_id,
)
from chalicelib.observability import logger

INVITATION_BUCKET = "INVITATION"
DIGEST_BUCKET = "DIGEST"
RETENTION_BUCKET = "RETENTION"
DEFAULT_REMINDER_HOURS = (48, 4)
LIVE = ("invited", "opened", "started")
DIGEST_HOUR_UTC = 8
# DynamoDB's TTL deletes the invitation this long after its purge date if no sweep did.
TTL_GRACE = timedelta(days=7)
BATCH = 100


# --- when an invitation falls due ---------------------------------------------------------


def hours_of(invitation: Any) -> list[int]:
    if invitation.reminder_hours is None:
        return list(DEFAULT_REMINDER_HOURS)
    return sorted({int(h) for h in invitation.reminder_hours}, reverse=True)


def _sent_key(hours: int, deadline: datetime) -> str:
    # Per deadline: an extended invitation earns its reminders again before the new deadline.
    return f"{hours}h@{deadline.isoformat()}"


def _pending(
    invitation: Invitation, deadline: datetime, after: datetime, sent: list[str] | None = None
) -> list[tuple[int, datetime]]:
    """Reminders not yet sent that fall after `after`, earliest first."""
    done = set(sent if sent is not None else (invitation.reminders_sent or []))
    times = [(h, deadline - timedelta(hours=h)) for h in hours_of(invitation)]
    return sorted(
        ((h, t) for h, t in times if _sent_key(h, deadline) not in done and t > after),
        key=lambda pair: pair[1],
    )


def next_due(
    invitation: Invitation, deadline: datetime, after: datetime, sent: list[str] | None = None
) -> datetime:
    pending = _pending(invitation, deadline, after, sent)
    return pending[0][1] if pending else deadline


def schedule(invitation: Invitation, interview_hours: list[Any] | None, now: datetime) -> None:
    """Set a new invitation's reminder hours and first due time (before it is saved)."""
    if interview_hours is not None:
        invitation.reminder_hours = [int(h) for h in interview_hours]
    invitation.due_bucket = INVITATION_BUCKET
    invitation.due_at = next_due(invitation, invitation.deadline, now).isoformat()


def due_actions(invitation: Invitation, deadline: datetime, now: datetime) -> list[Any]:
    """Update actions that put a live invitation's next event at `deadline`'s schedule."""
    return [
        Invitation.due_bucket.set(INVITATION_BUCKET),
        Invitation.due_at.set(next_due(invitation, deadline, now).isoformat()),
        Invitation.expires_at.remove(),
    ]


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


# --- the sweep ----------------------------------------------------------------------------


def sweep(now: datetime, source: str) -> dict[str, Any]:
    """Run one sweep at `now`; returns counts of what it did."""
    from chalicelib.domain import compliance
    from chalicelib.domain.answer_lifecycle import fail_stuck

    stuck = fail_stuck(now)
    invitations = sweep_invitations(now)
    digests = send_digests(now)
    purged = compliance.sweep_retention(now)
    summary = {
        "at": now.isoformat(),
        "source": source,
        "reminders_sent": invitations["reminders_sent"],
        "expired": invitations["expired"],
        "stuck_answers_failed": len(stuck),
        "digests_sent": digests,
        "candidates_purged": purged,
    }
    logger.info("reminder sweep", extra=summary)
    return summary


def _due(bucket: str, now: datetime) -> list[Any]:
    return list(Item.by_due.query(bucket, Item.due_at <= now.isoformat(), limit=BATCH))


def sweep_invitations(now: datetime) -> dict[str, int]:
    counts = {"reminders_sent": 0, "expired": 0}
    for item in _due(INVITATION_BUCKET, now):
        if not isinstance(item, Invitation):
            continue
        outcome = _handle_invitation(item, now)
        if outcome in counts:
            counts[outcome] += 1
    return counts


def _claim(invitation: Invitation, actions: list[Any], live: bool = True) -> bool:
    """Apply `actions` only if nobody moved this invitation since we read it."""
    condition = Invitation.due_at == invitation.due_at
    if live:
        condition &= Invitation.status.is_in(*LIVE)
    try:
        invitation.update(actions=actions, condition=condition)
    except UpdateError:
        return False  # another sweep, the candidate or a recruiter got there first
    return True


def _handle_invitation(invitation: Invitation, now: datetime) -> str | None:
    if invitation.status not in LIVE:
        _claim(invitation, [Invitation.due_bucket.remove(), Invitation.due_at.remove()], False)
        return None
    deadline = invitation.deadline
    if now >= deadline:
        return "expired" if expire(invitation, now) else None
    sent = list(invitation.reminders_sent or [])
    due_now = [
        h
        for h, t in _pending(invitation, deadline, datetime.min.replace(tzinfo=now.tzinfo))
        if t <= now
    ]
    if not due_now:
        _claim(invitation, [Invitation.due_at.set(next_due(invitation, deadline, now).isoformat())])
        return None
    # Several due at once (a missed sweep): send the latest one, count the others as sent.
    marked = sent + [_sent_key(h, deadline) for h in due_now]
    actions = [
        Invitation.reminders_sent.set(marked),
        Invitation.due_at.set(next_due(invitation, deadline, now, marked).isoformat()),
    ]
    if not _claim(invitation, actions):
        return None
    send_reminder(invitation, min(due_now), now)
    return "reminders_sent"


def expire(invitation: Invitation, now: datetime) -> bool:
    from chalicelib.domain import activity

    actions = [Invitation.status.set("expired"), *closed_actions(invitation, now)]
    if not _claim(invitation, actions):
        return False
    activity.bump(invitation.company_id, invitation.interview_id, "expired")
    activity.audit(invitation.company_id, "system", "invitation.expired", invitation.invitation_id)
    logger.info("invitation expired", extra={"invitation_id": invitation.invitation_id})
    return True


def mint_link_token(invitation: Invitation) -> str:
    """A further working link for this invitation (the first link keeps working too)."""
    from chalicelib.domain.invitations import hash_token

    token = secrets.token_urlsafe(32)
    LinkToken(
        invitation_pk(invitation.company_id, invitation.invitation_id),
        f"TOKEN#{new_id()}",
        company_id=invitation.company_id,
        invitation_id=invitation.invitation_id,
        token_hash=hash_token(token),
    ).save(condition=LinkToken.pk.does_not_exist())
    return token


def send_reminder(invitation: Invitation, hours: int, now: datetime) -> None:
    from chalicelib.adapters import email
    from chalicelib.domain.compliance import privacy_link
    from chalicelib.domain.invitations import candidate_link

    token = mint_link_token(invitation)
    left = invitation.deadline - now
    message = email.render(
        "reminder",
        to=invitation.candidate_email,
        candidate_name=invitation.candidate_name,
        company_name=invitation.company_name,
        title=invitation.title,
        deadline=invitation.deadline.strftime("%A %d %B %Y, %H:%M UTC"),
        hours_left=max(1, round(left.total_seconds() / 3600)),
        started=invitation.status == "started",
        link=candidate_link(token),
        privacy_link=privacy_link(token),
        support_contact=invitation.support_contact,
    )
    email.send(message, reply_to=invitation.support_contact)
    logger.info("reminder sent", extra={"invitation_id": invitation.invitation_id, "hours": hours})


# --- the recruiters' daily digest ---------------------------------------------------------


def next_digest_time(now: datetime) -> datetime:
    today = now.replace(hour=DIGEST_HOUR_UTC, minute=0, second=0, microsecond=0)
    return today if today > now else today + timedelta(days=1)


def add_to_digest(invitation: Invitation, now: datetime) -> None:
    """Queue a completed interview for the company's next digest (one atomic update)."""
    pk, sk = Digest.key(invitation.company_id)
    entry = {
        "invitation_id": invitation.invitation_id,
        "interview_id": invitation.interview_id,
        "title": invitation.title,
        "candidate_name": invitation.candidate_name,
        "completed_at": now.isoformat(),
    }
    Digest(pk, sk).update(
        actions=[
            Digest.kind.set(Digest),
            Digest.company_id.set(invitation.company_id),
            Digest.created_at.set(Digest.created_at | now),
            Digest.entries.set((Digest.entries | []).append([entry])),
            Digest.entry_count.add(1),
            Digest.due_bucket.set(DIGEST_BUCKET),
            Digest.due_at.set(Digest.due_at | next_digest_time(now).isoformat()),
        ]
    )


def send_digests(now: datetime) -> int:
    sent = 0
    for item in _due(DIGEST_BUCKET, now):
        if not isinstance(item, Digest):
            continue
        entries = [dict(e.as_dict()) if hasattr(e, "as_dict") else dict(e) for e in item.entries]
        count = int(item.entry_count or 0)
        try:
            # A completion arriving meanwhile changes the count: the next sweep sends it all.
            item.update(
                actions=[
                    Digest.entries.set([]),
                    Digest.entry_count.set(0),
                    Digest.last_sent_at.set(now),
                    Digest.due_bucket.remove(),
                    Digest.due_at.remove(),
                ],
                condition=(Digest.due_at == item.due_at) & (Digest.entry_count == count),
            )
        except UpdateError:
            continue
        if entries:
            _send_digest(item.company_id, entries)
            sent += 1
    return sent


def _send_digest(company_id: str, entries: list[dict[str, Any]]) -> None:
    from chalicelib.adapters import email
    from chalicelib.config import get_settings

    try:
        company_name = Company.get(*Company.key(company_id)).name
    except Company.DoesNotExist:
        return
    site = get_settings().public_site_url
    rows = [
        {**e, "link": f"{site}/console/#/candidates/{e['invitation_id']}"}
        for e in sorted(entries, key=lambda e: e["completed_at"])
    ]
    for recruiter in Recruiter.query(company_pk(company_id), Recruiter.sk.startswith("RECRUITER#")):
        if not isinstance(recruiter, Recruiter):
            continue
        message = email.render(
            "digest",
            to=recruiter.email,
            recruiter_name=recruiter.name,
            company_name=company_name,
            count=len(rows),
            entries=rows,
        )
        email.send(message)


# --- per-interview settings -----------------------------------------------------------------


def set_interview_follow_up(
    company_id: str, interview_id: str, hours: list[int] | None, booking_url: str | None
) -> Any:
    """Reminder hours and the optional booking link for invitations sent from now on."""
    from chalicelib.data.models import Interview
    from chalicelib.domain.errors import NotFound

    interview = Interview(*Interview.key(company_id, interview_id))
    actions = [
        Interview.reminder_hours.set(sorted(set(hours), reverse=True))
        if hours is not None
        else Interview.reminder_hours.remove(),
        Interview.booking_url.set(booking_url) if booking_url else Interview.booking_url.remove(),
    ]
    try:
        interview.update(actions=actions, condition=Interview.pk.exists())
    except UpdateError:
        raise NotFound("Interview not found.") from None
    return {
        "interview_id": interview_id,
        "reminder_hours": hours_of(interview),
        "booking_url": interview.booking_url,
    }
