"""Request bodies the API accepts; unknown fields are refused and types are strict."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, ClassVar, Literal

from email_validator import SPECIAL_USE_DOMAIN_NAMES, EmailNotValidError, validate_email
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    WithJsonSchema,
    model_validator,
)
from typing_extensions import TypeAliasType

from chalicelib.adapters.email import SUPPORT_CONTACT_PATTERN
from chalicelib.domain import locales


def _whole(value: Any) -> Any:
    """JSON Schema's `integer` includes 2.0 (and 1e2): take a whole float as the int it is.

    Types stay strict otherwise: "2", true and 2.5 are still refused, as the schema says.
    """
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# Last in an `Annotated[int, Field(...), WHOLE]`, so the bounds still reach the schema.
WHOLE = BeforeValidator(_whole)
# Whitespace as stripping sees it (Unicode's White_Space), spelled out: `\s` means other
# things in JSON Schema's regex dialect (U+FEFF), Python's (U+001C) and pydantic's.
_SPACE = "\t\n\v\f\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_SPACE_CHARS = "\t\n\v\f\r \x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000" + "".join(
    chr(code) for code in range(0x2000, 0x200B)
)


def _strip(value: str) -> str:
    return value.strip(_SPACE_CHARS)


# Last in an `Annotated[str, StringConstraints(...), STRIP]`: the published limits apply to
# the text as sent (what the document describes), and the whitespace around it is dropped
# after; stripping first would take a 501-character anchor the document refuses.
STRIP = AfterValidator(_strip)
# A required line of text: whitespace around it is dropped, so it must hold something else;
# the pattern says so in the published schema (a blank string is refused by both).
FILLED = f"[^{_SPACE}]"
_SPECIAL_USE = [d for d in SPECIAL_USE_DOMAIN_NAMES if d != "test"]


def _any_case(word: str) -> str:
    return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else re.escape(c) for c in word)


def _email(value: str) -> str:
    """An address as email-validator reads it (`.test` allowed, for staging and tests)."""
    try:
        found = validate_email(value, check_deliverability=False, test_environment=True)
    except EmailNotValidError as error:
        raise ValueError(str(error)) from None
    return found.normalized


# An email address; the published schema adds what `format: email` alone would allow but
# no mail server takes: quoted local parts, bracketed IPs, special-use and dotless domains.
Email = Annotated[
    str,
    StringConstraints(max_length=254),
    AfterValidator(_email),
    WithJsonSchema(
        {
            "type": "string",
            "format": "email",
            "maxLength": 254,
            "pattern": '^[^"@]+@(?!\\[)(?!(?:[^@]*\\.)?(?:'
            + "|".join(_any_case(d) for d in _SPECIAL_USE)
            + ")\\.?$)[^@]*[^@.]\\.[^@]*[^@.]$",
        }
    ),
]

Name = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=FILLED), STRIP]
# Long passphrases welcome; Cognito's pool policy enforces the same minimum.
Password = Annotated[str, StringConstraints(min_length=10, max_length=256)]
Color = Annotated[str, StringConstraints(pattern=r"^#[0-9a-fA-F]{6}$")]
HttpsUrl = Annotated[str, StringConstraints(pattern=f"^https://[^{_SPACE}]+$", max_length=2000)]


def _time_zone(value: str) -> str:
    if not locales.is_time_zone(value):
        raise ValueError("not an IANA time zone name (such as Europe/Paris)")
    return value


# An IANA time zone name; published once as the `TimeZone` enum (every name tzdata knows).
TimeZone = TypeAliasType(
    "TimeZone",
    Annotated[
        str,
        StringConstraints(max_length=64),
        AfterValidator(_time_zone),
        WithJsonSchema({"type": "string", "enum": list(locales.time_zones())}),
    ],
)
# A language every candidate page and email is written in.
Language = TypeAliasType("Language", Literal[locales.LANGUAGES])  # type: ignore[valid-type]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, str_max_length=20000)
    #: Fields a body no longer takes, with what to do instead (said in the 422).
    replaced_fields: ClassVar[dict[str, str]] = {}


class SignUp(Body):
    company_name: Name
    name: Name
    email: Email
    password: Password


class SignIn(Body):
    email: Email
    password: Annotated[str, Field(min_length=1, max_length=256)]


class Refresh(Body):
    refresh_token: Annotated[str, Field(min_length=1, max_length=8192)]


class CompanyUpdate(Body):
    # A linked logo would be fetched from its host by every candidate's browser (telling
    # that host who opens their interview) and could change after it was checked: logos
    # are uploaded and served from our own route instead.
    name: Name | None = None
    brand_color: Color | None = None

    replaced_fields: ClassVar[dict[str, str]] = {
        "logo_url": "A logo is uploaded, not linked: POST /company/logo/upload for the upload "
        "form, then POST /company/logo with its logo_id."
    }


# --- interviews ---------------------------------------------------------------------------

Text = Annotated[str, StringConstraints(max_length=5000), STRIP]
Title = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=FILLED), STRIP]


class QuestionIn(Body):
    question_id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,40}$")] | None = None
    text: Annotated[
        str,
        StringConstraints(min_length=1, max_length=2000, pattern=FILLED),
        STRIP,
    ]
    answer_type: Literal["video", "audio", "text"] = "video"
    think_seconds: Annotated[int, Field(ge=0, le=600), WHOLE] = 30
    max_answer_seconds: Annotated[int, Field(ge=0, le=600), WHOLE] = 120
    retakes: Annotated[int, Field(ge=0, le=10), WHOLE] = 1
    video_key: Annotated[str, StringConstraints(max_length=500)] | None = None
    # Picked from the company's question library: the save copies the entry's video (if any)
    # as this interview's own, unless `video_key` is given.
    from_library: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,40}$")] | None = None

    # The rule below, published: a question that is not a text answer records for 10 s or more.
    model_config = ConfigDict(
        json_schema_extra={
            "if": {"required": ["answer_type"], "properties": {"answer_type": {"const": "text"}}},
            "else": {"properties": {"max_answer_seconds": {"minimum": 10}}},
        }
    )

    @model_validator(mode="after")
    def _recorded_answers_need_a_length(self) -> QuestionIn:
        if self.answer_type != "text" and self.max_answer_seconds < 10:
            raise ValueError("video and audio answers need max_answer_seconds of at least 10")
        return self


class CriterionIn(Body):
    criterion_id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,40}$")] | None = None
    name: Title
    anchors: Annotated[
        list[Annotated[str, StringConstraints(max_length=500), STRIP]],
        Field(min_length=5, max_length=5),
    ]


class InterviewIn(Body):
    """An interview's content. All of it is stored as one item of at most 300 KB (UTF-8).

    Each field keeps to its own limit, and the whole interview together to 300 KB: an
    interview with every field at its longest in 4-byte characters is refused with a 422.
    """

    title: Title
    role_description: Text = ""
    intro: Text = ""
    outro: Text = ""
    # An email address (it becomes the Reply-To of candidate emails) or an https URL.
    support_contact: (
        Annotated[str, StringConstraints(max_length=200, pattern=SUPPORT_CONTACT_PATTERN)] | None
    ) = None
    questions: Annotated[list[QuestionIn], Field(min_length=1, max_length=30)]
    deadline_days: Annotated[int, Field(ge=1, le=90), WHOLE] = 7
    rubric: Annotated[list[CriterionIn], Field(max_length=20)] = []
    # What candidates read it in (they may switch), and the zone its deadlines are set in.
    language: Language = locales.DEFAULT_LANGUAGE
    time_zone: TimeZone = locales.DEFAULT_TIME_ZONE


class LibraryQuestionIn(Body):
    """A saved question of one of the company's interviews, to keep in the question library."""

    interview_id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,40}$")]
    question_id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,40}$")]


