"""Where an attempt's files live in the media bucket: the one definition of every S3 key shape.

    raw/<company>/<interview>/<invitation>/<question>/<attempt:03d>/chunk-00000   browser POSTs
    raw/<company>/<interview>/<invitation>/<question>/<attempt:03d>/manifest.json API, at finalise
    media/<company>/<interview>/<invitation>/<question>/<attempt:03d>/answer.mp4  worker output
    media/<company>/<interview>/<invitation>/<question>/<attempt:03d>/captions.en.vtt  captions
    raw/<company>/<interview>/question-videos/<video id>/chunk-00000   recruiter's recording or file
    raw/<company>/<interview>/question-videos/<video id>/manifest.json API, at finalise
    question-videos/<company>/<interview>/<video id>/video.mp4          worker output (+ poster.jpg)
    question-videos/<company>/<interview>/<video id>.<mp4|webm>         older uploads, played as is
    probes/<company>/<invitation>/<probe id>                                       network check

The API grants and checks chunk keys and writes the manifest, the worker parses the manifest
key and writes the outputs, retention deletes everything under an invitation, the browser
receives the chunk-key template in its grant, and infra filters and expires by the roots. Every
path segment is one id, so a key splits on `/` without ambiguity. Pure Python: the worker's
image and the browser-facing API both import it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

RAW_ROOT = "raw/"
MEDIA_ROOT = "media/"
QUESTION_VIDEO_ROOT = "question-videos/"
CHUNK_PREFIX = "chunk-"
CHUNK_DIGITS = 5
MANIFEST_NAME = "manifest.json"
MANIFEST_SUFFIX = "/" + MANIFEST_NAME  # the S3 notification's suffix filter
# Python format syntax; the candidate site substitutes `{index:0Nd}` the same way.
CHUNK_INDEX_FIELD = f"{{index:0{CHUNK_DIGITS}d}}"

# What the worker stores per answer type: (media file, poster or None).
OUTPUT_NAMES: dict[str, tuple[str, str | None]] = {
    "video": ("answer.mp4", "poster.jpg"),
    "audio": ("answer.m4a", None),
}
# WebVTT captions of an answer, one file per language, beside its media (`captions.en.vtt`):
# reviewers' players offer each as a captions track; none exist until something writes them.
CAPTIONS_NAME = re.compile(r"captions\.(?P<language>[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*)\.vtt")


def captions_key(media_key: str, language: str) -> str:
    """Where the `language` captions of the answer stored at `media_key` live."""
    key = media_key.rsplit("/", 1)[0] + f"/captions.{language}.vtt"
    if not CAPTIONS_NAME.fullmatch(key.rsplit("/", 1)[1]):
        raise ValueError("captions language must be a BCP 47 tag such as en or pt-BR")
    return key


# What one attempt may store under `raw/`. Generous upper bounds on what a browser records per
# second, so a long answer never hits them while a runaway upload does: 8 Mbit/s for video,
# 512 kbit/s for audio (the site records at 1 Mbit/s and 64 kbit/s).
BYTES_PER_SECOND = {"video": 1_000_000, "audio": 64_000}
SLACK_BYTES = 5 * 1024 * 1024
MAX_CHUNK_BYTES = 50 * 1024 * 1024
# The recorder's timeslice (candidate site): one chunk per second of recording.
CHUNK_SECONDS = 1


@dataclass(frozen=True)
class UploadBound:
    """How many chunks one attempt may have, how large each, and in total.

    `max_chunks * max_chunk_bytes <= max_total_bytes`: grants sign one exact key per chunk
    number below `max_chunks`, each limited to `max_chunk_bytes`, so whatever a candidate
    sends, an attempt never holds more than its bound (S3 overwrites a key in place).
    """

    max_chunks: int
    max_chunk_bytes: int
    max_total_bytes: int


def upload_bound(answer_type: str, max_seconds: float) -> UploadBound:
    """The bound of an attempt at a question of this type and length (accommodation included).

    One chunk a second plus a tenth (at least ten) for uneven timeslices and the last, short
    chunk; every chunk may be a fair share of the total, about 8x what the site records.
    """
    seconds = max(float(max_seconds), 0.0)
    total = int(BYTES_PER_SECOND[answer_type] * seconds) + SLACK_BYTES
    nominal = math.ceil(seconds / CHUNK_SECONDS)
    chunks = nominal + max(10, math.ceil(nominal / 10))
    return UploadBound(
        max_chunks=chunks,
        max_chunk_bytes=min(MAX_CHUNK_BYTES, total // chunks),
        max_total_bytes=total,
    )


_SEGMENT = r"[^/]+"
_MANIFEST_KEY = re.compile(
    rf"^{re.escape(RAW_ROOT)}(?P<company>{_SEGMENT})/(?P<interview>{_SEGMENT})/"
    rf"(?P<invitation>{_SEGMENT})/(?P<question>{_SEGMENT})/(?P<attempt>\d{{3}})"
    rf"{re.escape(MANIFEST_SUFFIX)}$"
)
_CHUNK_NAME = re.compile(rf"^{re.escape(CHUNK_PREFIX)}(?P<index>\d{{{CHUNK_DIGITS},}})$")


@dataclass(frozen=True)
class OutputKeys:
    """Where the worker stores one answer's playable file and its poster (None for audio)."""

    media: str
    poster: str | None


