"""Bulk invitations and exports run as jobs: a 202 at once, rows settled once, status per row."""

from __future__ import annotations

import json
import os
import time

import pytest
from botocore.exceptions import ClientError

from chalicelib.adapters.aws import client
from chalicelib.domain import jobs
from tests.drivers.api import (
    Clock,
    Http,
    Team,
    create,
    job,
    links_sent_to,
    queued_jobs,
    run_job_message,
    run_jobs,
    sent_emails,
    session,
    sign_up,
)

SENDER = "interviews@example.com"


@pytest.fixture
def team(http: Http, admin: dict) -> Team:
    return Team(http, admin)


def _csv(count: int, start: int = 0) -> str:
    return "\n".join(["name,email"] + [f"C {n},c{n}@example.com" for n in range(start, count)])


def _start(http: Http, token: str, interview_id: str, body: dict) -> dict:
    status, started = http.call(
        "POST", f"/interviews/{interview_id}/invitation-jobs", body, token=token
    )
    assert status == 202, started
    return started


def test_a_1000_row_csv_is_answered_at_once_with_a_queued_job(http: Http, admin: dict) -> None:
    # GIVEN an admin with 1,000 candidates in a CSV (the probe's 200 rows took 37.5 s)
    token = admin["tokens"]["id_token"]
    interview = create(http, token)
    # WHEN they send it
    began = time.monotonic()
    started = _start(http, token, interview["interview_id"], {"csv": _csv(1000)})
    answered_in = time.monotonic() - began
    # THEN the answer is a queued job, well inside API Gateway's 29 s, nobody invited yet
    assert answered_in < 25, answered_in  # API Gateway gives up at 29 s
    assert started["status"] == "queued"
    assert started["total_rows"] == 1000
    assert sent_emails() == []
    listed = http.call("GET", f"/interviews/{interview['interview_id']}/invitations", token=token)
    assert listed[1]["invitations"] == []
    waiting = job(http, token, started["job_id"])
    assert waiting["pending_rows"] == 1000
    assert waiting["report"] is None  # rows are reported once the job has run
    # AND one message waits on the jobs queue for the job's function
    (message,) = queued_jobs()
    assert json.loads(message["Body"])["job_id"] == started["job_id"]


def test_more_than_25_candidates_cannot_be_invited_within_the_request(
    http: Http, admin: dict
) -> None:
    token = admin["tokens"]["id_token"]
    interview = create(http, token)
    candidates = [{"name": f"C{n}", "email": f"c{n}@example.com"} for n in range(26)]
    status, body = http.call(
        "POST",
        f"/interviews/{interview['interview_id']}/invitations",
        {"candidates": candidates},
        token=token,
    )
    assert status == 422, body
    assert sent_emails() == []
    # The same list as a job is taken
    _start(http, token, interview["interview_id"], {"candidates": candidates})
    run_jobs()
    assert len(sent_emails()) == 26


def test_a_redelivered_message_or_a_retried_request_never_invites_or_mails_twice(
    http: Http, admin: dict
) -> None:
    token = admin["tokens"]["id_token"]
    interview = create(http, token)
    started = _start(http, token, interview["interview_id"], {"csv": _csv(5)})
    (message,) = queued_jobs()
    run_job_message(message)
    # WHEN SQS delivers the same message again
    run_job_message(message)
    # THEN nothing more happens
    assert len(sent_emails()) == 5
    assert job(http, token, started["job_id"])["report"]["summary"]["invited"] == 5
    # AND a client retrying the whole request is told who was already invited, nobody mailed
    again = _start(http, token, interview["interview_id"], {"csv": _csv(5)})
    run_jobs()
    report = job(http, token, again["job_id"])["report"]
    assert report["summary"] == {"invited": 0, "duplicates": 5, "errors": 0}
    assert {r["reason"] for r in report["duplicates"]} == {"already invited to this interview"}
    assert len(sent_emails()) == 5


def test_a_run_near_its_time_limit_queues_the_job_again_and_the_next_run_finishes(
    http: Http, admin: dict
) -> None:
    token = admin["tokens"]["id_token"]
    interview = create(http, token)
    started = _start(http, token, interview["interview_id"], {"csv": _csv(6)})
    (message,) = queued_jobs()
    # GIVEN a run whose Lambda has time for two rows, then is within the margin of its end
    run_job_message(message, Clock(60_000, 60_000, jobs.MARGIN_MS - 1))
    # THEN it stopped part-way, told the client so, and queued the job again
    part = job(http, token, started["job_id"])
    assert part["status"] == "running"
    assert 0 < part["pending_rows"] < 6
    assert len(sent_emails()) == 6 - part["pending_rows"]
    # AND the next run (a new message) finishes the rest, nobody mailed twice
    (follow_up,) = queued_jobs()
    run_job_message(follow_up)
    done = job(http, token, started["job_id"])
    assert done["status"] == "done"
    assert done["report"]["summary"]["invited"] == 6
    assert sorted(e["to"][0] for e in sent_emails()) == [f"c{n}@example.com" for n in range(6)]


