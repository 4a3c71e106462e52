"""What Oneway costs to run on AWS: the dated, region-keyed price list and the cost formulas.

One place for prices so the usage page, the docs and `bench/cost.py` all speak the same
figures. Prices are public on-demand list prices without free tiers or discounts (a new
account's free tier makes a small company's real bill lower, never higher). Update them by
editing `_PRICES` and `AS_OF` together; `docs/costs.md` says how.

Units: AWS bills storage and transfer in "GB" that are 2**30 bytes, so this module does too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from types import MappingProxyType

from chalicelib.data.media_layout import CHUNK_SECONDS

GB = 1024**3

FALLBACK_REGION = "us-east-1"

# The day the figures below were read off the AWS pricing pages (list prices, USD).
AS_OF = date(2025, 1, 15)

SOURCES: tuple[str, ...] = (
    "https://aws.amazon.com/lambda/pricing/",
    "https://aws.amazon.com/api-gateway/pricing/",
    "https://aws.amazon.com/dynamodb/pricing/on-demand/",
    "https://aws.amazon.com/s3/pricing/",
    "https://aws.amazon.com/sqs/pricing/",
    "https://aws.amazon.com/ses/pricing/",
)

# Where a figure is less certain than the rest, the note says so (shown in docs/costs.md).
SOURCE_NOTES: tuple[str, ...] = (
    "Lambda: same GB-second price in the three regions; $0.20 per million requests.",
    "API Gateway: REST API, first 333 million requests a month.",
    "DynamoDB on-demand: prices after the 1 November 2024 reduction (half the earlier "
    "request prices); the eu-west-1 and eu-central-1 request prices are the earlier "
    "published figures halved, to be checked against the page.",
    "S3: Standard storage, first 50 TB a month; PUT/COPY/POST/LIST and GET per request.",
    "Egress: data transfer out to the internet, first 10 TB a month after the free 100 GB.",
    "SQS: standard queue, after the first million free requests; SES: outbound email.",
)


@dataclass(frozen=True)
class PriceList:
    """Unit prices (USD) in one region, as of one date."""

    region: str
    as_of: date
    sources: tuple[str, ...]
    lambda_gb_second: Mapping[str, float]  # {"x86_64": ..., "arm64": ...}
    lambda_per_request: float
    api_gateway_per_request: float  # REST API
    dynamodb_per_read_unit: float  # on-demand RRU
    dynamodb_per_write_unit: float  # on-demand WRU
    dynamodb_storage_gb_month: float
    s3_storage_gb_month: float  # S3 Standard
    s3_per_put: float
    s3_per_get: float
    egress_per_gb: float  # S3/CloudFront to internet, first tier
    sqs_per_request: float
    ses_per_email: float


def _lambda(x86: float = 0.0000166667, arm: float = 0.0000133334) -> Mapping[str, float]:
    return MappingProxyType({"x86_64": x86, "arm64": arm})


MILLION = 1_000_000

_US_EAST_1 = PriceList(
    region="us-east-1",
    as_of=AS_OF,
    sources=SOURCES,
    lambda_gb_second=_lambda(),
    lambda_per_request=0.20 / MILLION,
    api_gateway_per_request=3.50 / MILLION,
    dynamodb_per_read_unit=0.125 / MILLION,
    dynamodb_per_write_unit=0.625 / MILLION,
    dynamodb_storage_gb_month=0.25,
    s3_storage_gb_month=0.023,
    s3_per_put=0.005 / 1000,
    s3_per_get=0.0004 / 1000,
    egress_per_gb=0.09,
    sqs_per_request=0.40 / MILLION,
    ses_per_email=0.10 / 1000,
)

_PRICES: dict[str, PriceList] = {
    "us-east-1": _US_EAST_1,
    # Other regions: what differs from us-east-1's list, read from the same pages.
    "eu-west-1": replace(
        _US_EAST_1,
        region="eu-west-1",
        dynamodb_per_read_unit=0.1415 / MILLION,
        dynamodb_per_write_unit=0.7068 / MILLION,
        dynamodb_storage_gb_month=0.283,
    ),
    "eu-central-1": replace(
        _US_EAST_1,
        region="eu-central-1",
        api_gateway_per_request=3.70 / MILLION,
        dynamodb_per_read_unit=0.1525 / MILLION,
        dynamodb_per_write_unit=0.7625 / MILLION,
        dynamodb_storage_gb_month=0.306,
        s3_storage_gb_month=0.0245,
        s3_per_put=0.0054 / 1000,
        s3_per_get=0.00043 / 1000,
    ),
}


def prices_for(region: str) -> PriceList:
    """The price list of `region`; a region not listed gets us-east-1's (its `region` says so)."""
    return _PRICES.get((region or "").strip().lower(), _PRICES[FALLBACK_REGION])


