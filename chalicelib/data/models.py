"""The single DynamoDB table and the items stored in it (PynamoDB polymorphism).

One table, string keys `pk`/`sk` with typed prefixes, a `kind` discriminator. Every
company-owned item's partition key starts with `C#<company_id>`, and the company id always
comes from the verified identity, never from the request. Reads are Get or Query on a key or
an index; nothing here scans.

Indexes (all sparse: only items that set the index's hash key appear in it):
- `by_parent` (`gsi1pk`/`gsi1sk`): children listed under a parent other than their own
  partition, e.g. the invitations of one interview, newest first.
- `by_token` (`token_hash`): a candidate link's SHA-256 to its invitation.
- `by_due` (`due_bucket`/`due_at`): work that falls due at a time (reminders, deadlines,
  answers stuck in processing), read by the scheduled sweep a bucket at a time.
"""

from __future__ import annotations

import os
import secrets
import time
from datetime import UTC, datetime
from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    DiscriminatorAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from chalicelib.config import ConfigError
from chalicelib.data import keys
from chalicelib.data.keys import company_pk, invitation_pk

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_id() -> str:
    """A 26-character ULID-style id: time-ordered (so keys sort by creation), 80 random bits."""
    value = (int(time.time() * 1000) << 80) | secrets.randbits(80)
    return "".join(_CROCKFORD[(value >> shift) & 31] for shift in range(125, -1, -5))


def utcnow() -> datetime:
    return datetime.now(UTC)


class _TableMeta(type):
    """Reads the table name from settings when PynamoDB asks, not at import time."""

    @property
    def table_name(cls) -> str:
        name = os.environ.get("TABLE_NAME")
        if not name:
            raise ConfigError("missing environment variable: TABLE_NAME")
        return name


class ByParentIndex(GlobalSecondaryIndex["Item"]):
    class Meta:
        index_name = "by_parent"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class ByTokenIndex(GlobalSecondaryIndex["Item"]):
    class Meta:
        index_name = "by_token"
        projection = AllProjection()

    token_hash = UnicodeAttribute(hash_key=True)


class ByDueIndex(GlobalSecondaryIndex["Item"]):
    class Meta:
        index_name = "by_due"
        projection = AllProjection()

    due_bucket = UnicodeAttribute(hash_key=True)
    due_at = UnicodeAttribute(range_key=True)


class Item(Model):
    """Base of every item in the table; `kind` says which model a stored item is."""

    class Meta(metaclass=_TableMeta):
        billing_mode = "PAY_PER_REQUEST"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    kind = DiscriminatorAttribute()
    created_at = UTCDateTimeAttribute(default=utcnow)

    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    token_hash = UnicodeAttribute(null=True)
    due_bucket = UnicodeAttribute(null=True)
    due_at = UnicodeAttribute(null=True)
    # DynamoDB TTL: personal data past its retention is removed even if a sweep is missed.
    expires_at = TTLAttribute(null=True)

    by_parent = ByParentIndex()
    by_token = ByTokenIndex()
    by_due = ByDueIndex()


class Company(Item, discriminator="Company"):
    """A customer company: the tenant.

    pk = C#<company_id>, sk = PROFILE
    """

    company_id = UnicodeAttribute()
    name = UnicodeAttribute()
    brand_color = UnicodeAttribute(null=True)
    logo_url = UnicodeAttribute(null=True)
    # An uploaded logo (`media_layout.logo_key`), checked and served by the public logo route;
    # `logo_url` then names that route (a stable URL invitations can snapshot).
    logo_key = UnicodeAttribute(null=True)
    retention_days = NumberAttribute(default=180)
    # Media bytes in the bucket now: up when stored, down when deleted (`activity`).
    stored_bytes_now = NumberAttribute(null=True)
    # Editable decision emails: {"advanced": {"subject", "body"}, "rejected": {...}}
    decision_templates = MapAttribute(null=True)
    # The company's own wording of candidate emails (domain.candidate_mail), per language:
    # {"invitation": {"es": {"subject", "body"}}, "reminder": {...}, ...}; English decision
    # emails stay in `decision_templates`.
    email_wording = MapAttribute(null=True)

    @classmethod
    def key(cls, company_id: str) -> tuple[str, str]:
        return company_pk(company_id), keys.PROFILE


