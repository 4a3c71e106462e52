"""Interviews: the questions, settings and rubric a company sends to candidates.

Edits never reach candidates already invited: each invitation keeps its own snapshot.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pynamodb.exceptions import UpdateError

from chalicelib.adapters import uploads
from chalicelib.config import get_settings
from chalicelib.data import keys, media_layout
from chalicelib.data.models import Interview, Question, RubricCriterion, new_id, utcnow
from chalicelib.domain.errors import Conflict, Gone, InvalidInput, NotFound


def _questions(items: list[dict[str, Any]]) -> list[Question]:
    seen: set[str] = set()
    questions = []
    for item in items:
        question_id = item.get("question_id") or new_id()
        if question_id in seen:  # a pasted duplicate id would merge two questions' answers
            question_id = new_id()
        seen.add(question_id)
        fields = {k: v for k, v in item.items() if k != "question_id" and v is not None}
        if fields.get("answer_type") == "text":
            fields["max_answer_seconds"] = 0
            fields["retakes"] = 0
        questions.append(Question(question_id=question_id, **fields))
    return questions


VIDEO_EXTENSIONS = {"video/mp4": "mp4", "video/webm": "webm"}


def _check_video_keys(
    company_id: str, interview_id: str, items: list[dict[str, Any]], known: Iterable[str] = ()
) -> None:
    """Each question's video is this interview's upload and is in S3; 422 naming it if not.

    Keys the interview already has (or a duplicate copied from its source) are kept as they are.
    """
    kept = set(known)
    details = []
    for index, item in enumerate(items):
        key = item.get("video_key")
        if not key or key in kept:
            continue
        if not media_layout.is_question_video_of(key, company_id, interview_id):
            problem, message = "foreign", "This video does not belong to this interview."
        elif not uploads.object_exists(key):
            problem, message = "missing", "This video was not uploaded. Please add it again."
        else:
            continue
        details.append(
            {"field": f"questions.{index}.video_key", "problem": problem, "message": message}
        )
    if details:
        raise InvalidInput("A question's video cannot be used.", details=details)


@dataclass(frozen=True)
class QuestionVideoUpload:
    """Where a new question video goes (`video_key`, to save on the question) and its grant."""

    video_key: str
    grant: uploads.QuestionVideoGrant


def question_video_upload(
    company_id: str, interview_id: str, mime_type: str
) -> QuestionVideoUpload:
    """A fresh key for a question video of this interview and a presigned POST to upload it."""
    interview = get_interview(company_id, interview_id)
    if interview.status == "archived":
        raise Conflict("This interview is archived. Duplicate it to make a new version.")
    content_type = mime_type.split(";", 1)[0].strip().lower()
    extension = VIDEO_EXTENSIONS.get(content_type)
    if extension is None:
        raise InvalidInput(
            "Choose an MP4 or WebM video.",
            details=[{"field": "mime_type", "problem": "unsupported", "message": "MP4 or WebM"}],
        )
    key = media_layout.question_video_key(company_id, interview_id, new_id(), extension)
    return QuestionVideoUpload(key, uploads.question_video_grant(key, content_type))


# DynamoDB refuses an item over 400 KB. Every field within its own limit can still add up to
# ~500 KB (long texts in 4-byte characters), and each invitation copies the interview's
# content beside its own fields: an interview keeps to 300 KB, refused with a 422 beforehand.
MAX_INTERVIEW_BYTES = 300_000


def _value_bytes(value: dict[str, Any]) -> int:
    """The size DynamoDB counts for one serialized attribute value (its published rules)."""
    (kind, data), *_ = value.items()
    if kind == "S":
        return len(data.encode())
    if kind == "N":
        return len(data) // 2 + 2
    if kind == "L":
        return 3 + sum(1 + _value_bytes(item) for item in data)
    if kind == "M":
        return 3 + sum(len(k.encode()) + 1 + _value_bytes(v) for k, v in data.items())
    # BOOL and NULL take 1 byte; sets and binary are never stored on an interview.
    return 1 if kind in ("BOOL", "NULL") else len(str(data).encode())


def stored_bytes(interview: Interview) -> int:
    """How many bytes the interview takes as one DynamoDB item."""
    return sum(len(k.encode()) + _value_bytes(v) for k, v in interview.serialize().items())


def _check_size(interview: Interview) -> None:
    """422 naming the problem when the interview would not fit, before anything is written."""
    size = stored_bytes(interview)
    if size > MAX_INTERVIEW_BYTES:
        raise InvalidInput(
            "This interview is too long to save. Shorten its questions, texts or rubric.",
            details=[
                {
                    "field": "body",
                    "problem": "too_large",
                    "message": f"The interview takes {size // 1000} KB; at most "
                    f"{MAX_INTERVIEW_BYTES // 1000} KB fit, whatever each field's own limit.",
                }
            ],
        )


def _rubric(items: list[dict[str, Any]]) -> list[RubricCriterion]:
    return [
        RubricCriterion(
            criterion_id=item.get("criterion_id") or new_id(),
            name=item["name"],
            anchors=list(item["anchors"]),
        )
        for item in items
    ]


def create_interview(
    company_id: str,
    title: str,
    questions: list[dict[str, Any]],
    created_by: str | None = None,
    rubric: list[dict[str, Any]] | None = None,
    *,
    known_video_keys: Iterable[str] = (),
    **fields: Any,
) -> Interview:
    interview_id = new_id()
    _check_video_keys(company_id, interview_id, questions, known_video_keys)
    pk, sk = Interview.key(company_id, interview_id)
    interview = Interview(
        pk,
        sk,
        company_id=company_id,
        interview_id=interview_id,
        title=title,
        questions=_questions(questions),
        rubric=_rubric(rubric or []),
        created_by=created_by,
        **{k: v for k, v in fields.items() if v is not None},
    )
    _check_size(interview)
    interview.save(condition=Interview.pk.does_not_exist())
    return interview


def get_interview(company_id: str, interview_id: str) -> Interview:
    """The company's interview; another company's id is simply not found."""
    try:
        return Interview.get(*Interview.key(company_id, interview_id))
    except Interview.DoesNotExist:
        raise NotFound("Interview not found.") from None


def list_interviews(company_id: str, include_archived: bool = False) -> list[Interview]:
    """Newest first: one Query on the company partition (ids sort by creation time)."""
    items = Interview.query(
        keys.company_pk(company_id),
        Interview.sk.startswith(keys.INTERVIEW_PREFIX),
        scan_index_forward=False,
    )
    return [i for i in items if include_archived or i.status != "archived"]


def update_interview(company_id: str, interview_id: str, data: dict[str, Any]) -> Interview:
    """Replace the editable content; the interview must exist and not be archived."""
    interview = get_interview(company_id, interview_id)
    if interview.status == "archived":
        raise Conflict("This interview is archived. Duplicate it to make a new version.")
    _check_video_keys(
        company_id,
        interview_id,
        data["questions"],
        known=[q.video_key for q in interview.questions if q.video_key],
    )
    content = [
        (Interview.title, data["title"]),
        (Interview.role_description, data.get("role_description", "")),
        (Interview.intro, data.get("intro", "")),
        (Interview.outro, data.get("outro", "")),
        (Interview.questions, _questions(data["questions"])),
        (Interview.rubric, _rubric(data.get("rubric", []))),
        (Interview.deadline_days, data.get("deadline_days", 7)),
    ]
    for attribute, value in content:  # the item as it would be, to measure it before writing
        setattr(interview, attribute.attr_name, value)
    interview.support_contact = data.get("support_contact") or None
    _check_size(interview)
    actions = [attribute.set(value) for attribute, value in content]
    actions.append(Interview.updated_at.set(utcnow()))
    if data.get("support_contact"):
        actions.append(Interview.support_contact.set(data["support_contact"]))
    else:
        actions.append(Interview.support_contact.remove())
    try:
        interview.update(actions=actions, condition=Interview.status == "active")
    except UpdateError:
        raise Conflict("This interview was archived meanwhile.") from None
    return interview


def duplicate_interview(company_id: str, interview_id: str, created_by: str) -> Interview:
    """A new active interview with the same content (use an interview as a template)."""
    source = get_interview(company_id, interview_id)
    return create_interview(
        company_id,
        f"{source.title} (copy)"[:200],
        [q.as_dict() for q in source.questions],
        created_by=created_by,
        rubric=[c.as_dict() for c in source.rubric],
        known_video_keys=[q.video_key for q in source.questions if q.video_key],
        role_description=source.role_description,
        intro=source.intro,
        outro=source.outro,
        support_contact=source.support_contact,
        deadline_days=int(source.deadline_days),
    )


def archive_interview(company_id: str, interview_id: str) -> Interview:
    """Archived interviews accept no new invitations; live invitations carry on."""
    interview = get_interview(company_id, interview_id)
    interview.update(
        actions=[
            Interview.status.set("archived"),
            Interview.apply_enabled.set(False),
            Interview.updated_at.set(utcnow()),
        ]
    )
    return interview


def set_apply_link(company_id: str, interview_id: str, enabled: bool, cap: int) -> Interview:
    """Turn the public apply link on or off; the code is made once and kept."""
    interview = get_interview(company_id, interview_id)
    if enabled and interview.status != "active":
        raise Conflict("An archived interview cannot take applications.")
    actions = [Interview.apply_enabled.set(enabled), Interview.apply_cap.set(cap)]
    if not interview.apply_code:
        code = secrets.token_urlsafe(12)
        actions += [
            Interview.apply_code.set(code),
            Interview.gsi1pk.set(keys.apply_gsi1pk(code)),
            Interview.gsi1sk.set(keys.APPLY_CHILD),
        ]
    interview.update(actions=actions)
    return interview


def set_blind_review(
    company_id: str, interview_id: str, blind: bool, admins_too: bool = False
) -> Interview:
    """Blind review on or off; `admins_too` hides names from the company's admins as well."""
    interview = get_interview(company_id, interview_id)
    interview.update(
        actions=[
            Interview.blind_review.set(blind),
            Interview.blind_for_admins.set(blind and admins_too),
            Interview.updated_at.set(utcnow()),
        ]
    )
    return interview