def is_fallback(region: str, prices: PriceList) -> bool:
    """True when `prices` are us-east-1's standing in for an unlisted `region`."""
    return (region or "").strip().lower() != prices.region


@dataclass(frozen=True)
class Consumption:
    """What some work used, in the units AWS bills (all zero unless given)."""

    worker_seconds: float = 0
    worker_memory_mb: int = 0
    worker_invocations: int = 0
    api_requests: int = 0
    api_seconds: float = 0
    api_memory_mb: int = 0
    dynamodb_read_units: float = 0
    dynamodb_write_units: float = 0
    s3_puts: int = 0
    s3_gets: int = 0
    stored_gb_months: float = 0
    egress_bytes: int = 0
    sqs_requests: int = 0
    emails: int = 0

    def __add__(self, other: Consumption) -> Consumption:
        """Two bills' worth of use; memory sizes are kept (they describe, they do not add)."""
        return Consumption(
            worker_seconds=self.worker_seconds + other.worker_seconds,
            worker_memory_mb=self.worker_memory_mb or other.worker_memory_mb,
            worker_invocations=self.worker_invocations + other.worker_invocations,
            api_requests=self.api_requests + other.api_requests,
            api_seconds=self.api_seconds + other.api_seconds,
            api_memory_mb=self.api_memory_mb or other.api_memory_mb,
            dynamodb_read_units=self.dynamodb_read_units + other.dynamodb_read_units,
            dynamodb_write_units=self.dynamodb_write_units + other.dynamodb_write_units,
            s3_puts=self.s3_puts + other.s3_puts,
            s3_gets=self.s3_gets + other.s3_gets,
            stored_gb_months=self.stored_gb_months + other.stored_gb_months,
            egress_bytes=self.egress_bytes + other.egress_bytes,
            sqs_requests=self.sqs_requests + other.sqs_requests,
            emails=self.emails + other.emails,
        )

    def scaled(self, factor: float) -> Consumption:
        """`factor` times this use (e.g. per-interview figures times interviews)."""
        return replace(
            self,
            worker_seconds=self.worker_seconds * factor,
            worker_invocations=round(self.worker_invocations * factor),
            api_requests=round(self.api_requests * factor),
            api_seconds=self.api_seconds * factor,
            dynamodb_read_units=self.dynamodb_read_units * factor,
            dynamodb_write_units=self.dynamodb_write_units * factor,
            s3_puts=round(self.s3_puts * factor),
            s3_gets=round(self.s3_gets * factor),
            stored_gb_months=self.stored_gb_months * factor,
            egress_bytes=round(self.egress_bytes * factor),
            sqs_requests=round(self.sqs_requests * factor),
            emails=round(self.emails * factor),
        )


# --- What Oneway's deployment uses per unit of work ------------------------------------------
# The deployed sizes (tests/unit/test_costs.py holds them equal to infra and .chalice).
WORKER_ARCH = "x86_64"  # infra/stacks/worker.py: lambda_.Architecture.X86_64
WORKER_MEMORY_MB = 3008  # infra/stacks/worker.py: MEMORY_MB
API_MEMORY_MB = 1024  # .chalice/config.json, stage prod: lambda_memory_size

# Per completed interview (5 questions), what the usage counters do not count one by one:
# requests from the candidate's browser and the reviewers' console, their Lambda seconds and
# DynamoDB request units. Measured by `python bench/cost.py` (local stack, the issue's
# reference interview: 5 x 2-minute answers, one candidate and one review, 2026-11-30): 39 API
# requests (2-minute answers ask for more upload-grant windows than short ones), 55 RRU and
# 500 WRU (transactions bill twice; answers carry their chunk lists). The counts do not depend
# on the machine; the request seconds do: the run measured 0.39 s per request at a load
# average of 9 on 2 cores, so the figure below is a warm request's billed time on an
# unloaded function, an assumption to re-measure on AWS.
API_REQUESTS_PER_INTERVIEW = 39
API_SECONDS_PER_REQUEST = 0.1
DYNAMODB_READ_UNITS_PER_INTERVIEW = 55.0
DYNAMODB_WRITE_UNITS_PER_INTERVIEW = 500.0
# Emails sent inside a request (invitations from the console, applications, decisions) are
# not counted one by one, so the request stays within its DynamoDB calls: one per completed
# interview stands for them. The sweep's and jobs' emails (reminders, re-record notices,
# digests, bulk invitations, exports) are counted.
REQUEST_EMAILS_PER_INTERVIEW = 1
# Per answer the worker made: the S3 event's message, its receive and its delete.
SQS_REQUESTS_PER_RUN = 3
# Per answer the worker made, besides one chunk POST per second: the manifest, the media (in
# parts once it passes 8 MB: start, parts, complete), the poster and the API's own writes
# (bench/cost.py with 2-minute answers: 8 per answer).
S3_PUTS_PER_RUN = 8
# Playback is served by presigned S3 GETs nobody counts server-side: the page assumes each
# stored answer is watched in full once (egress = bytes stored).
VIEWS_PER_ANSWER = 1.0
S3_GETS_PER_VIEW = 2  # the media and the poster, one whole GET each (bench/cost.py)


