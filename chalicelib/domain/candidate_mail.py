"""Every email a candidate reads: in their language, worded by the company where it chose to.

The words come from the message catalogues (`adapters/templates/email/i18n`); the invitation,
the reminders and the decision emails may be reworded by a company's admins, per language,
as sandboxed templates (`templating`) with a few documented names in reach. A language the
company did not word falls back to the catalogue's text, which is itself such a template, so
the defaults and the company's wording take the same road to the candidate. Deadlines are
written in the interview's time zone with that date's UTC offset.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pynamodb.exceptions import UpdateError

from chalicelib.adapters import email
from chalicelib.data.models import Company, Invitation, utcnow
from chalicelib.domain import locales, templating
from chalicelib.domain.errors import Conflict, InvalidInput
from chalicelib.domain.identity import get_company
from chalicelib.domain.links import candidate_link, privacy_link
from chalicelib.observability import logger

# The emails a company may word, and the names each may use.
KINDS = ("invitation", "reminder", "advanced", "rejected")
DECISIONS = ("advanced", "rejected")
VARIABLES: dict[str, tuple[str, ...]] = {
    "invitation": ("candidate_name", "company_name", "interview_title", "deadline", "link"),
    "reminder": (
        *("candidate_name", "company_name", "interview_title", "deadline", "time_left", "link"),
    ),
    "advanced": ("candidate_name", "company_name", "interview_title"),
    "rejected": ("candidate_name", "company_name", "interview_title"),
}
# `title` was the decision emails' name for the interview before `interview_title`.
ALIASES = ("title",)
# Without its link an invitation or a reminder is useless to the candidate.
LINK_REQUIRED = frozenset({"invitation", "reminder"})
SUBJECT_LIMIT = 500
BODY_LIMIT = 20_000

# A wording must render for every name a candidate can have: it is tried on these.
SAMPLE_PEOPLE = (
    {"candidate_name": "Sam Candidate", "interview_title": "Customer Support Lead"},
    {
        "candidate_name": "Zoë Ŝtefánsdóttir-Nguyễn 李小龍 " * 5,
        "interview_title": "Ingénieur·e logiciel",
    },
    {"candidate_name": "Li", "interview_title": "X"},
)
SAMPLE_LINK = "https://interviews.example.com/candidate/#token=sample-link"
SAMPLE_TIME_ZONE = "Europe/Madrid"
SAMPLE_HOURS = 24


def language_of(invitation: Invitation) -> str:
    """The candidate's language: theirs if they switched, else the interview's (else English)."""
    lang = getattr(invitation, "language", None)
    return lang if lang in email.languages() else email.FALLBACK_LANGUAGE


def deadline_text(moment: datetime, time_zone: str | None, lang: str) -> str:
    """ "Friday 12 December 2025, 23:59 (Europe/Madrid, UTC+01:00)", in `lang`'s words."""
    words = email.Words(lang)
    name = time_zone or locales.DEFAULT_TIME_ZONE
    local = moment.astimezone(locales.zone(name))
    date = words(
        "date.format",
        weekday=words.raw("date.weekdays")[local.weekday()],
        day=words.digits(local.day),
        month=words.raw("date.months")[local.month - 1],
        year=words.digits(local.year),
        time=words.digits(f"{local.hour:02d}:{local.minute:02d}"),
    )
    offset = locales.offset_label(local)
    if name == "UTC":
        return words("date.deadline_utc", date=date)
    return words("date.deadline", date=date, zone=name, offset=offset)


def invitation_deadline(invitation: Invitation, lang: str | None = None) -> str:
    return deadline_text(
        invitation.deadline, getattr(invitation, "time_zone", None), lang or language_of(invitation)
    )


def time_left(hours: int, lang: str) -> str:
    """ "47 hours", "1 hour", "ساعتان"…"""
    return email.Words(lang).plural("hours", hours)


# --- the company's wording ----------------------------------------------------------------


@dataclass(frozen=True)
class Wording:
    """One email's subject and body templates in one language; `custom` if the company's."""

    subject: str
    body: str
    custom: bool = False


def default_wording(kind: str, lang: str) -> Wording:
    words = email.Words(lang)
    return Wording(subject=words.raw(f"{kind}.subject"), body=words.raw(f"{kind}.body"))


def _stored(company: Company) -> dict[str, Any]:
    wording = getattr(company, "email_wording", None)
    return wording.as_dict() if wording else {}


