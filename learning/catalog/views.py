"""The module catalogue, a module's overview page, its media, and the help page."""

from __future__ import annotations

import hashlib
import io
import mimetypes
from pathlib import Path

from flask import Blueprint, abort, current_app, render_template, send_file, send_from_directory
from flask_babel import get_locale
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from learning.catalog.services import catalog_and_roster, get_visible_module
from learning.content.publishing import has_files, version_file
from learning.content.services import get_document, get_module_text
from learning.dashboards.services import today
from learning.dashboards.staff import own_required_training
from learning.page_cache import cached_page
from learning.player.services import get_open_attempt, latest_finished_attempt

bp = Blueprint("catalog", __name__)


@bp.get("/")
@login_required
def index() -> str:
    """List the modules meant for this learner, and first what her role requires of her, by when."""
    locale = str(get_locale())
    entries, on_roster = catalog_and_roster(current_user, locale)
    required = []  # not on a staff roster: no team role, so nothing required (and two roster queries fewer)
    if on_roster:
        done_here = {e.module.slug for e in entries if e.status in ("passed", "finished")}
        required = own_required_training(current_user, today(), locale, done_here)
    # everything a card shows, for the list's fragment key (the text's hash stands for its title and summary)
    cards_key = tuple((e.module.slug, e.text.content_hash, e.module.minutes, e.status) for e in entries)
    # and everything the page shows: the cards and what is required of her (frozen dataclasses: learning/page_cache.py)
    return cached_page(
        "catalog/index.html", (cards_key, tuple(required)), entries=entries, required=required, cards_key=cards_key
    )


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
    """Serve a picture, caption or video of the version this learner reads: their open attempt's, else the shown one.

    Files come from the stored version (learning.content.publishing), so a learner mid-way keeps the pictures of
    the version they started and an unapproved version's files are never served; versions stored before files
    were kept are served from the content folder.
    """
    module = get_visible_module(current_user, slug) or abort(404)
    attempt = get_open_attempt(current_user, module)
    version = attempt.version if attempt is not None else module.current_version
    if has_files(module, version):
        data = version_file(module, version, filename)
        if data is None:
            abort(404)
        mimetype = mimetypes.guess_type(filename)[0] or "application/octet-stream"
        etag = hashlib.sha256(data).hexdigest()
        response = send_file(io.BytesIO(data), mimetype=mimetype, max_age=3600, conditional=True, etag=etag)
        response.cache_control.private = True  # the file depends on the learner's version
    else:
        response = send_from_directory(Path(current_app.config["CONTENT_DIR"]) / slug, filename, max_age=3600)
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


@bp.get("/help")
def help() -> str:
    """Say whom to call for what: the care team, the helpdesk, or 112."""
    return render_template("catalog/help.html")
