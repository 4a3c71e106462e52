"""cdk-nag's AWS Solutions checks over both stacks, and every finding we accept, with why.

`check` runs on every synth: `infra/cdk_app.py` (so `make deploy` stops on an unaccepted
finding, as CDK refuses to deploy a stack with errors) and the infra tests. What should be
fixed is fixed in the stacks; `ACCEPTED` below is the one place that says what is not, and
why, for a security reviewer to read. A test fails when an entry no longer matches anything.
"""

from __future__ import annotations

from dataclasses import dataclass

import aws_cdk as cdk
from aws_cdk import cx_api
from cdk_nag import AwsSolutionsChecks, NagPackSuppression, NagSuppressions, RegexAppliesTo

DATA = "data"
APP = "app"


@dataclass(frozen=True)
class Accepted:
    """A rule accepted on some constructs of one stack, and the reason.

    `paths` are construct paths inside the stack (children included); `findings`, for rules
    that report one finding per permission (IAM4, IAM5), are regular expressions over the
    finding (e.g. `Resource::...`) and only those findings are accepted, never the rule as a
    whole.
    """

    rule: str
    stack: str
    paths: tuple[str, ...]
    reason: str
    findings: tuple[str, ...] = ()

    def suppression(self) -> NagPackSuppression:
        applies_to = [RegexAppliesTo(regex=f"/{pattern}/") for pattern in self.findings]
        return NagPackSuppression(id=self.rule, reason=self.reason, applies_to=applies_to or None)


# CDK's own deploy-time functions (their construct ids are fixed by aws-cdk-lib): the one
# that applies S3 bucket notifications, the one that copies static_site/ into the site bucket
# and invalidates CloudFront, the one that calls S3 for the media bucket's CORS rule.
BUCKET_NOTIFICATIONS = "BucketNotificationsHandler050a0587b7544547bf325f094a3db834"
BUCKET_DEPLOYMENT = "Custom::CDKBucketDeployment8693BB64968944B69AAFB0CC9EB8756C256MiB"
AWS_CALL = "AWS679f53fac002430cb0da5b7982bd2287"
FUNCTION_ROLES = (
    "Api/ApiRole",
    "Api/SweepRole",
    "Api/WebhookRole",
    "Api/JobRole",
    "MediaWorker/Role",
)
# A finding names the bucket by its logical id in this stack or by the data stack's export.
_MEDIA_BUCKET = (
    r"^Resource::(<MediaBucket[0-9A-F]+\.Arn>"
    r"|[a-z0-9-]+:ExportsOutputFnGetAttMediaBucket[0-9A-F]+Arn[0-9A-F]+)"
)

