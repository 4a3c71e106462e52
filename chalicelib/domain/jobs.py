"""Jobs: work too long for one request (a bulk invitation, the company export), run off a queue.

A request checks its input, stores the job (and, for invitations, one item per row), queues
a message and answers 202 with the job id at once: a 1,000-row CSV used to take minutes, far
past API Gateway's 29 s, and a company export could outgrow Lambda's 6 MB response.

The queue's handler (`run`) works through the rows in bounded runs. Each row remembers its
outcome, written in the same transaction as the invitation it creates, so a redelivered
message, a second run or a crash part-way never invites anyone twice; a row invited but not
yet mailed is mailed by the next run (the same link, unless the first email is recorded
as sent). A lease on the job keeps two deliveries of its message from working at once.
Near the function's time limit a run queues the job again and returns.

An export is written as a private file under `exports/` (expired by a bucket lifecycle rule);
the job's status offers a presigned link minutes long, and the admin who asked is mailed a
link to the console, which fetches a fresh one, never a long-lived URL in an inbox.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from pynamodb.exceptions import UpdateError

from chalicelib.adapters import email
from chalicelib.adapters.aws import client
from chalicelib.config import ConfigError, get_settings
from chalicelib.data import keys, media_layout
from chalicelib.data.models import Job, JobRow, Recruiter, new_id, utcnow
from chalicelib.domain import activity, invitations, locales, privacy, webhooks
from chalicelib.domain.auth import Principal, Role
from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.domain.identity import get_company
from chalicelib.domain.interviews import get_interview
from chalicelib.observability import logger, metrics

QUEUE_NAME = "oneway-jobs"  # the local stack's name; production wires the handler by ARN
INVITE = "invite"
EXPORT = "export"

# The job function's Lambda timeout; a run stops taking rows with MARGIN_MS left, and its
# lease outlasts the timeout so a second delivery never works beside a live run.
TIMEOUT_SECONDS = 300
MARGIN_MS = 15_000
LEASE_SECONDS = TIMEOUT_SECONDS + 30
ROWS_PER_RUN = 250  # bounded work per message, whatever time is left
PROGRESS_EVERY = 10  # rows between updates of the job's progress counter
MAX_RECEIVES = 5  # the queue's maxReceiveCount: then the dead-letter queue
# Jobs and their rows hold names and addresses: gone a week after they were asked for.
KEPT_FOR = timedelta(days=7)
EXPORT_LINK_SECONDS = 300

# JobRow outcomes
PENDING = "pending"
INVITED = "invited"
DUPLICATE = "duplicate"
REFUSED = "refused"

ARCHIVED = "the interview was archived before this row was reached"


@dataclass(frozen=True)
class JobView:
    """A job as its owner sees it: progress, each row's outcome once done, the export's link."""

    job: Job
    report: invitations.InviteReport | None = None
    download_url: str | None = None

    @property
    def pending_rows(self) -> int:
        """Rows not settled yet: from the rows once read, else the job's progress counter."""
        if self.report is not None:
            return self.report.pending
        return max(0, int(self.job.total_rows) - int(self.job.settled_rows))


# --- starting a job (the request) ---------------------------------------------------------


def _queue_url() -> str:
    url = get_settings().jobs_queue_url
    if not url:
        raise ConfigError("missing environment variable: JOBS_QUEUE_URL")
    return url


def _new_job(principal: Principal, job_type: str, **fields: Any) -> Job:
    job_id = new_id()
    return Job(
        *Job.key(principal.company_id, job_id),
        company_id=principal.company_id,
        job_id=job_id,
        job_type=job_type,
        created_by=principal.user_id,
        created_by_email=principal.email,
        expires_at=utcnow() + KEPT_FOR,
        **fields,
    )


def _enqueue(job: Job) -> None:
    client("sqs").send_message(
        QueueUrl=_queue_url(),
        MessageBody=json.dumps({"company_id": job.company_id, "job_id": job.job_id}),
    )