class _ChunkedUpload:
    """Chunk and manifest keys under a `raw_prefix`: shared by answers and question videos."""

    @property
    def raw_prefix(self) -> str:
        raise NotImplementedError

    @property
    def chunk_prefix(self) -> str:
        """What every chunk key starts with: the upload policy's `starts-with` condition."""
        return self.raw_prefix + CHUNK_PREFIX

    @property
    def chunk_key_template(self) -> str:
        """`chunk_key(n)` as a format string, for the browser: `….format(index=n)`."""
        return self.chunk_prefix + CHUNK_INDEX_FIELD

    def chunk_key(self, index: int) -> str:
        return self.raw_prefix + chunk_name(index)

    def chunk_index(self, key: str) -> int | None:
        """The index a chunk key of this upload carries; None for any other key."""
        if not key.startswith(self.raw_prefix):
            return None
        match = _CHUNK_NAME.match(key[len(self.raw_prefix) :])
        return int(match["index"]) if match else None

    @property
    def manifest_key(self) -> str:
        return self.raw_prefix + MANIFEST_NAME


@dataclass(frozen=True)
class AttemptLocation(_ChunkedUpload):
    """One attempt at one question of one invitation, as the bucket sees it."""

    company_id: str
    interview_id: str
    invitation_id: str
    question_id: str
    attempt: int

    def __post_init__(self) -> None:
        # A `/` inside an id would shift every segment after it and make keys unparseable.
        ids = (self.company_id, self.interview_id, self.invitation_id, self.question_id)
        if any(not value or "/" in value for value in ids):
            raise ValueError("attempt location ids must be non-empty and contain no '/'")
        if not 0 < self.attempt < 1000:
            raise ValueError("attempt numbers have three digits")

    @property
    def _path(self) -> str:
        return (
            f"{self.company_id}/{self.interview_id}/{self.invitation_id}/"
            f"{self.question_id}/{self.attempt:03d}/"
        )

    @property
    def raw_prefix(self) -> str:
        """Chunks and manifest; the worker deletes it once the answer is stored."""
        return RAW_ROOT + self._path

    @property
    def media_prefix(self) -> str:
        return MEDIA_ROOT + self._path

    def output_keys(self, answer_type: str) -> OutputKeys:
        """Where the worker stores a `video` or `audio` answer (KeyError for any other type)."""
        media_name, poster_name = OUTPUT_NAMES[answer_type]
        return OutputKeys(
            media=self.media_prefix + media_name,
            poster=self.media_prefix + poster_name if poster_name else None,
        )


def chunk_name(index: int) -> str:
    """`chunk-00000`: zero-padded so a listing sorts in recording order."""
    return CHUNK_PREFIX + CHUNK_INDEX_FIELD.format(index=index)


