"""The device check's upload test: a presigned POST for a few hundred KB that is never an answer.

Before the first question the candidate's page POSTs random bytes straight to S3, as it will
post its recording's chunks, and times them: how fast the uplink is decides what the page
says (good, slow, too slow for video) and the bitrate it records at. Each grant is for one
new key under `probes/` (outside `raw/`, so no worker wakes and nothing counts as an answer),
at most `PROBE_MAX_BYTES`, valid `PROBE_TTL_SECONDS`; a lifecycle rule deletes probes a day
later. Grants are rate-limited per invitation, so a link cannot be used to store data.
"""

from __future__ import annotations

import uuid

from chalicelib.adapters import uploads
from chalicelib.data.media_layout import probe_key
from chalicelib.data.models import utcnow
from chalicelib.domain import rate_limits
from chalicelib.domain.errors import Gone
from chalicelib.domain.invitations import find_by_token

# Two probes (about 100 KB, then up to 480 KB) fit under this with the form's own bytes.
PROBE_MAX_BYTES = 512 * 1024
# Long enough for the largest probe on a 0.15 Mbit/s link (about 27 s), and no longer.
PROBE_TTL_SECONDS = 60
# A check takes two grants; a few reloads of the page are fine, a loop is not.
PROBES_PER_INVITATION = rate_limits.Limit(
    "network-check",
    12,
    600,
    "You have tested your connection many times in the last few minutes. Please wait a few "
    "minutes before testing again: you can record your answers without the test.",
)
CLOSED = frozenset({"completed", "expired"})


def probe(token: str) -> uploads.ObjectGrant:
    """A presigned POST for one fresh probe object of this invitation (429 past the limit)."""
    invitation = find_by_token(token)
    if invitation.status in CLOSED or utcnow() > invitation.deadline:
        raise Gone("This interview is closed, so there is nothing left to record.")
    rate_limits.take(PROBES_PER_INVITATION, invitation.invitation_id)
    key = probe_key(invitation.company_id, invitation.invitation_id, uuid.uuid4().hex)
    return uploads.probe_grant(key, PROBE_MAX_BYTES, PROBE_TTL_SECONDS)
