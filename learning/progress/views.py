"""My progress page.

A learner reading their own record is not logged: the access log is there for reads of a person's data by others
(staff, caregivers, LRS clients; NEN 7513 logs access to a client's record by others), and an entry per own view
was a durable write (an fsync) on the page a learner opens most. A caregiver's view of the same progress is logged
(`caregiver.progress`, learning/caregivers). docs/access-log.md, "What is not logged".
"""

from __future__ import annotations

from flask import Blueprint
from flask_babel import get_locale
from flask_login import current_user, login_required

from learning.page_cache import cached_page
from learning.progress.services import get_progress, table_key

bp = Blueprint("progress", __name__)


@bp.get("/progress")
@login_required
def index() -> str:
    """Show what the learner started and finished."""
    rows = get_progress(current_user, str(get_locale()))
    key = table_key(rows)  # everything the page shows of the rows (learning/page_cache.py)
    return cached_page("progress/index.html", key, rows=rows, table_key=key)
