"""Audit events in words: "Ana Silva invited Sam Lee to Backend engineer".

The log stores ids (who is a user id, the target a candidate, interview, colleague or
webhook id), so names are looked up when the log is read: one Query for the team and one
BatchGet each for the candidates and interviews a page names. A candidate since deleted
reads "a deleted candidate"; in an interview whose blind review hides names from admins
too, a candidate stays "a candidate". An action this module does not know (a newer one)
still reads as a sentence built from its name, so the log never shows an empty line.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from chalicelib.data import keys
from chalicelib.data.models import AuditEvent, Interview, Invitation, Recruiter
from chalicelib.domain import api_keys

# action -> (what the target is, the sentence). In the sentence, {actor} is who acted,
# {target} the target's name, {detail} a few words from the event's detail.
CANDIDATE, INTERVIEW, MEMBER, WEBHOOK, COMPANY, JOB = (
    "candidate",
    "interview",
    "member",
    "webhook",
    "company",
    "job",
)
API_KEY = "api_key"
SENTENCES: dict[str, tuple[str, str, str]] = {
    # action: (target kind, sentence, label for the action filter)
    "POST /interviews/{interview_id}/invitations": (
        INTERVIEW,
        "{actor} invited {invited} to {target}",
        "Invited candidates",
    ),
    "POST /interviews/{interview_id}/invitation-jobs": (
        INTERVIEW,
        "{actor} started a bulk invitation to {target}",
        "Invited candidates in bulk",
    ),
    "POST /interviews": (COMPANY, "{actor} created an interview", "Created an interview"),
    "PUT /interviews/{interview_id}": (INTERVIEW, "{actor} edited {target}", "Edited an interview"),
    "DELETE /interviews/{interview_id}": (
        INTERVIEW,
        "{actor} deleted the interview {target}",
        "Deleted an interview",
    ),
    "POST /interviews/{interview_id}/archive": (
        INTERVIEW,
        "{actor} archived {target}",
        "Archived an interview",
    ),
    "POST /interviews/{interview_id}/duplicate": (
        INTERVIEW,
        "{actor} duplicated {target}",
        "Duplicated an interview",
    ),
    "PUT /interviews/{interview_id}/apply-link": (
        INTERVIEW,
        "{actor} changed the public apply link of {target}",
        "Changed an apply link",
    ),
    "PUT /interviews/{interview_id}/settings": (
        INTERVIEW,
        "{actor} changed the review settings of {target}",
        "Changed review settings",
    ),
    "PUT /interviews/{interview_id}/follow-up": (
        INTERVIEW,
        "{actor} changed the reminders and booking link of {target}",
        "Changed reminders or booking link",
    ),
    "POST /interviews/{interview_id}/question-videos": (
        INTERVIEW,
        "{actor} started a question video for {target}",
        "Recorded a question video",
    ),
    "POST /interviews/{interview_id}/question-videos/{video_id}/grant": (
        INTERVIEW,
        "{actor} uploaded part of a question video for {target}",
        "Uploaded a question video",
    ),
    "POST /interviews/{interview_id}/question-videos/{video_id}/finalise": (
        INTERVIEW,
        "{actor} finished a question video for {target}",
        "Finished a question video",
    ),
    "DELETE /interviews/{interview_id}/question-videos/{video_id}": (
        INTERVIEW,
        "{actor} deleted a question video of {target}",
        "Deleted a question video",
    ),
    "POST /invitations/{invitation_id}/resend": (
        CANDIDATE,
        "{actor} emailed {target} their link again",
        "Resent a link",
    ),
    "POST /invitations/{invitation_id}/new-link": (
        CANDIDATE,
        "{actor} sent {target} a new link; earlier links stopped working",
        "Sent a new link",
    ),
    "POST /invitations/{invitation_id}/extend": (
        CANDIDATE,
        "{actor} gave {target} more time",
        "Extended a deadline",
    ),
    "POST /invitations/{invitation_id}/revoke": (
        CANDIDATE,
        "{actor} revoked {target}'s link",
        "Revoked a link",
    ),
    "PATCH /invitations/{invitation_id}": (
        CANDIDATE,
        "{actor} changed the time allowed to {target}",
        "Changed a candidate's time",
    ),
    "POST /invitations/{invitation_id}/comments": (
        CANDIDATE,
        "{actor} commented on {target}",
        "Commented",
    ),
    "candidate.viewed": (CANDIDATE, "{actor} watched {target}'s answers", "Watched answers"),
    "review.saved": (CANDIDATE, "{actor} reviewed {target}", "Reviewed a candidate"),
    "candidate.stage_changed": (
        CANDIDATE,
        "{actor} moved {target} to {detail}",
        "Moved a candidate",
    ),
    "share.created": (CANDIDATE, "{actor} shared {target} by link", "Shared a candidate"),
    "share.revoked": (CANDIDATE, "{actor} ended a share link to {target}", "Ended a share link"),
    "candidate.deleted": (
        CANDIDATE,
        "{actor} deleted a candidate and their data{detail}",
        "Deleted a candidate",
    ),
    "candidate.data_downloaded": (
        CANDIDATE,
        "{actor} downloaded their data",
        "Candidate downloaded their data",
    ),
    "candidate.deletion_requested": (
        CANDIDATE,
        "{actor} asked for their data to be deleted",
        "Candidate asked for deletion",
    ),
    "accommodation.requested": (
        CANDIDATE,
        "{actor} asked for an adjustment (more time, audio or a later deadline)",
        "Candidate asked for an adjustment",
    ),
    "accommodation.granted": (
        CANDIDATE,
        "{actor} granted {target}'s adjustment",
        "Granted an adjustment",
    ),
    "accommodation.declined": (
        CANDIDATE,
        "{actor} declined {target}'s adjustment",
        "Declined an adjustment",
    ),
    "invitation.expired": (CANDIDATE, "{target}'s invitation expired", "Invitation expired"),
    "invitation.asked_to_record_again": (
        CANDIDATE,
        "{target} was asked to record an answer again",
        "Asked to record again",
    ),
    "team.invited": (MEMBER, "{actor} invited {target} to the team", "Invited a colleague"),
    "team.removed": (MEMBER, "{actor} removed {target} from the team", "Removed a colleague"),
    "team.role_changed": (
        MEMBER,
        "{actor} made {target} {detail}",
        "Changed a colleague's role",
    ),
    "webhook.created": (WEBHOOK, "{actor} added the webhook {detail}", "Added a webhook"),
    "webhook.secret_rotated": (
        WEBHOOK,
        "{actor} rotated a webhook's signing secret",
        "Rotated a webhook secret",
    ),
    "webhook.events_changed": (
        WEBHOOK,
        "{actor} changed the events a webhook receives to {detail}",
        "Changed a webhook's events",
    ),
    "webhook.deleted": (WEBHOOK, "{actor} deleted a webhook", "Deleted a webhook"),
    "webhook.tested": (WEBHOOK, "{actor} sent a test event to a webhook", "Tested a webhook"),
    "company.retention_set": (
        COMPANY,
        "{actor} set retention to {detail}",
        "Changed retention",
    ),
    "PATCH /company": (COMPANY, "{actor} changed the company's branding", "Changed branding"),
    "POST /company/logo/upload": (COMPANY, "{actor} uploaded a logo image", "Uploaded a logo"),
    "POST /company/logo": (COMPANY, "{actor} changed the company's logo", "Changed the logo"),
    "DELETE /company/logo": (COMPANY, "{actor} removed the company's logo", "Removed the logo"),
    "POST /questions/library": (
        COMPANY,
        "{actor} kept a question in the question library",
        "Kept a library question",
    ),
    "DELETE /questions/library/{entry_id}": (
        COMPANY,
        "{actor} deleted a question from the question library",
        "Deleted a library question",
    ),
    "PUT /company/templates": (
        COMPANY,
        "{actor} changed the decision emails",
        "Changed decision emails",
    ),
    "PUT /company/emails/{kind}/{language}": (
        COMPANY,
        "{actor} reworded the {target} email",
        "Reworded an email",
    ),
    "DELETE /company/emails/{kind}/{language}": (
        COMPANY,
        "{actor} restored the standard {target} email",
        "Restored a standard email",
    ),
    "company.export_requested": (
        JOB,
        "{actor} asked for an export of the company's data",
        "Asked for an export",
    ),
    "company.exported": (
        COMPANY,
        "{actor}'s export of the company's data was written",
        "Export written",
    ),
    "company.export_link_issued": (
        JOB,
        "{actor} was given a download link to the company's data export",
        "Got an export download link",
    ),
    "api_key.created": (API_KEY, "{actor} created {target}", "Created an API key"),
    "api_key.revoked": (API_KEY, "{actor} revoked {target}", "Revoked an API key"),
    "api_key.used": (
        API_KEY,
        "{actor} called the API (recorded at most once an hour)",
        "Used the API",
    ),
}


def action_labels() -> list[tuple[str, str]]:
    """(action, label) for each action the log describes, for the log's action filter."""
    return sorted(((action, entry[2]) for action, entry in SENTENCES.items()), key=lambda a: a[1])


