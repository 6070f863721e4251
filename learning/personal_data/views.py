"""/account/data: what the download holds, the JSON file, and the readable summary. Each download is logged."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, render_template
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from learning.audit.recording import record_read
from learning.personal_data.services import collect_personal_data
from learning.personal_data.summary import describe_action, describe_statement
from learning.tracking.reader import ReadError

bp = Blueprint("personal_data", __name__)


def _collect() -> dict[str, Any] | None:
    try:
        return collect_personal_data(current_user, str(get_locale()))
    except ReadError:
        return None


def _unavailable() -> tuple[str, int]:
    message = _("Your learning records cannot be read right now, so the download would not be complete. "
                "Try again in a few minutes.")  # fmt: skip
    return render_template("personal_data/index.html", problem=message), 503


@bp.get("/account/data")
@login_required
def index() -> str:
    """Explain what the download holds and offer the file and the summary."""
    return render_template("personal_data/index.html", problem=None)


@bp.get("/account/data/my-data.json")
@login_required
def download() -> Response | tuple[str, int]:
    """Send everything as one JSON file (logged before it is sent)."""
    data = _collect()
    if data is None:
        return _unavailable()
    record_read("personal_data.export", f"user:{current_user.id}")
    name = f"vtc-my-data-{data['exported_at'][:10]}.json"
    body = json.dumps(data, ensure_ascii=False, indent=2)
    headers = {"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"}
    return Response(body, mimetype="application/json", headers=headers)


@bp.get("/account/data/summary")
@login_required
def summary() -> str | tuple[str, int]:
    """Show the same data as a page to read or print (logged before it is sent)."""
    data = _collect()
    if data is None:
        return _unavailable()
    record_read("personal_data.summary", f"user:{current_user.id}")
    statements = [describe_statement(s, str(get_locale())) for s in data["xapi"]["statements"]]
    return render_template(
        "personal_data/summary.html", data=data, statements=statements, describe_action=describe_action
    )