class Recruiter(Item, discriminator="Recruiter"):
    """A member of a company's hiring team; the Cognito user `sub` is the id.

    pk = C#<company_id>, sk = RECRUITER#<user_id>
    """

    company_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    email = UnicodeAttribute()
    name = UnicodeAttribute()
    role = UnicodeAttribute()  # admin | reviewer

    @classmethod
    def key(cls, company_id: str, user_id: str) -> tuple[str, str]:
        return company_pk(company_id), keys.recruiter_sk(user_id)


class Question(MapAttribute[str, Any]):
    """One question of an interview, kept whole in the interview and in each invitation."""

    question_id = UnicodeAttribute()
    text = UnicodeAttribute()
    answer_type = UnicodeAttribute(default="video")  # video | audio | text
    think_seconds = NumberAttribute(default=30)  # 0 = unlimited
    max_answer_seconds = NumberAttribute(default=120)
    retakes = NumberAttribute(default=1)
    video_key = UnicodeAttribute(null=True)


class AccommodationRequest(MapAttribute[str, Any]):
    """A candidate's request for an adjustment, kept on their invitation (one at a time).

    kinds: more_time | audio_instead_of_video | later_deadline (domain.accommodations).
    """

    kinds = ListAttribute(of=UnicodeAttribute)
    note = UnicodeAttribute(null=True)
    requested_at = UTCDateTimeAttribute()
    status = UnicodeAttribute(default="pending")  # pending | granted | declined
    decided_by = UnicodeAttribute(null=True)
    decided_at = UTCDateTimeAttribute(null=True)


class RubricCriterion(MapAttribute[str, Any]):
    """A criterion reviewers score 1-5; `anchors[i]` says what score i+1 looks like."""

    criterion_id = UnicodeAttribute()
    name = UnicodeAttribute()
    anchors = ListAttribute(of=UnicodeAttribute, default=list)


class LibraryQuestion(Item, discriminator="LibraryQuestion"):
    """A question a company keeps to reuse across interviews (its question library).

    pk = C#<company_id>, sk = LIBQ#<entry_id>
    A question with a video keeps the library's own copy (`media_layout.library_video_keys`).
    """

    company_id = UnicodeAttribute()
    entry_id = UnicodeAttribute()
    text = UnicodeAttribute()
    answer_type = UnicodeAttribute(default="video")  # video | audio | text
    think_seconds = NumberAttribute(default=30)
    max_answer_seconds = NumberAttribute(default=120)
    retakes = NumberAttribute(default=1)
    video_key = UnicodeAttribute(null=True)
    poster_key = UnicodeAttribute(null=True)
    video_mime_type = UnicodeAttribute(null=True)
    video_seconds = NumberAttribute(null=True)
    video_bytes = NumberAttribute(null=True)
    created_by = UnicodeAttribute(null=True)
    source_interview_id = UnicodeAttribute(null=True)

    @classmethod
    def key(cls, company_id: str, entry_id: str) -> tuple[str, str]:
        return company_pk(company_id), keys.library_question_sk(entry_id)