def start_invite(
    principal: Principal,
    interview_id: str,
    candidates: list[dict[str, Any]],
    csv_text: str | None,
    check_row: invitations.RowCheck,
    *,
    deadline: locales.DeadlineChoice | None = None,
) -> Job:
    """Check every row, store them and queue the job; nobody is invited or mailed yet.

    Invalid and repeated rows are settled here (the recruiter sees them at once); the rest
    wait for the job. More than `max_invites_per_request` rows are refused whole (422), as
    is a past or far deadline; a deadline picked is kept on the job for every row.
    """
    _queue_url()
    interview = get_interview(principal.company_id, interview_id)
    rows = invitations.sort_rows(
        candidates, csv_text, check_row, get_settings().max_invites_per_request
    )
    if interview.status != "active":
        raise Conflict("This interview is archived and takes no new invitations.")
    picked = invitations.deadline_for(interview, deadline) if deadline else None
    settled = sum(1 for row in rows if row.candidate is None or row.repeated)
    job = _new_job(
        principal, INVITE, interview_id=interview_id, total_rows=len(rows), settled_rows=settled
    )
    if picked is not None and (deadline.day is not None or deadline.days is not None):
        job.deadline, job.deadline_time_zone = picked.at, picked.time_zone
    with JobRow.batch_write() as batch:
        for sorted_row in rows:
            batch.save(_row_item(job, sorted_row))
    job.save(condition=Job.pk.does_not_exist())
    _enqueue(job)
    logger.info(
        "invite job queued",
        extra={"job_id": job.job_id, "interview_id": interview_id, "rows": len(rows)},
    )
    return job


def _row_item(job: Job, row: invitations.SortedRow) -> JobRow:
    item = JobRow(*JobRow.key(job.company_id, job.job_id, row.row), row=row.row)
    item.expires_at = job.expires_at
    if row.candidate is None:
        item.outcome, item.reason = REFUSED, row.refused
        return item
    item.candidate_name = row.candidate["name"]
    item.candidate_email = row.candidate["email"]
    item.time_multiplier = row.candidate["time_multiplier"]
    if row.repeated:
        item.outcome, item.reason = DUPLICATE, invitations.REPEATED
    return item


def start_export(principal: Principal) -> Job:
    """Queue an export of the whole company, to be written as a file (audited when written)."""
    _queue_url()
    job = _new_job(principal, EXPORT)
    job.save(condition=Job.pk.does_not_exist())
    activity.audit(principal.company_id, principal.user_id, "company.export_requested", job.job_id)
    _enqueue(job)
    return job


# --- reading a job --------------------------------------------------------------------------


def get_job(company_id: str, job_id: str) -> Job:
    """One of the company's jobs; 404 for an unknown id or another company's."""
    if not job_id or len(job_id) > 64 or "#" in job_id:
        raise NotFound("Job not found.")
    try:
        return Job.get(*Job.key(company_id, job_id))
    except Job.DoesNotExist:
        raise NotFound("Job not found.") from None


def _rows(job: Job) -> list[JobRow]:
    return list(
        JobRow.query(
            keys.job_pk(job.company_id, job.job_id),
            JobRow.sk.startswith(keys.JOB_ROW_PREFIX),
        )
    )


def report_of(rows: list[JobRow]) -> invitations.InviteReport:
    """What became of each row so far, in the shape a direct invite reports."""
    report = invitations.InviteReport()
    for row in rows:
        number = int(row.row)
        if row.outcome == INVITED:
            report.invited.append(
                invitations.InvitedRow(number, row.candidate_email or "", row.invitation_id or "")
            )
        elif row.outcome == DUPLICATE:
            report.duplicates.append(
                invitations.DuplicateRow(number, row.candidate_email or "", row.reason or "")
            )
        elif row.outcome == REFUSED:
            report.errors.append(invitations.RefusedRow(number, row.reason))
        else:
            report.pending += 1
    return report


