"""cdk-nag's AWS Solutions pack over both stacks: nothing unaccepted, every acceptance earned.

What the pack found and the stacks now fix (access logs, named table indexes, prefix-scoped
worker and retention grants) is also asserted on the templates here, so a regression shows
as the property lost, not only as a rule id.
"""

from __future__ import annotations

import re
from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk import aws_s3 as s3
from cdk_nag import AwsSolutionsChecks

from infra import nag
from infra.stacks.stateful import ACCESS_LOG_DAYS
from tests.drivers.cdk import Synthesized, as_list, mentions, only, policy_statements

RULE_ID = re.compile(r"^AwsSolutions-[A-Z]+[0-9]+$")


def test_no_unaccepted_finding_error_or_warning(synthesized: Synthesized) -> None:
    findings = [a for a in synthesized.annotations if "AwsSolutions-" in a]
    assert not findings, "fix, or accept with a reason in infra/nag.py:\n" + "\n".join(findings)


def test_an_unaccepted_finding_fails_the_synth_of_the_cdk_app(tmp_path: Path) -> None:
    """What `infra/cdk_app.py` exits on: a bucket without access logs is an error."""
    app = cdk.App(outdir=str(tmp_path))
    stack = cdk.Stack(app, "unchecked")
    s3.Bucket(stack, "NoLogs", enforce_ssl=True)
    cdk.Aspects.of(stack).add(AwsSolutionsChecks(reports=False))
    (error,) = nag.errors(app.synth())
    assert error.startswith("/unchecked/NoLogs/Resource: AwsSolutions-S1:")


def test_the_pack_ran_over_both_stacks(synthesized: Synthesized) -> None:
    """Not vacuous: both stacks have findings, each accepted by an entry of infra/nag.py."""
    assert {kind for kind, *_ in synthesized.nag_accepted} == {nag.DATA, nag.APP}


@pytest.mark.parametrize("accepted", nag.ACCEPTED, ids=lambda a: f"{a.rule}:{a.paths[0]}")
def test_every_acceptance_has_a_reason_and_still_matches_a_finding(
    synthesized: Synthesized, accepted: nag.Accepted
) -> None:
    assert RULE_ID.match(accepted.rule)
    assert len(accepted.reason.split()) >= 8, "say why, for a reviewer"
    for path in accepted.paths:
        covered = [
            finding
            for kind, found_path, rule, finding in synthesized.nag_accepted
            if kind == accepted.stack
            and rule == accepted.rule
            and (found_path == path or found_path.startswith(f"{path}/"))
        ]
        assert covered, f"stale: {accepted.rule} no longer fires on {path}"
        for pattern in accepted.findings:
            assert any(re.search(pattern, f) for f in covered), (
                f"stale: {accepted.rule} finding {pattern} no longer occurs on {path}"
            )


def test_every_accepted_finding_is_listed_once(synthesized: Synthesized) -> None:
    """An acceptance covers only the findings it names, and no two entries say it twice."""
    for kind, path, rule, finding in synthesized.nag_accepted:
        entries = [
            a
            for a in nag.ACCEPTED
            if a.stack == kind
            and a.rule == rule
            and any(path == p or path.startswith(f"{p}/") for p in a.paths)
            and (not a.findings or any(re.search(f, finding) for f in a.findings))
        ]
        assert len(entries) == 1, (kind, path, rule, finding)


# --- what was fixed rather than accepted ----------------------------------------------------


def _log_bucket_id(synthesized: Synthesized) -> str:
    (logical_id,) = synthesized.data.find_resources(
        "AWS::S3::Bucket",
        {
            "Properties": {
                "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerPreferred"}]}
            }
        },
    )
    return logical_id


def test_access_logs_are_private_tls_only_and_expire(synthesized: Synthesized) -> None:
    logical_id = _log_bucket_id(synthesized)
    bucket = synthesized.data.find_resources("AWS::S3::Bucket")[logical_id]
    assert bucket["DeletionPolicy"] == "Retain"
    rules = bucket["Properties"]["LifecycleConfiguration"]["Rules"]
    assert [r["ExpirationInDays"] for r in rules] == [ACCESS_LOG_DAYS]
    (policy,) = [
        p
        for p in synthesized.data.find_resources("AWS::S3::BucketPolicy").values()
        if mentions(p["Properties"]["Bucket"], logical_id)
    ]
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    assert any(
        s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
        for s in statements
    )
    (delivery,) = [s for s in statements if s["Effect"] == "Allow"]
    assert delivery["Principal"] == {"Service": "logging.s3.amazonaws.com"}
    assert delivery["Action"] == "s3:PutObject"
    assert "aws:SourceAccount" in delivery["Condition"]["StringEquals"]


def test_media_and_site_buckets_log_every_access(synthesized: Synthesized) -> None:
    log_bucket = _log_bucket_id(synthesized)
    targets = {}
    for template in (synthesized.data, synthesized.app):
        for logical_id, bucket in template.find_resources("AWS::S3::Bucket").items():
            if logical_id == log_bucket:
                continue
            logging = bucket["Properties"]["LoggingConfiguration"]
            assert mentions(logging["DestinationBucketName"], log_bucket), logical_id
            targets[logical_id] = logging["LogFilePrefix"]
    assert sorted(targets.values()) == ["s3/media/", "s3/site/"]


def test_cloudfront_logs_every_request_including_the_api(synthesized: Synthesized) -> None:
    distribution = only(synthesized.app, "AWS::CloudFront::Distribution")
    logging = distribution["Properties"]["DistributionConfig"]["Logging"]
    assert mentions(logging["Bucket"], _log_bucket_id(synthesized))
    assert logging["Prefix"] == "cloudfront/"


def test_table_grants_name_each_index(synthesized: Synthesized) -> None:
    table = only(synthesized.data, "AWS::DynamoDB::Table")["Properties"]
    indexes = {index["IndexName"] for index in table["GlobalSecondaryIndexes"]}
    assert indexes
    for logical_id, statement in policy_statements(synthesized.app):
        if not any(a.startswith("dynamodb:") for a in as_list(statement["Action"])):
            continue
        for resource in as_list(statement["Resource"]):
            assert not mentions(resource, "/index/*"), logical_id
        named = {i for i in indexes if mentions(statement["Resource"], f"/index/{i}")}
        assert named == indexes, logical_id


def _object_grants(synthesized: Synthesized, role_prefix: str) -> dict[str, list[str]]:
    """s3 object action → the key patterns it is allowed on, for one role."""
    grants: dict[str, list[str]] = {}
    for logical_id, statement in policy_statements(synthesized.app):
        if not logical_id.startswith(role_prefix):
            continue
        for action in as_list(statement["Action"]):
            if action.startswith("s3:") and action != "s3:ListBucket":
                for resource in as_list(statement["Resource"]):
                    joined = resource["Fn::Join"][1]
                    grants.setdefault(action, []).append(joined[-1])
    return grants


def test_worker_reads_raw_uploads_and_writes_media_only(synthesized: Synthesized) -> None:
    assert _object_grants(synthesized, "MediaWorkerRole") == {
        "s3:GetObject": ["/raw/*"],
        "s3:DeleteObject": ["/raw/*"],
        "s3:PutObject": ["/media/*", "/question-videos/*"],
        "s3:AbortMultipartUpload": ["/media/*", "/question-videos/*"],
    }


def test_retention_deletes_only_candidates_files(synthesized: Synthesized) -> None:
    assert _object_grants(synthesized, "ApiSweepRole") == {
        "s3:DeleteObject": ["/raw/*", "/media/*"]
    }
