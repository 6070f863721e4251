"""My progress page."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_babel import get_locale
from flask_login import current_user, login_required

from learning.progress.services import get_progress

bp = Blueprint("progress", __name__)


@bp.get("/progress")
@login_required
def index() -> str:
    """Show what the learner started and finished."""
    return render_template("progress/index.html", rows=get_progress(current_user, str(get_locale())))
