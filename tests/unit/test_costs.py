"""The price list and cost formulas give the dollars a hand calculation gives."""

from __future__ import annotations

from datetime import date

import pytest

from chalicelib.domain import costs
from chalicelib.domain.costs import Consumption, estimate, prices_for


def test_us_east_1_lambda_prices_are_the_published_ones():
    prices = prices_for("us-east-1")
    assert prices.lambda_gb_second["x86_64"] == pytest.approx(0.0000166667)
    assert prices.lambda_gb_second["arm64"] == pytest.approx(0.0000133334)
    assert prices.lambda_per_request == pytest.approx(0.0000002)
    assert prices.s3_storage_gb_month == pytest.approx(0.023)


def test_each_listed_region_has_its_own_list_dated_with_sources():
    for region in ("us-east-1", "eu-west-1", "eu-central-1"):
        prices = prices_for(region)
        assert prices.region == region
        assert isinstance(prices.as_of, date)
        assert prices.as_of <= date.today()
        assert prices.sources
        assert all(url.startswith("https://aws.amazon.com/") for url in prices.sources)
    assert (
        prices_for("eu-central-1").s3_storage_gb_month > prices_for("us-east-1").s3_storage_gb_month
    )


def test_an_unlisted_region_falls_back_to_us_east_1_and_says_so():
    prices = prices_for("ap-southeast-2")
    assert prices.region == "us-east-1"
    assert costs.is_fallback("ap-southeast-2", prices)
    assert not costs.is_fallback("eu-west-1", prices_for("eu-west-1"))
    assert prices_for("").region == "us-east-1"
    assert prices_for(" EU-WEST-1 ").region == "eu-west-1"


def test_processing_is_gb_seconds_times_the_arch_price_plus_invocations():
    c = Consumption(worker_seconds=100, worker_memory_mb=2048, worker_invocations=10)
    prices = prices_for("us-east-1")
    # 100 s x 2 GB = 200 GB-s; x86: 200 x 0.0000166667 = 0.00333334; + 10 x 0.0000002
    x86 = estimate(c, prices, arch="x86_64")
    assert x86.line("processing") == pytest.approx(0.00333334 + 0.000002)
    # arm64: 200 x 0.0000133334 = 0.00266668
    arm = estimate(c, prices)
    assert arm.arch == "arm64"
    assert arm.line("processing") == pytest.approx(0.00266668 + 0.000002)
    assert arm.total_usd < x86.total_usd


def test_every_component_against_hand_computed_figures():
    c = Consumption(
        api_requests=1000,
        api_seconds=50,
        api_memory_mb=512,
        dynamodb_read_units=4000,
        dynamodb_write_units=2000,
        s3_puts=200,
        s3_gets=1000,
        stored_gb_months=2,
        egress_bytes=3 * 1024**3,
        sqs_requests=100,
        emails=20,
    )
    e = estimate(c, prices_for("us-east-1"))
    # 1000 x (3.50 + 0.20)/1e6 = 0.0037; 50 s x 0.5 GB x 0.0000133334 = 0.000333335
    assert e.line("api") == pytest.approx(0.0037 + 0.000333335)
    # 4000 x 0.125/1e6 + 2000 x 0.625/1e6 = 0.0005 + 0.00125
    assert e.line("database") == pytest.approx(0.00175)
    # 2 GB-months x 0.023 + 200 PUTs x 0.005/1000 = 0.046 + 0.001
    assert e.line("storage") == pytest.approx(0.047)
    # 3 GB x 0.09 + 1000 GETs x 0.0004/1000 = 0.27 + 0.0004
    assert e.line("playback") == pytest.approx(0.2704)
    assert e.line("queue") == pytest.approx(100 * 0.40 / 1e6)
    assert e.line("email") == pytest.approx(20 * 0.10 / 1000)
    assert e.line("processing") == 0
    assert [name for name, _ in e.lines] == list(costs.COMPONENTS)
    assert e.total_usd == pytest.approx(sum(usd for _, usd in e.lines))
    assert e.region == "us-east-1"
    assert e.as_of == costs.AS_OF


def test_region_prices_change_the_estimate():
    c = Consumption(stored_gb_months=10, s3_puts=1000)
    assert estimate(c, prices_for("eu-central-1")).line("storage") == pytest.approx(
        10 * 0.0245 + 1000 * 0.0054 / 1000
    )


def test_an_unknown_architecture_is_refused():
    with pytest.raises(ValueError, match="mips"):
        estimate(Consumption(), prices_for("us-east-1"), arch="mips")


def test_consumptions_add_and_scale():
    one = Consumption(worker_seconds=2.5, worker_memory_mb=1024, api_requests=10, emails=1)
    three = one.scaled(3)
    assert three.worker_seconds == pytest.approx(7.5)
    assert three.api_requests == 30
    assert three.worker_memory_mb == 1024
    both = one + Consumption(worker_seconds=1, emails=2)
    assert both.worker_seconds == pytest.approx(3.5)
    assert both.emails == 3
    assert both.worker_memory_mb == 1024


def test_the_deployed_sizes_priced_are_the_ones_infra_deploys():
    import json
    from pathlib import Path

    from infra.stacks import worker

    root = Path(__file__).resolve().parents[2]
    chalice = json.loads((root / ".chalice" / "config.json").read_text())
    assert costs.WORKER_MEMORY_MB == worker.MEMORY_MB
    assert chalice["stages"]["prod"]["lambda_memory_size"] == costs.API_MEMORY_MB
    source = (root / "infra" / "stacks" / "worker.py").read_text()
    expected = {"x86_64": "Architecture.X86_64", "arm64": "Architecture.ARM_64"}
    assert expected[costs.WORKER_ARCH] in source


def test_a_month_is_priced_from_its_counters_and_the_per_interview_figures():
    c = costs.per_month(
        completed_interviews=2,
        recorded_seconds=600,
        worker_seconds=40,
        worker_runs=10,
        stored_bytes_added=200 * 1024**2,
        stored_gb_months=0.1,
        emails=3,
    )
    assert c.worker_seconds == 40
    assert c.worker_memory_mb == costs.WORKER_MEMORY_MB
    assert c.worker_invocations == 10
    assert c.api_requests == 2 * costs.API_REQUESTS_PER_INTERVIEW
    assert c.s3_puts == 600 + 10 * costs.S3_PUTS_PER_RUN
    assert c.egress_bytes == 200 * 1024**2
    assert c.sqs_requests == 10 * costs.SQS_REQUESTS_PER_RUN
    assert c.emails == 3 + 2 * costs.REQUEST_EMAILS_PER_INTERVIEW
    e = estimate(c, prices_for("us-east-1"), arch="x86_64")
    # 40 s x 3008/1024 GB x 0.0000166667 + 10 invocations x 0.0000002
    assert e.line("processing") == pytest.approx(40 * 3008 / 1024 * 0.0000166667 + 10 * 2e-7)
    # 200 MB watched once = 0.1953 GB x $0.09
    assert e.line("playback") == pytest.approx(200 / 1024 * 0.09 + c.s3_gets * 0.0004 / 1000)


def test_month_bounds_roll_over_the_year():
    from datetime import UTC, datetime

    from chalicelib.domain import activity

    assert activity.month_bounds("2026-12") == (
        datetime(2026, 12, 1, tzinfo=UTC),
        datetime(2027, 1, 1, tzinfo=UTC),
    )
    assert activity.month_hours("2026-02") == 28 * 24
    assert activity.month_hours("2028-02") == 29 * 24