@dataclass
class Names:
    """Who and what a page of events names, looked up once for the whole page."""

    people: dict[str, str] = field(default_factory=dict)
    candidates: dict[str, str] = field(default_factory=dict)
    interviews: dict[str, str] = field(default_factory=dict)


def _invited(event: AuditEvent) -> list[str]:
    detail = event.detail.as_dict() if event.detail is not None else {}
    ids = detail.get("invitations") or []
    return [str(i) for i in ids if isinstance(i, str)]


def people(company_id: str, with_keys: bool) -> dict[str, str]:
    """The team's names by user id, and with `with_keys` the API keys' ("API key <name>")."""
    team = Recruiter.query(
        keys.company_pk(company_id), Recruiter.sk.startswith(keys.RECRUITER_PREFIX)
    )
    found = {member.user_id: member.name for member in team}
    if with_keys:
        found.update(api_keys.names(company_id))  # one Query
    return found


def mentions_keys(events: Iterable[AuditEvent]) -> bool:
    """Do these events name an API key (made, revoked, or acting)?"""
    return any(e.action.startswith("api_key.") or _by_key(e) for e in events)


def look_up(
    company_id: str, events: Iterable[AuditEvent], known_people: dict[str, str] | None = None
) -> Names:
    """The names of the people, candidates and interviews these events mention.

    Every key is built from `company_id` (the reader's company), so an event can only ever
    name this company's records. `known_people`: the team (and keys) already read, for a
    caller describing many pages of one company's events.
    """
    events = list(events)
    names = Names()
    if not events:
        return names
    names.people = (
        known_people if known_people is not None else people(company_id, mentions_keys(events))
    )
    invitation_ids: set[str] = set()
    interview_ids: set[str] = set()
    for event in events:
        kind = SENTENCES.get(event.action, ("", "", ""))[0]
        if kind == CANDIDATE:
            invitation_ids.add(event.target)
        elif kind == INTERVIEW:
            interview_ids.add(event.target)
        invitation_ids.update(_invited(event))
    found = list(
        Invitation.batch_get([Invitation.key(company_id, i) for i in sorted(invitation_ids)])
    )
    interview_ids.update(invitation.interview_id for invitation in found)
    blind: set[str] = set()
    for interview in Interview.batch_get(
        [Interview.key(company_id, i) for i in sorted(interview_ids)]
    ):
        names.interviews[interview.interview_id] = interview.title
        if interview.blind_review and interview.blind_for_admins:
            blind.add(interview.interview_id)
    for invitation in found:
        names.candidates[invitation.invitation_id] = (
            "a candidate" if invitation.interview_id in blind else invitation.candidate_name
        )
    return names