class Interview(Item, discriminator="Interview"):
    """An interview a company sends to candidates.

    pk = C#<company_id>, sk = INTERVIEW#<interview_id>
    by_parent (apply link only): gsi1pk = APPLY#<apply_code>, gsi1sk = INTERVIEW
    """

    company_id = UnicodeAttribute()
    interview_id = UnicodeAttribute()
    title = UnicodeAttribute()
    role_description = UnicodeAttribute(default="")
    intro = UnicodeAttribute(default="")
    outro = UnicodeAttribute(default="")
    support_contact = UnicodeAttribute(null=True)
    questions = ListAttribute(of=Question, default=list)
    rubric = ListAttribute(of=RubricCriterion, default=list)
    deadline_days = NumberAttribute(default=7)
    status = UnicodeAttribute(default="active")  # active | archived
    created_by = UnicodeAttribute(null=True)
    updated_at = UTCDateTimeAttribute(default=utcnow)
    # Public apply link: anyone with the code may create their own invitation, up to the cap.
    apply_code = UnicodeAttribute(null=True)
    apply_enabled = BooleanAttribute(default=False)
    apply_cap = NumberAttribute(default=100)
    apply_count = NumberAttribute(default=0)
    blind_review = BooleanAttribute(default=False)
    # In blind review, names are hidden from the company's admins too (their choice).
    blind_for_admins = BooleanAttribute(default=False)
    # Candidates who ever reached each step; bumped once per invitation by its transition.
    count_invited = NumberAttribute(default=0)
    count_opened = NumberAttribute(default=0)
    count_started = NumberAttribute(default=0)
    count_completed = NumberAttribute(default=0)
    count_revoked = NumberAttribute(default=0)
    count_expired = NumberAttribute(default=0)
    # Hours before the deadline at which candidates who have not finished are reminded
    # (None: the default, 48 and 4); snapshotted into each invitation.
    reminder_hours = ListAttribute(of=NumberAttribute, null=True)
    # Optional "book a live conversation" link (any calendar URL) for advanced candidates.
    booking_url = UnicodeAttribute(null=True)
    # The language candidates read it in (they may switch) and the IANA time zone its
    # deadlines are picked and shown in; both snapshotted into each invitation.
    language = UnicodeAttribute(default="en")
    time_zone = UnicodeAttribute(default="UTC")

    @classmethod
    def key(cls, company_id: str, interview_id: str) -> tuple[str, str]:
        return company_pk(company_id), keys.interview_sk(interview_id)


class Invitation(Item, discriminator="Invitation"):
    """One candidate invited to one interview, with a snapshot of its questions.

    pk = C#<company_id>#INV#<invitation_id>, sk = INVITATION
    by_parent: gsi1pk = C#<company_id>#INTERVIEW#<interview_id>, gsi1sk = INV#<invitation_id>
    by_token: token_hash = sha256(link token), hex
    Answers, reviews and comments share the invitation's partition, so one Query reads a
    candidate whole.
    """

    company_id = UnicodeAttribute()
    interview_id = UnicodeAttribute()
    invitation_id = UnicodeAttribute()
    candidate_name = UnicodeAttribute()
    candidate_email = UnicodeAttribute()
    source = UnicodeAttribute(default="invite")  # invite | apply
    # Snapshot of what the candidate sees, taken at invitation time: later edits to the
    # interview or company never change a live interview.
    questions = ListAttribute(of=Question, default=list)
    # The rubric reviewers score this candidate on (None: invited before rubrics were
    # snapshotted, the interview's own applies). Editing a rubric never orphans scores.
    rubric = ListAttribute(of=RubricCriterion, null=True)
    company_name = UnicodeAttribute(default="")
    brand_color = UnicodeAttribute(null=True)
    logo_url = UnicodeAttribute(null=True)
    title = UnicodeAttribute(default="")
    role_description = UnicodeAttribute(default="")
    intro = UnicodeAttribute(default="")
    outro = UnicodeAttribute(default="")
    support_contact = UnicodeAttribute(null=True)
    deadline = UTCDateTimeAttribute()
    # The interview's time zone (deadlines are shown in it) and the candidate's language:
    # the interview's at first, then whichever the candidate picks.
    time_zone = UnicodeAttribute(default="UTC")
    language = UnicodeAttribute(default="en")
    status = UnicodeAttribute(default="invited")  # invited|opened|started|completed|expired|revoked
    stage = UnicodeAttribute(default="new")
    tags = ListAttribute(of=UnicodeAttribute, default=list)
    time_multiplier = NumberAttribute(default=1)
    answered_questions = UnicodeSetAttribute(null=True)
    # Review aggregates, rewritten whenever a review is saved (for the pipeline's filters).
    review_count = NumberAttribute(default=0)
    average_score = NumberAttribute(null=True)
    score_spread = NumberAttribute(null=True)
    criteria_average = MapAttribute(null=True)
    reviewed_by = UnicodeSetAttribute(null=True)
    # question_id -> attempts that count against the retake limit (a failed upload gives
    # its attempt back), and the last attempt number used (never goes down).
    attempts_used = MapAttribute(default=dict)
    attempt_seq = MapAttribute(default=dict)
    # question_id -> when the candidate first opened it (ISO 8601, UTC): its think time runs
    # from then, whatever becomes of the page (domain.candidates.open_question).
    opened_questions = MapAttribute(default=dict)
    opened_at = UTCDateTimeAttribute(null=True)
    consent_at = UTCDateTimeAttribute(null=True)
    started_at = UTCDateTimeAttribute(null=True)
    completed_at = UTCDateTimeAttribute(null=True)
    email_sent_at = UTCDateTimeAttribute(null=True)
    feedback_rating = NumberAttribute(null=True)
    feedback_comment = UnicodeAttribute(null=True)
    feedback_at = UTCDateTimeAttribute(null=True)
    reminders_sent = ListAttribute(default=list)
    revoked = BooleanAttribute(default=False)
    # Reminders, retention and the candidate's own requests (domain.reminders, compliance).
    reminder_hours = ListAttribute(of=NumberAttribute, null=True)
    booking_url = UnicodeAttribute(null=True)
    closed_at = UTCDateTimeAttribute(null=True)  # completed, expired or revoked
    decided_at = UTCDateTimeAttribute(null=True)  # stage moved to advanced or rejected
    deletion_requested_at = UTCDateTimeAttribute(null=True)
    # An answer that failed processing after the candidate submitted reopens its question:
    # the questions waiting for a new recording, when that was asked, and whether the
    # candidate's email about it is still to be sent (the sweep sends it).
    reopened_questions = UnicodeSetAttribute(null=True)
    rerecord_requested_at = UTCDateTimeAttribute(null=True)
    rerecord_notice_due = BooleanAttribute(null=True)
    # When "Send a new link" last replaced the link: every link issued before it answers
    # `link_replaced` (a newer link was emailed) instead of opening the interview.
    links_replaced_at = UTCDateTimeAttribute(null=True)
    # The current link token sealed with KMS (`domain.links`): Resend and reminders email
    # the same link again. Never the token itself; None for invitations made before.
    sealed_token = UnicodeAttribute(null=True)
    # The candidate's latest accommodation request and what became of it.
    accommodation = AccommodationRequest(null=True)

    @classmethod
    def key(cls, company_id: str, invitation_id: str) -> tuple[str, str]:
        return invitation_pk(company_id, invitation_id), keys.INVITATION

    @staticmethod
    def parent_key(company_id: str, interview_id: str) -> str:
        return keys.interview_children_pk(company_id, interview_id)


