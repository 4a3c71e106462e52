"""Invitations: one candidate, one interview, one secret link.

The link carries a random 256-bit token in its URL fragment (never sent to servers in
Referer or access logs). The table finds it by its SHA-256 and keeps the token itself only
sealed with KMS (`domain.links`), so a leaked table cannot open anybody's interview.
"Resend" emails the candidate's current link again: every earlier email keeps working.
"Send a new link" (a forwarded or leaked link) replaces it: every earlier link, the first
email's and each reminder's, then says a newer one was emailed, to a masked address.
"""

from __future__ import annotations

import contextlib
import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from pynamodb.exceptions import TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from chalicelib.data import keys
from chalicelib.data.models import (
    Company,
    EmailClaim,
    Interview,
    Invitation,
    LinkToken,
    new_id,
    utcnow,
)
from chalicelib.data.repositories import invitations as invitation_repository
from chalicelib.data.transactions import transact_write
from chalicelib.domain import candidate_mail, locales, rate_limits, reminders, webhooks
from chalicelib.domain import invitation_lifecycle as lifecycle
from chalicelib.domain.errors import (
    Conflict,
    Gone,
    InvalidInput,
    LinkReplaced,
    NotFound,
    Unauthenticated,
)
from chalicelib.domain.identity import get_company
from chalicelib.domain.interviews import (
    claim_apply_slot,
    find_by_apply_code,
    get_interview,
    release_apply_slot,
)
from chalicelib.domain.links import (
    current_token,
    hash_token,
    mask_email,
    new_token,
    seal_token,
)
from chalicelib.observability import logger, metrics

INVALID_LINK = "This interview link is not valid. Check the link in your email."


def _normal_email(address: str) -> str:
    return address.strip().lower()


def create_invitation(
    company: Company,
    interview: Interview,
    candidate_name: str,
    candidate_email: str,
    *,
    time_multiplier: float = 1.0,
    source: str = "invite",
    also: Callable[[TransactWrite, Invitation], None] | None = None,
    deadline: locales.Deadline | None = None,
    language: str | None = None,
) -> tuple[Invitation, str]:
    """Store an invitation with a snapshot of the interview; returns it and its link token.

    The email claim is written in the same transaction, so inviting the same address to the
    same interview twice is refused (409) however the two requests interleave. `also` adds
    the caller's own writes to that transaction (a bulk job's row records its outcome).
    """
    if interview.status != "active":
        raise Conflict("This interview is archived and takes no new invitations.")
    invitation, claim, token = build_invitation(
        company,
        interview,
        candidate_name,
        candidate_email,
        time_multiplier=time_multiplier,
        source=source,
        deadline=deadline,
        language=language,
    )
    try:
        with transact_write() as transaction:
            transaction.save(claim, condition=EmailClaim.pk.does_not_exist())
            transaction.save(invitation, condition=Invitation.pk.does_not_exist())
            transaction.update(
                Interview(*Interview.key(company.company_id, interview.interview_id)),
                actions=[Interview.count_invited.add(1)],
                condition=Interview.status == "active",
            )
            if also is not None:
                also(transaction, invitation)
    except TransactWriteError as error:
        if error.cause_response_code == "TransactionCanceledException":
            raise Conflict(
                f"{invitation.candidate_email} is already invited to this interview."
            ) from None
        raise
    metrics.add_metric(name="InvitationsCreated", unit="Count", value=1)
    webhooks.emit(company.company_id, "invitation.created", webhooks.invitation_data(invitation))
    return invitation, token