def parse_manifest_key(key: str) -> AttemptLocation | None:
    """The attempt a manifest key names; None for chunks, outputs and any other key.

    `key` is the object's real key: S3 event notifications URL-encode it (`q 1` arrives as
    `q+1`), so decode it with `urllib.parse.unquote_plus` first, as the worker's handler does.
    No key a browser can write under its grant (`<raw prefix>chunk-…`) parses as a manifest.
    """
    match = _MANIFEST_KEY.match(key)
    if not match:
        return None
    return AttemptLocation(
        company_id=match["company"],
        interview_id=match["interview"],
        invitation_id=match["invitation"],
        question_id=match["question"],
        attempt=int(match["attempt"]),
    )


def invitation_prefixes(company_id: str, interview_id: str, invitation_id: str) -> tuple[str, ...]:
    """Every prefix holding a candidate's files (raw uploads and media): what a purge deletes."""
    path = f"{company_id}/{interview_id}/{invitation_id}/"
    return (RAW_ROOT + path, MEDIA_ROOT + path)


def question_video_prefix(company_id: str, interview_id: str) -> str:
    """Every playable question video of an interview (and its older, as-uploaded ones)."""
    return f"{QUESTION_VIDEO_ROOT}{company_id}/{interview_id}/"


def question_video_key(company_id: str, interview_id: str, video_id: str, extension: str) -> str:
    """An older question video, stored as uploaded (kept playable; no longer granted)."""
    return f"{question_video_prefix(company_id, interview_id)}{video_id}.{extension}"


def is_question_video_of(key: str, company_id: str, interview_id: str) -> bool:
    """Whether `key` is an older, as-uploaded question video of this interview."""
    prefix = question_video_prefix(company_id, interview_id)
    return key.startswith(prefix) and "/" not in key[len(prefix) :]


# A question video is recorded in the console (or a file is sent) as chunks under `raw/`, so
# its manifest wakes the worker through the same notification as answers (prefix `raw/`,
# suffix `/manifest.json`); the segment `question-videos` stands where an answer has its
# invitation id, and four segments before the manifest (not five) keep the two apart.
QUESTION_VIDEO_SEGMENT = "question-videos"
QUESTION_VIDEO_MAX_SECONDS = 180
QUESTION_VIDEO_MAX_BYTES = 200 * 1024 * 1024
QUESTION_VIDEO_OUTPUT = ("video.mp4", "poster.jpg")
_QUESTION_VIDEO_MANIFEST = re.compile(
    rf"^{re.escape(RAW_ROOT)}(?P<company>{_SEGMENT})/(?P<interview>{_SEGMENT})/"
    rf"{QUESTION_VIDEO_SEGMENT}/(?P<video>{_SEGMENT}){re.escape(MANIFEST_SUFFIX)}$"
)
_QUESTION_VIDEO_MEDIA = re.compile(
    rf"^{re.escape(QUESTION_VIDEO_ROOT)}(?P<company>{_SEGMENT})/(?P<interview>{_SEGMENT})/"
    rf"(?P<video>{_SEGMENT})/{re.escape(QUESTION_VIDEO_OUTPUT[0])}$"
)


def question_video_bound() -> UploadBound:
    """A question video's chunks: one a second of recording for 3 minutes (plus a tenth), or a
    file sent in slices of `max_chunk_bytes`; never more than 200 MB in all."""
    nominal = math.ceil(QUESTION_VIDEO_MAX_SECONDS / CHUNK_SECONDS)
    chunks = nominal + max(10, math.ceil(nominal / 10))
    return UploadBound(
        max_chunks=chunks,
        max_chunk_bytes=QUESTION_VIDEO_MAX_BYTES // chunks,
        max_total_bytes=QUESTION_VIDEO_MAX_BYTES,
    )