class LogoUploadIn(Body):
    """The image the browser is about to send: PNG, JPEG or WebP, at most 512 KB."""

    content_type: Annotated[str, StringConstraints(max_length=100)]
    size_bytes: Annotated[int, Field(ge=1), WHOLE]


class LogoIn(Body):
    """The uploaded logo to check and show (the `logo_id` of its upload)."""

    logo_id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,40}$")]


class ApplyLinkIn(Body):
    enabled: bool
    cap: Annotated[int, Field(ge=1, le=10000), WHOLE] = 100


# --- invitations --------------------------------------------------------------------------

Multiplier = Annotated[float, Field(ge=1.0, le=4.0)]
# A wall-clock time, 24-hour `HH:MM`.
WallTime = Annotated[str, StringConstraints(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]
Days = Annotated[int, Field(ge=1, le=90), WHOLE]


class DeadlineIn(Body):
    """When invitations end: a date (and optional time, 23:59 by default) on the wall clock of
    `time_zone` (the interview's unless given), within a year. Without a date,
    `deadline_days` from now (the fallback for clients that count days), else the
    interview's own number of days."""

    deadline_date: date | None = None
    deadline_time: WallTime | None = None
    time_zone: TimeZone | None = None
    deadline_days: Days | None = None

    def deadline_choice(self) -> locales.DeadlineChoice:
        return locales.DeadlineChoice(
            day=self.deadline_date,
            at=locales.parse_wall_time(self.deadline_time),
            time_zone=self.time_zone,
            days=self.deadline_days,
        )


class CandidateIn(Body):
    name: Name
    email: Email
    time_multiplier: Multiplier = 1.0


class InviteIn(DeadlineIn):
    """Either a list of candidates, or CSV text of `name,email` rows (a header is optional)."""

    candidates: Annotated[list[dict], Field(max_length=1000)] = []
    csv: Annotated[str, StringConstraints(max_length=500_000)] | None = None

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        str_max_length=500_000,
        # The rule below, published: at least one candidate, or CSV text that is not blank.
        json_schema_extra={
            "anyOf": [
                {"required": ["candidates"], "properties": {"candidates": {"minItems": 1}}},
                {"required": ["csv"], "properties": {"csv": {"type": "string", "pattern": FILLED}}},
            ]
        },
    )

    @model_validator(mode="after")
    def _one_source(self) -> InviteIn:
        if not self.candidates and not (self.csv and self.csv.strip()):
            raise ValueError("give candidates or csv")
        return self

    @staticmethod
    def check_candidate(data: dict) -> tuple[dict | None, str | None]:
        """One row of the list or the CSV against `CandidateIn`: the clean row, or its problem."""
        try:
            return CandidateIn.model_validate(data).model_dump(), None
        except ValidationError as error:
            first = error.errors(include_url=False, include_input=False)[0]
            where = ".".join(str(p) for p in first["loc"]) or "row"
            return None, f"{where}: {first['msg']}"


