"""The outbox for administrators (/admin/outbox): what waits for the LRS, and what the LRS refused and why.

The LMS's counterpart of the LRS's forwarding page: a statement the LRS refuses is set aside rather than
retried with its batch forever, so someone has to see it, fix the cause and send it again.
"""

from __future__ import annotations

import uuid

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from learning.tracking import outbox

bp = Blueprint("outbox_admin", __name__, url_prefix="/admin/outbox")


@bp.before_request
@login_required
def require_admin() -> None:
    """Administrators only: the statements name activities and the LRS's errors name its set-up."""
    if not current_user.is_admin:
        abort(403)


@bp.get("")
def index() -> str:
    """Show the queue and every set-aside statement with the LRS's reason and the time it refused it."""
    return render_template("tracking/outbox.html", summary=outbox.summary())


@bp.post("/retry")
def retry() -> Response:
    """Put one set-aside statement (or, without statement_id, all of them) back in line and send at once."""
    raw = request.form.get("statement_id", "").strip()
    try:
        ids = [str(uuid.UUID(raw))] if raw else []
    except ValueError:
        flash(_("That is not a statement of this outbox. Choose one from the list."), "error")
        return redirect(url_for(".index"))
    count = outbox.retry_set_aside(ids)
    if count == 0:
        flash(_("Nothing was set aside any more: the list below is up to date."), "info")
        return redirect(url_for(".index"))
    outbox.flush()
    flash(_("%(count)d statement(s) sent to the LRS again.", count=count), "info")
    return redirect(url_for(".index"))