class Answer(Item, discriminator="Answer"):
    """One attempt at one question; the media worker moves it uploaded → processing → ready.

    pk = C#<company_id>#INV#<invitation_id>, sk = ANSWER#<question_id>#<attempt:03d>
    Its chunks, manifest and media live where `media_layout.AttemptLocation` says.
    """

    company_id = UnicodeAttribute()
    interview_id = UnicodeAttribute()
    invitation_id = UnicodeAttribute()
    question_id = UnicodeAttribute()
    attempt = NumberAttribute()
    answer_type = UnicodeAttribute()
    # recording|uploaded|processing|ready|failed, or released: started but nothing ever
    # stored (the tab died first), so it no longer counts against the retakes.
    status = UnicodeAttribute(default="recording")
    mime_type = UnicodeAttribute(null=True)
    max_seconds = NumberAttribute(null=True)
    # The key the page made for this recording: a repeated start with it gets this attempt back.
    client_attempt_id = UnicodeAttribute(null=True)
    chunk_count = NumberAttribute(null=True)
    uploaded_bytes = NumberAttribute(null=True)
    # What finalise found, chunk by chunk: the worker fetches exactly these objects.
    chunk_sizes = ListAttribute(of=NumberAttribute, null=True)
    chunk_etags = ListAttribute(of=UnicodeAttribute, null=True)
    uploaded_at = UTCDateTimeAttribute(null=True)
    text = UnicodeAttribute(null=True)
    media_key = UnicodeAttribute(null=True)
    poster_key = UnicodeAttribute(null=True)
    duration_seconds = NumberAttribute(null=True)
    # The recording was cut off (reload, crash, closed lid): the answer is what reached us,
    # and it ends `cut_at_seconds` into the recording.
    cut_short = BooleanAttribute(null=True)
    cut_at_seconds = NumberAttribute(null=True)
    width = NumberAttribute(null=True)
    height = NumberAttribute(null=True)
    video_codec = UnicodeAttribute(null=True)
    audio_codec = UnicodeAttribute(null=True)
    size_bytes = NumberAttribute(null=True)
    # How the worker made it (copy | copy_video | transcode) and its seconds on it: the bill.
    processing_path = UnicodeAttribute(null=True)
    worker_seconds = NumberAttribute(null=True)
    error_reason = UnicodeAttribute(null=True)
    error_message = UnicodeAttribute(null=True)
    # While processing: the claiming worker's lease (token, expiry), set with the claim.
    lease_id = UnicodeAttribute(null=True)
    lease_until = UTCDateTimeAttribute(null=True)
    updated_at = UTCDateTimeAttribute(default=utcnow)

    @classmethod
    def key(
        cls, company_id: str, invitation_id: str, question_id: str, attempt: int
    ) -> tuple[str, str]:
        return invitation_pk(company_id, invitation_id), keys.answer_sk(question_id, attempt)


