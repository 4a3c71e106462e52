"""One error shape for every failure; the scheduled sweep and the worker's SQS entry point."""

from __future__ import annotations

import json
from typing import Any

from chalicelib.adapters.aws import client
from chalicelib.data.media_layout import AttemptLocation
from chalicelib.data.models import Invitation
from chalicelib.domain import identity, interviews, invitations
from tests.drivers.api import Http, sent_emails


def _invite(admin: dict, name: str = "Sam Candidate") -> tuple[Invitation, str]:
    company = identity.get_company(admin["company"]["company_id"])
    interview = interviews.create_interview(
        company.company_id, "Support <Specialist>", [{"text": "Why us?"}, {"text": "Why you?"}]
    )
    invitation, token = invitations.create_invitation(company, interview, name, "Sam@Example.com")
    invitations.send_invitation_email(invitation, token)
    return invitation, token


def test_a_body_that_is_not_json_is_a_400_saying_so(http: Http) -> None:
    status, body = http.call("POST", "/auth/signin", raw="{not json")
    assert status == 400
    assert body == {
        "error": "bad_request",
        "message": "The request body is not valid JSON.",
        "details": [],
    }


def test_a_missing_body_is_a_400_saying_one_is_needed(http: Http) -> None:
    status, body = http.call("POST", "/auth/signin")
    assert status == 400
    assert body["message"] == "The request needs a JSON body."


def test_a_json_array_instead_of_an_object_is_named_in_details(http: Http) -> None:
    status, body = http.call("POST", "/auth/signin", raw="[1, 2]")
    assert status == 422
    assert body["details"][0]["field"] == "body"


def test_an_unsupported_method_gets_a_405_in_the_same_shape(http: Http) -> None:
    status, body = http.call("DELETE", "/auth/signin")
    assert status == 405
    assert body["error"] == "method_not_allowed"
    assert set(body) == {"error", "message", "details"}


def test_an_unexpected_failure_is_a_500_that_reveals_nothing(
    aws: dict[str, str], http: Http, admin: dict
) -> None:
    # GIVEN the table disappears from under the API (a real DynamoDB failure)
    client("dynamodb").delete_table(TableName=aws["TABLE_NAME"])
    # WHEN a recruiter calls an authenticated route
    status, body = http.call("GET", "/me", token=admin["tokens"]["id_token"])
    # THEN they get a generic 500 with no trace or internal names
    assert status == 500
    assert body == {
        "error": "internal",
        "message": "Something went wrong on our side. Please try again.",
        "details": [],
    }
    assert "Traceback" not in json.dumps(body)
    assert aws["TABLE_NAME"] not in json.dumps(body)


def test_the_invitation_email_escapes_names_and_carries_the_personal_link(
    http: Http, admin: dict
) -> None:
    _, token = _invite(admin, name='<img src=x onerror="alert(1)">')
    [email] = [e for e in sent_emails() if e["to"] == ["sam@example.com"]]
    assert "Support &lt;Specialist&gt;" in email["body"]
    assert "<img src=x" not in email["body"]
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in email["body"]
    assert f"http://127.0.0.1:8000/candidate/#token={token}" in email["body"]


def test_only_the_hash_of_a_candidate_token_is_stored(admin: dict) -> None:
    invitation, token = _invite(admin)
    stored = Invitation.get(*Invitation.key(invitation.company_id, invitation.invitation_id))
    assert token not in json.dumps(stored.to_simple_dict())
    assert stored.token_hash == invitations.hash_token(token)
    assert len(token) >= 43  # 256 bits, base64url


def test_a_candidate_token_opens_exactly_its_own_invitation(http: Http, admin: dict) -> None:
    _, token = _invite(admin)
    _invite(admin, name="Someone Else")
    status, body = http.call("GET", "/candidate/session", headers={"X-Invitation-Token": token})
    assert status == 200
    assert body["invitation"]["candidate_name"] == "Sam Candidate"
    assert body["company"]["name"] == "Acme"
    assert len(body["questions"]) == 2