def test_a_run_cut_after_inviting_mails_that_row_on_the_retry_not_already_invited(
    http: Http, admin: dict
) -> None:
    token = admin["tokens"]["id_token"]
    interview = create(http, token)
    started = _start(
        http, token, interview["interview_id"], {"csv": "Ann,ann@example.com\nBo,bo@example.com"}
    )
    (message,) = queued_jobs()
    # GIVEN SES refuses to send (the run dies after storing Ann's invitation)
    ses = client("ses")
    ses.delete_identity(Identity=SENDER)
    try:
        with pytest.raises(ClientError, match="MessageRejected"):
            run_job_message(message)
    finally:
        ses.verify_email_identity(EmailAddress=SENDER)
    assert sent_emails() == []
    # WHEN SQS delivers the message again
    run_job_message(message)
    # THEN Ann is reported invited (not "already invited") and mailed a link that works
    done = job(http, token, started["job_id"])
    assert done["status"] == "done"
    assert [(r["row"], r["email"]) for r in done["report"]["invited"]] == [
        (1, "ann@example.com"),
        (2, "bo@example.com"),
    ]
    assert done["report"]["duplicates"] == []
    (link,) = links_sent_to("ann@example.com")
    assert session(http, link)[0] == 200
    assert len(links_sent_to("bo@example.com")) == 1


def test_a_job_is_seen_only_by_its_companys_admins(team: Team, http: Http) -> None:
    started = _start(http, team.admin, team.interview_id, {"csv": "Ann,ann@example.com"})
    run_jobs()
    path = f"/jobs/{started['job_id']}"
    assert http.call("GET", path, token=team.reviewer)[0] == 403
    other = sign_up(http, email="oz@other.example.com", company="Other")["tokens"]["id_token"]
    status, body = http.call("GET", path, token=other)
    assert status == 404
    assert "ann@example.com" not in json.dumps(body)
    assert http.call("GET", "/jobs/NOPE", token=team.admin)[0] == 404
    # Another company cannot start a job on this interview either
    status, _ = http.call(
        "POST",
        f"/interviews/{team.interview_id}/invitation-jobs",
        {"csv": "Eve,eve@example.com"},
        token=other,
    )
    assert status == 404
    assert queued_jobs() == []


def test_rows_of_an_archived_interview_are_refused_with_the_reason(http: Http, admin: dict) -> None:
    token = admin["tokens"]["id_token"]
    interview = create(http, token)
    started = _start(http, token, interview["interview_id"], {"csv": _csv(3)})
    http.call("POST", f"/interviews/{interview['interview_id']}/archive", token=token)
    run_jobs()
    report = job(http, token, started["job_id"])["report"]
    assert report["summary"] == {"invited": 0, "duplicates": 0, "errors": 3}
    assert {r["reason"] for r in report["errors"]} == {jobs.ARCHIVED}
    assert sent_emails() == []


def test_export_files_expire_and_jobs_wait_on_their_own_queue(aws: dict[str, str]) -> None:
    rules = client("s3").get_bucket_lifecycle_configuration(Bucket=aws["MEDIA_BUCKET"])["Rules"]
    (exports,) = [r for r in rules if r["Filter"].get("Prefix") == "exports/"]
    assert exports["Expiration"]["Days"] == 7
    attributes = client("sqs").get_queue_attributes(
        QueueUrl=os.environ["JOBS_QUEUE_URL"], AttributeNames=["All"]
    )["Attributes"]
    assert int(attributes["VisibilityTimeout"]) > jobs.LEASE_SECONDS
    assert json.loads(attributes["RedrivePolicy"])["maxReceiveCount"] == jobs.MAX_RECEIVES


def test_an_export_asked_by_an_admin_removed_before_it_runs_is_never_written(
    team: Team, http: Http
) -> None:
    from chalicelib.domain.auth import Role
    from chalicelib.domain.identity import create_recruiter
    from tests.drivers.api import PASSWORD

    # GIVEN a second admin asks for an export
    ola = create_recruiter(team.company_id, "ola@acme.example.com", "Ola", Role.ADMIN, PASSWORD)
    ola_token = team.sign_in("ola@acme.example.com")
    status, started = http.call("POST", "/company/export", token=ola_token)
    assert status == 202
    # WHEN they are removed from the team before the job runs
    assert http.call("DELETE", f"/team/{ola.user_id}", token=team.admin)[0] == 204
    run_jobs()
    # THEN no file is written and nobody is mailed a link
    failed = job(http, team.admin, started["job_id"])
    assert failed["status"] == "failed"
    assert "no longer an admin" in failed["error"]
    assert failed["download_url"] is None
    listed = client("s3").list_objects_v2(Bucket=os.environ["MEDIA_BUCKET"], Prefix="exports/")
    assert listed.get("KeyCount", 0) == 0
    assert [e for e in sent_emails() if e["to"] == ["ola@acme.example.com"]] == []
