"""JSON views: how the API shows the domain's models to its clients.

Services return models (or dataclasses); the routes turn them into these documents, so a
field's name or shape on the wire is decided here and nowhere in the domain.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from chalicelib.adapters import captions, email, uploads
from chalicelib.api.candidate_views import object_grant, upload_grant
from chalicelib.config import get_settings
from chalicelib.data import media_layout
from chalicelib.data.models import (
    Answer,
    ApiKey,
    AuditEvent,
    Comment,
    Company,
    Interview,
    Invitation,
    LibraryQuestion,
    QuestionVideo,
    Recruiter,
    Review,
    ShareLink,
    Webhook,
    WebhookDelivery,
)
from chalicelib.data.repositories import CandidateItems
from chalicelib.domain import (
    activity,
    analytics,
    api_keys,
    audit,
    audit_words,
    candidate_mail,
    candidates,
    decisions,
    identity,
    interviews,
    invitations,
    jobs,
    logos,
    privacy,
    question_videos,
    reminders,
    retention,
    review,
    shares,
)

# --- identity -------------------------------------------------------------------------------


def company(item: Company) -> dict[str, Any]:
    return {
        "company_id": item.company_id,
        "name": item.name,
        "brand_color": item.brand_color,
        "logo_url": item.logo_url,
        "retention_days": item.retention_days,
    }


def logo_upload(started: logos.LogoUpload) -> dict[str, Any]:
    """Where the browser POSTs the logo (form fields include the key), then finalises it."""
    return {"logo_id": started.logo_id, **object_grant(started.grant)}


def recruiter(item: Recruiter) -> dict[str, Any]:
    return {"user_id": item.user_id, "email": item.email, "name": item.name, "role": item.role}


def tokens(item: identity.Tokens) -> dict[str, Any]:
    """Cognito's tokens for the console; the ID token is the bearer token of every call."""
    return {
        "id_token": item.id_token,
        "access_token": item.access_token,
        "refresh_token": item.refresh_token,
        "expires_in": item.expires_in,
    }


def signed_up(found: identity.SignedUp) -> dict[str, Any]:
    return {
        "company": company(found.company),
        "recruiter": recruiter(found.recruiter),
        "tokens": tokens(found.tokens),
    }


def profile(found: identity.Profile) -> dict[str, Any]:
    """Who is signed in, and their company."""
    return {"recruiter": recruiter(found.recruiter), "company": company(found.company)}


def month_usage(item: activity.MonthUsage) -> dict[str, Any]:
    """One month's use and its estimated AWS cost in USD, by component."""
    return {
        "month": item.month,
        "completed_interviews": item.completed_interviews,
        "recorded_minutes": item.recorded_minutes,
        "stored_gb": item.stored_gb,
        "deleted_gb": item.deleted_gb,
        "stored_gb_months": round(item.stored_gb_months, 4),
        "worker_seconds": item.worker_seconds,
        "media_processed": item.worker_runs,  # answers and question videos
        "emails": item.emails,
        "estimated_cost_usd": round(item.estimate.total_usd, 6),
        "cost_breakdown_usd": {name: round(usd, 8) for name, usd in item.estimate.lines},
    }


def usage_report(report: activity.UsageReport) -> dict[str, Any]:
    """Months newest first, what is stored now, and which prices the dollars come from."""
    prices = report.prices
    return {
        "months": [month_usage(m) for m in report.months],
        "stored_now_bytes": report.stored_now_bytes,
        "stored_now_gb": round(report.stored_now_bytes / 1024**3, 3),
        "currency": "USD",
        "region": report.region,
        "price_region": prices.region,
        "price_region_fallback": report.price_fallback,
        "price_list_date": prices.as_of.isoformat(),
        "price_sources": list(prices.sources),
        "worker_architecture": report.arch,
    }


# --- interviews -----------------------------------------------------------------------------


