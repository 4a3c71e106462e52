"""Settings read from environment variables once, at first use, and validated together.

Every deployed resource name reaches the code through here, so a Lambda missing a variable
fails its first request with a message naming the variable rather than deep inside boto3.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from functools import lru_cache
from urllib.parse import urlparse


class ConfigError(RuntimeError):
    """The environment does not describe a usable deployment."""


def _url(name: str, value: str) -> str:
    parsed = urlparse(value)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ConfigError(f"{name} must be an http(s) URL, got {value!r}")
    return value.rstrip("/")


def _positive_int(name: str, value: str, maximum: int | None = None) -> int:
    try:
        number = int(value)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {value!r}") from None
    if number <= 0 or (maximum is not None and number > maximum):
        bound = f" and at most {maximum}" if maximum is not None else ""
        raise ConfigError(f"{name} must be positive{bound}, got {number}")
    return number


@dataclass(frozen=True)
class Settings:
    """What one deployment (a stage, or the local stack) is made of."""

    stage: str
    region: str
    table_name: str
    media_bucket: str
    uploads_queue_url: str
    cognito_user_pool_id: str
    cognito_client_id: str
    cognito_issuer: str
    cognito_jwks_url: str
    public_site_url: str
    sender_email: str
    # Limits
    upload_url_ttl_seconds: int
    playback_url_ttl_seconds: int
    default_deadline_days: int
    max_invites_per_request: int
    # Optional: without it, webhook events are not queued (deployments from before webhooks).
    webhooks_queue_url: str | None = None
    # Optional: without it, bulk invitations and exports (jobs) refuse to start, naming it.
    jobs_queue_url: str | None = None
    # The KMS key that encrypts stored secrets (webhook signing secrets); without it, no
    # secret can be stored and creating a webhook says so.
    secrets_key_id: str | None = None
    # Webhooks to http:// and private, loopback or link-local addresses: only for the local
    # stack and tests with a receiver on loopback. Off unless ONEWAY_WEBHOOK_ALLOW_PRIVATE=1.
    webhook_allow_private: bool = False

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        """Build settings from an environment mapping, naming every missing variable at once."""
        required = {
            "TABLE_NAME": "table_name",
            "MEDIA_BUCKET": "media_bucket",
            "UPLOADS_QUEUE_URL": "uploads_queue_url",
            "COGNITO_USER_POOL_ID": "cognito_user_pool_id",
            "COGNITO_CLIENT_ID": "cognito_client_id",
            "PUBLIC_SITE_URL": "public_site_url",
            "SENDER_EMAIL": "sender_email",
        }
        missing = [name for name in required if not env.get(name)]
        region = env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or ""
        if not region:
            missing.append("AWS_REGION")
        if missing:
            raise ConfigError("missing environment variables: " + ", ".join(sorted(missing)))

        pool_id = env["COGNITO_USER_POOL_ID"]
        # Cognito's issuer is always the public AWS URL (moto's too); the JWKS may be served
        # elsewhere (moto on loopback), so the two are configured separately.
        issuer = (
            env.get("COGNITO_ISSUER") or f"https://cognito-idp.{region}.amazonaws.com/{pool_id}"
        )
        jwks_url = env.get("COGNITO_JWKS_URL") or f"{issuer}/.well-known/jwks.json"
        sender = env["SENDER_EMAIL"]
        if "@" not in sender:
            raise ConfigError(f"SENDER_EMAIL must be an email address, got {sender!r}")

        return cls(
            stage=env.get("STAGE", "dev"),
            region=region,
            table_name=env["TABLE_NAME"],
            media_bucket=env["MEDIA_BUCKET"],
            uploads_queue_url=_url("UPLOADS_QUEUE_URL", env["UPLOADS_QUEUE_URL"]),
            cognito_user_pool_id=pool_id,
            cognito_client_id=env["COGNITO_CLIENT_ID"],
            cognito_issuer=_url("COGNITO_ISSUER", issuer),
            cognito_jwks_url=_url("COGNITO_JWKS_URL", jwks_url),
            public_site_url=_url("PUBLIC_SITE_URL", env["PUBLIC_SITE_URL"]),
            sender_email=sender,
            # Presigned URLs must stay short-lived: an upload grant is capped at 15 minutes.
            upload_url_ttl_seconds=_positive_int(
                "UPLOAD_URL_TTL_SECONDS", env.get("UPLOAD_URL_TTL_SECONDS", "900"), maximum=900
            ),
            playback_url_ttl_seconds=_positive_int(
                "PLAYBACK_URL_TTL_SECONDS", env.get("PLAYBACK_URL_TTL_SECONDS", "600"), 3600
            ),
            default_deadline_days=_positive_int(
                "DEFAULT_DEADLINE_DAYS", env.get("DEFAULT_DEADLINE_DAYS", "7"), maximum=90
            ),
            max_invites_per_request=_positive_int(
                "MAX_INVITES_PER_REQUEST", env.get("MAX_INVITES_PER_REQUEST", "1000"), 5000
            ),
            webhooks_queue_url=_url("WEBHOOKS_QUEUE_URL", env["WEBHOOKS_QUEUE_URL"])
            if env.get("WEBHOOKS_QUEUE_URL")
            else None,
            jobs_queue_url=_url("JOBS_QUEUE_URL", env["JOBS_QUEUE_URL"])
            if env.get("JOBS_QUEUE_URL")
            else None,
            secrets_key_id=env.get("SECRETS_KEY_ID") or None,
            webhook_allow_private=env.get("ONEWAY_WEBHOOK_ALLOW_PRIVATE", "").lower()
            in ("1", "true", "yes"),
        )

    def as_env(self) -> dict[str, str]:
        """The environment variables that reproduce these settings (for the local stack)."""
        names = {f.name: f.name.upper() for f in fields(self)}
        names["region"] = "AWS_DEFAULT_REGION"
        names["webhook_allow_private"] = "ONEWAY_WEBHOOK_ALLOW_PRIVATE"
        return {
            names[f.name]: str(getattr(self, f.name))
            for f in fields(self)
            if getattr(self, f.name) is not None
        }


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, validated on first use and cached for warm invocations."""
    return Settings.from_env(os.environ)


def reset_settings() -> None:
    """Forget cached settings (tests and the local stack change the environment)."""
    get_settings.cache_clear()