def build_invitation(
    company: Company,
    interview: Interview,
    candidate_name: str,
    candidate_email: str,
    *,
    time_multiplier: float = 1.0,
    source: str = "invite",
    deadline: locales.Deadline | None = None,
    language: str | None = None,
) -> tuple[Invitation, EmailClaim, str]:
    """The items a new invitation writes (invitation, email claim) and its link token.

    `deadline`: the one the recruiter picked (and the zone it is shown in), else the
    interview's number of days from now. `language`: the one an applicant read the apply page
    in, else the interview's. `create_invitation` writes them in one
    transaction; bulk loaders (the API bench) write the very same items in batches.
    """
    token = new_token()
    invitation_id = new_id()
    address = _normal_email(candidate_email)
    pk, sk = Invitation.key(company.company_id, invitation_id)
    invitation = Invitation(
        pk,
        sk,
        company_id=company.company_id,
        interview_id=interview.interview_id,
        invitation_id=invitation_id,
        candidate_name=candidate_name.strip(),
        candidate_email=address,
        source=source,
        questions=list(interview.questions),
        rubric=list(interview.rubric),
        company_name=company.name,
        brand_color=company.brand_color,
        logo_url=company.logo_url,
        title=interview.title,
        role_description=interview.role_description,
        intro=interview.intro,
        outro=interview.outro,
        support_contact=interview.support_contact,
        deadline=deadline.at
        if deadline
        else utcnow() + timedelta(days=int(interview.deadline_days)),
        time_zone=(deadline.time_zone if deadline else None)
        or interview.time_zone
        or locales.DEFAULT_TIME_ZONE,
        language=language or interview.language or locales.DEFAULT_LANGUAGE,
        time_multiplier=time_multiplier,
        attempts_used={q.question_id: 0 for q in interview.questions},
        attempt_seq={q.question_id: 0 for q in interview.questions},
        token_hash=hash_token(token),
        sealed_token=seal_token(company.company_id, invitation_id, token),
        gsi1pk=Invitation.parent_key(company.company_id, interview.interview_id),
        gsi1sk=keys.invitation_child_sk(invitation_id),
    )
    reminders.schedule(invitation, interview.reminder_hours, utcnow())
    if interview.booking_url:
        invitation.booking_url = interview.booking_url
    claim_pk, claim_sk = EmailClaim.key(company.company_id, interview.interview_id, address)
    claim = EmailClaim(
        claim_pk, claim_sk, company_id=company.company_id, invitation_id=invitation_id
    )
    return invitation, claim, token


def send_invitation_email(invitation: Invitation, token: str) -> None:
    """Send the personal link and record when it went out."""
    candidate_mail.send_invitation(invitation, token)
    # Conditional: a candidate purged meanwhile must not come back as a stray item.
    with contextlib.suppress(UpdateError):
        invitation.update(
            actions=[Invitation.email_sent_at.set(utcnow())],
            condition=Invitation.invitation_id.exists(),
        )


@dataclass(frozen=True)
class InvitedRow:
    """A row that became an invitation, its link emailed."""

    row: int
    email: str
    invitation_id: str


@dataclass(frozen=True)
class DuplicateRow:
    """A row left out because its address is repeated or already invited."""

    row: int
    email: str
    reason: str


@dataclass(frozen=True)
class RefusedRow:
    """A row that is not a valid candidate, and why."""

    row: int
    reason: str | None


@dataclass
class InviteReport:
    """What happened to each row of an invite request, in the recruiter's row numbers.

    `pending` counts rows a bulk job has not reached yet (always 0 for a direct invite).
    """

    invited: list[InvitedRow] = field(default_factory=list)
    duplicates: list[DuplicateRow] = field(default_factory=list)
    errors: list[RefusedRow] = field(default_factory=list)
    pending: int = 0

    def counts(self) -> dict[str, int]:
        """How many rows ended each way."""
        return {
            "invited": len(self.invited),
            "duplicates": len(self.duplicates),
            "errors": len(self.errors),
        }


# A direct invite answers within the request: at worst ~0.2 s a row, so 25 rows stay far
# inside API Gateway's 29 s. Longer lists and CSV files go to a bulk job (`domain.jobs`).
DIRECT_INVITE_LIMIT = 25
REPEATED = "repeated in this list"
ALREADY_INVITED = "already invited to this interview"


def parse_csv(text: str) -> list[dict[str, Any]]:
    """`name,email` rows (header optional) → candidate dicts with their 1-based row numbers."""
    rows = []
    for number, row in enumerate(csv.reader(io.StringIO(text.strip().lstrip("\ufeff"))), 1):
        if not any(cell.strip() for cell in row):
            continue
        if number == 1 and [c.strip().lower() for c in row[:2]] == ["name", "email"]:
            continue
        rows.append({"row": number, "cells": row})
    return rows


# Checks one candidate row: the clean row (name, email, time_multiplier), or what is wrong.
RowCheck = Callable[[dict[str, Any]], tuple[dict[str, Any] | None, str | None]]


@dataclass(frozen=True)
class SortedRow:
    """A row checked before anyone is invited: `candidate` to invite, or why it is left out."""

    row: int
    candidate: dict[str, Any] | None
    refused: str | None = None  # not a valid candidate
    repeated: bool = False  # its address came earlier in the same request


