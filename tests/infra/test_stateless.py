"""The stateless stack: Chalice API and sweep, media worker, site behind CloudFront, alarms."""

from __future__ import annotations

import json
from typing import Any

from aws_cdk.assertions import Match

from chalicelib.config import Settings
from chalicelib.domain import jobs
from tests.drivers.cdk import Synthesized, dependency_cycle, mentions, only

# What chalicelib/config.py requires (AWS_REGION comes from the Lambda runtime itself).
CONFIG_VARIABLES = {
    "TABLE_NAME",
    "MEDIA_BUCKET",
    "UPLOADS_QUEUE_URL",
    "COGNITO_USER_POOL_ID",
    "COGNITO_CLIENT_ID",
    "PUBLIC_SITE_URL",
    "SENDER_EMAIL",
    "WEBHOOKS_QUEUE_URL",
    "SECRETS_KEY_ID",
    "JOBS_QUEUE_URL",
}
CHALICE_HANDLERS = ("app.app", "app.reminder_sweep", "app.webhook_delivery", "app.job_runner")
# Stand-ins for values CloudFormation fills in at deploy time.
DEPLOYED_VALUES = {
    "UPLOADS_QUEUE_URL": "https://sqs.eu-west-1.amazonaws.com/123456789012/uploads",
    "PUBLIC_SITE_URL": "https://d111111abcdef8.cloudfront.net",
    "WEBHOOKS_QUEUE_URL": "https://sqs.eu-west-1.amazonaws.com/123456789012/webhooks",
    "JOBS_QUEUE_URL": "https://sqs.eu-west-1.amazonaws.com/123456789012/jobs",
}


def chalice_function(synthesized: Synthesized, handler: str) -> dict[str, Any]:
    functions = synthesized.app.find_resources(
        "AWS::Serverless::Function", {"Properties": {"Handler": handler}}
    )
    assert len(functions) == 1, f"expected one function with handler {handler}"
    return next(iter(functions.values()))["Properties"]


def test_chalice_functions_get_exactly_what_config_reads(synthesized: Synthesized) -> None:
    for handler in CHALICE_HANDLERS:
        variables = chalice_function(synthesized, handler)["Environment"]["Variables"]
        extra = {name for name in variables if not name.startswith("POWERTOOLS_")}
        assert extra == CONFIG_VARIABLES | {"STAGE"}, handler
        assert variables["SENDER_EMAIL"] == "hiring@example.com"
        assert variables["STAGE"] == "prod"


def test_api_environment_satisfies_the_settings_loader(synthesized: Synthesized) -> None:
    variables = chalice_function(synthesized, "app.app")["Environment"]["Variables"]
    env = {
        name: value if isinstance(value, str) else DEPLOYED_VALUES.get(name, f"deployed-{name}")
        for name, value in variables.items()
    }
    settings = Settings.from_env({**env, "AWS_REGION": "eu-west-1"})
    assert settings.sender_email == "hiring@example.com"


def test_public_site_url_is_the_distribution(synthesized: Synthesized) -> None:
    variables = chalice_function(synthesized, "app.app")["Environment"]["Variables"]
    distribution_id = next(iter(synthesized.app.find_resources("AWS::CloudFront::Distribution")))
    assert variables["PUBLIC_SITE_URL"] == {
        "Fn::Join": ["", ["https://", {"Fn::GetAtt": [distribution_id, "DomainName"]}]]
    }


def test_the_stack_has_no_dependency_cycle(synthesized: Synthesized) -> None:
    """The API routes to its function by name, so the site URL can live in its environment."""
    template = synthesized.app.to_json()
    assert dependency_cycle(template) is None
    body = template["Resources"]["RestAPI"]["Properties"]["DefinitionBody"]
    uris = [
        operation["x-amazon-apigateway-integration"]["uri"]
        for operations in body["paths"].values()
        for operation in operations.values()
    ]
    assert uris
    assert not any("APIHandler" in json.dumps(uri) for uri in uris)
    assert all(":function:oneway-prod-api/invocations" in json.dumps(uri) for uri in uris)


def test_api_is_regional_behind_cloudfront(synthesized: Synthesized) -> None:
    api = only(synthesized.app, "AWS::Serverless::Api")["Properties"]
    assert api["EndpointConfiguration"] == "REGIONAL"
    assert api["StageName"] == "api"