def _by_key(event: AuditEvent) -> bool:
    return event.actor.startswith(api_keys.ACTOR_PREFIX)


def _actor(event: AuditEvent, names: Names) -> str:
    actor = event.actor
    if actor == "system":
        return "Oneway"
    if actor == "candidate":
        return names.candidates.get(event.target, "A deleted candidate")
    if actor.startswith("share:"):
        return "Someone with a share link"
    if actor in names.people:
        return names.people[actor]
    if _by_key(event):  # a key whose name is gone: named by its id
        return f"API key {actor.removeprefix(api_keys.ACTOR_PREFIX)}".strip()
    return "A former team member"


def _target(kind: str, event: AuditEvent, names: Names) -> str:
    target = event.target
    if kind == CANDIDATE:
        return names.candidates.get(target, "a deleted candidate")
    if kind == INTERVIEW:
        return names.interviews.get(target, "a deleted interview")
    if kind == MEMBER:
        return names.people.get(target, "a former team member")
    if kind == API_KEY:
        return names.people.get(api_keys.actor(target), "an API key")
    return target


def _stage(detail: dict[str, Any]) -> str:
    stage = str(detail.get("stage", "another stage"))
    return stage + (" and emailed them" if detail.get("notified") else "")


def _role(detail: dict[str, Any]) -> str:
    role = str(detail.get("role", "member"))
    return f"{'an' if role[:1] in 'aeiou' else 'a'} {role}"