def sort_rows(
    candidates: list[dict[str, Any]],
    csv_text: str | None,
    check_row: RowCheck,
    limit: int,
) -> list[SortedRow]:
    """Check every row of a list and/or CSV and mark repeats, refusing more than `limit` rows.

    `check_row` is the HTTP layer's schema check (`CandidateIn`), so the rows of a list and
    of a CSV are held to the same rule as a single invitation.
    """
    checked: list[tuple[int, dict[str, Any] | None, str | None]] = []
    for number, data in enumerate(candidates, 1):
        checked.append((number, *check_row(data)))
    if csv_text:
        for parsed in parse_csv(csv_text):
            cells = [c.strip() for c in parsed["cells"]]
            if len(cells) != 2:
                checked.append((parsed["row"], None, "expected two columns: name,email"))
                continue
            checked.append((parsed["row"], *check_row({"name": cells[0], "email": cells[1]})))
    if len(checked) > limit:
        raise InvalidInput(
            f"At most {limit} candidates per request; this one has {len(checked)}.",
            details=[{"field": "candidates", "problem": "too_many", "message": str(len(checked))}],
        )
    rows: list[SortedRow] = []
    seen: set[str] = set()
    for number, valid, problem in checked:
        if valid is None:
            rows.append(SortedRow(number, None, refused=problem or "not a valid candidate"))
            continue
        candidate = {**valid, "email": _normal_email(valid["email"])}
        rows.append(SortedRow(number, candidate, repeated=candidate["email"] in seen))
        seen.add(candidate["email"])
    return rows


def invite_to(
    company_id: str,
    interview_id: str,
    candidates: list[dict[str, Any]],
    csv_text: str | None,
    check_row: RowCheck,
    *,
    deadline: locales.DeadlineChoice | None = None,
) -> InviteReport:
    """Invite a few candidates to one of the company's interviews (404 for anybody else's)."""
    interview = get_interview(company_id, interview_id)
    return invite_many(
        get_company(company_id), interview, candidates, csv_text, check_row, choice=deadline
    )


def deadline_for(interview: Interview, choice: locales.DeadlineChoice | None) -> locales.Deadline:
    """The deadline invitations sent now get: 422 naming the field for a past or far date."""
    choice = choice or locales.DeadlineChoice()
    zone = interview.time_zone or locales.DEFAULT_TIME_ZONE
    at = choice.resolve(int(interview.deadline_days), zone, utcnow())
    return locales.Deadline(at=at, time_zone=choice.zone_for(zone))


def invite_many(
    company: Company,
    interview: Interview,
    candidates: list[dict[str, Any]],
    csv_text: str | None,
    check_row: RowCheck,
    *,
    choice: locales.DeadlineChoice | None = None,
) -> InviteReport:
    """Invite each valid row within the request; report invalid and repeated rows.

    Bounded by `DIRECT_INVITE_LIMIT` so the request ends well before API Gateway's 29 s;
    a bulk job (`jobs.start_invite`) takes up to `max_invites_per_request` rows.
    """
    rows = sort_rows(candidates, csv_text, check_row, DIRECT_INVITE_LIMIT)
    if interview.status != "active":
        raise Conflict("This interview is archived and takes no new invitations.")
    deadline = deadline_for(interview, choice)

    report = InviteReport()
    with webhooks.one_read_of_endpoints():
        for row in rows:
            if row.candidate is None:
                report.errors.append(RefusedRow(row.row, row.refused))
                continue
            address = row.candidate["email"]
            if row.repeated:
                report.duplicates.append(DuplicateRow(row.row, address, REPEATED))
                continue
            try:
                invitation, token = create_invitation(
                    company,
                    interview,
                    row.candidate["name"],
                    address,
                    time_multiplier=row.candidate["time_multiplier"],
                    deadline=deadline,
                )
            except Conflict:
                report.duplicates.append(DuplicateRow(row.row, address, ALREADY_INVITED))
                continue
            send_invitation_email(invitation, token)
            report.invited.append(InvitedRow(row.row, address, invitation.invitation_id))
    logger.info(
        "invitations sent",
        extra={"interview_id": interview.interview_id, **report.counts()},
    )
    return report


def get_invitation(company_id: str, invitation_id: str) -> Invitation:
    invitation = invitation_repository.get(company_id, invitation_id)
    if invitation is None:
        raise NotFound("Invitation not found.")
    return invitation


def list_invitations(
    company_id: str,
    interview_id: str,
    limit: int = 100,
    cursor: str | None = None,
    filter_condition: Any = None,
) -> tuple[list[Invitation], str | None]:
    """One page of an interview's invitations, newest first: a single Query on `by_parent`.

    With `filter_condition`, DynamoDB filters the page, so it may hold fewer than `limit`
    rows; the cursor (opaque, 400 if tampered with) still moves on.
    """
    return invitation_repository.page_by_interview(
        company_id,
        interview_id,
        limit=limit,
        page_cursor=cursor,
        filter_condition=filter_condition,
    )


