"""JSON views of the candidate's side: their session, answers, upload grants, the apply page.

The services in `chalicelib.domain.candidates` decide every fact (limits with the
accommodation, attempts left, progress, a cut-short recording, a failed retake, reopened
questions, which questions may be read and their think time); these functions only name
them on the wire and sign the playback links. A question not yet opened goes out without its
text and video.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.adapters import uploads
from chalicelib.data import media_layout
from chalicelib.data.models import Invitation
from chalicelib.domain import accommodations, candidates, invitations


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def upload_grant(grant: uploads.Grant) -> dict[str, Any]:
    """The presigned POSTs for a window of an attempt's chunks: chunk n is POSTed with
    `fields` plus `chunks["n"]` (its key, policy and signature), the file last."""
    return {
        "url": grant.url,
        "fields": grant.fields,
        "chunks": {str(index): fields for index, fields in grant.chunks.items()},
        "first_chunk": grant.first_chunk,
        "end_chunk": grant.end_chunk,
        "max_chunks": grant.max_chunks,
        "key_prefix": grant.key_prefix,
        "chunk_key_template": grant.chunk_key_template,
        "max_chunk_bytes": grant.max_chunk_bytes,
        "max_total_bytes": grant.max_total_bytes,
        "expires_at": grant.expires_at,
    }


def object_grant(grant: uploads.ObjectGrant) -> dict[str, Any]:
    """A presigned POST for one object: `fields` (with the key), then the file last.

    The device check's connection probe, and (through `views`) a company's logo upload.
    """
    return {
        "url": grant.url,
        "fields": grant.fields,
        "max_bytes": grant.max_bytes,
        "expires_at": grant.expires_at,
    }


def attempt_grant(started: candidates.AttemptGrant) -> dict[str, Any]:
    return {"attempt": started.attempt, "upload": upload_grant(started.upload)}


def answer(found: candidates.CandidateAnswer | None) -> dict[str, Any] | None:
    """The candidate's own answer; when ready, with a short-lived link to play it."""
    if found is None:
        return None
    view: dict[str, Any] = {
        "attempt": found.attempt,
        "status": found.status,
        "error_message": found.error_message,
        "text": found.text,
    }
    if found.playback is not None:
        played = found.playback
        view |= {
            "duration_seconds": played.duration_seconds,
            "cut_short": played.cut_short,
            "cut_at_seconds": played.cut_at_seconds,
            "media_url": uploads.playback_url(played.media_key),
            "poster_url": uploads.playback_url(played.poster_key),
        }
    if found.retake_failed is not None:
        view["retake_failed"] = {
            "attempt": found.retake_failed.attempt,
            "error_message": found.retake_failed.error_message,
        }
    return view


def question(item: candidates.SessionQuestion) -> dict[str, Any]:
    """One question as the candidate may see it: its wording only once they opened it."""
    asked = item.question
    think = item.think
    return {
        "question_id": asked.question_id,
        "position": item.position,
        "opened": item.revealed,
        "opened_at": _iso(think.opened_at),
        "text": asked.text if item.revealed else None,
        "answer_type": asked.answer_type,
        "think_seconds": item.think_seconds,
        "max_answer_seconds": item.max_answer_seconds,
        "max_text_length": item.max_text_length,
        "retakes": int(asked.retakes),
        "attempts_used": item.attempts_used,
        "attempts_left": item.attempts_left,
        "video_url": uploads.playback_url(asked.video_key) if item.revealed else None,
        "video_poster_url": (
            uploads.playback_url(media_layout.question_video_poster_key(asked.video_key))
            if item.revealed
            else None
        ),
        "think_deadline": _iso(think.deadline),
        "think_seconds_left": think.seconds_left,
        "missed": item.missed,
        "answer": answer(item.answer),
        "reopened": item.reopened,
    }


def session(found: candidates.Session) -> dict[str, Any]:
    """Everything the recording site needs, from the invitation's snapshot of the interview."""
    invitation = found.invitation
    return {
        "invitation": {
            "candidate_name": invitation.candidate_name,
            "status": invitation.status,
            "deadline": invitation.deadline.isoformat(),
            "consent_at": _iso(invitation.consent_at),
            "completed_at": _iso(invitation.completed_at),
            "time_multiplier": found.time_multiplier,
            "feedback_given": found.feedback_given,
            "reopened_questions": found.reopened_questions,
            "accommodation": accommodation(invitation),
            # Moved on after review: the done page then offers `interview.booking_url`.
            "advanced": invitation.stage == "advanced",
        },
        "company": {
            "name": invitation.company_name,
            "brand_color": invitation.brand_color,
            "logo_url": invitation.logo_url,
        },
        "interview": {
            "title": invitation.title,
            "role_description": invitation.role_description,
            "intro": invitation.intro,
            "outro": invitation.outro,
            "support_contact": invitation.support_contact,
            "booking_url": invitation.booking_url,
        },
        "questions": [question(q) for q in found.questions],
        "progress": {"answered": found.answered, "total": found.total},
        # The language the candidate reads in (the interview's, until they pick another) and
        # the interview's IANA time zone, in which the deadline is stated.
        "language": invitation.language or "en",
        "time_zone": invitation.time_zone or "UTC",
    }


def accommodation(invitation: Invitation) -> dict[str, Any]:
    """Whether the candidate may still ask for an adjustment, and their latest request."""
    asked = invitation.accommodation
    return {
        "may_request": accommodations.may_request(invitation),
        "request": None
        if asked is None
        else {
            "kinds": list(asked.kinds or []),
            "note": asked.note,
            "status": asked.status,
            "requested_at": _iso(asked.requested_at),
            "decided_at": _iso(asked.decided_at),
        },
    }


def consent(consent_at: datetime) -> dict[str, Any]:
    return {"consent_at": consent_at.isoformat()}


def completion(done: candidates.Completion) -> dict[str, Any]:
    return {
        "status": "completed",
        "completed_at": _iso(done.completed_at),
        "outro": done.outro,
        "booking_url": done.booking_url,
    }


def feedback(given: candidates.Feedback) -> dict[str, Any]:
    return {"rating": given.rating, "comment": given.comment}


def branding(invitation: Invitation) -> dict[str, Any]:
    """A candidate page without the session ("your data"): whose brand, in which language."""
    return {
        "company": {
            "name": invitation.company_name,
            "brand_color": invitation.brand_color,
            "logo_url": invitation.logo_url,
        },
        "support_contact": invitation.support_contact,
        "language": invitation.language or "en",
        "time_zone": invitation.time_zone or "UTC",
    }


def language(invitation: Invitation) -> dict[str, Any]:
    return {"language": invitation.language}


def apply_page(found: invitations.ApplyInfo) -> dict[str, Any]:
    """What the public apply page shows before anyone applies: whose interview, for what."""
    owner, item = found.company, found.interview
    return {
        "company": {
            "name": owner.name,
            "brand_color": owner.brand_color,
            "logo_url": owner.logo_url,
        },
        "interview": {"title": item.title, "role_description": item.role_description},
        "language": item.language or "en",
        "open": True,
    }
