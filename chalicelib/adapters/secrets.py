"""Secrets at rest: sealed with KMS before they are stored, opened only where they are used.

A secret we must give back later (a webhook's signing secret, used to sign each delivery)
cannot be hashed, so it is encrypted with the deployment's KMS key (`SECRETS_KEY_ID`); the
table holds only the ciphertext. Each ciphertext is bound to what it belongs to by its
encryption context (company and item id), so a ciphertext copied onto another item does not
open, and every Decrypt is recorded in CloudTrail with that context. Secrets are a few dozen
bytes, so KMS encrypts them directly (no data key to manage).
"""

from __future__ import annotations

import base64
from functools import lru_cache

from chalicelib.adapters.aws import client
from chalicelib.config import ConfigError, get_settings


def _key_id() -> str:
    key_id = get_settings().secrets_key_id
    if not key_id:
        raise ConfigError("SECRETS_KEY_ID is not set: secrets cannot be stored unencrypted")
    return key_id


def seal(secret: str, context: dict[str, str]) -> str:
    """The secret encrypted under the deployment's key, bound to `context`, as text."""
    result = client("kms").encrypt(
        KeyId=_key_id(), Plaintext=secret.encode(), EncryptionContext=context
    )
    return base64.b64encode(result["CiphertextBlob"]).decode()


def unseal(sealed: str, context: dict[str, str]) -> str:
    """The secret behind `seal`'s text; raises if the context is not the one it was sealed with."""
    return _unseal(sealed, tuple(sorted(context.items())))


@lru_cache(maxsize=256)
def _unseal(sealed: str, context: tuple[tuple[str, str], ...]) -> str:
    # Warm deliveries to one endpoint reuse the opened secret instead of calling KMS each time;
    # a rotated secret is a new ciphertext, so it is never served stale.
    result = client("kms").decrypt(
        KeyId=_key_id(), CiphertextBlob=base64.b64decode(sealed), EncryptionContext=dict(context)
    )
    return bytes(result["Plaintext"]).decode()


def forget() -> None:
    """Drop opened secrets (tests, and a new deployment in the same process)."""
    _unseal.cache_clear()
