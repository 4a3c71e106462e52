"""The one origin recruiters and candidates open: static sites and `/api/*` behind CloudFront."""

from __future__ import annotations

from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3deploy
from aws_cdk import custom_resources as cr
from constructs import Construct

from infra.stacks.stateful import log_access, private_bucket

ROOT = Path(__file__).resolve().parents[2]
STATIC_ROOT = ROOT / "static_site"
API_PATH = "/api/*"
CLOUDFRONT_LOG_PREFIX = "cloudfront/"

# The local stack's rules for paths (infra/local/server.py): `/` opens the console, a folder serves
# its index.html, and a folder named without its slash is redirected to it.
DIRECTORY_INDEX_JS = """\
function handler(event) {
  var request = event.request;
  var uri = request.uri;
  if (uri === "/") {
    return {statusCode: 302, statusDescription: "Found",
            headers: {location: {value: "/console/"}}};
  }
  if (uri.endsWith("/")) {
    request.uri = uri + "index.html";
  } else if (uri.lastIndexOf(".") < uri.lastIndexOf("/")) {
    return {statusCode: 301, statusDescription: "Moved Permanently",
            headers: {location: {value: uri + "/"}}};
  }
  return request;
}
"""


class Site(Construct):
    """A private bucket of static files and the distribution that also routes `/api/*`.

    Pages and API share one origin, so the pages call the API without CORS. The bucket is
    readable by this distribution only (origin access control).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        api_domain: str,
        domain: str | None = None,
        certificate_arn: str | None = None,
        logs: s3.IBucket | None = None,
    ) -> None:
        """`logs` receives the bucket's server access logs and the distribution's logs."""
        super().__init__(scope, construct_id)
        self.bucket = private_bucket(
            self,
            "Files",
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            # Only copies of static_site/: nothing here is worth keeping after a teardown.
            removal_policy=cdk.RemovalPolicy.DESTROY,
            auto_delete_objects=True,
        )
        if logs is not None:
            log_access(self.bucket, logs, "site")
        directory_index = cloudfront.Function(
            self,
            "DirectoryIndex",
            code=cloudfront.FunctionCode.from_inline(DIRECTORY_INDEX_JS),
            runtime=cloudfront.FunctionRuntime.JS_2_0,
            comment="Serve folder index pages like the local stack",
        )
        certificate = (
            acm.Certificate.from_certificate_arn(self, "Certificate", certificate_arn)
            if certificate_arn
            else None
        )
        self.distribution = cloudfront.Distribution(
            self,
            "Distribution",
            comment="oneway: static sites and /api",
            domain_names=[domain] if domain else None,
            certificate=certificate,
            # CloudFront's own name has a fixed TLS policy; our certificate gets a modern one.
            minimum_protocol_version=(
                cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021 if certificate else None
            ),
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
            # Every request to the pages and to /api: who, when, what, which answer.
            enable_logging=logs is not None,
            log_bucket=logs,
            log_file_prefix=CLOUDFRONT_LOG_PREFIX if logs is not None else None,
            default_behavior=cloudfront.BehaviorOptions(
                origin=origins.S3BucketOrigin.with_origin_access_control(self.bucket),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
                response_headers_policy=cloudfront.ResponseHeadersPolicy.SECURITY_HEADERS,
                function_associations=[
                    cloudfront.FunctionAssociation(
                        function=directory_index,
                        event_type=cloudfront.FunctionEventType.VIEWER_REQUEST,
                    )
                ],
            ),
            additional_behaviors={
                API_PATH: cloudfront.BehaviorOptions(
                    origin=origins.HttpOrigin(
                        api_domain,
                        protocol_policy=cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
                        origin_ssl_protocols=[cloudfront.OriginSslPolicy.TLS_V1_2],
                    ),
                    viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
                    allowed_methods=cloudfront.AllowedMethods.ALLOW_ALL,
                    # Every API answer is per caller; API Gateway wants its own Host header,
                    # and the Authorization / X-Invitation-Token headers must reach it.
                    cache_policy=cloudfront.CachePolicy.CACHING_DISABLED,
                    origin_request_policy=(
                        cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER
                    ),
                )
            },
        )
        host = domain or self.distribution.distribution_domain_name
        self.url = f"https://{host}"
        s3deploy.BucketDeployment(
            self,
            "Upload",
            sources=[s3deploy.Source.asset(str(STATIC_ROOT))],
            destination_bucket=self.bucket,
            # File names carry no content hash: a deploy clears cached copies.
            distribution=self.distribution,
            distribution_paths=["/*"],
            memory_limit=256,
        )


class MediaCors(Construct):
    """Lets the site's origin, and only it, POST chunks to and GET media from the bucket.

    The rule names the distribution, which is created after the bucket's stack, so it is
    applied here with one S3 call, the way CDK itself applies bucket notifications. The rule
    stays if this stack is deleted: it only admits an origin that no longer exists.
    """

    def __init__(
        self, scope: Construct, construct_id: str, *, bucket: s3.IBucket, origin: str
    ) -> None:
        super().__init__(scope, construct_id)
        put_cors = cr.AwsSdkCall(
            service="S3",
            action="putBucketCors",
            parameters={
                "Bucket": bucket.bucket_name,
                "CORSConfiguration": {
                    "CORSRules": [
                        {
                            "AllowedOrigins": [origin],
                            "AllowedMethods": ["GET", "HEAD", "POST"],
                            "AllowedHeaders": ["*"],
                            "ExposeHeaders": ["ETag"],
                            "MaxAgeSeconds": 3000,
                        }
                    ]
                },
            },
            physical_resource_id=cr.PhysicalResourceId.of("media-cors"),
        )
        cr.AwsCustomResource(
            self,
            "Rule",
            on_create=put_cors,
            on_update=put_cors,
            policy=cr.AwsCustomResourcePolicy.from_statements(
                [iam.PolicyStatement(actions=["s3:PutBucketCORS"], resources=[bucket.bucket_arn])]
            ),
            install_latest_aws_sdk=False,
        )
