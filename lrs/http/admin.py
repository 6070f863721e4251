"""Credential management for administrators: create with scopes, rotate, revoke; a new secret is shown once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Engine
from werkzeug.wrappers import Response

from lrs.http.auth import credential_pepper
from lrs.store.credentials import (
    Tenant,
    create_credential,
    get_credential,
    list_credentials,
    revoke_credential,
    rotate_credential,
)
from lrs.xapi.scopes import DEFAULT_SCOPES, Scope, UnknownScope, parse_scopes

bp = Blueprint("lrs_admin", __name__)
SCOPE_LABELS = {
    Scope.ALL: _l("Everything: read and write all of the LRS"),
    Scope.ALL_READ: _l("Read everything: statements, documents, activities and agents"),
    Scope.STATEMENTS_WRITE: _l("Send statements"),
    Scope.STATEMENTS_READ: _l("Read all statements"),
    Scope.STATEMENTS_READ_MINE: _l("Read only the statements this client sent itself"),
    Scope.STATE: _l("Read and write State documents (where a learner is within an activity)"),
    Scope.PROFILE: _l("Read and write activity and agent profiles"),
}


@dataclass(frozen=True)
class NewSecret:
    """A secret to show this once: it is stored only as a hash."""

    name: str
    key: str
    secret: str
    rotated: bool


def _engine() -> Engine:
    engine: Engine = current_app.extensions["lrs"].engine
    return engine


REGIONAL = "regional"  # the form's value for "reads every organisation": never a homePage


def _tenants() -> Sequence[Tenant]:
    tenants: Sequence[Tenant] = current_app.extensions["lrs"].tenants()
    return tenants


def _page(new_secret: NewSecret | None = None) -> str:
    with _engine().connect() as conn:
        credentials = list_credentials(conn)
    tenants = _tenants()
    return render_template(
        "lrs/credentials.html",
        credentials=credentials,
        new_secret=new_secret,
        scope_labels=SCOPE_LABELS,
        default_scopes=DEFAULT_SCOPES,
        tenants=tenants,
        tenant_labels={t.home_page: t.label for t in tenants},
        regional=REGIONAL,
    )


@bp.before_request
def require_admin() -> None:
    """Only the role the application names as LRS administrator may manage credentials."""
    guard = current_app.extensions["lrs"].admin_guard
    if not guard():
        abort(403)


@bp.get("/")
def index() -> str:
    """List credentials."""
    return _page()


def _chosen_scopes() -> tuple[Scope, ...] | None:
    """Return the ticked scopes, or None after flashing why they cannot be used."""
    try:
        scopes = parse_scopes(request.form.getlist("scope"))
    except UnknownScope:
        flash(_("Choose the scopes from the list on this page."), "error")
        return None
    if not scopes:
        flash(_("Choose at least one scope: a credential without one can do nothing."), "error")
    return scopes or None


def _chosen_tenant() -> tuple[bool, str | None]:
    """Return (chosen, tenant homePage or None for regional), after flashing why when nothing valid was chosen."""
    value = request.form.get("reach", "")
    if value == REGIONAL:
        return True, None
    if value and value in {t.home_page for t in _tenants()}:
        return True, value
    flash(_("Choose whose statements it may read: one organisation's learners, or the whole region."), "error")
    return False, None


@bp.post("/")
def create() -> str | Response:
    """Create a credential with the chosen scopes and show its secret this once."""
    name = request.form.get("name", "").strip()
    if not 1 <= len(name) <= 200:
        flash(_("Give the credential a name of 1 to 200 characters."), "error")
        return redirect(url_for(".index"))
    scopes = _chosen_scopes()
    chosen, tenant = _chosen_tenant()
    if scopes is None or not chosen:
        return redirect(url_for(".index"))
    with _engine().begin() as conn:
        key, secret = create_credential(conn, credential_pepper(), name, scopes, tenant=tenant)
    return _page(NewSecret(name, key, secret, rotated=False))


@bp.post("/<key>/rotate")
def rotate(key: str) -> str | Response:
    """Replace a credential's secret (the old one stops working at once) and show the new one this once."""
    with _engine().begin() as conn:
        secret = rotate_credential(conn, credential_pepper(), key)
        found = get_credential(conn, key)
    if secret is None or found is None:
        flash(_("No active credential with that key."), "info")
        return redirect(url_for(".index"))
    return _page(NewSecret(found.name, key, secret, rotated=True))


@bp.post("/<key>/revoke")
def revoke(key: str) -> Response:
    """Revoke a credential at once."""
    with _engine().begin() as conn:
        revoked = revoke_credential(conn, key)
    flash(_("Credential revoked.") if revoked else _("No active credential with that key."), "info")
    return redirect(url_for(".index"))