class DirectInviteIn(DeadlineIn):
    """A few candidates, invited within the request (`invitations.DIRECT_INVITE_LIMIT`).

    Longer lists and CSV files go to `POST /interviews/{interview_id}/invitation-jobs`.
    """

    candidates: Annotated[list[dict], Field(min_length=1, max_length=25)]

    @staticmethod
    def check_candidate(data: dict) -> tuple[dict | None, str | None]:
        return InviteIn.check_candidate(data)


class ExtendIn(Body):
    """A new deadline: a date (and optional time) in `time_zone` (the invitation's unless
    given), or `days` after the later of now and the current deadline. A date wins."""

    days: Days | None = None
    deadline_date: date | None = None
    deadline_time: WallTime | None = None
    time_zone: TimeZone | None = None

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        str_max_length=20000,
        # Published: `days` or `deadline_date`, not null (the rule below).
        json_schema_extra={
            "anyOf": [
                {"required": ["days"], "properties": {"days": {"type": "integer"}}},
                {
                    "required": ["deadline_date"],
                    "properties": {"deadline_date": {"type": "string"}},
                },
            ]
        },
    )

    @model_validator(mode="after")
    def _days_or_date(self) -> ExtendIn:
        if self.days is None and self.deadline_date is None:
            raise ValueError("give deadline_date or days")
        return self

    def deadline_choice(self) -> locales.DeadlineChoice:
        return locales.DeadlineChoice(
            day=self.deadline_date,
            at=locales.parse_wall_time(self.deadline_time),
            time_zone=self.time_zone,
            days=self.days,
        )


