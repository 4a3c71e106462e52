"""Interviews: the questions, settings and rubric a company sends to candidates.

Edits never reach candidates already invited: each invitation keeps its own snapshot.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterable
from typing import Any

from pynamodb.exceptions import DeleteError, UpdateError

from chalicelib.config import get_settings
from chalicelib.data import keys
from chalicelib.data.models import Interview, Question, RubricCriterion, new_id, utcnow
from chalicelib.domain import question_library, question_videos
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
    interview_id: str | None = None,
    **fields: Any,
) -> Interview:
    interview_id = interview_id or new_id()
    picked = question_library.resolve_picks(company_id, interview_id, questions)
    try:
        question_videos.check_keys(
            company_id, interview_id, questions, [*known_video_keys, *picked]
        )
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
    except Exception:
        if picked:  # no interview: the library videos copied for it go too
            question_videos.delete_all(company_id, interview_id)
        raise
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
    picked = question_library.resolve_picks(company_id, interview_id, data["questions"])
    invited_before = int(interview.count_invited or 0)
    try:
        question_videos.check_keys(
            company_id,
            interview_id,
            data["questions"],
            known=[*(q.video_key for q in interview.questions if q.video_key), *picked],
        )
        content = [
            (Interview.title, data["title"]),
            (Interview.role_description, data.get("role_description", "")),
            (Interview.intro, data.get("intro", "")),
            (Interview.outro, data.get("outro", "")),
            (Interview.questions, _questions(data["questions"])),
            (Interview.rubric, _rubric(data.get("rubric", []))),
            (Interview.deadline_days, data.get("deadline_days", 7)),
            (Interview.language, data.get("language") or "en"),
            (Interview.time_zone, data.get("time_zone") or "UTC"),
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
    except Exception:
        question_videos.drop(company_id, picked)  # not saved: the copies made for it go
        raise
    shown = [q.video_key for q in interview.questions if q.video_key]
    question_videos.tidy(company_id, interview_id, shown, invited_before)
    return interview


def duplicate_interview(company_id: str, interview_id: str, created_by: str) -> Interview:
    """A new active interview with the same content (use an interview as a template)."""
    source = get_interview(company_id, interview_id)
    copy_id = new_id()
    copies = question_videos.copy_for(source, copy_id)
    questions = [q.as_dict() for q in source.questions]
    for question in questions:
        if question.get("video_key") in copies:
            question["video_key"] = copies[question["video_key"]]
    try:
        return create_interview(
            company_id,
            f"{source.title} (copy)"[:200],
            questions,
            created_by=created_by,
            rubric=[c.as_dict() for c in source.rubric],
            known_video_keys=[q["video_key"] for q in questions if q.get("video_key")],
            interview_id=copy_id,
            role_description=source.role_description,
            intro=source.intro,
            outro=source.outro,
            support_contact=source.support_contact,
            deadline_days=int(source.deadline_days),
            language=source.language,
            time_zone=source.time_zone,
        )
    except Exception:
        question_videos.delete_all(company_id, copy_id)  # no interview: its copies go too
        raise


def delete_interview(company_id: str, interview_id: str) -> None:
    """Delete an interview nobody was invited to, with its question videos (items, objects).

    Once candidates were invited, their answers and snapshots hang on it: archive it instead.
    """
    interview = get_interview(company_id, interview_id)
    if int(interview.count_invited or 0) > 0:
        raise Conflict("Candidates were invited to this interview. Archive it instead.")
    try:
        interview.delete(
            condition=Interview.count_invited.does_not_exist() | (Interview.count_invited == 0)
        )
    except DeleteError:
        raise Conflict("Candidates were invited to this interview meanwhile.") from None
    question_videos.delete_all(company_id, interview_id)


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
