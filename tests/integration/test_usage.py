"""Usage in dollars: what the worker and the bucket really used, priced by the cost module."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from chalicelib.adapters.aws import client
from chalicelib.data.models import Invitation, utcnow
from chalicelib.domain import activity, costs, sweep
from tests.drivers.api import (
    Candidate,
    Team,
    consenting_candidate,
    create,
    sent_emails,
)
from tests.drivers.media import Clip, generate
from tests.drivers.worker import answer_of, queued_event, run_worker, upload_in_chunks


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(Clip(video="vp8", audio="opus"), tmp_path_factory.mktemp("rec") / "a.webm")


@pytest.fixture
def token(admin: dict) -> str:
    return admin["tokens"]["id_token"]


@pytest.fixture
def candidate(http: Any, token: str) -> Candidate:
    return consenting_candidate(http, token, create(http, token)["interview_id"])


def usage(http: Any, token: str) -> dict:
    status, body = http.call("GET", "/company/usage", token=token)
    assert status == 200, body
    return body


def media_bytes(*keys: str) -> int:
    s3 = client("s3")
    import os

    bucket = os.environ["MEDIA_BUCKET"]
    return sum(s3.head_object(Bucket=bucket, Key=key)["ContentLength"] for key in keys)


def storage_usd(company_id: str) -> float:
    """This month's storage dollars as the cost module computes them, before rounding."""
    [month] = activity.usage_report(company_id, months=1).months
    return dict(month.estimate.lines)["storage"]


def month_fraction_left(now: datetime) -> float:
    month = activity.month_of(now)
    start, after = activity.month_bounds(month)
    return (after - now).total_seconds() / (after - start).total_seconds()


def test_an_answer_turning_ready_adds_worker_seconds_stored_bytes_and_dollars(
    http: Any, token: str, candidate: Candidate, recording: Path
) -> None:
    before = usage(http, token)
    assert before["stored_now_bytes"] == 0
    grant = upload_in_chunks(candidate, 1, recording.read_bytes())
    event = queued_event()
    assert run_worker(event) == {"batchItemFailures": []}
    answer = answer_of(candidate, grant)
    assert answer.status == "ready"
    stored = media_bytes(answer.media_key, answer.poster_key)

    body = usage(http, token)
    # What is stored now is exactly the playable media and its poster in the bucket.
    assert body["stored_now_bytes"] == stored
    assert body["stored_now_gb"] == round(stored / 1024**3, 3)
    [month] = body["months"]
    assert month["month"] == activity.month_of(utcnow())
    assert month["media_processed"] == 1
    assert month["worker_seconds"] > 0
    assert answer.worker_seconds is not None
    assert month["worker_seconds"] == pytest.approx(float(answer.worker_seconds), abs=0.05)

    # The dollars are the cost module's: processing = worker GB-seconds at the deployed size.
    prices = costs.prices_for(body["price_region"])
    assert body["price_list_date"] == prices.as_of.isoformat()
    assert body["price_sources"] == list(prices.sources)
    assert body["currency"] == "USD"
    breakdown = month["cost_breakdown_usd"]
    assert list(breakdown) == list(costs.COMPONENTS)
    gb_second = prices.lambda_gb_second[body["worker_architecture"]]
    expected_processing = (
        float(answer.worker_seconds) * costs.WORKER_MEMORY_MB / 1024 * gb_second
        + prices.lambda_per_request
    )
    assert breakdown["processing"] == pytest.approx(expected_processing, rel=0.01)
    # Storage: the bytes kept to the month's end, plus the chunk, manifest and output PUTs.
    left = month_fraction_left(utcnow())
    assert month["stored_gb_months"] == pytest.approx(stored / 1024**3 * left, rel=0.01, abs=1e-4)
    assert breakdown["storage"] > 0
    assert month["estimated_cost_usd"] == pytest.approx(sum(breakdown.values()), abs=1e-6)
    assert month["estimated_cost_usd"] > 0

    # A redelivered event finds the answer ready and counts nothing again.
    assert run_worker(event) == {"batchItemFailures": []}
    again = usage(http, token)
    assert again["stored_now_bytes"] == stored
    assert again["months"][0]["media_processed"] == 1


def test_deleting_the_candidate_lowers_stored_now_to_what_is_left(
    http: Any, token: str, candidate: Candidate, recording: Path
) -> None:
    grant = upload_in_chunks(candidate, 1, recording.read_bytes())
    assert run_worker(queued_event()) == {"batchItemFailures": []}
    answer = answer_of(candidate, grant)
    stored = media_bytes(answer.media_key, answer.poster_key)
    assert usage(http, token)["stored_now_bytes"] == stored
    company_id = answer.company_id
    # Unrounded: on the month's last evening a small answer's storage to month end is below
    # the API's 8 decimals, and what this checks is that deleting lowers it at all.
    cost_before = storage_usd(company_id)

    status, _ = http.call("DELETE", f"/invitations/{answer.invitation_id}", token=token)
    assert status == 204
    body = usage(http, token)
    assert body["stored_now_bytes"] == 0
    assert body["stored_now_gb"] == 0
    [month] = body["months"]
    assert month["deleted_gb"] == round(stored / 1024**3, 3)
    # Stored and deleted within the month: its storage shrinks to the hours it was kept.
    assert month["stored_gb_months"] == pytest.approx(0, abs=1e-6)
    # What is left of storage is the PUTs: one per recorded second (chunks) and the outputs.
    puts = round(float(answer.duration_seconds)) + costs.S3_PUTS_PER_RUN
    prices = costs.prices_for(body["price_region"])
    assert month["cost_breakdown_usd"]["storage"] == pytest.approx(puts * prices.s3_per_put)
    assert storage_usd(company_id) < cost_before
    # Deleting again finds nothing: stored-now stays at zero, never below.
    assert http.call("DELETE", f"/invitations/{answer.invitation_id}", token=token)[0] == 404
    assert usage(http, token)["stored_now_bytes"] == 0


