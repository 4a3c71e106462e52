"""Request bodies the API accepts; unknown fields are refused and types are strict."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from chalicelib.adapters.email import SUPPORT_CONTACT_PATTERN

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
# Long passphrases welcome; Cognito's pool policy enforces the same minimum.
Password = Annotated[str, StringConstraints(min_length=10, max_length=256)]
Color = Annotated[str, StringConstraints(pattern=r"^#[0-9a-fA-F]{6}$")]
HttpsUrl = Annotated[str, StringConstraints(pattern=r"^https://\S+$", max_length=2000)]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, str_max_length=20000)


class SignUp(Body):
    company_name: Name
    name: Name
    email: EmailStr
    password: Password


class SignIn(Body):
    email: EmailStr
    password: Annotated[str, Field(min_length=1, max_length=256)]


class Refresh(Body):
    refresh_token: Annotated[str, Field(min_length=1, max_length=8192)]


class CompanyUpdate(Body):
    name: Name | None = None
    brand_color: Color | None = None
    logo_url: HttpsUrl | None = None


# --- interviews ---------------------------------------------------------------------------

Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000)]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class QuestionIn(Body):
    question_id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,40}$")] | None = None
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
    answer_type: Literal["video", "audio", "text"] = "video"
    think_seconds: Annotated[int, Field(ge=0, le=600)] = 30
    max_answer_seconds: Annotated[int, Field(ge=0, le=600)] = 120
    retakes: Annotated[int, Field(ge=0, le=10)] = 1
    video_key: Annotated[str, StringConstraints(max_length=500)] | None = None

    @model_validator(mode="after")
    def _recorded_answers_need_a_length(self) -> QuestionIn:
        if self.answer_type != "text" and self.max_answer_seconds < 10:
            raise ValueError("video and audio answers need max_answer_seconds of at least 10")
        return self


class CriterionIn(Body):
    criterion_id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,40}$")] | None = None
    name: Title
    anchors: Annotated[
        list[Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]],
        Field(min_length=5, max_length=5),
    ]


class InterviewIn(Body):
    title: Title
    role_description: Text = ""
    intro: Text = ""
    outro: Text = ""
    # An email address (it becomes the Reply-To of candidate emails) or an https URL.
    support_contact: (
        Annotated[str, StringConstraints(max_length=200, pattern=SUPPORT_CONTACT_PATTERN)] | None
    ) = None
    questions: Annotated[list[QuestionIn], Field(min_length=1, max_length=30)]
    deadline_days: Annotated[int, Field(ge=1, le=90)] = 7
    rubric: Annotated[list[CriterionIn], Field(max_length=20)] = []


class ApplyLinkIn(Body):
    enabled: bool
    cap: Annotated[int, Field(ge=1, le=10000)] = 100


# --- invitations --------------------------------------------------------------------------

Multiplier = Annotated[float, Field(ge=1.0, le=4.0)]


class CandidateIn(Body):
    name: Name
    email: EmailStr
    time_multiplier: Multiplier = 1.0


class InviteIn(Body):
    """Either a list of candidates, or CSV text of `name,email` rows (a header is optional)."""

    candidates: Annotated[list[dict], Field(max_length=1000)] = []
    csv: Annotated[str, StringConstraints(max_length=500_000)] | None = None

    model_config = ConfigDict(extra="forbid", strict=True, str_max_length=500_000)

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


class DirectInviteIn(Body):
    """A few candidates, invited within the request (`invitations.DIRECT_INVITE_LIMIT`).

    Longer lists and CSV files go to `POST /interviews/{interview_id}/invitation-jobs`.
    """

    candidates: Annotated[list[dict], Field(min_length=1, max_length=25)]

    @staticmethod
    def check_candidate(data: dict) -> tuple[dict | None, str | None]:
        return InviteIn.check_candidate(data)


class ExtendIn(Body):
    days: Annotated[int, Field(ge=1, le=90), WHOLE]


class InvitationUpdate(Body):
    time_multiplier: Multiplier


class ApplyIn(Body):
    name: Name
    email: EmailStr


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
    chunks: Annotated[int, Field(ge=1, le=10000)]


class TextAnswerIn(Body):
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)]


class FeedbackIn(Body):
    rating: Annotated[int, Field(ge=1, le=5)]
    comment: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] = ""


# --- review -------------------------------------------------------------------------------

Score = Annotated[int, Field(ge=1, le=5)]
Key = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,40}$")]


class ReviewIn(Body):
    scores: Annotated[
        dict[Key, Annotated[dict[Key, Score], Field(max_length=20)]], Field(max_length=30)
    ] = {}
    recommendation: Literal["strong_yes", "yes", "no", "strong_no"] | None = None
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000)] = ""


class CommentIn(Body):
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class StageIn(Body):
    stage: Literal["new", "shortlisted", "advanced", "rejected"]
    tags: (
        Annotated[
            list[
                Annotated[
                    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)
                ]
            ],
            Field(max_length=20),
        ]
        | None
    ) = None
    notify: bool = False


class EmailTemplate(Body):
    subject: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    body: Annotated[str, StringConstraints(min_length=1, max_length=10000)]


class TemplatesIn(Body):
    advanced: EmailTemplate
    rejected: EmailTemplate


class ShareIn(Body):
    expires_in_days: Annotated[int, Field(ge=1, le=30)] = 7
    mask_name: bool = False


class SettingsIn(Body):
    blind_review: bool


class TeamMemberIn(Body):
    email: EmailStr
    name: Name
    role: Literal["admin", "reviewer"]


class TeamRoleIn(Body):
    role: Literal["admin", "reviewer"]


class NewPasswordIn(Body):
    email: EmailStr
    # Cognito's sessions are 20 to 2048 characters; anything else was never one of them.
    session: Annotated[str, StringConstraints(min_length=20, max_length=2048)]
    new_password: Password


# --- reminders, integrations and compliance -------------------------------------------------


class FollowUpIn(Body):
    """Per interview: reminder hours before the deadline, and an optional booking link."""

    reminder_hours: Annotated[list[Annotated[int, Field(ge=1, le=720)]], Field(max_length=5)] = [
        48,
        4,
    ]
    booking_url: HttpsUrl | None = None


class RetentionIn(Body):
    retention_days: Annotated[int, Field(ge=1, le=3650)]


class WebhookIn(Body):
    url: Annotated[str, StringConstraints(pattern=r"^https?://\S+$", max_length=2000)]
    events: Annotated[
        list[
            Literal[
                "invitation.created",
                "invitation.opened",
                "interview.completed",
                "candidate.stage_changed",
                "answer.failed",
            ]
        ],
        Field(min_length=1, max_length=5),
    ]


# --- question videos ------------------------------------------------------------------------


class QuestionVideoIn(Body):
    """A recruiter-recorded question video about to be uploaded: MP4 (H.264) or WebM."""

    mime_type: Annotated[
        str, StringConstraints(pattern=r"^video/(mp4|webm)(;.*)?$", max_length=100)
    ]
