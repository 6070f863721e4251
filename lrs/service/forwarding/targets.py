"""Forwarding targets as administrators see them: set one per credential, pause it, read its queue, retry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine

from lrs.service.forwarding.addresses import endpoint_refusal
from lrs.service.forwarding.sender import is_http_url
from lrs.service.forwarding.settings import ForwardSettings
from lrs.store.credentials import list_credentials
from lrs.store.forward_queue import retry_soon, revive_dead, summarise_queue
from lrs.store.forward_targets import get_target, list_targets, save_target, set_active

VERSIONS = ("1.0.3", "2.0.0")


class ForwardingError(ValueError):
    """A target setting was refused; `field` names the one at fault so a form can point at it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class TargetStatus:
    """A target and the state of its queue (never its secret)."""

    credential_key: str
    credential_name: str
    endpoint: str
    username: str
    version: str
    active: bool
    queued: int
    dead: int
    oldest_stored: datetime | None
    last_error: str | None
    retry_at: datetime | None
    last_success_at: datetime | None


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def set_forwarding(
    engine: Engine, settings: ForwardSettings, credential_key: str, endpoint: str, username: str,
    secret: str | None, version: str = "1.0.3",
) -> None:  # fmt: skip
    """Forward what this credential stores to endpoint from now on; secret None keeps the stored one.

    Statements the target rejected are tried again soon: the new settings may be the fix.

    :raises ForwardingError: for an unknown credential, an endpoint that is not http(s) or (unless settings allow
        private addresses) whose host is or resolves to a loopback, link-local or private address, a key with a
        colon, an unsupported version, or a new target without a secret.
    """
    endpoint, username = endpoint.strip(), username.strip()
    if not is_http_url(endpoint):
        raise ForwardingError("endpoint", "the endpoint must be an http(s) URL without credentials or query")
    refused = None if settings.allow_private else endpoint_refusal(endpoint)
    if refused:
        raise ForwardingError("address", refused)
    if not username or ":" in username or len(username) > 200:
        raise ForwardingError("username", "the target key must be 1 to 200 characters without a colon")
    if version not in VERSIONS:
        raise ForwardingError("version", f"the xAPI version must be one of {', '.join(VERSIONS)}")
    token = settings.cipher.encrypt(secret.encode()).decode() if secret else None
    with engine.begin() as conn:
        if credential_key not in {c.key for c in list_credentials(conn)}:
            raise ForwardingError("credential", f"no credential with key {credential_key}")
        try:
            target_id = save_target(conn, credential_key, endpoint, username, token, version, _now())
        except LookupError:
            raise ForwardingError("secret", "a new target needs the secret of its key") from None
        retry_soon(conn, target_id, _now())


def set_forwarding_active(engine: Engine, credential_key: str, *, active: bool) -> bool:
    """Pause (statements are no longer queued) or resume forwarding; False when there is no target."""
    with engine.begin() as conn:
        return set_active(conn, credential_key, active)


def retry_dead(engine: Engine, credential_key: str) -> int:
    """Put the target's dead-lettered statements back in the queue; return how many.

    :raises ForwardingError: when the credential has no target.
    """
    with engine.begin() as conn:
        target = get_target(conn, credential_key)
        if target is None:
            raise ForwardingError("credential", f"credential {credential_key} has no forwarding target")
        return revive_dead(conn, target.id, _now())


def forwarding_status(engine: Engine) -> list[TargetStatus]:
    """Return every target with its queue: how much waits, since when, what went wrong, what is dead."""
    with engine.connect() as conn:
        targets = list_targets(conn)
        queues = summarise_queue(conn)
        names = {c.key: c.name for c in list_credentials(conn)}
    statuses = []
    for target in targets:
        queue = queues.get(target.id)
        statuses.append(
            TargetStatus(
                credential_key=target.credential_key,
                credential_name=names.get(target.credential_key, ""),
                endpoint=target.endpoint,
                username=target.username,
                version=target.version,
                active=target.active,
                queued=queue.queued if queue else 0,
                dead=queue.dead if queue else 0,
                oldest_stored=queue.oldest_stored if queue else None,
                last_error=target.last_error or (queue.last_error if queue else None),
                retry_at=target.retry_at,
                last_success_at=target.last_success_at,
            )
        )
    return statuses
