"""Credential management for administrators: create with scopes, rotate, revoke; a new secret is shown once."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Engine
from werkzeug.wrappers import Response

from lrs.http.auth import credential_pepper
from lrs.store.credentials import (
    Credential,
    Tenant,
    create_credential,
    get_credential,
    list_credentials,
    revoke_credential,
    rotate_credential,
)
from lrs.xapi.scopes import Scope, UnknownScope, parse_scopes

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
class Entered:
    """What the administrator filled in, shown again with the problems when the credential cannot be made."""

    name: str = ""
    scopes: tuple[str, ...] = ()
    reach: str = ""
    problems: tuple[str, ...] = ()


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


def _reach() -> Collection[str] | None:
    """The tenant homePages this administrator manages; None: every credential (a regional administrator)."""
    reach: Collection[str] | None = current_app.extensions["lrs"].admin_reach()
    return reach


def _tenants() -> Sequence[Tenant]:
    """The organisations this administrator may confine a credential to: all for a regional one, else their own."""
    tenants: Sequence[Tenant] = current_app.extensions["lrs"].tenants()
    reach = _reach()
    return tenants if reach is None else [t for t in tenants if t.home_page in reach]


def _managed(credential: Credential | None) -> Credential | None:
    """The credential when this administrator manages it: an organisation's administrator only their own
    organisation's (another organisation's and regional credentials do not exist for them); else None."""
    reach = _reach()
    if credential is None or reach is None:
        return credential
    return credential if credential.tenant is not None and credential.tenant in reach else None


def _page(new_secret: NewSecret | None = None, entered: Entered | None = None) -> str:
    """Render the page; nothing is ticked unless the administrator ticked it (no scope is granted by default)."""
    with _engine().connect() as conn:
        credentials = [c for c in list_credentials(conn) if _managed(c) is not None]
    tenants = _tenants()
    return render_template(
        "lrs/credentials.html",
        credentials=credentials,
        new_secret=new_secret,
        entered=entered or Entered(),
        scope_labels=SCOPE_LABELS,
        tenants=tenants,
        tenant_labels={t.home_page: t.label for t in tenants},
        regional=REGIONAL,
        may_be_regional=_reach() is None,
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


def _chosen_scopes(problems: list[str]) -> tuple[Scope, ...]:
    """Return exactly the ticked scopes (empty after adding why they cannot be used to `problems`)."""
    try:
        scopes = parse_scopes(request.form.getlist("scope"))
    except UnknownScope:
        problems.append(_("Choose the scopes from the list on this page."))
        return ()
    if not scopes:
        problems.append(_("Tick at least one thing this tool may do: a credential without one can do nothing."))
    return scopes


def _chosen_tenant(problems: list[str]) -> tuple[bool, str | None]:
    """Return (chosen, tenant homePage or None for regional), after adding why to `problems` when none was.

    An organisation's administrator who sends another organisation (404: it does not exist for them) or the whole
    region (403: not theirs to give) is refused outright; the form offers neither.
    """
    value = request.form.get("reach", "")
    reach = _reach()
    if reach is not None and value and value not in reach:
        abort(403 if value == REGIONAL else 404)
    if value == REGIONAL:
        return True, None
    if value and value in {t.home_page for t in _tenants()}:
        return True, value
    problems.append(_("Choose whose statements it may read: one organisation's learners, or the whole region."))
    return False, None


@bp.post("/")
def create() -> str | tuple[str, int]:
    """Create a credential with exactly the ticked scopes and show its secret this once.

    A refused form is shown again with everything entered kept and every problem named at once.
    """
    name = request.form.get("name", "").strip()
    problems: list[str] = []
    if not 1 <= len(name) <= 200:
        problems.append(_("Give the credential a name of 1 to 200 characters."))
    scopes = _chosen_scopes(problems)
    chosen, tenant = _chosen_tenant(problems)
    if problems or not chosen:
        entered = Entered(name, tuple(request.form.getlist("scope")), request.form.get("reach", ""), tuple(problems))
        return _page(entered=entered), 400
    with _engine().begin() as conn:
        key, secret = create_credential(conn, credential_pepper(), name, scopes, tenant=tenant)
    return _page(NewSecret(name, key, secret, rotated=False))


@bp.post("/<key>/rotate")
def rotate(key: str) -> str | Response:
    """Replace a credential's secret (the old one stops working at once) and show the new one this once."""
    _require_managed(key)
    with _engine().begin() as conn:
        secret = rotate_credential(conn, credential_pepper(), key)
        found = get_credential(conn, key)
    if secret is None or found is None:
        flash(_("No active credential with that key."), "info")
        return redirect(url_for(".index"))
    return _page(NewSecret(found.name, key, secret, rotated=True))


@bp.get("/<key>/revoke")
def confirm_revoke(key: str) -> str | Response:
    """Ask before revoking: the tool stops working at once and a revoked credential cannot come back."""
    _require_managed(key)
    with _engine().connect() as conn:
        found = get_credential(conn, key)
    if found is None or not found.is_active:
        flash(_("No active credential with that key."), "info")
        return redirect(url_for(".index"))
    return render_template("lrs/revoke.html", credential=found)


@bp.post("/<key>/revoke")
def revoke(key: str) -> str | Response:
    """Revoke a credential at once, once the confirmation page was answered with yes."""
    if request.form.get("confirm") != "yes":
        return confirm_revoke(key)
    _require_managed(key)
    with _engine().begin() as conn:
        revoked = revoke_credential(conn, key)
    flash(_("Credential revoked.") if revoked else _("No active credential with that key."), "info")
    return redirect(url_for(".index"))


def _require_managed(key: str) -> None:
    """404 for a credential an organisation's administrator does not manage (it does not exist for them)."""
    if _reach() is None:
        return
    with _engine().connect() as conn:
        if _managed(get_credential(conn, key)) is None:
            abort(404)