def _legacy_decision(company: Company, kind: str) -> dict[str, str] | None:
    """Decision emails saved through `/company/templates` are the English wording."""
    if kind not in DECISIONS or not company.decision_templates:
        return None
    found: dict[str, str] | None = company.decision_templates.as_dict().get(kind)
    return found


def wording(company: Company, kind: str, lang: str) -> Wording:
    """What `kind` says in `lang`: the company's words, else the catalogue's."""
    default = default_wording(kind, lang)
    own = _stored(company).get(kind, {}).get(lang)
    if own is None and lang == email.FALLBACK_LANGUAGE:
        own = _legacy_decision(company, kind)
    if not own:
        return default
    return Wording(
        subject=own.get("subject") or default.subject,
        body=own.get("body") or default.body,
        custom=True,
    )


def every_wording(company_id: str) -> dict[str, dict[str, Wording]]:
    """Each email in each language, for the console's editor."""
    company = get_company(company_id)
    return {
        kind: {lang: wording(company, kind, lang) for lang in email.languages()} for kind in KINDS
    }


def _field_words(field: str) -> str:
    return "message" if field == "body" else field


def _names(kind: str) -> str:
    return ", ".join("{{ " + name + " }}" for name in VARIABLES[kind])


def samples(kind: str, lang: str, company_name: str = "Acme") -> list[dict[str, str]]:
    """The values a wording is tried with (the first is what a preview shows)."""
    deadline = (utcnow() + timedelta(days=7)).replace(hour=22, minute=59, second=0, microsecond=0)
    shared = {
        "company_name": company_name,
        "deadline": deadline_text(deadline, SAMPLE_TIME_ZONE, lang),
        "time_left": time_left(SAMPLE_HOURS, lang),
        "link": SAMPLE_LINK,
    }
    found = []
    for person in SAMPLE_PEOPLE:
        values = {**shared, **person, "title": person["interview_title"]}
        found.append({name: values[name] for name in (*VARIABLES[kind], *ALIASES)})
    return found


def check_wording(kind: str, lang: str, subject: str, body: str, company_name: str = "") -> None:
    """Refuse a wording that uses unknown names, fails or runs away on any sample, or (for
    an invitation or a reminder) leaves out the link: 422 naming the field."""
    allowed = {*VARIABLES[kind], *ALIASES}
    for field, text in (("subject", subject), ("body", body)):
        unknown = templating.unknown_names(text, allowed)
        if unknown:
            message = f"{', '.join(sorted(unknown))} cannot be filled in"
            raise InvalidInput(
                f"The {_field_words(field)} uses a name we cannot fill in "
                f"({', '.join(sorted(unknown))}). Use only {_names(kind)}.",
                details=[{"field": field, "problem": "unknown_name", "message": message}],
            )
    for values in samples(kind, lang, company_name or "Société Générale d'Études"):
        for field, text in (("subject", subject), ("body", body)):
            limit = SUBJECT_LIMIT if field == "subject" else BODY_LIMIT
            try:
                rendered = templating.render(text, values, output_limit=limit)
            except templating.TemplateProblem as problem:
                raise InvalidInput(
                    f"The {_field_words(field)} has a mistake: {problem.message}. "
                    f"Use only {_names(kind)}.",
                    details=[{"field": field, "problem": "template", "message": problem.message}],
                ) from None
            if field == "body" and kind in LINK_REQUIRED and values["link"] not in rendered:
                raise InvalidInput(
                    "The message must contain {{ link }}: it is the candidate's only way in.",
                    details=[
                        {
                            "field": "body",
                            "problem": "link_missing",
                            "message": "Add {{ link }} where the candidate's link should go.",
                        }
                    ],
                )


def _check_kind(kind: str, lang: str) -> None:
    if kind not in KINDS:
        raise InvalidInput(
            f"There is no {kind!r} email to word.",
            details=[{"field": "kind", "problem": "unknown", "message": kind}],
        )
    if lang not in email.languages():
        raise InvalidInput(
            f"We have no {lang!r} catalogue.",
            details=[{"field": "language", "problem": "unknown", "message": lang}],
        )


def save_wording(company_id: str, kind: str, lang: str, subject: str, body: str) -> Wording:
    """Store the company's wording of `kind` in `lang` once it passes `check_wording`."""
    _check_kind(kind, lang)
    company = get_company(company_id)
    check_wording(kind, lang, subject, body, company.name)
    _write(company, kind, lang, {"subject": subject, "body": body})
    return Wording(subject=subject, body=body, custom=True)


def reset_wording(company_id: str, kind: str, lang: str) -> Wording:
    """Back to the catalogue's words for `kind` in `lang`."""
    _check_kind(kind, lang)
    _write(get_company(company_id), kind, lang, None)
    return default_wording(kind, lang)