class InvitationUpdate(Body):
    time_multiplier: Multiplier


class AccommodationGrantIn(Body):
    """Granting gives 1.5 times the time and a week more unless said otherwise here.

    A later deadline is picked as the invite form picks one: a date (and time, 23:59 by
    default) on the wall clock of `time_zone`, the invitation's unless given; or, for API
    clients, as an instant (`deadline`)."""

    time_multiplier: Multiplier | None = None
    deadline: AwareDatetime | None = None
    deadline_date: date | None = None
    deadline_time: WallTime | None = None
    time_zone: TimeZone | None = None

    @model_validator(mode="after")
    def _one_deadline(self) -> AccommodationGrantIn:
        if self.deadline is not None and self.deadline_date is not None:
            raise ValueError("give deadline or deadline_date, not both")
        return self

    def chosen_deadline(self) -> datetime | locales.DeadlineChoice | None:
        """The deadline the admin picked, as an instant or a date on a wall clock."""
        if self.deadline is not None:
            return self.deadline
        if self.deadline_date is None and self.deadline_time is None:
            return None
        return locales.DeadlineChoice(
            day=self.deadline_date,
            at=locales.parse_wall_time(self.deadline_time),
            time_zone=self.time_zone,
        )


class ApplyIn(Body):
    name: Name
    email: Email
    # The language the apply page was read in; the interview's when left out.
    language: Language | None = None


# --- candidates ---------------------------------------------------------------------------


class ConsentIn(Body):
    accepted: Literal[True]


class AttemptIn(Body):
    mime_type: Annotated[
        str, StringConstraints(pattern=r"^(video|audio)/[a-z0-9.+-]+(;.*)?$", max_length=100)
    ]
    # Made by the page once per recording it starts (a UUID) and sent again on a retry, so a
    # start whose reply was lost gets the same attempt back instead of spending a retake.
    client_attempt_id: (
        Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{8,64}$")] | None
    ) = None


class FinaliseIn(Body):
    chunks: Annotated[int, Field(ge=1, le=10000), WHOLE]


class TextAnswerIn(Body):
    text: Annotated[
        str,
        StringConstraints(min_length=1, max_length=5000, pattern=FILLED),
        STRIP,
    ]


class FeedbackIn(Body):
    rating: Annotated[int, Field(ge=1, le=5), WHOLE]
    comment: Annotated[str, StringConstraints(max_length=2000), STRIP] = ""


class AccommodationRequestIn(Body):
    """An adjustment asked for before starting (`domain.accommodations`)."""

    kinds: Annotated[
        list[Literal["more_time", "audio_instead_of_video", "later_deadline"]],
        Field(min_length=1, max_length=3),
    ]
    note: Annotated[str, StringConstraints(max_length=1000), STRIP] = ""


class CandidateLanguageIn(Body):
    """The language a candidate picked on the site; later emails use it too."""

    language: Language


# --- review -------------------------------------------------------------------------------

Score = Annotated[int, Field(ge=1, le=5), WHOLE]
_ONLY_KEYS: dict[str, Any] = {"additionalProperties": False}
Key = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,40}$")]


class ReviewIn(Body):
    # Keys other than the pattern are refused, and the published schema says so.
    scores: Annotated[
        dict[Key, Annotated[dict[Key, Score], Field(max_length=20, json_schema_extra=_ONLY_KEYS)]],
        Field(max_length=30, json_schema_extra=_ONLY_KEYS),
    ] = {}
    recommendation: Literal["strong_yes", "yes", "no", "strong_no"] | None = None
    note: Annotated[str, StringConstraints(max_length=5000), STRIP] = ""


