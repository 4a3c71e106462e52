"""Every pk, sk and index key of the single table: the one place their shapes are spelled.

Tenant isolation starts here: every company-owned partition begins with `C#<company_id>`,
so a key built from the verified identity's company id can only reach that company's items.
The models' docstrings (`chalicelib.data.models`) document the same shapes item by item.
"""

from __future__ import annotations

from datetime import datetime

COMPANY = "C#"

# Sort keys that are constants.
PROFILE = "PROFILE"
INVITATION = "INVITATION"
DIGEST = "DIGEST"

# Sort-key prefixes, also used as `begins_with` conditions to read one kind from a partition.
INTERVIEW_PREFIX = "INTERVIEW#"
RECRUITER_PREFIX = "RECRUITER#"
ANSWER_PREFIX = "ANSWER#"
REVIEW_PREFIX = "REVIEW#"
COMMENT_PREFIX = "COMMENT#"
SHARE_PREFIX = "SHARE#"
TOKEN_PREFIX = "TOKEN#"  # noqa: S105 (a key prefix; tokens are stored only as hashes)
USAGE_PREFIX = "USAGE#"
WEBHOOK_PREFIX = "WEBHOOK#"
EMAIL_PREFIX = "EMAIL#"

# by_parent index: an invitation under its interview, an interview under its apply code.
INVITATION_CHILD_PREFIX = "INV#"
APPLY_PREFIX = "APPLY#"
APPLY_CHILD = "INTERVIEW"

# by_due index: the buckets the scheduled sweep reads, a bucket at a time.
DUE_INVITATION = "INVITATION"  # reminders and deadlines of live invitations
DUE_DIGEST = "DIGEST"  # daily digests with entries waiting
DUE_RETENTION = "RETENTION"  # closed candidates whose personal data falls due for deletion
DUE_PROCESSING = "PROCESSING"  # answers stuck in processing past their deadline
DUE_RECORDING = "RECORDING"  # attempts still recording once their first upload grant expired
DUE_BUCKETS = (DUE_INVITATION, DUE_DIGEST, DUE_RETENTION, DUE_PROCESSING, DUE_RECORDING)


class MalformedKey(ValueError):
    """A stored or client-supplied key does not have the shape this module builds."""


# --- company partition ---------------------------------------------------------------------


def company_pk(company_id: str) -> str:
    """The company's own partition: profile, recruiters, interviews, usage, webhooks, digest."""
    return f"{COMPANY}{company_id}"


def interview_sk(interview_id: str) -> str:
    return f"{INTERVIEW_PREFIX}{interview_id}"


def recruiter_sk(user_id: str) -> str:
    return f"{RECRUITER_PREFIX}{user_id}"


def usage_sk(month: str) -> str:
    """`month` is `yyyy-mm`, so a month's usage sorts after the month before."""
    return f"{USAGE_PREFIX}{month}"


def webhook_sk(webhook_id: str) -> str:
    return f"{WEBHOOK_PREFIX}{webhook_id}"


# --- an interview's children ---------------------------------------------------------------


def interview_children_pk(company_id: str, interview_id: str) -> str:
    """Partition of an interview's email claims and `gsi1pk` of its invitations."""
    return f"{company_pk(company_id)}#{INTERVIEW_PREFIX}{interview_id}"


def invitation_child_sk(invitation_id: str) -> str:
    """`gsi1sk` of an invitation under its interview; ids are time-ordered, so newest last."""
    return f"{INVITATION_CHILD_PREFIX}{invitation_id}"


def invitation_id_of_child_sk(gsi1sk: str) -> str:
    """The invitation id inside a `gsi1sk` built by `invitation_child_sk`."""
    invitation_id = gsi1sk.removeprefix(INVITATION_CHILD_PREFIX)
    if invitation_id == gsi1sk or not invitation_id or "#" in invitation_id:
        raise MalformedKey(f"not an invitation index key: {gsi1sk!r}")
    return invitation_id


QUESTION_VIDEO_PREFIX = "QVIDEO#"


def question_video_sk(video_id: str) -> str:
    """A recruiter's question video, under its interview's children partition."""
    return f"{QUESTION_VIDEO_PREFIX}{video_id}"


LIBRARY_QUESTION_PREFIX = "LIBQ#"


def library_question_sk(entry_id: str) -> str:
    """A question of the company's library, in the company partition."""
    return f"{LIBRARY_QUESTION_PREFIX}{entry_id}"


def email_claim_sk(email: str) -> str:
    """One claim per normalised address, so inviting an address twice is refused."""
    return f"{EMAIL_PREFIX}{email}"


def apply_gsi1pk(apply_code: str) -> str:
    """`gsi1pk` of an interview with a public apply link (its `gsi1sk` is `APPLY_CHILD`)."""
    return f"{APPLY_PREFIX}{apply_code}"


# --- the candidate partition: an invitation and everything under it -----------------------


def invitation_pk(company_id: str, invitation_id: str) -> str:
    """One candidate's partition: the invitation, answers, reviews, comments, links."""
    return f"{company_pk(company_id)}#INV#{invitation_id}"


