"""Forwarding for administrators: send a credential's statements on to an external LRS, and watch its queue."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from lrs.service.forwarding import (
    VERSIONS,
    Forwarder,
    ForwardingError,
    forwarding_status,
    retry_dead,
    set_forwarding,
    set_forwarding_active,
)
from lrs.store.credentials import list_credentials

bp = Blueprint("lrs_forwarding", __name__)
REFUSALS = {
    "credential": _l("Choose one of the credentials."),
    "endpoint": _l("Give the address of the other LRS as an http(s) URL, without a password or query."),
    "address": _l(
        "This address is on this server or an internal network (loopback, link-local or private). "
        "Forwarding goes to public addresses only, unless the LRS_FORWARD_ALLOW_PRIVATE setting allows it."
    ),
    "username": _l("Give the key for the other LRS: 1 to 200 characters, without a colon."),
    "secret": _l("Give the secret for the other LRS."),
    "version": _l("Choose one of the xAPI versions."),
}


@bp.before_request
def require_admin() -> None:
    """Only a regional LRS administrator may see or change forwarding: it sends statements out of the region's LRS,
    so an organisation's administrator (who manages their own credentials) may not."""
    extension = current_app.extensions["lrs"]
    if not extension.admin_guard() or extension.admin_reach() is not None:
        abort(403)


def _forwarder() -> Forwarder:
    forwarder: Forwarder = current_app.extensions["lrs"].forwarder
    return forwarder


@bp.get("")
def index() -> str:
    """List the targets with their queues, and the form to set one."""
    engine = _forwarder().engine
    with engine.connect() as conn:
        credentials = [c for c in list_credentials(conn) if c.is_active]
    return render_template(
        "lrs/forwarding.html", targets=forwarding_status(engine), credentials=credentials, versions=VERSIONS
    )


@bp.post("")
def save() -> Response:
    """Set or replace the target of a credential; an empty secret keeps the one stored."""
    form = request.form
    forwarder = _forwarder()
    try:
        set_forwarding(
            forwarder.engine,
            forwarder.settings,
            form.get("credential", ""),
            form.get("endpoint", ""),
            form.get("username", ""),
            form.get("secret") or None,
            form.get("version", ""),
        )
    except ForwardingError as error:
        flash(str(REFUSALS[error.field]), "error")
    else:
        forwarder.forget_targets()
        flash(_("Forwarding saved. New statements of this credential are sent on from now."), "info")
    return redirect(url_for(".index"))


@bp.post("/<key>/active")
def toggle(key: str) -> Response:
    """Pause forwarding (nothing new is queued, the queue waits) or resume it."""
    active = request.form.get("active") == "1"
    if not set_forwarding_active(_forwarder().engine, key, active=active):
        abort(404)
    _forwarder().forget_targets()
    flash(_("Forwarding resumed.") if active else _("Forwarding paused."), "info")
    return redirect(url_for(".index"))


@bp.post("/<key>/retry-dead")
def retry(key: str) -> Response:
    """Queue dead-lettered statements again, after the cause at the other LRS has been fixed."""
    try:
        count = retry_dead(_forwarder().engine, key)
    except ForwardingError:
        abort(404)
    flash(_("%(count)d statement(s) queued again.", count=count), "info")
    return redirect(url_for(".index"))
