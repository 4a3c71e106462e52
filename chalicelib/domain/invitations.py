"""Invitations: one candidate, one interview, one secret link.

The link carries a random 256-bit token in its URL fragment (never sent to servers in
Referer or access logs); only its SHA-256 is stored, so a leaked table cannot open anybody's
interview. Because the token itself is never stored, "resend" issues a fresh link and the old
one stops working.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from pynamodb.exceptions import TransactWriteError

from chalicelib.adapters import email
from chalicelib.config import get_settings
from chalicelib.data import keys
from chalicelib.data.models import (
    Company,
    EmailClaim,
    Interview,
    Invitation,
    new_id,
    utcnow,
)
from chalicelib.data.repositories import invitations as invitation_repository
from chalicelib.data.transactions import transact_write
from chalicelib.domain import invitation_lifecycle as lifecycle
from chalicelib.domain import reminders, webhooks
from chalicelib.domain.errors import Conflict, Gone, InvalidInput, NotFound, Unauthenticated
from chalicelib.domain.identity import get_company
from chalicelib.domain.interviews import claim_apply_slot, find_by_apply_code, get_interview
from chalicelib.domain.links import candidate_link, hash_token, new_token, privacy_link
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
) -> tuple[Invitation, str]:
    """Store an invitation with a snapshot of the interview; returns it and its link token.

    The email claim is written in the same transaction, so inviting the same address to the
    same interview twice is refused (409) however the two requests interleave.
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
) -> tuple[Invitation, EmailClaim, str]:
    """The items a new invitation writes (invitation, email claim) and its link token; no I/O.

    `create_invitation` writes them in one transaction; bulk loaders (the API bench) write
    the very same items in batches.
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
        company_name=company.name,
        brand_color=company.brand_color,
        logo_url=company.logo_url,
        title=interview.title,
        role_description=interview.role_description,
        intro=interview.intro,
        outro=interview.outro,
        support_contact=interview.support_contact,
        deadline=utcnow() + timedelta(days=int(interview.deadline_days)),
        time_multiplier=time_multiplier,
        attempts_used={q.question_id: 0 for q in interview.questions},
        attempt_seq={q.question_id: 0 for q in interview.questions},
        token_hash=hash_token(token),
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
    message = email.render(
        "invitation",
        to=invitation.candidate_email,
        candidate_name=invitation.candidate_name,
        company_name=invitation.company_name,
        title=invitation.title,
        deadline=invitation.deadline.strftime("%A %d %B %Y, %H:%M UTC"),
        link=candidate_link(token),
        support_contact=invitation.support_contact,
        privacy_link=privacy_link(token),
    )
    email.send(message, reply_to=invitation.support_contact)
    invitation.update(actions=[Invitation.email_sent_at.set(utcnow())])


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
    """What happened to each row of an invite request, in the recruiter's row numbers."""

    invited: list[InvitedRow] = field(default_factory=list)
    duplicates: list[DuplicateRow] = field(default_factory=list)
    errors: list[RefusedRow] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """How many rows ended each way."""
        return {
            "invited": len(self.invited),
            "duplicates": len(self.duplicates),
            "errors": len(self.errors),
        }


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


def invite_to(
    company_id: str,
    interview_id: str,
    candidates: list[dict[str, Any]],
    csv_text: str | None,
    check_row: RowCheck,
) -> InviteReport:
    """Invite candidates to one of the company's interviews (404 for anybody else's)."""
    interview = get_interview(company_id, interview_id)
    return invite_many(get_company(company_id), interview, candidates, csv_text, check_row)