def interview(item: Interview) -> dict[str, Any]:
    """An interview as its recruiters edit it: questions, rubric, funnel counts, apply link."""
    return {
        "interview_id": item.interview_id,
        "title": item.title,
        "role_description": item.role_description,
        "intro": item.intro,
        "outro": item.outro,
        "support_contact": item.support_contact,
        "questions": [
            {
                "question_id": q.question_id,
                "text": q.text,
                "answer_type": q.answer_type,
                "think_seconds": int(q.think_seconds),
                "max_answer_seconds": int(q.max_answer_seconds),
                "retakes": int(q.retakes),
                "video_key": q.video_key,
                "video_url": uploads.playback_url(q.video_key),
                "video_poster_url": uploads.playback_url(
                    media_layout.question_video_poster_key(q.video_key)
                ),
            }
            for q in item.questions
        ],
        "rubric": [
            {"criterion_id": c.criterion_id, "name": c.name, "anchors": list(c.anchors)}
            for c in item.rubric
        ],
        "deadline_days": int(item.deadline_days),
        "language": item.language or "en",
        "time_zone": item.time_zone or "UTC",
        "status": item.status,
        "blind_review": bool(item.blind_review),
        "hide_names_from_admins": bool(item.blind_for_admins),
        "reminder_hours": reminders.hours_of(item),
        "booking_url": item.booking_url,
        "counts": {name: int(getattr(item, f"count_{name}") or 0) for name in activity.COUNTERS},
        "created_at": item.created_at.isoformat(),
        "updated_at": item.updated_at.isoformat(),
        "apply": {
            "enabled": bool(item.apply_enabled),
            "cap": int(item.apply_cap),
            "count": int(item.apply_count),
            "url": interviews.apply_link(item),
        },
    }


def library_question(item: LibraryQuestion) -> dict[str, Any]:
    """A question of the company's library, as the editor's picker and the library list show it."""
    return {
        "entry_id": item.entry_id,
        "text": item.text,
        "answer_type": item.answer_type,
        "think_seconds": int(item.think_seconds),
        "max_answer_seconds": int(item.max_answer_seconds),
        "retakes": int(item.retakes),
        "has_video": bool(item.video_key),
        "video_url": uploads.playback_url(item.video_key),
        "video_poster_url": uploads.playback_url(item.poster_key),
        "source_interview_id": item.source_interview_id,
        "created_at": item.created_at.isoformat(),
    }


def follow_up(item: Interview) -> dict[str, Any]:
    """The reminders and booking link that invitations sent from now on will carry."""
    return {
        "interview_id": item.interview_id,
        "reminder_hours": reminders.hours_of(item),
        "booking_url": item.booking_url,
    }


def question_video(item: QuestionVideo) -> dict[str, Any]:
    """A question video as the console shows it: its state, then the MP4 and poster to play."""
    ready = item.status == "ready"
    return {
        "video_id": item.video_id,
        "status": item.status,
        "video_key": question_videos.video_key(item),
        "video_url": uploads.playback_url(item.media_key) if ready else None,
        "poster_url": uploads.playback_url(item.poster_key) if ready else None,
        "duration_seconds": float(item.duration_seconds) if item.duration_seconds else None,
        "error": item.error_reason,
        "message": item.error_message,
    }


def question_video_started(started: question_videos.Started) -> dict[str, Any]:
    """The new video, and the presigned POSTs for its first chunks (same shape as answers)."""
    return {**question_video(started.video), "upload": upload_grant(started.grant)}


# --- invitations ----------------------------------------------------------------------------