class EmailClaim(Item, discriminator="EmailClaim"):
    """One email invited to one interview: created with the invitation, so a repeat is refused.

    pk = C#<company_id>#INTERVIEW#<interview_id>, sk = EMAIL#<email>
    """

    company_id = UnicodeAttribute()
    invitation_id = UnicodeAttribute()

    @classmethod
    def key(cls, company_id: str, interview_id: str, email: str) -> tuple[str, str]:
        return keys.interview_children_pk(company_id, interview_id), keys.email_claim_sk(email)


class QuestionVideo(Item, discriminator="QuestionVideo"):
    """A video a recruiter recorded (or sent as a file) for a question of one interview.

    pk = C#<company_id>#INTERVIEW#<interview_id>, sk = QVIDEO#<video_id>
    uploading → processing (finalised: manifest written) → ready | failed; the worker makes it
    an MP4 H.264/AAC with a poster where `media_layout.QuestionVideoLocation` says. A take
    dropped while processing is `discarded`, deleted by a later save.
    """

    company_id = UnicodeAttribute()
    interview_id = UnicodeAttribute()
    video_id = UnicodeAttribute()
    status = UnicodeAttribute(default="uploading")
    mime_type = UnicodeAttribute()
    source = UnicodeAttribute(default="recording")  # recording | file
    chunk_count = NumberAttribute(null=True)
    chunk_sizes = ListAttribute(of=NumberAttribute, null=True)
    chunk_etags = ListAttribute(of=UnicodeAttribute, null=True)
    media_key = UnicodeAttribute(null=True)
    poster_key = UnicodeAttribute(null=True)
    duration_seconds = NumberAttribute(null=True)
    width = NumberAttribute(null=True)
    height = NumberAttribute(null=True)
    size_bytes = NumberAttribute(null=True)
    error_reason = UnicodeAttribute(null=True)
    error_message = UnicodeAttribute(null=True)
    # `count_invited` of the interview when the video was first saved on it: once more
    # candidates were invited, their snapshots may show it, so it is kept when replaced.
    invited_when_attached = NumberAttribute(null=True)
    updated_at = UTCDateTimeAttribute(default=utcnow)

    @classmethod
    def key(cls, company_id: str, interview_id: str, video_id: str) -> tuple[str, str]:
        return (
            keys.interview_children_pk(company_id, interview_id),
            keys.question_video_sk(video_id),
        )


class Review(Item, discriminator="Review"):
    """One reviewer's scores for one candidate.

    pk = C#<company_id>#INV#<invitation_id>, sk = REVIEW#<user_id>
    scores = {question_id: {criterion_id: 1..5}}
    """

    company_id = UnicodeAttribute()
    invitation_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    reviewer_name = UnicodeAttribute()
    scores = MapAttribute(default=dict)
    recommendation = UnicodeAttribute(null=True)
    note = UnicodeAttribute(null=True)
    average = NumberAttribute(null=True)
    submitted_at = UTCDateTimeAttribute(default=utcnow)

    @classmethod
    def key(cls, company_id: str, invitation_id: str, user_id: str) -> tuple[str, str]:
        return invitation_pk(company_id, invitation_id), keys.review_sk(user_id)


