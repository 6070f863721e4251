"""The module catalogue, a module's overview page, its media, and the help page."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, current_app, render_template, send_from_directory
from flask_babel import get_locale
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from learning.catalog.services import get_catalog, get_visible_module
from learning.content.services import get_document, get_module_text
from learning.dashboards.services import today
from learning.dashboards.staff import own_required_training
from learning.player.services import get_open_attempt, latest_finished_attempt

bp = Blueprint("catalog", __name__)


@bp.get("/")
@login_required
def index() -> str:
    """List the modules meant for this learner, and first what her role requires of her, by when."""
    locale = str(get_locale())
    entries = get_catalog(current_user, locale)
    done_here = {e.module.slug for e in entries if e.status in ("passed", "finished")}
    required = own_required_training(current_user, today(), locale, done_here)
    return render_template("catalog/index.html", entries=entries, required=required)


@bp.get("/modules/<slug>/")
@login_required
def detail(slug: str) -> str:
    """Show what a module teaches, with a start or continue button."""
    module = get_visible_module(current_user, slug) or abort(404)
    text = get_module_text(module, module.current_version, str(get_locale())) or abort(404)
    attempt = get_open_attempt(current_user, module)
    finished = latest_finished_attempt(current_user, module)
    return render_template(
        "catalog/detail.html", module=module, document=get_document(text), attempt=attempt, finished=finished
    )


@bp.get("/modules/<slug>/media/<path:filename>")
@login_required
def media(slug: str, filename: str) -> Response:
    """Serve a module's pictures from its content folder."""
    get_visible_module(current_user, slug) or abort(404)
    folder = Path(current_app.config["CONTENT_DIR"]) / slug
    response = send_from_directory(folder, filename, max_age=3600)
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


@bp.get("/help")
def help() -> str:
    """Say whom to call for what: the care team, the helpdesk, or 112."""
    return render_template("catalog/help.html")