def test_stored_now_never_goes_below_zero(http: Any, token: str, admin: dict) -> None:
    company_id = http.call("GET", "/me", token=token)[1]["company"]["company_id"]
    activity.add_usage(company_id, stored_bytes=1000)
    activity.media_deleted(company_id, 400)
    assert usage(http, token)["stored_now_bytes"] == 600
    # Media stored before the counter existed, deleted now: the count stops at zero.
    activity.media_deleted(company_id, 5000)
    assert usage(http, token)["stored_now_bytes"] == 0
    activity.add_usage(company_id, stored_bytes=10)
    assert usage(http, token)["stored_now_bytes"] == 10


def test_a_month_stores_what_earlier_months_left_for_the_whole_month(http: Any, token: str) -> None:
    company_id = http.call("GET", "/me", token=token)[1]["company"]["company_id"]
    gb = 1024**3
    # 2 GB stored at the very start of an earlier month, 1 GB of it deleted halfway through.
    activity.add_usage(
        company_id, stored_bytes=2 * gb, when=datetime.fromisoformat("2026-04-01T00:00:00+00:00")
    )
    activity.media_deleted(company_id, gb, when=datetime.fromisoformat("2026-04-16T00:00:00+00:00"))
    activity.add_usage(
        company_id, completed_interviews=1, when=datetime.fromisoformat("2026-05-10T00:00:00+00:00")
    )
    body = usage(http, token)
    months = {m["month"]: m for m in body["months"]}
    # April: 2 GB for 15 of 30 days, 1 GB for the other 15 = 1.5 GB-months.
    assert months["2026-04"]["stored_gb_months"] == pytest.approx(1.5, rel=1e-4)
    # May: the 1 GB left, the whole month.
    assert months["2026-05"]["stored_gb_months"] == pytest.approx(1.0, rel=1e-4)
    prices = costs.prices_for(body["price_region"])
    assert months["2026-05"]["cost_breakdown_usd"]["storage"] == pytest.approx(
        prices.s3_storage_gb_month, rel=1e-3
    )
    assert body["stored_now_gb"] == 1.0


def test_a_reminder_the_sweep_sends_is_counted_once_and_priced(
    http: Any, token: str, admin: dict
) -> None:
    team = Team(http, admin)
    (sam,) = team.invite("Sam")
    deadline = Invitation.get(*Invitation.key(team.company_id, sam)).deadline
    at = deadline - timedelta(hours=47)
    assert sweep.sweep(at, source="test")["reminders_sent"] == 1
    assert sweep.sweep(at, source="test")["reminders_sent"] == 0
    assert [e["subject"].split(":")[0] for e in sent_emails() if "Reminder" in e["subject"]] == [
        "Reminder"
    ]
    body = usage(http, token)
    # The reminder is counted (the invitation, sent inside the request, is estimated).
    assert sum(m["emails"] for m in body["months"]) == 1
    prices = costs.prices_for(body["price_region"])
    [month] = [m for m in body["months"] if m["emails"]]
    assert month["cost_breakdown_usd"]["email"] == pytest.approx(prices.ses_per_email)


def test_the_sweep_honouring_a_deletion_request_lowers_stored_now(
    http: Any, token: str, candidate: Candidate, recording: Path
) -> None:
    grant = upload_in_chunks(candidate, 1, recording.read_bytes())
    assert run_worker(queued_event()) == {"batchItemFailures": []}
    answer = answer_of(candidate, grant)
    stored = media_bytes(answer.media_key, answer.poster_key)
    assert usage(http, token)["stored_now_bytes"] == stored
    status, _ = candidate.call("POST", "/deletion-request")
    assert status == 202
    assert sweep.sweep(utcnow(), source="test")["candidates_purged"] == 1
    body = usage(http, token)
    assert body["stored_now_bytes"] == 0
    assert body["months"][0]["deleted_gb"] == round(stored / 1024**3, 3)
    # A second sweep finds nothing left to delete or count.
    assert sweep.sweep(utcnow(), source="test")["candidates_purged"] == 0
    assert usage(http, token)["stored_now_bytes"] == 0


def test_a_region_without_a_price_list_is_priced_at_us_east_1_and_says_so(
    http: Any, token: str
) -> None:
    from chalicelib.api import views

    company_id = http.call("GET", "/me", token=token)[1]["company"]["company_id"]
    activity.add_usage(company_id, worker_seconds=100, worker_runs=1)
    sydney = views.usage_report(activity.usage_report(company_id, region="ap-southeast-2"))
    assert (sydney["region"], sydney["price_region"]) == ("ap-southeast-2", "us-east-1")
    assert sydney["price_region_fallback"] is True
    frankfurt = views.usage_report(activity.usage_report(company_id, region="eu-central-1"))
    assert frankfurt["price_region"] == "eu-central-1"
    assert frankfurt["price_region_fallback"] is False
    # The same worker seconds cost the same in both (Lambda's price does not vary there).
    assert (
        sydney["months"][0]["cost_breakdown_usd"]["processing"]
        == frankfurt["months"][0]["cost_breakdown_usd"]["processing"]
        > 0
    )