def test_reminder_sweep_runs_on_a_schedule(synthesized: Synthesized) -> None:
    sweep = chalice_function(synthesized, "app.reminder_sweep")
    (event,) = sweep["Events"].values()
    assert event["Type"] == "Schedule"
    assert event["Properties"]["Schedule"] == "rate(15 minutes)"


def test_each_chalice_function_runs_as_its_own_role(synthesized: Synthesized) -> None:
    roles = [
        chalice_function(synthesized, handler)["Role"]["Fn::GetAtt"][0]
        for handler in CHALICE_HANDLERS
    ]
    assert set(roles) <= set(synthesized.app.find_resources("AWS::IAM::Role"))
    assert len(set(roles)) == len(CHALICE_HANDLERS)


def test_webhook_delivery_consumes_the_deployments_webhook_queue(
    synthesized: Synthesized,
) -> None:
    delivery = chalice_function(synthesized, "app.webhook_delivery")
    (event,) = delivery["Events"].values()
    assert event["Type"] == "SQS"
    assert mentions(event["Properties"]["Queue"], "WebhookQueuesDeliveries")
    assert not mentions(event["Properties"]["Queue"], ":oneway-webhooks")


def test_job_runner_consumes_the_jobs_queue_within_its_visibility_timeout(
    synthesized: Synthesized,
) -> None:
    runner = chalice_function(synthesized, "app.job_runner")
    (event,) = runner["Events"].values()
    assert event["Type"] == "SQS"
    assert event["Properties"]["BatchSize"] == 1
    assert mentions(event["Properties"]["Queue"], "JobQueuesJobs")
    assert runner["Timeout"] == jobs.TIMEOUT_SECONDS
    # The API answers in 29 s at most; the job function gets the time a job needs.
    assert chalice_function(synthesized, "app.app")["Timeout"] == 30


def test_worker_is_a_sized_container_with_reserved_concurrency(synthesized: Synthesized) -> None:
    workers = synthesized.app.find_resources(
        "AWS::Lambda::Function", {"Properties": {"PackageType": "Image"}}
    )
    assert len(workers) == 1
    (worker,) = workers.values()
    properties = worker["Properties"]
    assert properties["MemorySize"] == 3008
    assert properties["Timeout"] == 900
    assert properties["ReservedConcurrentExecutions"] == 5
    assert set(properties["Environment"]["Variables"]) == {
        "TABLE_NAME",
        "MEDIA_BUCKET",
        "WEBHOOKS_QUEUE_URL",
    }


def test_worker_consumes_uploads_reporting_failures_per_record(synthesized: Synthesized) -> None:
    mapping = only(synthesized.app, "AWS::Lambda::EventSourceMapping")["Properties"]
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["ScalingConfig"] == {"MaximumConcurrency": 5}
    assert "UploadQueuesUploads" in json.dumps(mapping["EventSourceArn"])


def test_worker_image_is_built_from_its_dockerfile(synthesized: Synthesized) -> None:
    manifest = synthesized.app_file.name.replace(".template.json", ".assets.json")
    assets = json.loads((synthesized.app_file.parent / manifest).read_text())
    (image,) = assets["dockerImages"].values()
    assert image["source"]["dockerFile"] == "media_worker/Dockerfile"
    assert image["source"]["platform"] == "linux/amd64"
    context = synthesized.app_file.parent / image["source"]["directory"]
    staged = {path.name for path in context.iterdir()}
    # The worker installs media_worker/requirements.txt only: the API's pins stay out.
    assert staged == {"chalicelib", "media_worker"}


def test_site_is_a_private_bucket_read_only_by_cloudfront(synthesized: Synthesized) -> None:
    synthesized.app.resource_count_is("AWS::CloudFront::OriginAccessControl", 1)
    distribution = only(synthesized.app, "AWS::CloudFront::Distribution")["Properties"]
    config = distribution["DistributionConfig"]
    s3_origins = [o for o in config["Origins"] if "S3OriginConfig" in o]
    assert len(s3_origins) == 1
    assert "OriginAccessControlId" in s3_origins[0]
    assert config["DefaultCacheBehavior"]["ViewerProtocolPolicy"] == "redirect-to-https"


