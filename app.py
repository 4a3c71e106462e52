"""The Chalice app: middleware, the API's Blueprints, and the scheduled and queue handlers.

Each route lives in `chalicelib/api/routes/<area>.py`, declared with `@endpoint` (who may
call it, its body schema, what it audits) and calling one service in `chalicelib/domain`.
"""

from __future__ import annotations

from aws_lambda_powertools.logging import correlation_paths
from chalice.app import Chalice, CloudWatchEvent, ConvertToMiddleware, Rate, SQSEvent

from chalicelib.api.audit import audit_changes
from chalicelib.api.http import errors_middleware
from chalicelib.api.routes import (
    accommodations,
    api_keys,
    candidate,
    compliance,
    emails,
    identity,
    interviews,
    invitations,
    jobs,
    meta,
    review,
    webhooks,
)
from chalicelib.api.views import company_export
from chalicelib.data.models import utcnow
from chalicelib.domain import jobs as job_runs
from chalicelib.domain import sweep
from chalicelib.domain.webhooks import QUEUE_NAME as WEBHOOK_QUEUE
from chalicelib.domain.webhooks import deliver
from chalicelib.observability import logger, metrics, trace_handler

app = Chalice(app_name="oneway")
app.register_middleware(
    ConvertToMiddleware(
        logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
    ),
    "http",
)
app.register_middleware(ConvertToMiddleware(trace_handler), "all")
app.register_middleware(ConvertToMiddleware(metrics.log_metrics), "all")
app.register_middleware(errors_middleware, "http")
app.register_middleware(audit_changes, "http")

app.register_blueprint(meta.blueprint)
app.register_blueprint(identity.blueprint)
app.register_blueprint(interviews.blueprint)
app.register_blueprint(invitations.blueprint)
app.register_blueprint(candidate.blueprint)
app.register_blueprint(accommodations.blueprint)
app.register_blueprint(review.blueprint)
app.register_blueprint(emails.blueprint)
app.register_blueprint(compliance.blueprint)
app.register_blueprint(webhooks.blueprint)
app.register_blueprint(jobs.blueprint)
app.register_blueprint(api_keys.blueprint)


@app.schedule(Rate(15, unit=Rate.MINUTES), name="reminder_sweep")
def reminder_sweep(event: CloudWatchEvent) -> dict:
    """Reminders, expiries, digests and retention, every quarter of an hour."""
    return sweep.sweep(utcnow(), source=event.source)


@app.on_sqs_message(queue=WEBHOOK_QUEUE, batch_size=1, name="webhook_delivery")
def webhook_delivery(event: SQSEvent) -> None:
    """POST each queued event; a failure raises so SQS redelivers it (then its DLQ)."""
    for record in event:
        attributes = record.to_dict().get("attributes") or {}
        deliver(
            record.body, int(attributes.get("ApproximateReceiveCount", "1")), record.receipt_handle
        )


@app.on_sqs_message(queue=job_runs.QUEUE_NAME, batch_size=1, name="job_runner")
def job_runner(event: SQSEvent) -> None:
    """Bulk invitations and exports, a bounded run per message; a failure raises (SQS retries)."""
    for record in event:
        job_runs.run(record.body, event.context.get_remaining_time_in_millis, company_export)