@dataclass(frozen=True)
class QuestionVideoLocation(_ChunkedUpload):
    """One question video of one interview: its chunks and manifest, then its MP4 and poster."""

    company_id: str
    interview_id: str
    video_id: str

    def __post_init__(self) -> None:
        ids = (self.company_id, self.interview_id, self.video_id)
        if any(not value or "/" in value for value in ids):
            raise ValueError("question video ids must be non-empty and contain no '/'")

    @property
    def raw_prefix(self) -> str:
        """Chunks and manifest; the worker deletes them once the video is stored."""
        return (
            f"{RAW_ROOT}{self.company_id}/{self.interview_id}/"
            f"{QUESTION_VIDEO_SEGMENT}/{self.video_id}/"
        )

    @property
    def media_prefix(self) -> str:
        return f"{question_video_prefix(self.company_id, self.interview_id)}{self.video_id}/"

    @property
    def output_keys(self) -> OutputKeys:
        media_name, poster_name = QUESTION_VIDEO_OUTPUT
        return OutputKeys(self.media_prefix + media_name, self.media_prefix + poster_name)

    @property
    def prefixes(self) -> tuple[str, str]:
        """Everything this video stores: what replacing or removing it deletes."""
        return (self.raw_prefix, self.media_prefix)


def parse_question_video_manifest_key(key: str) -> QuestionVideoLocation | None:
    """The question video a manifest key names; None for any other key (answers' included)."""
    match = _QUESTION_VIDEO_MANIFEST.match(key)
    if not match:
        return None
    return QuestionVideoLocation(match["company"], match["interview"], match["video"])


def parse_question_video_key(key: str) -> QuestionVideoLocation | None:
    """The question video whose playable MP4 `key` is (what a question saves); None otherwise."""
    match = _QUESTION_VIDEO_MEDIA.match(key or "")
    if not match:
        return None
    return QuestionVideoLocation(match["company"], match["interview"], match["video"])


def question_video_poster_key(video_key: str | None) -> str | None:
    """The poster beside a question video's MP4; None for older, as-uploaded videos."""
    location = parse_question_video_key(video_key or "")
    return location.output_keys.poster if location else None


# Company exports written by a job: private, fetched through minutes-long presigned links,
# expired by a lifecycle rule on this root (infra/resources.EXPORT_EXPIRY_DAYS).
EXPORT_ROOT = "exports/"


def export_key(company_id: str, job_id: str) -> str:
    return f"{EXPORT_ROOT}{company_id}/{job_id}.json"


# The device check's upload test: random bytes POSTed to measure the candidate's uplink, never
# an answer; outside `raw/` (no worker wakes) and expired a day later by a lifecycle rule
# (infra/resources.PROBE_EXPIRY_DAYS).
PROBE_ROOT = "probes/"


def probe_key(company_id: str, invitation_id: str, probe_id: str) -> str:
    return f"{PROBE_ROOT}{company_id}/{invitation_id}/{probe_id}"


# The company's question library keeps its own copy of a question's video (MP4 and poster),
# so deleting or editing the interview it came from never takes the library's away; picking
# it into an interview copies it again, as that interview's own video.
QUESTION_LIBRARY_ROOT = "question-library/"


def library_video_keys(company_id: str, entry_id: str) -> tuple[str, str]:
    """(video, poster) of one library question."""
    prefix = f"{QUESTION_LIBRARY_ROOT}{company_id}/{entry_id}/"
    media_name, poster_name = QUESTION_VIDEO_OUTPUT
    return prefix + media_name, prefix + poster_name


# Company logos: the browser POSTs to `logo-uploads/` (a staging key nothing serves); the API
# checks the image's bytes and only then copies it to `logos/`, the one root the public logo
# route serves (candidate pages and emails show it without signing in).
LOGO_UPLOAD_ROOT = "logo-uploads/"
LOGO_ROOT = "logos/"


def logo_upload_key(company_id: str, logo_id: str) -> str:
    return f"{LOGO_UPLOAD_ROOT}{company_id}/{logo_id}"


def logo_key(company_id: str, logo_id: str) -> str:
    return f"{LOGO_ROOT}{company_id}/{logo_id}"
