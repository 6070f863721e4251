"""Credential management for administrators: create (secret shown once), list, revoke."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from lrs.http.auth import credential_pepper
from lrs.store.credentials import create_credential, list_credentials, revoke_credential

bp = Blueprint("lrs_admin", __name__)
SCOPES = ("all",)


@bp.before_request
def require_admin() -> None:
    """Only the role the application names as LRS administrator may manage credentials."""
    guard = current_app.extensions["lrs"].admin_guard
    if not guard():
        abort(403)


@bp.get("/")
def index() -> str:
    """List credentials."""
    with current_app.extensions["lrs"].engine.connect() as conn:
        credentials = list_credentials(conn)
    return render_template("lrs/credentials.html", credentials=credentials, created=None)


@bp.post("/")
def create() -> str | Response:
    """Create a credential and show its secret this once."""
    name = request.form.get("name", "").strip()
    if not 1 <= len(name) <= 200:
        flash(_("Give the credential a name of 1 to 200 characters."), "error")
        return redirect(url_for(".index"))
    with current_app.extensions["lrs"].engine.begin() as conn:
        key, secret = create_credential(conn, credential_pepper(), name, SCOPES)
        credentials = list_credentials(conn)
    return render_template("lrs/credentials.html", credentials=credentials, created=(name, key, secret))


@bp.post("/<key>/revoke")
def revoke(key: str) -> Response:
    """Revoke a credential at once."""
    with current_app.extensions["lrs"].engine.begin() as conn:
        revoked = revoke_credential(conn, key)
    flash(_("Credential revoked.") if revoked else _("No active credential with that key."), "info")
    return redirect(url_for(".index"))
