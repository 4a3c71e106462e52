"""Settings: a deployment missing or misnaming a variable fails with the variable's name."""

import pytest

from chalicelib.config import ConfigError, Settings
from tests.drivers.config import VALID


def test_cognito_issuer_and_jwks_default_to_the_pools_aws_urls() -> None:
    settings = Settings.from_env(VALID)
    assert settings.cognito_issuer == "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc"
    assert settings.cognito_jwks_url == settings.cognito_issuer + "/.well-known/jwks.json"
    assert settings.public_site_url == "https://interviews.example.com"
    assert settings.upload_url_ttl_seconds == 900


def test_the_jwks_url_can_point_elsewhere_while_the_issuer_stays_cognitos() -> None:
    settings = Settings.from_env({**VALID, "COGNITO_JWKS_URL": "http://127.0.0.1:5005/p/jwks"})
    assert settings.cognito_jwks_url == "http://127.0.0.1:5005/p/jwks"
    assert settings.cognito_issuer.startswith("https://cognito-idp.")


def test_every_missing_variable_is_named_at_once() -> None:
    env = {k: v for k, v in VALID.items() if k not in ("TABLE_NAME", "SENDER_EMAIL")}
    with pytest.raises(ConfigError, match="SENDER_EMAIL, TABLE_NAME"):
        Settings.from_env(env)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("PUBLIC_SITE_URL", "interviews.example.com", "PUBLIC_SITE_URL must be an http"),
        ("SENDER_EMAIL", "hiring", "SENDER_EMAIL must be an email"),
        ("UPLOAD_URL_TTL_SECONDS", "3600", "at most 900"),
        ("UPLOAD_URL_TTL_SECONDS", "soon", "whole number"),
        ("DEFAULT_DEADLINE_DAYS", "0", "must be positive"),
    ],
)
def test_invalid_values_are_refused_with_the_variable_named(
    name: str, value: str, message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        Settings.from_env({**VALID, name: value})


def test_settings_round_trip_through_environment_variables() -> None:
    settings = Settings.from_env(VALID)
    assert Settings.from_env(settings.as_env()) == settings
