"""The audio route: one step's espeak-ng rendering, for logged-in learners who may open the module."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, send_file
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from learning.catalog.services import get_visible_module
from learning.content.services import get_document
from learning.speech.services import SpeechError, cache_dir, render_step

bp = Blueprint("speech", __name__, url_prefix="/speech")


@bp.get("/<slug>/<version>/<language>/<int:number>.ogg")
@login_required
def audio(slug: str, version: str, language: str, number: int) -> Response:
    """Send the cached audio (rendered now if `content load` has not yet); 404 for what the learner may not see."""
    module = get_visible_module(current_user, slug) or abort(404)
    text = next((t for t in module.texts if t.version == version and t.language == language), None)
    if text is None:
        abort(404)
    document = get_document(text)
    if not 1 <= number <= len(document.steps):
        abort(404)
    try:
        path = render_step(cache_dir(), document, document.steps[number - 1])
    except SpeechError:
        current_app.logger.exception("read-aloud audio for %s step %d failed", slug, number)
        abort(500)
    # private: only logged-in learners may fetch it; a version's audio never changes, so a day is safe
    response = send_file(path, mimetype="audio/ogg", conditional=True, max_age=86400)
    response.cache_control.private = True
    response.cache_control.public = False
    return response
