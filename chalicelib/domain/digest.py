"""The recruiters' daily digest: interviews completed since the last one, sent once a day.

One `Digest` item per company collects completions (`add_to_digest`, one atomic update)
and sits in the `DIGEST` bucket of `by_due` until the next digest hour; the sweep hands the
due ones to `send_digests`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from pynamodb.exceptions import UpdateError

from chalicelib.adapters import email
from chalicelib.config import get_settings
from chalicelib.data import keys
from chalicelib.data.models import Company, Digest, Invitation, Recruiter

DIGEST_BUCKET = keys.DUE_DIGEST
DIGEST_HOUR_UTC = 8


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


def send_digests(due: Iterable[Digest], now: datetime) -> int:
    """Send each due digest that has entries; returns how many went out."""
    sent = 0
    for item in due:
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
    try:
        company_name = Company.get(*Company.key(company_id)).name
    except Company.DoesNotExist:
        return
    site = get_settings().public_site_url
    rows = [
        {**e, "link": f"{site}/console/#/candidates/{e['invitation_id']}"}
        for e in sorted(entries, key=lambda e: e["completed_at"])
    ]
    team = Recruiter.query(
        keys.company_pk(company_id), Recruiter.sk.startswith(keys.RECRUITER_PREFIX)
    )
    for recruiter in team:
        message = email.render(
            "digest",
            to=recruiter.email,
            recruiter_name=recruiter.name,
            company_name=company_name,
            count=len(rows),
            entries=rows,
        )
        email.send(message)