def invitation(item: Invitation, hidden: bool = False) -> dict[str, Any]:
    """What recruiters see of an invitation in lists (`hidden`: blind review, a reviewer)."""
    return {
        "invitation_id": item.invitation_id,
        "interview_id": item.interview_id,
        "candidate_name": None if hidden else item.candidate_name,
        "candidate_email": None if hidden else item.candidate_email,
        "candidate_label": review.candidate_label(item.invitation_id),
        "status": item.status,
        "stage": item.stage,
        "source": item.source,
        "deadline": item.deadline.isoformat(),
        # Deadlines are shown in the interview's time zone; `language` is the candidate's.
        "time_zone": item.time_zone or "UTC",
        "language": item.language or "en",
        "time_multiplier": float(item.time_multiplier),
        "created_at": item.created_at.isoformat(),
        "opened_at": _iso(item.opened_at),
        "completed_at": _iso(item.completed_at),
        "email_sent_at": _iso(item.email_sent_at),
        "links_replaced_at": _iso(item.links_replaced_at),
    }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def invite_report(report: invitations.InviteReport) -> dict[str, Any]:
    """Each row of an invite request, by what became of it, and how many went each way."""
    return {
        "invited": [
            {"row": r.row, "email": r.email, "invitation_id": r.invitation_id}
            for r in report.invited
        ],
        "duplicates": [
            {"row": r.row, "email": r.email, "reason": r.reason} for r in report.duplicates
        ],
        "errors": [{"row": r.row, "reason": r.reason} for r in report.errors],
        "summary": report.counts(),
    }


def job(found: jobs.JobView) -> dict[str, Any]:
    """A job's status; a bulk invitation's rows so far, a finished export's download link."""
    item = found.job
    view: dict[str, Any] = {
        "job_id": item.job_id,
        "kind": item.job_type,
        "status": item.status,
        "created_at": item.created_at.isoformat(),
        "updated_at": item.updated_at.isoformat(),
        "finished_at": _iso(item.finished_at),
        "error": item.error,
    }
    if item.job_type == jobs.INVITE:
        view["interview_id"] = item.interview_id
        view["total_rows"] = int(item.total_rows)
        view["pending_rows"] = found.pending_rows
        # Each row's outcome once the job has finished (its progress until then).
        view["report"] = invite_report(found.report) if found.report is not None else None
    else:
        view["size_bytes"] = int(item.result_bytes) if item.result_bytes is not None else None
        view["download_url"] = found.download_url
        view["download_expires_in_seconds"] = (
            jobs.EXPORT_LINK_SECONDS if found.download_url else None
        )
    return view


# --- webhooks -------------------------------------------------------------------------------


def webhook(hook: Webhook, secret: str | None = None) -> dict[str, Any]:
    """An endpoint; its signing secret only in the answer that created or rotated it."""
    view = {
        "webhook_id": hook.webhook_id,
        "url": hook.url,
        "events": sorted(hook.events or []),
        "active": bool(hook.active),
        "created_at": hook.created_at.isoformat(),
    }
    if secret is not None:
        view["secret"] = secret
    return view


def api_key(item: ApiKey, value: str | None = None) -> dict[str, Any]:
    """A key as its admins see it; the key itself only in the answer that created it."""
    view = {
        "key_id": item.key_id,
        "name": item.name,
        "scope": item.scope,
        "prefix": api_keys.visible_prefix(item.key_id),
        "created_by": {"user_id": item.created_by, "name": item.created_by_name},
        "created_at": item.created_at.isoformat(),
        "last_used_at": _iso(item.last_used_at),
        "revoked_at": _iso(item.revoked_at),
    }
    if value is not None:
        view["key"] = value
    return view


def delivery(item: WebhookDelivery) -> dict[str, Any]:
    """One line of the delivery log."""
    return {
        "delivery_id": item.delivery_id,
        "webhook_id": item.webhook_id,
        "event": item.event,
        "status": item.status,
        "attempts": int(item.attempts or 0),
        "last_status_code": int(item.last_status_code) if item.last_status_code else None,
        "last_error": item.last_error,
        "created_at": item.created_at.isoformat(),
        "delivered_at": _iso(item.delivered_at),
    }


# --- audit log ------------------------------------------------------------------------------

AUDIT_CSV_FIELDS = ("at", "actor", "action", "target", "detail", "summary")


