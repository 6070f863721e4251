"""HTTP Basic authentication of LRS clients against stored credentials."""

from __future__ import annotations

import hashlib
from typing import Any

from flask import current_app, g, request
from sqlalchemy import Engine

from lrs.store.credentials import Credential, verify_credential
from lrs.xapi.errors import Unauthorized


def credential_pepper() -> bytes:
    """Return the server-side key of the credential hashes (LRS_CREDENTIAL_PEPPER, else derived from SECRET_KEY)."""
    configured = current_app.config.get("LRS_CREDENTIAL_PEPPER")
    if configured:
        return str(configured).encode()
    return hashlib.sha256(b"vtc-lrs-credential-pepper:" + str(current_app.config["SECRET_KEY"]).encode()).digest()


def authenticate(engine: Engine) -> Credential:
    """Return the credential of this request.

    :raises Unauthorized: when credentials are missing, unknown, wrong or revoked.
    """
    auth = request.authorization
    if auth is None or auth.type != "basic" or not auth.username:
        raise Unauthorized("this LRS needs HTTP Basic credentials (key:secret); ask an administrator for them")
    with engine.connect() as conn:
        found = verify_credential(conn, credential_pepper(), auth.username, auth.password or "")
    if found is None:
        raise Unauthorized("unknown or revoked credentials")
    g.lrs_credential = found
    return found


def authority_of(credential: Credential) -> dict[str, Any]:
    """Return the xAPI authority agent that statements stored with this credential carry."""
    return {
        "objectType": "Agent",
        "name": credential.name,
        "account": {"homePage": request.host_url.rstrip("/") + "/xapi", "name": credential.key},
    }