def split_invitation_pk(pk: str) -> tuple[str, str]:
    """(company_id, invitation_id) of a candidate partition key."""
    head, marker, invitation_id = pk.partition("#INV#")
    company_id = head.removeprefix(COMPANY)
    if not marker or company_id == head or not company_id or not invitation_id:
        raise MalformedKey(f"not a candidate partition key: {pk!r}")
    if "#" in company_id or "#" in invitation_id:
        raise MalformedKey(f"not a candidate partition key: {pk!r}")
    return company_id, invitation_id


def answer_sk(question_id: str, attempt: int) -> str:
    """Zero-padded attempt, so a question's attempts sort in the order they were made."""
    return f"{ANSWER_PREFIX}{question_id}#{attempt:03d}"


def answer_question_prefix(question_id: str) -> str:
    """Sort-key prefix of every attempt at one question."""
    return f"{ANSWER_PREFIX}{question_id}#"


def split_answer_sk(sk: str) -> tuple[str, int]:
    """(question_id, attempt) of an answer's sort key."""
    body = sk.removeprefix(ANSWER_PREFIX)
    question_id, marker, attempt = body.rpartition("#")
    if body == sk or not marker or not question_id or not attempt.isdigit():
        raise MalformedKey(f"not an answer sort key: {sk!r}")
    return question_id, int(attempt)


def review_sk(user_id: str) -> str:
    """One review per reviewer: saving again replaces it."""
    return f"{REVIEW_PREFIX}{user_id}"


def comment_sk(comment_id: str) -> str:
    return f"{COMMENT_PREFIX}{comment_id}"


def share_sk(share_id: str) -> str:
    return f"{SHARE_PREFIX}{share_id}"


def link_token_sk(token_id: str) -> str:
    return f"{TOKEN_PREFIX}{token_id}"


# --- audit log and webhook deliveries ------------------------------------------------------


def audit_pk(company_id: str, month: str) -> str:
    """A partition per company and month (`yyyy-mm`), so a month pages and exports alone."""
    return f"{company_pk(company_id)}#AUDIT#{month}"


def audit_sk(at: datetime, event_id: str) -> str:
    """ISO time first, so a month's events read oldest first; the id keeps them unique."""
    return f"{at.isoformat()}#{event_id}"


def audit_time(sk: str) -> str:
    """The ISO time an audit event's sort key starts with."""
    return sk.split("#", 1)[0]


def deliveries_pk(company_id: str) -> str:
    """The company's webhook delivery log; sort keys are time-ordered delivery ids."""
    return f"{company_pk(company_id)}#DELIVERIES"


# --- API keys -------------------------------------------------------------------------------

API_KEY = "APIKEY"


def api_key_pk(key_id: str) -> str:
    """An API key's own partition, found from the key id inside the key (one GetItem).

    Not under `C#<company_id>`: a caller presenting a key has not proven a company yet; the
    item names its company, and only the item's word for it counts.
    """
    return f"{API_KEY}#{key_id}"


def api_keys_gsi1pk(company_id: str) -> str:
    """`gsi1pk` of a company's API keys (by_parent), so listing them is one Query."""
    return f"{company_pk(company_id)}#{API_KEY}S"


def api_key_child_sk(created_at: datetime, key_id: str) -> str:
    """`gsi1sk` of an API key: creation time first, so a company's keys list in order."""
    return f"{API_KEY}#{created_at.isoformat()}#{key_id}"


def rate_pk(scope: str, subject: str) -> str:
    """A rate limit's counters for one subject (a hashed client address, an interview)."""
    return f"RATE#{scope}#{subject}"


def rate_sk(window_start: int) -> str:
    """One counting window, by its start in Unix seconds."""
    return f"WINDOW#{window_start}"


# --- the daily digest ----------------------------------------------------------------------

DIGEST_ENTRY_PREFIX = "ENTRY#"


def digest_sk(day: str) -> str:
    """A company's digest of one day (`yyyy-mm-dd`, the day it goes out)."""
    return f"{DIGEST}#{day}"


def digest_entries_pk(company_id: str, day: str) -> str:
    """The partition of one digest's entries, one item per completed interview."""
    return f"{company_pk(company_id)}#{DIGEST}#{day}"


def digest_entry_sk(completed_at: datetime, invitation_id: str) -> str:
    """Completion time first, so a digest's entries read in the order they came."""
    return f"{DIGEST_ENTRY_PREFIX}{completed_at.isoformat()}#{invitation_id}"


# --- jobs (bulk invitations, exports) ------------------------------------------------------

JOB = "JOB"
JOB_ROW_PREFIX = "ROW#"


def job_pk(company_id: str, job_id: str) -> str:
    """One job's partition: the job itself (sk `JOB`) and its rows, read in one Query."""
    return f"{company_pk(company_id)}#JOB#{job_id}"


def job_row_sk(row: int) -> str:
    """Zero-padded, so a job's rows read back in the recruiter's row order."""
    return f"{JOB_ROW_PREFIX}{row:06d}"