def test_an_unknown_candidate_token_is_refused_in_plain_words(http: Http, admin: dict) -> None:
    _invite(admin)
    status, body = http.call(
        "GET", "/candidate/session", headers={"X-Invitation-Token": "guess" * 9}
    )
    assert status == 401
    assert body["message"] == "This interview link is not valid. Check the link in your email."


def test_a_revoked_invitation_link_is_gone(http: Http, admin: dict) -> None:
    invitation, token = _invite(admin)
    invitation.update(actions=[Invitation.revoked.set(True)])
    status, body = http.call("GET", "/candidate/session", headers={"X-Invitation-Token": token})
    assert status == 410
    assert "withdrawn" in body["message"]


def test_the_scheduled_sweep_runs_through_its_chalice_handler(api: Any) -> None:
    event = api.events.generate_cw_event(
        source="aws.events", detail_type="Scheduled Event", detail={}, resources=[]
    )
    result = api.lambda_.invoke("reminder_sweep", event)
    assert result.payload["source"] == "aws.events"
    assert result.payload["reminders_sent"] == 0


def _drain(queue_url: str) -> list[dict[str, Any]]:
    sqs = client("sqs")
    messages: list[dict[str, Any]] = []
    while batch := sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get(
        "Messages", []
    ):
        messages += batch
    return messages


UPLOADS_ARN = "arn:aws:sqs:us-east-1:123456789012:test-uploads"


def _as_lambda_event(messages: list[dict[str, Any]]) -> dict[str, Any]:
    from infra.local.pollers import sqs_record

    return {"Records": [sqs_record(m, UPLOADS_ARN) for m in messages]}


def test_raw_uploads_reach_the_worker_through_s3_and_sqs_with_keys_decoded(
    aws: dict[str, str],
) -> None:
    from chalice.local import LambdaContext

    from media_worker import handler as worker

    # GIVEN a chunk and a manifest under a raw/ prefix that needs URL-encoding, and an object
    # outside raw/
    s3 = client("s3")
    attempt = AttemptLocation("c1", "i1", "v1", "q 1", 1)
    s3.put_object(Bucket=aws["MEDIA_BUCKET"], Key=attempt.chunk_key(0), Body=b"x")
    s3.put_object(Bucket=aws["MEDIA_BUCKET"], Key=attempt.manifest_key, Body=b"{}")
    s3.put_object(Bucket=aws["MEDIA_BUCKET"], Key="media/manifest.json", Body=b"x")
    messages = _drain(aws["UPLOADS_QUEUE_URL"])
    # THEN S3 notified the queue of the raw/ manifest only
    assert len(messages) == 1
    # AND S3's own test event (sent when a notification is configured) is skipped
    test_event = {
        "Service": "Amazon S3",
        "Event": "s3:TestEvent",
        "Bucket": aws["MEDIA_BUCKET"],
        "Time": "2026-11-22T00:00:00.000Z",
        "RequestId": "r",
        "HostId": "h",
    }
    messages.append(
        {
            "MessageId": "test-event",
            "ReceiptHandle": "t",
            "MD5OfBody": "",
            "Body": json.dumps(test_event),
        }
    )
    # AND the worker reads every record, skipping the test event and decoding the key
    records = _as_lambda_event(messages)["Records"]
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

    uploads = [u for r in records for u in worker.uploads_in(SQSRecord(r))]
    assert [u.key for u in uploads] == [attempt.manifest_key]
    result = worker.handler(_as_lambda_event(messages), LambdaContext("media-worker", 1024))
    assert result == {"batchItemFailures": []}


def test_a_malformed_queue_message_fails_alone_and_is_reported_for_retry(
    aws: dict[str, str],
) -> None:
    from chalice.local import LambdaContext

    from media_worker import handler as worker

    event = _as_lambda_event(
        [
            {"MessageId": "good", "ReceiptHandle": "r1", "MD5OfBody": "", "Body": "{}"},
            {"MessageId": "bad", "ReceiptHandle": "r2", "MD5OfBody": "", "Body": "not json"},
        ]
    )
    result = worker.handler(event, LambdaContext("media-worker", 1024))
    assert result == {"batchItemFailures": [{"itemIdentifier": "bad"}]}
