"""Deployment settings: context wins over ONEWAY_* variables, mistakes name the setting."""

from __future__ import annotations

from typing import Any

import pytest

from infra.stacks import DeployConfigError, DeploySettings


def context(values: dict[str, Any]) -> Any:
    return values.get


def test_context_wins_over_environment() -> None:
    settings = DeploySettings.load(
        context({"sender_email": "a@example.com", "stage": "staging"}),
        {"ONEWAY_SENDER_EMAIL": "b@example.com", "ONEWAY_WORKER_CONCURRENCY": "8"},
    )
    assert settings.sender_email == "a@example.com"
    assert settings.stage == "staging"
    assert settings.prefix == "oneway-staging"
    assert settings.worker_concurrency == 8


def test_defaults_deploy_prod_without_a_custom_domain() -> None:
    settings = DeploySettings.load(context({}), {"ONEWAY_SENDER_EMAIL": "a@example.com"})
    assert settings.stage == "prod"
    assert settings.domain is None
    assert settings.create_sender_identity is True


def test_missing_sender_says_how_to_set_it() -> None:
    with pytest.raises(DeployConfigError, match="ONEWAY_SENDER_EMAIL"):
        DeploySettings.load(context({}), {})


@pytest.mark.parametrize(
    ("values", "problem"),
    [
        ({"stage": "Prod!"}, "stage"),
        ({"domain": "interviews.example.com"}, "certificate_arn"),
        ({"worker_concurrency": "1"}, "worker_concurrency"),
        ({"worker_concurrency": "many"}, "worker_concurrency"),
        ({"create_sender_identity": "maybe"}, "create_sender_identity"),
    ],
)
def test_unusable_settings_are_refused(values: dict[str, str], problem: str) -> None:
    with pytest.raises(DeployConfigError, match=problem):
        DeploySettings.load(context({"sender_email": "a@example.com", **values}), {})


def test_an_already_verified_sender_is_not_created_again() -> None:
    settings = DeploySettings.load(
        context({"sender_email": "a@example.com", "create_sender_identity": "false"}), {}
    )
    assert settings.create_sender_identity is False


def test_media_backstop_outlasts_the_longest_retention_a_company_may_choose() -> None:
    from chalicelib.api.schemas import RetentionIn

    longest = max(
        bound.le
        for bound in RetentionIn.model_fields["retention_days"].metadata
        if hasattr(bound, "le")
    )
    assert DeploySettings.media_retention_days > longest
