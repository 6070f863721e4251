"""Forwarding settings from the app's configuration, and the cipher that keeps target secrets readable to us only.

A target's secret must be sent, so it cannot be hashed like our own credentials: it is encrypted with Fernet
under a key derived from LRS_FORWARD_KEY, else from SECRET_KEY (rotating that key means setting targets again).
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


def make_cipher(key_material: str) -> Fernet:
    """Return the Fernet cipher of target secrets, derived (HKDF-SHA-256) from a configured secret string."""
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"vtc-lrs-forward-secret").derive(
        key_material.encode()
    )
    return Fernet(base64.urlsafe_b64encode(derived))


@dataclass(frozen=True)
class ForwardSettings:
    """How delivery behaves; every value has an LRS_FORWARD_* configuration key."""

    cipher: Fernet
    timeout: float = 10.0  # seconds per HTTP request to a target
    max_attempts: int = 5  # rejections of one statement before it is dead-lettered
    retry_seconds: float = 5.0  # first back-off when a target is down; doubles, with jitter
    retry_max_seconds: float = 600.0
    reject_seconds: float = 3600.0  # first back-off after a rejection (4xx): a person has to look first
    poll_seconds: float = 5.0  # how often the background thread looks for due statements
    background: bool = True  # False when only `flask lrs forward-flush` (cron) delivers
    allow_private: bool = False  # True lets targets be loopback, link-local or private addresses (addresses.py)

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> ForwardSettings:
        """Read LRS_FORWARD_* (and SECRET_KEY for the cipher when LRS_FORWARD_KEY is not set)."""
        key_material = str(config.get("LRS_FORWARD_KEY") or config["SECRET_KEY"])
        return cls(
            cipher=make_cipher(key_material),
            timeout=float(config.get("LRS_FORWARD_TIMEOUT", cls.timeout)),
            max_attempts=int(config.get("LRS_FORWARD_MAX_ATTEMPTS", cls.max_attempts)),
            retry_seconds=float(config.get("LRS_FORWARD_RETRY_SECONDS", cls.retry_seconds)),
            retry_max_seconds=float(config.get("LRS_FORWARD_RETRY_MAX_SECONDS", cls.retry_max_seconds)),
            reject_seconds=float(config.get("LRS_FORWARD_REJECT_SECONDS", cls.reject_seconds)),
            poll_seconds=float(config.get("LRS_FORWARD_POLL_SECONDS", cls.poll_seconds)),
            background=bool(config.get("LRS_FORWARD_BACKGROUND", cls.background)),
            allow_private=bool(config.get("LRS_FORWARD_ALLOW_PRIVATE", cls.allow_private)),
        )

    @property
    def lease_seconds(self) -> float:
        """How long a delivery run owns a target without renewing: longer than any single request can take."""
        return max(60.0, 3 * self.timeout)