def test_api_shares_the_site_origin_under_api(synthesized: Synthesized) -> None:
    config = only(synthesized.app, "AWS::CloudFront::Distribution")["Properties"][
        "DistributionConfig"
    ]
    (behavior,) = config["CacheBehaviors"]
    assert behavior["PathPattern"] == "/api/*"
    assert set(behavior["AllowedMethods"]) == {
        "GET",
        "HEAD",
        "OPTIONS",
        "PUT",
        "PATCH",
        "POST",
        "DELETE",
    }
    origin = next(o for o in config["Origins"] if o["Id"] == behavior["TargetOriginId"])
    domain = json.dumps(origin["DomainName"])
    assert '"Ref": "RestAPI"' in domain
    assert ".execute-api." in domain
    assert origin["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"
    assert "OriginPath" not in origin or origin["OriginPath"] == ""


def test_media_cors_admits_only_the_site_origin(synthesized: Synthesized) -> None:
    rule = only(synthesized.app, "Custom::AWS")["Properties"]
    create = json.dumps(rule["Create"])
    assert "putBucketCors" in create
    assert '\\"AllowedOrigins\\":[\\"https://' in create
    assert "DomainName" in create
    assert rule["Update"] == rule["Create"]


def test_alarms_watch_dead_letters_worker_errors_and_api_5xx(synthesized: Synthesized) -> None:
    alarms = synthesized.app.find_resources("AWS::CloudWatch::Alarm")
    metrics = {
        (a["Properties"]["Namespace"], a["Properties"]["MetricName"]) for a in alarms.values()
    }
    assert metrics == {
        ("AWS/SQS", "ApproximateNumberOfMessagesVisible"),
        ("AWS/Lambda", "Errors"),
        ("AWS/ApiGateway", "5XXError"),
    }
    for alarm in alarms.values():
        assert alarm["Properties"]["AlarmActions"], "every alarm notifies the topic"
    synthesized.app.has_resource_properties(
        "AWS::SNS::Subscription", {"Protocol": "email", "Endpoint": "ops@example.com"}
    )
    api_alarm = next(a for a in alarms.values() if a["Properties"]["MetricName"] == "5XXError")[
        "Properties"
    ]
    assert {d["Name"]: d["Value"] for d in api_alarm["Dimensions"]} == {
        "ApiName": "oneway-prod-api",
        "Stage": "api",
    }
    synthesized.app.has_resource_properties(
        "AWS::Serverless::Api", Match.object_like({"Name": "oneway-prod-api"})
    )


def test_with_a_custom_domain_the_site_answers_on_it(synthesized: Synthesized) -> None:
    assert synthesized.custom_domain_url == "https://interviews.example.com"
    config = only(synthesized.site_with_custom_domain, "AWS::CloudFront::Distribution")[
        "Properties"
    ]["DistributionConfig"]
    assert config["Aliases"] == ["interviews.example.com"]
    assert config["ViewerCertificate"]["AcmCertificateArn"].startswith("arn:aws:acm:us-east-1:")
    assert config["ViewerCertificate"]["SslSupportMethod"] == "sni-only"
    assert config["ViewerCertificate"]["MinimumProtocolVersion"] == "TLSv1.2_2021"


def test_webhook_secrets_open_only_in_the_webhook_function_and_links_where_they_are_mailed(
    synthesized: Synthesized,
) -> None:
    kms_statements: dict[str, list[dict]] = {}
    for policy_id, policy in synthesized.app.find_resources("AWS::IAM::Policy").items():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            actions = (
                statement["Action"]
                if isinstance(statement["Action"], list)
                else [statement["Action"]]
            )
            if any(a.startswith("kms:") for a in actions):
                kms_statements.setdefault(policy_id, []).append(statement)

    def opening(purpose: str) -> set[str]:
        return {
            p
            for p, sts in kms_statements.items()
            for st in sts
            if "kms:Decrypt" in st["Action"]
            and st["Condition"]["StringEquals"]["kms:EncryptionContext:purpose"] == purpose
        }

    webhook_secrets = opening("webhook-secret")
    assert len(webhook_secrets) == 1, webhook_secrets
    assert "Webhook" in next(iter(webhook_secrets)), webhook_secrets
    # A candidate's sealed link opens where it is emailed again: the API (Resend), the sweep
    # (reminders) and the job runner (bulk invitations), never the webhook or media worker.
    link_openers = opening("candidate-link")
    assert len(link_openers) == 3, link_openers
    assert not any("Webhook" in p or "Worker" in p for p in link_openers), link_openers
    for statements in kms_statements.values():
        for statement in statements:
            assert statement["Condition"] in (
                {"StringEquals": {"kms:EncryptionContext:purpose": "webhook-secret"}},
                {"StringEquals": {"kms:EncryptionContext:purpose": "candidate-link"}},
            )
            assert "*" not in json.dumps(statement["Resource"])