class Comment(Item, discriminator="Comment"):
    """A team comment on a candidate.

    pk = C#<company_id>#INV#<invitation_id>, sk = COMMENT#<comment_id>
    """

    company_id = UnicodeAttribute()
    invitation_id = UnicodeAttribute()
    comment_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    author_name = UnicodeAttribute()
    text = UnicodeAttribute()

    @classmethod
    def key(cls, company_id: str, invitation_id: str, comment_id: str) -> tuple[str, str]:
        return invitation_pk(company_id, invitation_id), keys.comment_sk(comment_id)


class ShareLink(Item, discriminator="ShareLink"):
    """A read-only, expiring, revocable link to one candidate for someone without an account.

    pk = C#<company_id>#INV#<invitation_id>, sk = SHARE#<share_id>
    by_token: token_hash = sha256(link token)
    """

    company_id = UnicodeAttribute()
    invitation_id = UnicodeAttribute()
    share_id = UnicodeAttribute()
    created_by = UnicodeAttribute()
    expires = UTCDateTimeAttribute()
    revoked = BooleanAttribute(default=False)
    mask_name = BooleanAttribute(default=False)

    @classmethod
    def key(cls, company_id: str, invitation_id: str, share_id: str) -> tuple[str, str]:
        return invitation_pk(company_id, invitation_id), keys.share_sk(share_id)


class AuditEvent(Item, discriminator="AuditEvent"):
    """Who did or saw what, when: one item per action, a partition per company and month.

    pk = C#<company_id>#AUDIT#<yyyy-mm>, sk = <iso time>#<event_id>
    """

    company_id = UnicodeAttribute()
    actor = UnicodeAttribute()  # user id, "candidate", "share:<share_id>" or "system"
    action = UnicodeAttribute()
    target = UnicodeAttribute()
    detail = MapAttribute(null=True)

    @classmethod
    def key(cls, company_id: str, at: datetime, event_id: str) -> tuple[str, str]:
        """`at` is when it happened; its month picks the partition."""
        return keys.audit_pk(company_id, at.strftime("%Y-%m")), keys.audit_sk(at, event_id)


class Usage(Item, discriminator="Usage"):
    """What a company used in a month, for the pay-per-use bill (atomic counters).

    pk = C#<company_id>, sk = USAGE#<yyyy-mm>
    """

    company_id = UnicodeAttribute()
    month = UnicodeAttribute()
    completed_interviews = NumberAttribute(default=0)
    recorded_seconds = NumberAttribute(default=0)
    stored_bytes = NumberAttribute(default=0)  # media stored this month (added)
    deleted_bytes = NumberAttribute(default=0)  # media deleted this month
    # Sum over this month's stores (+) and deletions (-) of bytes x hours left in the month:
    # with the bytes stored at the month's start, the month's byte-hours (`activity`).
    stored_byte_hours = NumberAttribute(default=0)
    worker_seconds = NumberAttribute(default=0)
    worker_runs = NumberAttribute(default=0)  # media the worker made (Lambda invocations)
    emails = NumberAttribute(default=0)

    @classmethod
    def key(cls, company_id: str, month: str) -> tuple[str, str]:
        return company_pk(company_id), keys.usage_sk(month)


class LinkToken(Item, discriminator="LinkToken"):
    """A further link token for one invitation (a reminder's link), stored as a hash only.

    `created_at` is when the link was issued: once the invitation's `links_replaced_at` is
    later, the link is stale (a replaced first link is kept as one so it can say so).

    pk = C#<company_id>#INV#<invitation_id>, sk = TOKEN#<token_id>
    by_token: token_hash = sha256(link token)
    """

    company_id = UnicodeAttribute()
    invitation_id = UnicodeAttribute()

    @classmethod
    def key(cls, company_id: str, invitation_id: str, token_id: str) -> tuple[str, str]:
        return invitation_pk(company_id, invitation_id), keys.link_token_sk(token_id)


