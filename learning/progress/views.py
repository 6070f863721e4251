"""My progress page. A learner reading their own record is logged too: the access log shows every read of it."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_babel import get_locale
from flask_login import current_user, login_required

from learning.audit.recording import record_read
from learning.progress.services import get_progress

bp = Blueprint("progress", __name__)


@bp.get("/progress")
@login_required
def index() -> str:
    """Show what the learner started and finished."""
    record_read("progress.view", f"user:{current_user.id}")
    return render_template("progress/index.html", rows=get_progress(current_user, str(get_locale())))
