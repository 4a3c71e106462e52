"""The Chalice app (API, sweep, webhooks, jobs) packaged by chalice.cdk, on our roles."""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_logs as logs
from chalice.cdk import Chalice
from constructs import Construct

from infra.stacks.roles import function_role

ROOT = Path(__file__).resolve().parents[2]
API_STAGE = "api"  # .chalice/config.json `api_gateway_stage`: CloudFront routes /api/* to it
LOG_RETENTION = logs.RetentionDays.ONE_MONTH
# Logical ids in the template `chalice package` writes (kept as they are by chalice.cdk).
API_HANDLER = "APIHandler"
REMINDER_SWEEP = "ReminderSweep"
WEBHOOK_DELIVERY = "WebhookDelivery"
JOB_RUNNER = "JobRunner"
REST_API = "RestAPI"


class ChaliceStage(Construct):
    """The scope chalice.cdk packages in: it takes the Chalice stage from `scope.to_string()`.

    Naming the scope after the deployment's stage makes `.chalice/config.json`'s stage of
    that name (memory, concurrency, variables) apply, as it would with `chalice deploy`.
    """

    def __init__(self, scope: Construct, construct_id: str, *, stage: str) -> None:
        super().__init__(scope, construct_id)
        self._stage = stage

    def to_string(self) -> str:
        return self._stage


@contextlib.contextmanager
def _scratch_directory() -> Iterator[None]:
    """chalice.cdk writes its package to ./chalice.out; keep that out of the source tree.

    The package is staged into the cloud assembly as the construct is built, so the scratch
    copy is not needed afterwards.
    """
    with tempfile.TemporaryDirectory(prefix="chalice-") as scratch, contextlib.chdir(scratch):
        yield


class ChaliceApi(Construct):
    """API Gateway and the API function, the reminder sweep and webhook delivery, from app.py.

    Chalice gets ready-made roles (`manage_iam_role: false`), one per function, so each
    function's grants name the exact table, bucket, queue, identity and pool ARNs. A Chalice
    policy file is static JSON and cannot name resources CloudFormation creates, and roles
    chalice.cdk creates can only be imported by ARN.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        stage: str,
        prefix: str,
        environment: Mapping[str, str],
        webhooks_queue_arn: str,
        jobs_queue_arn: str,
    ) -> None:
        super().__init__(scope, construct_id)
        self.api_name = f"{prefix}-api"
        self.function_names = {
            API_HANDLER: f"{prefix}-api",
            REMINDER_SWEEP: f"{prefix}-reminder-sweep",
            WEBHOOK_DELIVERY: f"{prefix}-webhook-delivery",
            JOB_RUNNER: f"{prefix}-job-runner",
        }
        self.api_role = function_role(self, "ApiRole", self.function_names[API_HANDLER])
        self.sweep_role = function_role(self, "SweepRole", self.function_names[REMINDER_SWEEP])
        self.webhook_role = function_role(
            self, "WebhookRole", self.function_names[WEBHOOK_DELIVERY]
        )
        self.job_role = function_role(self, "JobRole", self.function_names[JOB_RUNNER])
        with _scratch_directory():
            self.chalice = Chalice(
                ChaliceStage(self, "Stage", stage=stage),
                "Chalice",
                source_dir=str(ROOT),
                stage_config={
                    # CloudFront is the edge; an edge-optimised API would add a second one.
                    "api_gateway_endpoint_type": "REGIONAL",
                    "manage_iam_role": False,
                    "iam_role_arn": self.api_role.role_arn,
                    "environment_variables": dict(environment),
                },
            )
        for logical_id, role in (
            (REMINDER_SWEEP, self.sweep_role),
            (WEBHOOK_DELIVERY, self.webhook_role),
            (JOB_RUNNER, self.job_role),
        ):
            self.chalice.get_resource(logical_id).add_property_override("Role", role.role_arn)
        # app.py names its queue; the deployment's queue is the stateful stack's, by ARN.
        self.chalice.get_resource(WEBHOOK_DELIVERY).add_property_override(
            "Events.WebhookDeliverySqsEventSource.Properties.Queue", webhooks_queue_arn
        )
        self.chalice.get_resource(JOB_RUNNER).add_property_override(
            "Events.JobRunnerSqsEventSource.Properties.Queue", jobs_queue_arn
        )
        self._name_resources()
        self._add_log_groups()

    @property
    def rest_api_id(self) -> str:
        return self.chalice.get_resource(REST_API).ref

    @property
    def rest_api_domain(self) -> str:
        return f"{self.rest_api_id}.execute-api.{cdk.Aws.REGION}.{cdk.Aws.URL_SUFFIX}"

    def set_environment(self, name: str, value: str) -> None:
        """Add a variable once its value exists (the site URL comes after the API)."""
        for logical_id in self.function_names:
            self.chalice.add_environment_variable(name, value, logical_id)

    def _add_log_groups(self) -> None:
        """Log groups with a retention, created before the functions that write to them.

        Not Chalice's `log_retention_in_days`: in chalice 1.34 its packaged log group for the
        API handler names a resource (`ApiHandler`) that the template calls `APIHandler`.
        """
        for logical_id, function_name in self.function_names.items():
            log_group = logs.LogGroup(
                self,
                f"{logical_id}Logs",
                log_group_name=f"/aws/lambda/{function_name}",
                retention=LOG_RETENTION,
                removal_policy=cdk.RemovalPolicy.DESTROY,
            )
            self.chalice.get_resource(logical_id).add_resource_dependency(
                log_group.node.default_child  # type: ignore[arg-type]
            )

    def _name_resources(self) -> None:
        """Fixed names, so alarms, log permissions and the API's routes can name them.

        Routing by name rather than by the function's `Arn` attribute is what lets the
        function's PUBLIC_SITE_URL name the CloudFront distribution that sits in front of
        this API: with the attribute, API → function → distribution → API is a cycle.
        """
        for logical_id, function_name in self.function_names.items():
            self.chalice.get_resource(logical_id).add_property_override(
                "FunctionName", function_name
            )
        rest_api = self.chalice.get_resource(REST_API)
        rest_api.add_property_override("Name", self.api_name)
        rest_api.add_property_override("DefinitionBody.info.title", self.api_name)
        function_arn = cdk.Stack.of(self).format_arn(
            service="lambda",
            resource="function",
            resource_name=self.function_names[API_HANDLER],
            arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME,
        )
        uri = (
            f"arn:{cdk.Aws.PARTITION}:apigateway:{cdk.Aws.REGION}:lambda:path/2015-03-31"
            f"/functions/{function_arn}/invocations"
        )
        for path, methods in _routes().items():
            escaped = path.replace(".", "\\.")
            for method in methods:
                rest_api.add_property_override(
                    f"DefinitionBody.paths.{escaped}.{method.lower()}"
                    ".x-amazon-apigateway-integration.uri",
                    uri,
                )


def _routes() -> dict[str, list[str]]:
    """The app's HTTP routes, as chalice wrote them into the API definition."""
    from chalice.cli.factory import CLIFactory

    app = CLIFactory(str(ROOT)).load_chalice_app()
    return {path: sorted(entries) for path, entries in app.routes.items()}