class CommentIn(Body):
    text: Annotated[
        str,
        StringConstraints(min_length=1, max_length=2000, pattern=FILLED),
        STRIP,
    ]


class StageIn(Body):
    stage: Literal["new", "shortlisted", "advanced", "rejected"]
    tags: (
        Annotated[
            list[
                Annotated[
                    str,
                    StringConstraints(min_length=1, max_length=40, pattern=FILLED),
                    STRIP,
                ]
            ],
            Field(max_length=20),
        ]
        | None
    ) = None
    notify: bool = False


class EmailTemplate(Body):
    subject: Annotated[
        str,
        StringConstraints(min_length=1, max_length=200, pattern=FILLED),
        STRIP,
    ]
    body: Annotated[str, StringConstraints(min_length=1, max_length=10000)]


class DecisionPreviewIn(Body):
    stage: Literal["advanced", "rejected"]


class TemplatesIn(Body):
    advanced: EmailTemplate
    rejected: EmailTemplate


class ShareIn(Body):
    expires_in_days: Annotated[int, Field(ge=1, le=30), WHOLE] = 7
    mask_name: bool = False


class SettingsIn(Body):
    blind_review: bool
    # In blind review, hide names from admins too (they see labels, as reviewers do).
    hide_names_from_admins: bool = False


class TeamMemberIn(Body):
    email: Email
    name: Name
    role: Literal["admin", "reviewer"]


class TeamRoleIn(Body):
    role: Literal["admin", "reviewer"]


class ApiKeyIn(Body):
    """A key for an integration: what it is for, and whether it may change anything."""

    name: Annotated[str, StringConstraints(min_length=1, max_length=80, pattern=FILLED), STRIP]
    scope: Literal["read", "read-write"]


class NewPasswordIn(Body):
    email: Email
    # Cognito's sessions are 20 to 2048 characters; anything else was never one of them.
    session: Annotated[str, StringConstraints(min_length=20, max_length=2048)]
    new_password: Password


# --- reminders, integrations and compliance -------------------------------------------------


class FollowUpIn(Body):
    """Per interview: reminder hours before the deadline, and an optional booking link."""

    reminder_hours: Annotated[
        list[Annotated[int, Field(ge=1, le=720), WHOLE]], Field(max_length=5)
    ] = [
        48,
        4,
    ]
    booking_url: HttpsUrl | None = None


class RetentionIn(Body):
    retention_days: Annotated[int, Field(ge=1, le=3650), WHOLE]


WebhookEvents = Annotated[
    list[
        Literal[
            "invitation.created",
            "invitation.opened",
            "interview.completed",
            "candidate.stage_changed",
            "answer.failed",
            "accommodation.requested",
            "accommodation.decided",
        ]
    ],
    Field(min_length=1, max_length=7),
]


class WebhookIn(Body):
    url: Annotated[str, StringConstraints(pattern=r"^https?://\S+$", max_length=2000)]
    events: WebhookEvents


class WebhookEventsIn(Body):
    """The events an endpoint receives from now on (its URL and secret stay)."""

    events: WebhookEvents


# --- question videos ------------------------------------------------------------------------


class QuestionVideoIn(Body):
    """A question video about to be uploaded in chunks: recorded in the console, or a file
    (MP4, MOV or WebM) sent in slices; the worker makes either an MP4 H.264/AAC."""

    mime_type: Annotated[
        str,
        StringConstraints(pattern=r"^video/(mp4|webm|x-matroska|quicktime)(;.*)?$", max_length=100),
    ]
    source: Literal["recording", "file"] = "recording"


class QuestionVideoFinaliseIn(Body):
    chunks: Annotated[int, Field(ge=1, le=10000), WHOLE]
