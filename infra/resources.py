"""The settings every deployment's resources share, in AWS (CDK) and on the local stack (moto).

`infra/stacks/` declares the resources for AWS and `infra/local/provisioning.py` creates them
through the AWS APIs on moto; both read these numbers so the two cannot drift apart.
"""

from __future__ import annotations

from chalicelib.data import media_layout
from chalicelib.domain import answer_lifecycle, jobs

PASSWORD_MIN_LENGTH = 10
MAX_RECEIVES_BEFORE_DLQ = answer_lifecycle.MAX_RECEIVES
# The worker may run up to 15 minutes; a message stays invisible for longer than that and
# than the worker's lease on its answer, so a redelivery finds a dead worker's lease expired.
WORKER_TIMEOUT_SECONDS = answer_lifecycle.WORKER_TIMEOUT_SECONDS
UPLOAD_VISIBILITY_SECONDS = answer_lifecycle.UPLOAD_VISIBILITY_SECONDS
RAW_EXPIRY_DAYS = 7
# Chunks arrive while recording; only the manifest written at finalise means an attempt is
# whole, so only it wakes the worker.
UPLOAD_EVENT_PREFIX = media_layout.RAW_ROOT
UPLOAD_EVENT_SUFFIX = media_layout.MANIFEST_SUFFIX

WEBHOOK_MAX_RECEIVES = 5  # chalicelib.domain.webhooks.MAX_ATTEMPTS
WEBHOOK_VISIBILITY_SECONDS = 60  # longer than one POST's timeout; retries set their own delay

# Bulk invitations and exports: the job function may run 5 minutes; a message stays
# invisible for longer than that and than the job's lease, so a redelivery finds a dead
# run's lease expired and carries on where it stopped.
JOB_TIMEOUT_SECONDS = jobs.TIMEOUT_SECONDS
JOB_VISIBILITY_SECONDS = jobs.LEASE_SECONDS + 30
JOB_MAX_RECEIVES = jobs.MAX_RECEIVES
# Export files are deleted a week after they are written, with the job that points at them.
EXPORT_PREFIX = media_layout.EXPORT_ROOT
EXPORT_EXPIRY_DAYS = jobs.KEPT_FOR.days
# The device check's upload probes: random bytes, useless a minute later, deleted after a day.
PROBE_PREFIX = media_layout.PROBE_ROOT
PROBE_EXPIRY_DAYS = 1
# Logo images as the browser POSTed them, before the API checked their bytes: a checked one is
# copied to `logos/` at once, so whatever is still here a day later was never finalised.
LOGO_UPLOAD_PREFIX = media_layout.LOGO_UPLOAD_ROOT
LOGO_UPLOAD_EXPIRY_DAYS = 1