class Digest(Item, discriminator="Digest"):
    """One daily digest of a company: its completions are `DigestEntry` items of their own,
    so no day of completions can outgrow DynamoDB's 400 KB item limit.

    pk = C#<company_id>, sk = DIGEST#<day the digest goes out, yyyy-mm-dd>
    by_due: due_bucket = DIGEST, due_at = when the digest goes out (until it is sent)
    (`sk = DIGEST` with `entries` is the one growing item digests were before.)
    """

    company_id = UnicodeAttribute()
    day = UnicodeAttribute(null=True)
    entries = ListAttribute(of=MapAttribute, null=True)  # only on the earlier single item
    sent_at = UTCDateTimeAttribute(null=True)

    @classmethod
    def key(cls, company_id: str, day: str) -> tuple[str, str]:
        return company_pk(company_id), keys.digest_sk(day)


class DigestEntry(Item, discriminator="DigestEntry"):
    """One completed interview waiting in its company's digest of one day.

    pk = C#<company_id>#DIGEST#<day>, sk = ENTRY#<completed_at ISO>#<invitation_id>
    `expires_at` (TTL) removes it two days after its digest hour.
    """

    company_id = UnicodeAttribute()
    invitation_id = UnicodeAttribute()
    interview_id = UnicodeAttribute()
    title = UnicodeAttribute()
    candidate_name = UnicodeAttribute()
    completed_at = UTCDateTimeAttribute()

    @classmethod
    def key(
        cls, company_id: str, day: str, completed_at: datetime, invitation_id: str
    ) -> tuple[str, str]:
        return keys.digest_entries_pk(company_id, day), keys.digest_entry_sk(
            completed_at, invitation_id
        )


class RateCounter(Item, discriminator="RateCounter"):
    """Requests counted in one window for one subject (`domain.rate_limits`); expires by TTL.

    pk = RATE#<scope>#<subject>, sk = WINDOW#<window start, Unix seconds>
    """

    count = NumberAttribute(default=0)

    @classmethod
    def key(cls, scope: str, subject: str, window_start: int) -> tuple[str, str]:
        return keys.rate_pk(scope, subject), keys.rate_sk(window_start)


class Webhook(Item, discriminator="Webhook"):
    """A company's endpoint for event notifications, signed with its secret.

    pk = C#<company_id>, sk = WEBHOOK#<webhook_id>
    """

    company_id = UnicodeAttribute()
    webhook_id = UnicodeAttribute()
    url = UnicodeAttribute()
    # The signing secret sealed with KMS (`adapters.secrets`); `secret` is the plaintext of
    # endpoints made before secrets were sealed, sealed in its place at their next delivery.
    sealed_secret = UnicodeAttribute(null=True)
    secret = UnicodeAttribute(null=True)
    events = UnicodeSetAttribute(null=True)
    active = BooleanAttribute(default=True)

    @classmethod
    def key(cls, company_id: str, webhook_id: str) -> tuple[str, str]:
        return company_pk(company_id), keys.webhook_sk(webhook_id)


class WebhookDelivery(Item, discriminator="WebhookDelivery"):
    """One event sent to one endpoint: its attempts and outcome (the delivery log).

    pk = C#<company_id>#DELIVERIES, sk = <delivery_id> (time-ordered)
    """

    company_id = UnicodeAttribute()
    delivery_id = UnicodeAttribute()
    webhook_id = UnicodeAttribute()
    event = UnicodeAttribute()
    status = UnicodeAttribute(default="pending")  # pending | delivered | failed
    attempts = NumberAttribute(default=0)
    last_status_code = NumberAttribute(null=True)
    last_error = UnicodeAttribute(null=True)
    delivered_at = UTCDateTimeAttribute(null=True)

    @classmethod
    def key(cls, company_id: str, delivery_id: str) -> tuple[str, str]:
        return keys.deliveries_pk(company_id), delivery_id