def view(principal: Principal, job_id: str) -> JobView:
    """The caller's company's job: progress, then every row or a minutes-long export link.

    While a bulk invitation runs only its progress counter is read (the console polls every
    second); its rows are read once it has finished. Issuing a link to the export is
    audited: it is the moment the company's data can leave.
    """
    job = get_job(principal.company_id, job_id)
    if job.job_type == INVITE:
        if job.status not in ("done", "failed"):
            return JobView(job)
        return JobView(job, report=report_of(_rows(job)))
    if job.status != "done" or not job.result_key:
        return JobView(job)
    url = client("s3").generate_presigned_url(
        "get_object",
        Params={
            "Bucket": get_settings().media_bucket,
            "Key": job.result_key,
            "ResponseContentDisposition": f'attachment; filename="{_export_filename(job)}"',
            "ResponseContentType": "application/json",
        },
        ExpiresIn=EXPORT_LINK_SECONDS,
    )
    activity.audit(job.company_id, principal.user_id, "company.export_link_issued", job.job_id)
    return JobView(job, download_url=url)


def _export_filename(job: Job) -> str:
    return f"oneway-export-{job.created_at.strftime('%Y-%m-%d')}-{job.job_id}.json"


# --- running a job (the queue's handler) ----------------------------------------------------

RemainingMs = Callable[[], int]
RenderExport = Callable[[privacy.CompanyExport], dict[str, Any]]


def run(body: str, remaining_ms: RemainingMs, render_export: RenderExport) -> str:
    """Work on the job a queued message names; returns what became of this run.

    "done"/"failed": the job finished; "continued": queued again to go on in a new run;
    "busy": another run holds the job (its own message comes back should it die);
    "finished": nothing left to do (a redelivery after the end, or a job already expired).
    """
    message = json.loads(body)
    try:
        job = get_job(str(message["company_id"]), str(message["job_id"]))
    except NotFound:
        logger.warning("job message for no job", extra={"job_id": message.get("job_id")})
        return "finished"
    if job.status in ("done", "failed"):
        return "finished"
    if not _take_lease(job):
        return "busy"
    try:
        if job.job_type == INVITE:
            finished, error = _run_invites(job, remaining_ms), None
        else:
            finished, error = True, _run_export(job, render_export)
    except Exception:
        _release(job)
        raise  # SQS delivers the message again; after MAX_RECEIVES, its dead-letter queue
    if not finished:
        _release(job)
        _enqueue(job)
        logger.info("job continues in a new run", extra={"job_id": job.job_id})
        return "continued"
    return _finish(job, error)


def _take_lease(job: Job) -> bool:
    now = int(time.time())
    try:
        job.update(
            actions=[
                Job.status.set("running"),
                Job.lease_until.set(now + LEASE_SECONDS),
                Job.runs.add(1),
                Job.updated_at.set(utcnow()),
            ],
            condition=(Job.lease_until < now) & Job.status.is_in("queued", "running"),
        )
    except UpdateError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def _release(job: Job) -> None:
    job.update(actions=[Job.lease_until.set(0), Job.updated_at.set(utcnow())])


def _finish(job: Job, error: str | None = None) -> str:
    status = "failed" if error else "done"
    actions = [
        Job.status.set(status),
        Job.lease_until.set(0),
        Job.finished_at.set(utcnow()),
        Job.updated_at.set(utcnow()),
    ]
    if job.job_type == INVITE:
        actions.append(Job.counts.set(report_of(_rows(job)).counts()))
    if error:
        actions.append(Job.error.set(error))
    job.update(actions=actions)
    metrics.add_metric(name="JobsFinished", unit="Count", value=1)
    logger.info("job finished", extra={"job_id": job.job_id, "status": status})
    return status