ACCEPTED: tuple[Accepted, ...] = (
    # --- the recruiters' user pool ---------------------------------------------------------
    Accepted(
        "AwsSolutions-COG1",
        DATA,
        ("Recruiters/Pool",),
        "Passwords need 10 characters or more and no character classes, as NIST SP 800-63B "
        "(5.1.1.2) advises: composition rules make passwords weaker, not stronger. Cognito "
        "locks an account out after repeated failed sign-ins.",
    ),
    Accepted(
        "AwsSolutions-COG2",
        DATA,
        ("Recruiters/Pool",),
        "Product decision: MFA is not required. Recruiters sign in through the API with a "
        "password and the console has no MFA enrolment yet; accounts exist only when a "
        "company's admin creates them, and the admin removes them (docs/deploy.md, Security "
        "checks and decisions).",
    ),
    Accepted(
        "AwsSolutions-COG8",
        DATA,
        ("Recruiters/Pool",),
        "The Plus plan's threat protection judges each sign-in by the caller's address and "
        "device, but recruiters sign in through the API (server-side InitiateAuth), so every "
        "sign-in would come from Lambda; adaptive authentication would be blind and could "
        "block whole companies at once.",
    ),
    # --- the distribution ----------------------------------------------------------------
    Accepted(
        "AwsSolutions-CFR1",
        APP,
        ("Site/Distribution",),
        "Candidates apply from anywhere: a company hires in countries the deployment cannot "
        "know, so no country is blocked.",
    ),
    Accepted(
        "AwsSolutions-CFR2",
        APP,
        ("Site/Distribution",),
        "No WAF by default: a web ACL costs more each month than an idle deployment, and "
        "the API limits what abuse can do itself (per-interview and per-address limits on "
        "the public apply link, the API function's reserved concurrency, short-lived "
        "signed uploads). An operator can attach a web ACL to the distribution "
        "(docs/deploy.md, Security checks and decisions).",
    ),
    Accepted(
        "AwsSolutions-CFR4",
        APP,
        ("Site/Distribution",),
        "Without a custom domain the site answers on the distribution's own *.cloudfront.net "
        "name, whose default certificate and TLS policy CloudFront fixes (TLSv1). With a "
        "custom domain the distribution uses TLSv1.2_2021 and this finding does not occur.",
    ),
    # --- the product's functions -----------------------------------------------------------
    Accepted(
        "AwsSolutions-IAM5",
        APP,
        FUNCTION_ROLES,
        "Each role writes only its own function's log group; the streams inside it are "
        "named by Lambda at run time, hence `:*`.",
        findings=(
            r"^Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:"
            r"log-group:/aws/lambda/oneway-[a-z0-9-]+:\*$",
        ),
    ),
    Accepted(
        "AwsSolutions-IAM5",
        APP,
        ("Api/ApiRole",),
        "The API signs uploads and playback links for every kind of object the product "
        "keeps (raw uploads, media, question videos, exports: each top-level prefix of its "
        "own media bucket), under keys made per company, interview and attempt at run time.",
        findings=(_MEDIA_BUCKET + r"/\*$",),
    ),
    Accepted(
        "AwsSolutions-IAM5",
        APP,
        ("Api/SweepRole", "MediaWorker/Role", "Api/JobRole"),
        "Scoped to a prefix of the media bucket: the worker reads and deletes `raw/` and "
        "writes `media/` and `question-videos/`, retention deletes a candidate's files under "
        "`raw/` and `media/`, the job function writes `exports/`; the keys below are made per "
        "company, interview, attempt, video or job at run time.",
        findings=(_MEDIA_BUCKET + r"/(raw|media|question-videos|exports)/\*$",),
    ),
    # --- CDK's deploy-time functions -------------------------------------------------------
    Accepted(
        "AwsSolutions-IAM4",
        DATA,
        (BUCKET_NOTIFICATIONS,),
        "CDK's function that applies the bucket's event notifications at deploy time; the "
        "managed policy lets it write its own logs, nothing else.",
        findings=(r"^Policy::.*:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole$",),
    ),
    Accepted(
        "AwsSolutions-IAM4",
        APP,
        (BUCKET_DEPLOYMENT, AWS_CALL),
        "CDK's deploy-time functions (copying the static site, setting the media bucket's "
        "CORS rule); the managed policy lets them write their own logs, nothing else.",
        findings=(r"^Policy::.*:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole$",),
    ),
    Accepted(
        "AwsSolutions-IAM5",
        APP,
        (BUCKET_DEPLOYMENT,),
        "CDK's static-site deployment at deploy time: it reads CDK's asset bucket, replaces "
        "the site bucket's files and invalidates the distribution's cache (CloudFront "
        "invalidations cannot be scoped to a distribution by this construct).",
        findings=(
            r"^Action::s3:(GetObject|GetBucket|List|DeleteObject|Abort)\*$",
            r"^Resource::arn:<AWS::Partition>:s3:::cdk-[a-z0-9]+-assets-<AWS::AccountId>-"
            r"<AWS::Region>/\*$",
            r"^Resource::<SiteFiles[0-9A-F]+\.Arn>/\*$",
            r"^Resource::\*$",
        ),
    ),
    Accepted(
        "AwsSolutions-L1",
        APP,
        (BUCKET_DEPLOYMENT,),
        "CDK's static-site deployment function: aws-cdk-lib chooses its runtime and moves "
        "it with each release; it runs only while deploying.",
    ),
)


def check(data: cdk.Stack, app: cdk.Stack, *, log_accepted: bool = False) -> None:
    """Run the AWS Solutions pack over the data and app stacks, with `ACCEPTED` applied.

    `log_accepted` also reports each accepted finding as an info message (for the test
    that finds stale entries).
    """
    stacks = {DATA: data, APP: app}
    for stack in stacks.values():
        cdk.Aspects.of(stack).add(AwsSolutionsChecks(log_ignores=log_accepted))
    for accepted in ACCEPTED:
        stack = stacks[accepted.stack]
        NagSuppressions.add_resource_suppressions_by_path(
            stack,
            [f"/{stack.node.path}/{path}" for path in accepted.paths],
            [accepted.suppression()],
            apply_to_children=True,
        )


def errors(assembly: cx_api.CloudAssembly) -> list[str]:
    """Every error a synth left on its stacks (an unaccepted finding among them), as text."""
    return [
        f"{message.id}: {message.entry.data}"
        for stack in assembly.stacks
        for message in stack.messages
        if message.level == cx_api.SynthesisMessageLevel.ERROR
    ]