def find_by_apply_code(code: str) -> Interview:
    """The interview behind a public apply link, while it takes applications."""
    if not code or len(code) > 64:
        raise NotFound("This application link is not valid.")
    matches = list(Interview.by_parent.query(keys.apply_gsi1pk(code), limit=1))
    if not matches:
        raise NotFound("This application link is not valid.")
    interview = matches[0]
    if not interview.apply_enabled or interview.status != "active":
        raise Gone("This interview is no longer taking applications.")
    return interview


def claim_apply_slot(interview: Interview) -> None:
    """Count one application, atomically refusing past the cap."""
    try:
        interview.update(
            actions=[Interview.apply_count.add(1)],
            condition=(Interview.apply_count < interview.apply_cap)
            & (Interview.apply_enabled == True),  # noqa: E712 - a DynamoDB condition
        )
    except UpdateError:
        raise Gone("This interview has all the applications it can take.") from None


def release_apply_slot(interview: Interview) -> None:
    """Give back a place claimed for an application that did not become an invitation."""
    with contextlib.suppress(UpdateError):  # nothing counted: nothing to give back
        interview.update(
            actions=[Interview.apply_count.add(-1)], condition=Interview.apply_count > 0
        )


def apply_link(interview: Interview) -> str | None:
    """The public page where anyone may apply, once the interview has an apply code."""
    if not interview.apply_code:
        return None
    return f"{get_settings().public_site_url}/apply/#code={interview.apply_code}"