class ApiKey(Item, discriminator="ApiKey"):
    """A company's key for machine access (an ATS, a script); the key itself is never stored.

    The key is `ow_live_<key_id>_<secret>`; `secret_hash` is the SHA-256 of the whole key
    (the secret has 256 random bits, so a fast hash is enough). Revoked keys stay listed.

    pk = APIKEY#<key_id>, sk = APIKEY
    by_parent: gsi1pk = C#<company_id>#APIKEYS, gsi1sk = APIKEY#<created ISO>#<key_id>
    """

    company_id = UnicodeAttribute()
    key_id = UnicodeAttribute()
    name = UnicodeAttribute()
    scope = UnicodeAttribute()  # read | read-write
    secret_hash = UnicodeAttribute()
    created_by = UnicodeAttribute()  # the admin's user id
    created_by_name = UnicodeAttribute()
    created_by_email = UnicodeAttribute()  # the email of the key's principal
    last_used_at = UTCDateTimeAttribute(null=True)  # to the hour: recorded at most hourly
    revoked_at = UTCDateTimeAttribute(null=True)
    revoked_by = UnicodeAttribute(null=True)

    @classmethod
    def key(cls, key_id: str) -> tuple[str, str]:
        return keys.api_key_pk(key_id), keys.API_KEY


class Job(Item, discriminator="Job"):
    """Work too long for one request (a bulk invitation, the company export), run off a queue.

    `status`: queued → running → done | failed. `lease_until` keeps two deliveries of the
    job's message from working at once; `result_key` is the export file in S3.

    pk = C#<company_id>#JOB#<job_id>, sk = JOB
    """

    company_id = UnicodeAttribute()
    job_id = UnicodeAttribute()
    job_type = UnicodeAttribute()  # invite | export
    status = UnicodeAttribute(default="queued")
    created_by = UnicodeAttribute()  # the admin's user id
    created_by_email = UnicodeAttribute()
    interview_id = UnicodeAttribute(null=True)
    total_rows = NumberAttribute(default=0)
    counts = MapAttribute(null=True)  # outcome -> rows, once done
    lease_until = NumberAttribute(default=0)  # epoch seconds
    runs = NumberAttribute(default=0)
    settled_rows = NumberAttribute(default=0)  # progress while running; rows say which
    result_key = UnicodeAttribute(null=True)
    result_bytes = NumberAttribute(null=True)
    error = UnicodeAttribute(null=True)
    updated_at = UTCDateTimeAttribute(default=utcnow)
    finished_at = UTCDateTimeAttribute(null=True)
    # An invite job's deadline picked by the recruiter, and the zone it is shown in.
    deadline = UTCDateTimeAttribute(null=True)
    deadline_time_zone = UnicodeAttribute(null=True)

    @classmethod
    def key(cls, company_id: str, job_id: str) -> tuple[str, str]:
        return keys.job_pk(company_id, job_id), keys.JOB


class JobRow(Item, discriminator="JobRow"):
    """One row of a bulk invitation and what became of it; an item each, so no job outgrows
    DynamoDB's 400 KB and a row settled once is never settled again.

    `outcome`: pending → invited (then `mailed_at`) | duplicate | refused (with `reason`).

    pk = C#<company_id>#JOB#<job_id>, sk = ROW#<row, 6 digits>
    """

    row = NumberAttribute()
    candidate_name = UnicodeAttribute(null=True)
    candidate_email = UnicodeAttribute(null=True)
    time_multiplier = NumberAttribute(default=1)
    outcome = UnicodeAttribute(default="pending")
    reason = UnicodeAttribute(null=True)
    invitation_id = UnicodeAttribute(null=True)
    mailed_at = UTCDateTimeAttribute(null=True)

    @classmethod
    def key(cls, company_id: str, job_id: str, row: int) -> tuple[str, str]:
        return keys.job_pk(company_id, job_id), keys.job_row_sk(row)


ALL_MODELS: tuple[type[Item], ...] = (
    Company,
    Recruiter,
    Interview,
    Invitation,
    Answer,
    EmailClaim,
)


def table_schema() -> dict[str, Any]:
    """Keys, attribute types and indexes as the models declare them; infra checks it matches."""
    schema = Item._get_schema()
    return {
        "key_schema": sorted(schema["key_schema"], key=lambda k: k["KeyType"]),
        "attribute_definitions": sorted(
            schema["attribute_definitions"], key=lambda a: a["AttributeName"]
        ),
        "global_secondary_indexes": {
            index["index_name"]: sorted(index["key_schema"], key=lambda k: k["KeyType"])
            for index in schema["global_secondary_indexes"]
        },
    }
