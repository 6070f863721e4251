"""HTTP Basic authentication of LRS clients against stored credentials."""

from __future__ import annotations

import hashlib
from typing import Any

from flask import current_app, g, request
from sqlalchemy import Engine

from lrs.store.credentials import Credential, remember_version, verify_credential
from lrs.xapi.errors import Forbidden, Unauthorized
from lrs.xapi.scopes import Access, access, resource_of, scopes_for


def credential_pepper() -> bytes:
    """Return the server-side key of the credential hashes (LRS_CREDENTIAL_PEPPER, else derived from SECRET_KEY)."""
    configured = current_app.config.get("LRS_CREDENTIAL_PEPPER")
    if configured:
        return str(configured).encode()
    return hashlib.sha256(b"vtc-lrs-credential-pepper:" + str(current_app.config["SECRET_KEY"]).encode()).digest()


def find_credential(engine: Engine) -> Credential | None:
    """Return the active credential this request proves, or None."""
    auth = request.authorization
    if auth is None or auth.type != "basic" or not auth.username:
        return None
    with engine.connect() as conn:
        return verify_credential(conn, credential_pepper(), auth.username, auth.password or "")


def authenticate(engine: Engine, version: str) -> Credential:
    """Return the credential of this request and remember the version it speaks.

    :raises Unauthorized: when credentials are missing, unknown, wrong or revoked.
    """
    if request.authorization is None:
        raise Unauthorized("this LRS needs HTTP Basic credentials (key:secret); ask an administrator for them")
    found = find_credential(engine)
    if found is None:
        raise Unauthorized("unknown or revoked credentials")
    if found.last_version != version:
        with engine.begin() as conn:
            remember_version(conn, found.key, version)
    g.lrs_credential = found
    return found


def authorize(credential: Credential, method: str, path: str) -> Access:
    """Return how much of the addressed resource this credential's scopes allow.

    :raises Forbidden: when they allow none of it, naming the scopes that would.
    """
    resource = resource_of(path)
    allowed = access(credential.scopes, method, resource)
    if allowed is Access.DENIED:
        needed = " or ".join(f"'{scope}'" for scope in scopes_for(method, resource))
        raise Forbidden(f"this credential may not {method} {resource or path}: that needs the scope {needed}")
    return allowed


def authority_of(credential: Credential) -> dict[str, Any]:
    """Return the xAPI authority agent that statements stored with this credential carry."""
    return {
        "objectType": "Agent",
        "name": credential.name,
        "account": {"homePage": request.host_url.rstrip("/") + "/xapi", "name": credential.key},
    }