def page_for_interview(
    company_id: str, interview_id: str, limit: int, cursor: str | None
) -> tuple[list[Invitation], str | None]:
    """One page of the invitations of one of the company's interviews (404 for any other)."""
    get_interview(company_id, interview_id)
    return list_invitations(company_id, interview_id, limit=limit, cursor=cursor)


def resend(company_id: str, invitation_id: str) -> Invitation:
    """Email the candidate's current link again; every earlier email's link keeps working."""
    invitation = get_invitation(company_id, invitation_id)
    lifecycle.ensure_changeable(invitation)
    send_invitation_email(invitation, current_token(invitation))
    return invitation


def new_link(company_id: str, invitation_id: str) -> Invitation:
    """Replace the link (one forwarded or leaked) and email the new one.

    Every earlier link, the first email's, each reminder's and each Resend's, then answers
    `link_replaced`: the current one is kept as a `LinkToken` issued when it was, and
    `links_replaced_at` marks every link issued before now as stale, so an old email's link
    says a newer one was sent (to a masked address) rather than that it never existed.
    """
    invitation = get_invitation(company_id, invitation_id)
    lifecycle.ensure_changeable(invitation)
    now = utcnow()
    token = new_token()
    sealed = seal_token(company_id, invitation_id, token)
    replaced = LinkToken(
        *LinkToken.key(company_id, invitation_id, new_id()),
        company_id=company_id,
        invitation_id=invitation_id,
        token_hash=invitation.token_hash,
        created_at=invitation.links_replaced_at or invitation.created_at,
    )
    try:
        with transact_write() as transaction:
            transaction.save(replaced, condition=LinkToken.pk.does_not_exist())
            transaction.update(
                invitation,
                actions=[
                    Invitation.token_hash.set(hash_token(token)),
                    Invitation.sealed_token.set(sealed),
                    Invitation.links_replaced_at.set(now),
                ],
                # Never writes a stray item: the candidate may be purged meanwhile.
                condition=Invitation.invitation_id.exists()
                & (Invitation.token_hash == invitation.token_hash),
            )
    except TransactWriteError as error:
        if error.cause_response_code == "TransactionCanceledException":
            get_invitation(company_id, invitation_id)  # 404 once the candidate is deleted
            raise Conflict(
                "A new link was sent a moment ago. Check before sending another."
            ) from None
        raise
    invitation.token_hash, invitation.sealed_token = hash_token(token), sealed
    invitation.links_replaced_at = now
    send_invitation_email(invitation, token)
    logger.info("link replaced", extra={"invitation_id": invitation_id})
    return invitation


def extend(company_id: str, invitation_id: str, choice: locales.DeadlineChoice | int) -> Invitation:
    """Move the deadline to a date (in the invitation's zone unless another is given), or
    `days` after the later of now and the current deadline."""
    invitation = get_invitation(company_id, invitation_id)
    if isinstance(choice, int):
        choice = locales.DeadlineChoice(days=choice)
    now = utcnow()
    if choice.day is None:
        return lifecycle.extend(invitation, int(choice.days or 0), now)
    zone = invitation.time_zone or locales.DEFAULT_TIME_ZONE
    deadline = choice.resolve(0, zone, now)
    if deadline <= invitation.deadline:
        raise InvalidInput(
            "Pick a date after the current deadline.",
            details=[
                {
                    "field": "deadline_date",
                    "problem": "not_later",
                    "message": invitation.deadline.isoformat(),
                }
            ],
        )
    return lifecycle.extend_to(invitation, deadline, now)


def revoke(company_id: str, invitation_id: str) -> Invitation:
    return lifecycle.revoke(get_invitation(company_id, invitation_id), utcnow())


def set_time_multiplier(company_id: str, invitation_id: str, multiplier: float) -> Invitation:
    """Extra time as an accommodation: think and answer limits are multiplied."""
    invitation = get_invitation(company_id, invitation_id)
    lifecycle.ensure_changeable(invitation)
    try:
        invitation.update(
            actions=[Invitation.time_multiplier.set(multiplier)],
            condition=Invitation.invitation_id.exists(),
        )
    except UpdateError:
        raise NotFound("Invitation not found.") from None
    return invitation