def audit_event(event: AuditEvent, summary: str | None = None) -> dict[str, Any]:
    """Who did what to which record, and when; `summary` says it in words."""
    return {
        "at": audit.event_time(event),
        "actor": event.actor,
        "action": event.action,
        "target": event.target,
        "detail": event.detail.as_dict() if event.detail is not None else None,
        "summary": summary,
    }


def audit_page(page: audit.AuditPage) -> dict[str, Any]:
    summaries = page.summaries or [None] * len(page.events)
    return {
        "month": page.month,
        "events": [audit_event(e, s) for e, s in zip(page.events, summaries, strict=True)],
        "next_cursor": page.next_cursor,
        "actions": [{"action": a, "label": label} for a, label in audit_words.action_labels()],
    }


def audit_csv(events: Iterable[tuple[AuditEvent, str]]) -> str:
    """Events for a spreadsheet; the detail flattened to sorted `key=value;…`, then the words."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(AUDIT_CSV_FIELDS)
    for event, summary in events:
        view = audit_event(event, summary)
        detail = view["detail"] or {}
        writer.writerow(
            [
                view["at"],
                view["actor"],
                view["action"],
                view["target"],
                ";".join(f"{k}={v}" for k, v in sorted(detail.items())),
                _csv_safe(summary),
            ]
        )
    return out.getvalue()


def _csv_safe(text: str) -> str:
    """A cell a spreadsheet will not run as a formula (names come from people's input)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _deletion(group: retention.Deletion) -> dict[str, Any]:
    return {
        "date": group.day,
        "candidates": group.candidates,
        "answers": group.answers,
        "bytes": group.bytes,
    }


def retention_preview(found: retention.RetentionPreview) -> dict[str, Any]:
    """What a retention period would delete now and on which later days, and in total."""
    return {
        "retention_days": found.days,
        "current_retention_days": found.current_days,
        "as_of": found.now,
        "due_now": _deletion(found.due_now),
        "schedule": [_deletion(g) for g in found.schedule],
        "total": _deletion(found.total),
        "open_candidates": found.open_candidates,
        "truncated": found.truncated,
    }


# --- share links ----------------------------------------------------------------------------


def new_share(share: shares.NewShare) -> dict[str, Any]:
    """A link just made: its URL (with the token) is shown this once."""
    return {
        "share_id": share.link.share_id,
        "url": share.url,
        "expires_at": share.link.expires.isoformat(),
        "mask_name": share.link.mask_name,
    }


def share(link: ShareLink) -> dict[str, Any]:
    return {
        "share_id": link.share_id,
        "created_by": link.created_by,
        "expires_at": link.expires.isoformat(),
        "revoked": bool(link.revoked),
        "mask_name": bool(link.mask_name),
    }


# --- review ---------------------------------------------------------------------------------


def _round(value: float | None) -> float | None:
    return round(float(value), 2) if value is not None else None


def _candidate_fields(item: Invitation, hidden: bool) -> dict[str, Any]:
    """Who and where a candidate is, as the pipeline and the detail both show it."""
    return {
        "invitation_id": item.invitation_id,
        "candidate_name": None if hidden else item.candidate_name,
        "candidate_email": None if hidden else item.candidate_email,
        "candidate_label": review.candidate_label(item.invitation_id),
        "status": item.status,
        "stage": item.stage,
        "tags": list(item.tags or []),
        "deadline": item.deadline.isoformat(),
        "time_zone": item.time_zone or "UTC",  # the deadline is shown in it, with its offset
        "email_sent_at": _iso(item.email_sent_at),
        "links_replaced_at": _iso(item.links_replaced_at),
        "completed_at": _iso(item.completed_at),
        "asked_to_record_again": _asked_again(item),
        "accommodation": accommodation(item, hidden),
    }


def accommodation(item: Invitation, hidden: bool = False) -> dict[str, Any] | None:
    """The candidate's latest adjustment request (its note, which may name them, not in
    blind review); None when they never asked."""
    asked = item.accommodation
    if asked is None:
        return None
    return {
        "kinds": list(asked.kinds or []),
        "note": None if hidden else asked.note,
        "status": asked.status,
        "requested_at": _iso(asked.requested_at),
        "decided_at": _iso(asked.decided_at),
        "decided_by": asked.decided_by,
    }


def accommodation_decided(item: Invitation) -> dict[str, Any]:
    """The invitation after a decision: its deadline and time limits as they now stand
    (no name: in blind review the admin deciding may not see it)."""
    return {
        "invitation_id": item.invitation_id,
        "status": item.status,
        "deadline": item.deadline.isoformat(),
        "time_multiplier": float(item.time_multiplier or 1),
        "accommodation": accommodation(item, hidden=True),
    }


def _asked_again(item: Invitation) -> dict[str, Any] | None:
    """Answers that failed processing after the candidate submitted, now to be re-recorded.

    Shown as "asked to record again" until the candidate submits once more.
    """
    reopened = set(item.reopened_questions or ())
    if not reopened:
        return None
    return {
        "question_ids": [q.question_id for q in item.questions if q.question_id in reopened],
        "positions": [
            position for position, q in enumerate(item.questions, 1) if q.question_id in reopened
        ],
        "at": _iso(item.rerecord_requested_at),
    }


def pipeline_row(row: review.PipelineRow) -> dict[str, Any]:
    """A candidate's row; score and review count are null until this reviewer's review is in."""
    item = row.invitation
    return {
        **_candidate_fields(item, row.hidden),
        "average_score": _round(item.average_score) if row.scores_visible else None,
        "reviews": int(item.review_count or 0) if row.scores_visible else None,
        "my_review": row.reviewed_by_me,
    }


def answers(slots: list[review.AnswerSlot]) -> list[dict[str, Any]]:
    """Answers in the order given, with short-lived playback (and captions) links."""
    tracks = captions.captions_of(slot.media_key for slot in slots)
    return [_answer(slot, tracks.get(slot.media_key or "", [])) for slot in slots]


def _answer(slot: review.AnswerSlot, tracks: list[dict[str, str]]) -> dict[str, Any]:
    question, answer, media = slot.question, slot.answer, slot.media_key
    ready = answer is not None and answer.status == "ready"
    return {
        "question_id": question.question_id,
        "position": slot.position,
        "text": question.text,
        "answer_type": question.answer_type,
        "status": answer.status if answer else ("missed" if slot.missed else "unanswered"),
        "attempt": int(answer.attempt) if answer else None,
        "duration_seconds": _round(answer.duration_seconds) if answer else None,
        # A recording cut off by a reload or a crash, kept up to where it stopped.
        "cut_short": bool(answer.cut_short) if ready and answer else False,
        "cut_at_seconds": _round(answer.cut_at_seconds)
        if ready and answer and answer.cut_short
        else None,
        "video_url": uploads.playback_url(media) if question.answer_type == "video" else None,
        "poster_url": uploads.playback_url(answer.poster_key) if ready and answer else None,
        "audio_url": uploads.playback_url(media) if question.answer_type == "audio" else None,
        # WebVTT captions beside the recording, one per language: [] until captions exist.
        "captions": tracks,
        "text_answer": answer.text if answer else None,
        "error_message": answer.error_message if answer and answer.status == "failed" else None,
    }


def _review(item: Review) -> dict[str, Any]:
    """A colleague's review: never their private note, which only its author sees."""
    return {
        "reviewer": {"user_id": item.user_id, "name": item.reviewer_name},
        "scores": review.scores_of(item),
        "recommendation": item.recommendation,
        "average": _round(item.average),
        "submitted_at": item.submitted_at.isoformat(),
    }


def reviews(found: review.Reviews) -> dict[str, Any]:
    """My review (without my own name, with my private note) and, once it is in, my
    colleagues' (without theirs)."""
    mine = None
    if found.mine:
        mine = {**_review(found.mine), "note": found.mine.note}
        mine.pop("reviewer")
    return {"my_review": mine, "reviews": [_review(r) for r in found.colleagues]}


def comment(item: Comment) -> dict[str, Any]:
    return {
        "comment_id": item.comment_id,
        "author": {"user_id": item.user_id, "name": item.author_name},
        "text": item.text,
        "created_at": item.created_at.isoformat(),
    }


def candidate_detail(found: review.CandidateDetail) -> dict[str, Any]:
    """One candidate whole: invitation, interview and rubric, answers, reviews, comments."""
    item, interview = found.invitation, found.interview
    feedback = None
    if item.feedback_at is not None:
        feedback = {"rating": int(item.feedback_rating or 0), "comment": item.feedback_comment}
    return {
        "invitation": {
            **_candidate_fields(item, found.hidden),
            "time_multiplier": float(item.time_multiplier or 1),
            "feedback": feedback,
        },
        "interview": {
            "interview_id": interview.interview_id,
            "title": item.title,
            # The rubric the candidate was invited under, which their scores are checked against.
            "rubric": [
                {"criterion_id": c.criterion_id, "name": c.name, "anchors": list(c.anchors)}
                for c in found.rubric
            ],
            "blind_review": bool(interview.blind_review),
            "hide_names_from_admins": bool(interview.blind_for_admins),
        },
        "answers": answers(found.answers),
        **reviews(found.reviews),
        "comments": [comment(c) for c in found.comments],
    }


def shared_candidate(shared: shares.SharedCandidate) -> dict[str, Any]:
    """What a share link shows: the answers, and the name unless the link is masked."""
    item, link = shared.invitation, shared.link
    name = review.candidate_label(item.invitation_id) if shared.masked else item.candidate_name
    return {
        "invitation": {
            "candidate_name": name,
            "status": item.status,
            "completed_at": _iso(item.completed_at),
        },
        "interview": {"title": item.title, "company_name": item.company_name},
        "answers": answers(shared.answers),
        "expires_at": link.expires.isoformat(),
    }


def decision_templates(found: decisions.DecisionTemplates) -> dict[str, Any]:
    return {
        stage: {"subject": template.subject, "body": template.body}
        for stage, template in (("advanced", found.advanced), ("rejected", found.rejected))
    }


def email_wording(found: candidate_mail.Wording) -> dict[str, Any]:
    return {"subject": found.subject, "body": found.body, "custom": found.custom}


def every_email_wording(found: dict[str, dict[str, candidate_mail.Wording]]) -> dict[str, Any]:
    """Each email a company may word, the names it may use, and its words per language."""
    return {
        "languages": list(email.languages()),
        "emails": {
            kind: {
                "variables": list(candidate_mail.VARIABLES[kind]),
                "link_required": kind in candidate_mail.LINK_REQUIRED,
                "languages": {lang: email_wording(wording) for lang, wording in langs.items()},
            }
            for kind, langs in found.items()
        },
    }


def email_preview(message: email.Email, lang: str) -> dict[str, Any]:
    """An email as it would go out: the console shows the HTML in a sandboxed frame."""
    return {
        "to": message.to,
        "language": lang,
        "subject": message.subject,
        "html": message.html,
        "text": message.text,
    }


def decision_preview(found: decisions.DecisionPreview) -> dict[str, Any]:
    return email_preview(found.message, found.language)


def interview_analytics(found: analytics.InterviewAnalytics) -> dict[str, Any]:
    """An interview's funnel, drop-off per question, timing, scores and feedback."""
    funnel = found.funnel
    return {
        "funnel": {
            "invited": funnel.invited,
            "opened": funnel.opened,
            "started": funnel.started,
            "completed": funnel.completed,
        },
        "completion_rate": found.completion_rate,
        "drop_off": [
            {
                "question_id": q.question_id,
                "position": q.position,
                "text": q.text,
                "answered": q.answered,
            }
            for q in found.drop_off
        ],
        "median_minutes_to_complete": found.median_minutes_to_complete,
        "criteria": [
            {"criterion_id": c.criterion_id, "name": c.name, "average": c.average}
            for c in found.criteria
        ],
        "reviewer_agreement": {
            "candidates": found.agreement_candidates,
            "average_spread": found.average_spread,
        },
        "feedback": {"count": found.feedback_count, "average": found.feedback_average},
        "scores_from": found.scores_from,
    }


# --- personal data exports ------------------------------------------------------------------


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


def candidate_data(data: privacy.CandidateData) -> dict[str, Any]:
    """A candidate's own data, with short-lived media links."""
    item = data.invitation
    return {
        "candidate": {"name": item.candidate_name, "email": item.candidate_email},
        "company": {"name": item.company_name},
        "interview": {"title": item.title},
        "invitation": {
            "status": item.status,
            "invited_at": item.created_at.isoformat(),
            "deadline": item.deadline.isoformat(),
            "opened_at": _iso(item.opened_at),
            "consent_at": _iso(item.consent_at),
            "completed_at": _iso(item.completed_at),
            "deletion_requested_at": _iso(item.deletion_requested_at),
        },
        # A question's wording only once the candidate opened it (its think time runs).
        "questions": [
            {
                "question_id": q.question_id,
                "text": q.text if candidates.revealed(item, q.question_id) else None,
                "answer_type": q.answer_type,
            }
            for q in item.questions
        ],
        "answers": [_answer_export(a) for a in data.answers],
        # Their own adjustment request, note included (who decided stays the company's).
        "accommodation": {k: v for k, v in (accommodation(item) or {}).items() if k != "decided_by"}
        or None,
        "feedback": {"rating": int(item.feedback_rating), "comment": item.feedback_comment}
        if item.feedback_at is not None
        else None,
        "media_links_expire_in_seconds": get_settings().playback_url_ttl_seconds,
    }


def deletion_request(request: privacy.DeletionRequest) -> dict[str, Any]:
    return {
        "deletion_requested_at": request.requested_at.isoformat(),
        "deleted_by": request.deleted_by.isoformat(),
    }


def company_export(export: privacy.CompanyExport) -> dict[str, Any]:
    """The whole company as JSON, with short-lived media links."""
    company = export.company
    return {
        "company": {
            "company_id": company.company_id,
            "name": company.name,
            "retention_days": int(company.retention_days),
        },
        "exported_at": export.exported_at.isoformat(),
        "media_links_expire_in_seconds": get_settings().playback_url_ttl_seconds,
        "interviews": [_interview_export(i, export.exported_by) for i in export.interviews],
    }


def _interview_export(found: privacy.InterviewExport, exported_by: str) -> dict[str, Any]:
    item = found.interview
    return {
        "interview_id": item.interview_id,
        "title": item.title,
        "status": item.status,
        "created_at": item.created_at.isoformat(),
        "questions": [
            {"question_id": q.question_id, "text": q.text, "answer_type": q.answer_type}
            for q in item.questions
        ],
        "candidates": [
            _candidate_export(*candidate, exported_by=exported_by) for candidate in found.candidates
        ],
    }


def _candidate_export(
    item: Invitation, found: CandidateItems, *, exported_by: str
) -> dict[str, Any]:
    """A candidate whole; a review's private note only if the exporting admin wrote it."""
    return {
        "invitation_id": item.invitation_id,
        "candidate_name": item.candidate_name,
        "candidate_email": item.candidate_email,
        "status": item.status,
        "stage": item.stage,
        "invited_at": item.created_at.isoformat(),
        "completed_at": _iso(item.completed_at),
        "accommodation": accommodation(item),
        "answers": [_answer_export(a) for a in found.answers],
        "reviews": [
            {
                "reviewer": r.reviewer_name,
                "scores": r.scores.as_dict() if r.scores is not None else {},
                "recommendation": r.recommendation,
                "note": r.note if r.user_id == exported_by else None,
            }
            for r in found.reviews
        ],
        "comments": [
            {"author": c.author_name, "text": c.text, "at": c.created_at.isoformat()}
            for c in found.comments
        ],
    }