def invite_many(
    company: Company,
    interview: Interview,
    candidates: list[dict[str, Any]],
    csv_text: str | None,
    check_row: RowCheck,
) -> InviteReport:
    """Invite each valid row; report invalid and repeated rows without stopping the rest.

    `check_row` is the HTTP layer's schema check (`InviteIn.check_candidate`), so the rows
    of a list and of a CSV are held to the same rule as a single invitation.
    """
    settings = get_settings()
    rows: list[tuple[int, dict[str, Any] | None, str | None]] = []
    for number, data in enumerate(candidates, 1):
        rows.append((number, *check_row(data)))
    if csv_text:
        for parsed in parse_csv(csv_text):
            cells = [c.strip() for c in parsed["cells"]]
            if len(cells) != 2:
                rows.append((parsed["row"], None, "expected two columns: name,email"))
                continue
            rows.append((parsed["row"], *check_row({"name": cells[0], "email": cells[1]})))
    if len(rows) > settings.max_invites_per_request:
        raise InvalidInput(
            f"At most {settings.max_invites_per_request} candidates per request; "
            f"this one has {len(rows)}.",
            details=[{"field": "candidates", "problem": "too_many", "message": str(len(rows))}],
        )
    if interview.status != "active":
        raise Conflict("This interview is archived and takes no new invitations.")

    report = InviteReport()
    seen: set[str] = set()
    with webhooks.one_read_of_endpoints():
        for number, candidate, problem in rows:
            if candidate is None:
                report.errors.append(RefusedRow(number, problem))
                continue
            address = _normal_email(candidate["email"])
            if address in seen:
                report.duplicates.append(DuplicateRow(number, address, "repeated in this list"))
                continue
            seen.add(address)
            try:
                invitation, token = create_invitation(
                    company,
                    interview,
                    candidate["name"],
                    address,
                    time_multiplier=candidate["time_multiplier"],
                )
            except Conflict:
                report.duplicates.append(
                    DuplicateRow(number, address, "already invited to this interview")
                )
                continue
            send_invitation_email(invitation, token)
            report.invited.append(InvitedRow(number, address, invitation.invitation_id))
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
    """Email a fresh link; the previous link stops working (only hashes are stored)."""
    invitation = get_invitation(company_id, invitation_id)
    lifecycle.ensure_changeable(invitation)
    token = new_token()
    invitation.update(actions=[Invitation.token_hash.set(hash_token(token))])
    send_invitation_email(invitation, token)
    return invitation


def extend(company_id: str, invitation_id: str, days: int) -> Invitation:
    """Move the deadline `days` after the later of now and the current deadline."""
    return lifecycle.extend(get_invitation(company_id, invitation_id), days, utcnow())


def revoke(company_id: str, invitation_id: str) -> Invitation:
    return lifecycle.revoke(get_invitation(company_id, invitation_id), utcnow())


def set_time_multiplier(company_id: str, invitation_id: str, multiplier: float) -> Invitation:
    """Extra time as an accommodation: think and answer limits are multiplied."""
    invitation = get_invitation(company_id, invitation_id)
    lifecycle.ensure_changeable(invitation)
    invitation.update(actions=[Invitation.time_multiplier.set(multiplier)])
    return invitation


def find_by_token(token: str) -> Invitation:
    """The one invitation a candidate token opens; 401 for unknown, 410 once withdrawn."""
    if not token or len(token) > 200:
        raise Unauthenticated(INVALID_LINK)
    # A reminder's further link opens the same invitation as the first one.
    invitation = invitation_repository.find_by_token_hash(hash_token(token))
    if invitation is None:
        raise Unauthenticated(INVALID_LINK)
    if invitation.revoked or invitation.status == "revoked":
        contact = (
            f" Contact {invitation.support_contact} if unsure."
            if invitation.support_contact
            else ""
        )
        raise Gone("This interview link has been withdrawn." + contact)
    return invitation


@dataclass(frozen=True)
class ApplyInfo:
    """An interview open to applications through its public link, and whose it is."""

    interview: Interview
    company: Company


def apply_info(code: str) -> ApplyInfo:
    """What the public apply page shows; 404 or 410 when the link is unknown or closed."""
    interview = find_by_apply_code(code)
    return ApplyInfo(interview, get_company(interview.company_id))


def apply(code: str, name: str, address: str) -> None:
    """A candidate applying through the public link gets their own invitation by email."""
    found = apply_info(code)
    interview = found.interview
    claim_apply_slot(interview)
    try:
        invitation, token = create_invitation(
            found.company, interview, name, address, source="apply"
        )
    except Conflict:
        # Already invited: say nothing more (no address probing), resend nothing.
        logger.info("repeat application", extra={"interview_id": interview.interview_id})
        return
    send_invitation_email(invitation, token)