def _run_invites(job: Job, remaining_ms: RemainingMs) -> bool:
    """Settle the rows not settled yet; False when stopped early (time or batch bound)."""
    company = get_company(job.company_id)
    try:
        interview = get_interview(job.company_id, job.interview_id or "")
    except NotFound:
        interview = None
    rows = _rows(job)
    settled = sum(1 for row in rows if _is_settled(row))
    handled = 0
    deadline = (
        locales.Deadline(job.deadline, job.deadline_time_zone or locales.DEFAULT_TIME_ZONE)
        if job.deadline
        else None
    )
    with webhooks.one_read_of_endpoints():
        for row in rows:
            if _is_settled(row):
                continue
            if handled and (handled >= ROWS_PER_RUN or remaining_ms() < MARGIN_MS):
                _progress(job, settled)
                return False
            _settle(company, interview, row, deadline)
            handled += 1
            settled += 1
            if handled % PROGRESS_EVERY == 0:
                _progress(job, settled)
    _progress(job, settled)
    return True


def _is_settled(row: JobRow) -> bool:
    return row.outcome in (DUPLICATE, REFUSED) or row.mailed_at is not None


def _progress(job: Job, settled: int) -> None:
    job.update(actions=[Job.settled_rows.set(settled), Job.updated_at.set(utcnow())])


def _settle(
    company: Any, interview: Any, row: JobRow, deadline: locales.Deadline | None = None
) -> None:
    """Invite one row and mail its link, each step recorded on the row before the next."""
    if row.outcome == PENDING:
        if interview is None or interview.status != "active":
            _mark(row, REFUSED, ARCHIVED)
            return
        try:
            invitation, token = invitations.create_invitation(
                company,
                interview,
                row.candidate_name or "",
                row.candidate_email or "",
                time_multiplier=float(row.time_multiplier),
                source="bulk",
                deadline=deadline,
                also=lambda transaction, invitation: transaction.update(
                    row,
                    actions=[
                        JobRow.outcome.set(INVITED),
                        JobRow.invitation_id.set(invitation.invitation_id),
                    ],
                    condition=JobRow.outcome == PENDING,
                ),
            )
        except Conflict:
            row.refresh()
            if row.outcome == PENDING:  # the address was taken, not the row
                _mark(row, DUPLICATE, invitations.ALREADY_INVITED)
            return
        invitations.send_invitation_email(invitation, token)
        activity.count_email(company.company_id)
    else:  # invited by a run that stopped before recording the email
        invitation = invitations.get_invitation(company.company_id, row.invitation_id or "")
        if invitation.email_sent_at is None:
            invitations.resend(company.company_id, invitation.invitation_id)
    row.update(actions=[JobRow.mailed_at.set(utcnow())])


def _mark(row: JobRow, outcome: str, reason: str) -> None:
    try:
        row.update(
            actions=[JobRow.outcome.set(outcome), JobRow.reason.set(reason)],
            condition=JobRow.outcome == PENDING,
        )
    except UpdateError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise


def _run_export(job: Job, render_export: RenderExport) -> str | None:
    """Write the export file (once), then mail the admin who asked a link to the console.

    Returns why the export was not made: only someone still an admin gets the company's data.
    """
    try:
        asker = Recruiter.get(*Recruiter.key(job.company_id, job.created_by))
    except Recruiter.DoesNotExist:
        asker = None
    if asker is None or asker.role != Role.ADMIN.value:
        return "The admin who asked for this export is no longer an admin."
    if not job.result_key:
        principal = Principal(job.company_id, job.created_by, job.created_by_email, Role.ADMIN)
        document = render_export(privacy.export_company(principal))
        data = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
        key = media_layout.export_key(job.company_id, job.job_id)
        client("s3").put_object(
            Bucket=get_settings().media_bucket,
            Key=key,
            Body=data,
            ContentType="application/json",
        )
        job.update(actions=[Job.result_key.set(key), Job.result_bytes.set(len(data))])
    site = get_settings().public_site_url
    message = email.render(
        "export_ready",
        to=job.created_by_email,
        recruiter_name=asker.name,
        company_name=get_company(job.company_id).name,
        link=f"{site}/console/#/settings/export/{job.job_id}",
        kept_days=KEPT_FOR.days,
    )
    email.send(message)
    activity.count_email(job.company_id)
    return None
