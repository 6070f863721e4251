"""The installable, offline-capable web app: the service worker is served from the site's root.

A worker's scope is limited to the folder it is served from; under /static/ it could not answer for the module
pages, so this small route serves static/sw.js at /sw.js. It is never cached by the browser's HTTP cache, so a new
worker reaches learners on their next visit.
"""

from __future__ import annotations

from flask import Blueprint, Flask, current_app
from werkzeug.wrappers import Response

bp = Blueprint("offline", __name__)


@bp.get("/sw.js")
def worker() -> Response:
    """Serve the service worker with root scope and without HTTP caching."""
    response = current_app.send_static_file("sw.js")
    response.headers["Service-Worker-Allowed"] = "/"
    response.headers["Cache-Control"] = "no-cache"
    return response


def init_app(app: Flask) -> None:
    """Register the worker's route."""
    app.register_blueprint(bp)