def _deletion_reason(detail: dict[str, Any]) -> str:
    reasons = {"retention": " (retention period over)", "deletion_requested": " (they asked)"}
    return reasons.get(str(detail.get("reason", "")), "")


def _retention(detail: dict[str, Any]) -> str:
    days = detail.get("days")
    return f"{days} day{'s' if days != 1 else ''}" if days is not None else "a new period"


#: How an action's detail reads in its sentence (`{detail}`); other actions have none.
_DETAILS: dict[str, Callable[[dict[str, Any]], str]] = {
    "candidate.stage_changed": _stage,
    "team.role_changed": _role,
    "candidate.deleted": _deletion_reason,
    "company.retention_set": _retention,
    "webhook.created": lambda detail: str(detail.get("url", "")),
    "webhook.events_changed": lambda detail: (
        ", ".join(str(event) for event in detail.get("events") or []) or "none"
    ),
}


def _detail(action: str, detail: dict[str, Any]) -> str:
    words = _DETAILS.get(action)
    return words(detail) if words else ""


def _names_list(people: list[str]) -> str:
    if not people:
        return "candidates"
    if len(people) == 1:
        return people[0]
    if len(people) <= 3:
        return ", ".join(people[:-1]) + " and " + people[-1]
    others = len(people) - 2
    return f"{people[0]}, {people[1]} and {others} others"


def describe(event: AuditEvent, names: Names) -> str:
    """One event as a sentence; an unknown action reads as its name and its target."""
    actor = _actor(event, names)
    entry = SENTENCES.get(event.action)
    detail = event.detail.as_dict() if event.detail is not None else {}
    if entry is None:
        words = event.action.replace("_", " ").replace(".", " ").strip()
        target = names.candidates.get(event.target) or names.interviews.get(event.target)
        subject = target or names.people.get(event.target) or event.target
        return f"{actor}: {words} ({subject})"
    kind, sentence, _ = entry
    invited = [names.candidates.get(i, "a deleted candidate") for i in _invited(event)]
    text = sentence.format(
        actor=actor,
        target=_target(kind, event, names),
        detail=_detail(event.action, detail),
        invited=_names_list(invited),
    )
    return text[0].upper() + text[1:]


def summaries(
    company_id: str, events: list[AuditEvent], known_people: dict[str, str] | None = None
) -> list[str]:
    """A sentence for each event, names looked up once for them all (see `look_up`)."""
    names = look_up(company_id, events, known_people)
    return [describe(event, names) for event in events]