def find_by_token(token: str) -> Invitation:
    """The one invitation a candidate token opens; 401 for unknown, 410 once withdrawn."""
    if not token or len(token) > 200:
        raise Unauthenticated(INVALID_LINK)
    # A reminder's further link opens the same invitation as the first one, until replaced.
    invitation, issued_at = invitation_repository.find_link_by_token_hash(hash_token(token))
    if invitation is None:
        raise Unauthenticated(INVALID_LINK)
    replaced_at = invitation.links_replaced_at
    if issued_at is not None and replaced_at is not None and issued_at < replaced_at:
        raise link_replaced(invitation, replaced_at)
    if invitation.revoked or invitation.status == "revoked":
        contact = (
            f" Contact {invitation.support_contact} if unsure."
            if invitation.support_contact
            else ""
        )
        raise Gone("This interview link has been withdrawn." + contact)
    return invitation


def link_replaced(invitation: Invitation, replaced_at: datetime) -> LinkReplaced:
    """The answer to a link from before "Send a new link": where and when the newer one went.

    `details[0]` carries `masked_email` and `sent_at` (ISO 8601, UTC) for the candidate site
    to say it in the candidate's language; the message says it in English.
    """
    masked = mask_email(invitation.candidate_email)
    return LinkReplaced(
        f"A newer link to this interview was emailed to {masked} on "
        f"{replaced_at.strftime('%d %B %Y')}. Please open the link in the most recent "
        f"email from {invitation.company_name}.",
        details=[
            {
                "field": "token",
                "problem": "link_replaced",
                "message": "A newer link was emailed.",
                "masked_email": masked,
                "sent_at": replaced_at.isoformat(),
                "company_name": invitation.company_name,
                "language": invitation.language or locales.DEFAULT_LANGUAGE,
            }
        ],
    )


@dataclass(frozen=True)
class ApplyInfo:
    """An interview open to applications through its public link, and whose it is."""

    interview: Interview
    company: Company


def apply_info(code: str) -> ApplyInfo:
    """What the public apply page shows; 404 or 410 when the link is unknown or closed."""
    interview = find_by_apply_code(code)
    return ApplyInfo(interview, get_company(interview.company_id))


# The public apply link: per client address and per interview, counted before anything else.
APPLY_PER_ADDRESS = rate_limits.Limit(
    "apply-address",
    10,
    3600,
    "Too many applications from your network in the last hour. Please try again later.",
)
APPLY_PER_INTERVIEW = rate_limits.Limit(
    "apply-interview",
    60,
    600,
    "This interview is receiving many applications right now. Please try again in a few minutes.",
)
# Applying again with an address already invited emails their link again at most this often.
REPEAT_LINK_AFTER = timedelta(hours=24)


def apply(
    code: str, name: str, address: str, source_ip: str = "", language: str | None = None
) -> None:
    """A candidate applying through the public link gets their own invitation by email.

    Rate-limited per client address and per interview (429, nothing sent). Applying again
    with an address already invited takes no place under the cap and is answered the same
    way (no address probing); if their link was last emailed more than `REPEAT_LINK_AFTER`
    ago, it is emailed again (the same link), as someone who lost the email expects.
    `language` is the one the apply page was read in: their emails and pages speak it.
    """
    rate_limits.take(APPLY_PER_ADDRESS, rate_limits.subject_of_address(source_ip or "unknown"))
    found = apply_info(code)
    interview = found.interview
    rate_limits.take(APPLY_PER_INTERVIEW, interview.interview_id)
    existing = _invited_by_address(interview, address)
    if existing is not None:
        _repeat_application(existing)
        return
    claim_apply_slot(interview)
    try:
        invitation, token = create_invitation(
            found.company, interview, name, address, source="apply", language=language
        )
    except Conflict:
        # Invited meanwhile (two submissions at once): give the place back, send nothing.
        release_apply_slot(interview)
        logger.info("repeat application", extra={"interview_id": interview.interview_id})
        return
    send_invitation_email(invitation, token)


def _invited_by_address(interview: Interview, address: str) -> Invitation | None:
    claim_key = EmailClaim.key(interview.company_id, interview.interview_id, _normal_email(address))
    try:
        claim = EmailClaim.get(*claim_key)
    except EmailClaim.DoesNotExist:
        return None
    return invitation_repository.get(interview.company_id, claim.invitation_id)


def _repeat_application(invitation: Invitation) -> None:
    """Someone applies again with an address already invited: their link again, at most daily."""
    logger.info("repeat application", extra={"interview_id": invitation.interview_id})
    last = invitation.email_sent_at or invitation.created_at
    if utcnow() - last < REPEAT_LINK_AFTER:
        return
    try:
        resend(invitation.company_id, invitation.invitation_id)
    except Conflict:
        return  # finished or revoked: nothing to send