def _write(company: Company, kind: str, lang: str, parts: dict[str, str] | None) -> None:
    """Change one email's wording in one language, on condition nothing else changed meanwhile.

    The words of every email live in one map, read then written whole: a colleague's save in
    between would be lost, so it is a 409 instead (reload and try again).
    """
    # The English decision emails are the ones `/company/templates` edits too.
    legacy = kind in DECISIONS and lang == email.FALLBACK_LANGUAGE
    attribute = Company.decision_templates if legacy else Company.email_wording
    current = getattr(company, attribute.attr_name)
    before = current.as_dict() if current else None
    after = copy.deepcopy(before) if before else {}
    target, key = (after, kind) if legacy else (after.setdefault(kind, {}), lang)
    if parts is None:
        target.pop(key, None)
    else:
        target[key] = parts
    if not legacy and not after[kind]:
        del after[kind]
    action = attribute.set(after) if after else attribute.remove()
    condition = attribute.does_not_exist() if before is None else attribute == before
    try:
        company.update(actions=[action], condition=condition)
    except UpdateError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        raise Conflict(
            "These emails were changed meanwhile (in another tab, or by a colleague). "
            "Reload the page and try again."
        ) from None


def preview(company_id: str, kind: str, lang: str, subject: str, body: str) -> email.Email:
    """The email `kind` would be with this wording, filled with sample values (not saved)."""
    _check_kind(kind, lang)
    company = get_company(company_id)
    check_wording(kind, lang, subject, body, company.name)
    values = samples(kind, lang, company.name)[0]
    rendered_subject = templating.render(subject, values, output_limit=SUBJECT_LIMIT)
    rendered_body = templating.render(body, values, output_limit=BODY_LIMIT)
    to = "sam.candidate@example.com"
    if kind in DECISIONS:
        return decision_letter(to, lang, rendered_subject, rendered_body, booking_url=None)
    footer = email.Footer(privacy_link=f"{SAMPLE_LINK}&view=privacy")
    return _linked_letter(
        to,
        lang,
        kind,
        subject=rendered_subject,
        body=rendered_body,
        link=SAMPLE_LINK,
        footer=footer,
    )


# --- the letters --------------------------------------------------------------------------


def _linked_letter(
    to: str, lang: str, kind: str, *, subject: str, body: str, link: str, footer: email.Footer
) -> email.Email:
    words = email.Words(lang)
    blocks = email.blocks_of(body, link=link, button=words(f"{kind}.button"))
    return email.letter(to, lang, subject, blocks, footer)


def _worded(
    invitation: Invitation, kind: str, lang: str, values: dict[str, str]
) -> tuple[str, str]:
    """Subject and body of `kind` for a real candidate; a company wording that fails on
    their data gives way to the catalogue's (the email must still go out)."""
    chosen = wording(get_company(invitation.company_id), kind, lang)
    try:
        return (
            templating.render(chosen.subject, values, output_limit=SUBJECT_LIMIT),
            templating.render(chosen.body, values, output_limit=BODY_LIMIT),
        )
    except templating.TemplateProblem as problem:
        logger.warning(
            "company wording failed: catalogue text sent",
            extra={"kind": kind, "language": lang, "problem": problem.message},
        )
        default = default_wording(kind, lang)
        return (
            templating.render(default.subject, values, output_limit=SUBJECT_LIMIT),
            templating.render(default.body, values, output_limit=BODY_LIMIT),
        )


def _values(invitation: Invitation, lang: str, link: str) -> dict[str, str]:
    return {
        "candidate_name": invitation.candidate_name,
        "company_name": invitation.company_name,
        "interview_title": invitation.title,
        "title": invitation.title,
        "deadline": invitation_deadline(invitation, lang),
        "link": link,
    }


def _footer(invitation: Invitation, token: str) -> email.Footer:
    return email.Footer(
        support_contact=invitation.support_contact, privacy_link=privacy_link(token)
    )


def invitation_email(invitation: Invitation, token: str) -> email.Email:
    """The personal link, in the candidate's language and the company's words."""
    lang = language_of(invitation)
    link = candidate_link(token)
    subject, body = _worded(invitation, "invitation", lang, _values(invitation, lang, link))
    return _linked_letter(
        invitation.candidate_email,
        lang,
        "invitation",
        subject=subject,
        body=body,
        link=link,
        footer=_footer(invitation, token),
    )


