"""The recruiters' daily digest, written: each completed interview is an entry of its own.

A completion writes one small `DigestEntry` under its company's digest of the day it goes
out, and marks that day's `Digest` due in the `DIGEST` bucket of `by_due`: two small writes,
both safe to repeat, so no number of completions (nor long, non-ASCII names) can outgrow an
item, and a completion never waits on a growing list. The sweep hands due digests to
`digest_mail.send_digests`, which reads the entries back.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pynamodb.exceptions import PynamoDBException, UpdateError

from chalicelib.data import keys
from chalicelib.data.models import Digest, DigestEntry, Invitation
from chalicelib.observability import logger, metrics

DIGEST_BUCKET = keys.DUE_DIGEST
DIGEST_HOUR_UTC = 8
# A completion made just before the digest hour may still be writing its entry: the digest
# waits this long past the hour (longer than any API request may run) before it is read.
SETTLE = timedelta(seconds=30)
# Entries and sent digests are removed by DynamoDB's TTL this long after the digest hour.
KEEP_AFTER_SENDING = timedelta(days=2)


def next_digest_time(now: datetime) -> datetime:
    today = now.replace(hour=DIGEST_HOUR_UTC, minute=0, second=0, microsecond=0)
    return today if today > now else today + timedelta(days=1)


def digest_day(send_at: datetime) -> str:
    return send_at.date().isoformat()


def add_to_digest(invitation: Invitation, now: datetime) -> None:
    """Queue a completed interview for its company's next digest (two idempotent writes)."""
    send_at = next_digest_time(now)
    if not _add(invitation, now, send_at):
        # That digest went out while this entry was on its way: it goes in the next one.
        _add(invitation, now, send_at + timedelta(days=1))


def add_to_digest_safely(invitation: Invitation, now: datetime) -> bool:
    """`add_to_digest`, for the completion path: a digest failure never fails a completion.

    The interview is completed and announced whatever happens here; a lost entry costs one
    line of an email, so it is logged and counted instead of raised.
    """
    try:
        add_to_digest(invitation, now)
    except PynamoDBException:
        logger.exception(
            "digest entry not written",
            extra={"company_id": invitation.company_id, "invitation_id": invitation.invitation_id},
        )
        metrics.add_metric(name="DigestEntriesLost", unit="Count", value=1)
        return False
    return True


def entry(invitation: Invitation, now: datetime, send_at: datetime | None = None) -> DigestEntry:
    """The digest entry of an interview completed at `now` (for the digest at `send_at`)."""
    send_at = send_at or next_digest_time(now)
    day = digest_day(send_at)
    return DigestEntry(
        *DigestEntry.key(invitation.company_id, day, now, invitation.invitation_id),
        company_id=invitation.company_id,
        invitation_id=invitation.invitation_id,
        interview_id=invitation.interview_id,
        title=invitation.title,
        candidate_name=invitation.candidate_name,
        completed_at=now,
        expires_at=send_at + KEEP_AFTER_SENDING,
    )


def forget(invitation: Invitation) -> None:
    """Take a deleted candidate out of a digest not yet sent: their name goes with them.

    Their entry is found from the completion time (in its day's digest, or the next day's if
    it came in just as that one went out); DynamoDB's TTL removes any other within days.
    """
    if invitation.completed_at is None:
        return
    send_at = next_digest_time(invitation.completed_at)
    for day in (send_at, send_at + timedelta(days=1)):
        entry(invitation, invitation.completed_at, day).delete()


def _add(invitation: Invitation, now: datetime, send_at: datetime) -> bool:
    day = digest_day(send_at)
    written = entry(invitation, now, send_at)
    written.save()
    try:
        Digest(*Digest.key(invitation.company_id, day)).update(
            actions=[
                Digest.kind.set(Digest),
                Digest.company_id.set(invitation.company_id),
                Digest.day.set(day),
                Digest.created_at.set(Digest.created_at | now),
                Digest.due_bucket.set(DIGEST_BUCKET),
                Digest.due_at.set((send_at + SETTLE).isoformat()),
                Digest.expires_at.set(send_at + KEEP_AFTER_SENDING),
            ],
            condition=Digest.sent_at.does_not_exist(),
        )
    except UpdateError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        DigestEntry(
            *DigestEntry.key(invitation.company_id, day, now, invitation.invitation_id)
        ).delete()
        return False
    return True