def per_month(
    *,
    completed_interviews: int,
    recorded_seconds: float,
    worker_seconds: float,
    worker_runs: int,
    stored_bytes_added: int,
    stored_gb_months: float,
    emails: int,
) -> Consumption:
    """A month's consumption from its usage counters (measured) and the constants above.

    Measured: worker seconds and runs, recorded seconds (one chunk POST and one worker GET
    per second), bytes stored and their GB-months, the sweep's and jobs' emails. Estimated:
    API requests, their seconds, DynamoDB units and request emails (per completed interview)
    and playback (per stored byte).
    """
    chunks = round(recorded_seconds / CHUNK_SECONDS)
    views = stored_bytes_added * VIEWS_PER_ANSWER
    return Consumption(
        worker_seconds=worker_seconds,
        worker_memory_mb=WORKER_MEMORY_MB,
        worker_invocations=worker_runs,
        api_requests=completed_interviews * API_REQUESTS_PER_INTERVIEW,
        api_seconds=completed_interviews * API_REQUESTS_PER_INTERVIEW * API_SECONDS_PER_REQUEST,
        api_memory_mb=API_MEMORY_MB,
        dynamodb_read_units=completed_interviews * DYNAMODB_READ_UNITS_PER_INTERVIEW,
        dynamodb_write_units=completed_interviews * DYNAMODB_WRITE_UNITS_PER_INTERVIEW,
        s3_puts=chunks + worker_runs * S3_PUTS_PER_RUN,
        s3_gets=chunks + round(worker_runs * VIEWS_PER_ANSWER * S3_GETS_PER_VIEW),
        stored_gb_months=stored_gb_months,
        egress_bytes=round(views),
        sqs_requests=worker_runs * SQS_REQUESTS_PER_RUN,
        emails=emails + completed_interviews * REQUEST_EMAILS_PER_INTERVIEW,
    )


COMPONENTS: tuple[str, ...] = (
    "processing",
    "api",
    "database",
    "storage",
    "playback",
    "queue",
    "email",
)


@dataclass(frozen=True)
class Estimate:
    """An estimated AWS bill, by component, in USD."""

    region: str
    arch: str
    as_of: date
    lines: tuple[tuple[str, float], ...]  # (component, USD) in COMPONENTS order
    total_usd: float

    def line(self, component: str) -> float:
        return dict(self.lines)[component]


def estimate(c: Consumption, prices: PriceList, arch: str = "arm64") -> Estimate:
    """Price `c` with `prices`; `arch` is the Lambda architecture of both functions.

    processing = worker GB-seconds + worker invocations
    api        = API Gateway requests + API Lambda requests and GB-seconds
    database   = DynamoDB read and write request units
    storage    = S3 GB-months + PUTs
    playback   = bytes out to the internet + GETs
    queue      = SQS requests; email = SES messages
    """
    if arch not in prices.lambda_gb_second:
        raise ValueError(f"unknown Lambda architecture {arch!r}")
    gb_second = prices.lambda_gb_second[arch]
    lines = (
        (
            "processing",
            c.worker_seconds * c.worker_memory_mb / 1024 * gb_second
            + c.worker_invocations * prices.lambda_per_request,
        ),
        (
            "api",
            c.api_requests * (prices.api_gateway_per_request + prices.lambda_per_request)
            + c.api_seconds * c.api_memory_mb / 1024 * gb_second,
        ),
        (
            "database",
            c.dynamodb_read_units * prices.dynamodb_per_read_unit
            + c.dynamodb_write_units * prices.dynamodb_per_write_unit,
        ),
        (
            "storage",
            c.stored_gb_months * prices.s3_storage_gb_month + c.s3_puts * prices.s3_per_put,
        ),
        ("playback", c.egress_bytes / GB * prices.egress_per_gb + c.s3_gets * prices.s3_per_get),
        ("queue", c.sqs_requests * prices.sqs_per_request),
        ("email", c.emails * prices.ses_per_email),
    )
    return Estimate(
        region=prices.region,
        arch=arch,
        as_of=prices.as_of,
        lines=lines,
        total_usd=sum(usd for _, usd in lines),
    )