def send_invitation(invitation: Invitation, token: str) -> None:
    email.send(invitation_email(invitation, token), reply_to=invitation.support_contact)


def reminder_email(invitation: Invitation, token: str, now: datetime) -> email.Email:
    lang = language_of(invitation)
    link = candidate_link(token)
    hours = max(1, round((invitation.deadline - now).total_seconds() / 3600))
    values = {**_values(invitation, lang, link), "time_left": time_left(hours, lang)}
    subject, body = _worded(invitation, "reminder", lang, values)
    return _linked_letter(
        invitation.candidate_email,
        lang,
        "reminder",
        subject=subject,
        body=body,
        link=link,
        footer=_footer(invitation, token),
    )


def send_reminder(invitation: Invitation, token: str, now: datetime) -> None:
    email.send(reminder_email(invitation, token, now), reply_to=invitation.support_contact)


def rerecord_email(
    invitation: Invitation, token: str, questions: list[dict[str, Any]]
) -> email.Email:
    """Which answers to record again (`questions`: position and text of each), and until when."""
    lang = language_of(invitation)
    words = email.Words(lang)
    link = candidate_link(token)
    values = _values(invitation, lang, link)
    count = len(questions)
    items = tuple(
        words("rerecord.question", position=words.digits(q["position"]), text=q["text"])
        for q in questions
    )
    blocks = [
        email.Block(text=words("rerecord.hello", **values)),
        email.Block(text=words.plural("rerecord.intro", count, **values)),
        email.Block(items=items),
        email.Block(text=words.plural("rerecord.ask", count)),
        email.Block(text=words("rerecord.until", **values)),
        email.Block(link=link, button=words("rerecord.button")),
    ]
    subject = words.plural("rerecord.subject", count, **values)
    return email.letter(
        invitation.candidate_email, lang, subject, blocks, _footer(invitation, token)
    )


def send_rerecord(invitation: Invitation, token: str, questions: list[dict[str, Any]]) -> None:
    email.send(rerecord_email(invitation, token, questions), reply_to=invitation.support_contact)


def accommodation_email(
    invitation: Invitation,
    token: str,
    *,
    granted: bool,
    kinds: list[str],
    time_multiplier: float | None = None,
    audio_questions: list[int] | None = None,
) -> email.Email:
    """What the company decided about the adjustment the candidate asked for."""
    lang = language_of(invitation)
    words = email.Words(lang)
    link = candidate_link(token)
    values = _values(invitation, lang, link)
    blocks = [email.Block(text=words("accommodation.hello", **values))]
    if granted:
        blocks.append(email.Block(text=words("accommodation.granted", **values)))
        items = []
        if time_multiplier:
            items.append(
                words("accommodation.more_time", multiplier=words.digits(f"{time_multiplier:g}"))
            )
        audio = list(audio_questions or [])
        if audio:
            listed = words.listing([words.digits(n) for n in audio])
            items.append(words.plural("accommodation.audio", len(audio), questions=listed))
        if "later_deadline" in kinds:
            items.append(words("accommodation.later_deadline", **values))
        if items:
            blocks.append(email.Block(items=tuple(items)))
    else:
        blocks.append(email.Block(text=words("accommodation.declined", **values)))
        if invitation.support_contact:
            blocks.append(email.Block(text=words("accommodation.talk")))
    blocks += [
        email.Block(text=words("accommodation.until", **values)),
        email.Block(link=link, button=words("accommodation.button")),
    ]
    outcome = "granted" if granted else "declined"
    subject = words(f"accommodation.subject.{outcome}", **values)
    return email.letter(
        invitation.candidate_email, lang, subject, blocks, _footer(invitation, token)
    )


def send_accommodation_answer(
    invitation: Invitation,
    token: str,
    *,
    granted: bool,
    kinds: list[str],
    time_multiplier: float | None = None,
    audio_questions: list[int] | None = None,
) -> None:
    message = accommodation_email(
        invitation,
        token,
        granted=granted,
        kinds=kinds,
        time_multiplier=time_multiplier,
        audio_questions=audio_questions,
    )
    email.send(message, reply_to=invitation.support_contact)


def decision_letter(
    to: str, lang: str, subject: str, body: str, booking_url: str | None
) -> email.Email:
    """A decision email from its rendered subject and body (and the booking link, if any)."""
    blocks = email.blocks_of(body)
    if booking_url:
        words = email.Words(lang)
        blocks.append(
            email.Block(text=words("advanced.booking", link=booking_url), link=booking_url)
        )
    return email.letter(to, lang, subject, blocks, None)
