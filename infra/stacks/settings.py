"""What one deployment is made of, read from CDK context or ONEWAY_* environment variables."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

STAGE_PATTERN = re.compile(r"^[a-z][a-z0-9-]{0,19}$")


class DeployConfigError(ValueError):
    """The deployment settings are missing or unusable; the message names the setting."""


@dataclass(frozen=True)
class DeploySettings:
    """The operator's choices; everything else follows from the product's own rules."""

    sender_email: str
    stage: str = "prod"
    # A custom domain keeps candidate links stable for the life of the deployment; without
    # one the site answers on the CloudFront distribution's own name.
    domain: str | None = None
    certificate_arn: str | None = None
    alarm_email: str | None = None
    # The sender (or its domain) may already be verified in SES: then the stack must not
    # create the identity again, CloudFormation would fail on "already exists".
    create_sender_identity: bool = True
    worker_concurrency: int = 5
    # Backstop for processed media: no recording outlives this many days, even if a deletion
    # is missed. The default never cuts a company's retention short: the longest a company
    # may choose (10 years, `schemas.RetentionIn`) plus a year for interviews still open.
    media_retention_days: int = 3650 + 365

    @property
    def prefix(self) -> str:
        """Names of per-deployment resources start with this, so stages never collide."""
        return f"oneway-{self.stage}"

    @classmethod
    def load(cls, context: Callable[[str], Any], env: Mapping[str, str]) -> DeploySettings:
        """Context (`cdk deploy -c key=value`) wins over `ONEWAY_<KEY>` environment variables."""

        def get(key: str) -> str | None:
            value = context(key)
            if value is None:
                value = env.get(f"ONEWAY_{key.upper()}")
            return None if value in (None, "") else str(value)

        sender = get("sender_email")
        if not sender:
            raise DeployConfigError(
                "missing setting sender_email: pass -c sender_email=hiring@example.com "
                "or set ONEWAY_SENDER_EMAIL"
            )
        settings = cls(
            sender_email=sender,
            stage=get("stage") or cls.stage,
            domain=get("domain"),
            certificate_arn=get("certificate_arn"),
            alarm_email=get("alarm_email"),
            create_sender_identity=_flag("create_sender_identity", get("create_sender_identity")),
            worker_concurrency=_whole(
                "worker_concurrency", get("worker_concurrency"), cls.worker_concurrency
            ),
            media_retention_days=_whole(
                "media_retention_days", get("media_retention_days"), cls.media_retention_days
            ),
        )
        settings.validate()
        return settings

    def validate(self) -> None:
        if "@" not in self.sender_email:
            raise DeployConfigError(f"sender_email must be an email address: {self.sender_email!r}")
        if not STAGE_PATTERN.match(self.stage):
            raise DeployConfigError(
                f"stage must be lowercase letters, digits and dashes (max 20): {self.stage!r}"
            )
        if bool(self.domain) != bool(self.certificate_arn):
            raise DeployConfigError(
                "domain and certificate_arn go together: the certificate (in us-east-1) must "
                "cover the domain"
            )
        if self.worker_concurrency < 2:
            # The SQS event source's maximum concurrency, set to the same number, starts at 2.
            raise DeployConfigError("worker_concurrency must be at least 2")


def _whole(name: str, value: str | None, default: int) -> int:
    if value is None:
        return default
    if not value.isdigit():
        raise DeployConfigError(f"{name} must be a whole number, got {value!r}")
    return int(value)


def _flag(name: str, value: str | None) -> bool:
    if value is None:
        return True
    if value.lower() in ("true", "1", "yes"):
        return True
    if value.lower() in ("false", "0", "no"):
        return False
    raise DeployConfigError(f"{name} must be true or false, got {value!r}")
