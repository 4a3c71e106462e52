"""An answer's states, named once for the answer lifecycle and the invitations it completes.

Apart from `answer_lifecycle` so `invitation_lifecycle` can read them while
`answer_lifecycle` calls the invitation's transitions (a failed answer gives its attempt
back or reopens its question) without the two importing each other.
"""

from __future__ import annotations

from enum import StrEnum


class AnswerStatus(StrEnum):
    RECORDING = "recording"
    UPLOADED = "uploaded"
    PROCESSING = "processing"
    READY = "ready"
    FAILED = "failed"
    RELEASED = "released"


# An attempt that stands: saved, on its way through the worker, or playable.
KEPT = (AnswerStatus.UPLOADED, AnswerStatus.PROCESSING, AnswerStatus.READY)
