"""Writing and reviewing modules in the browser: drafts, review, publishing, history. Public surface: init_app()."""

from __future__ import annotations

from flask import Flask
from flask_babel import get_locale

from learning.authoring import cli  # noqa: F401 — registers `flask content export` and `flask content approve`
from learning.authoring.models import Draft
from learning.authoring.workspace import draft_title
from learning.content.document import ModuleDocument
from learning.content.models import Module
from learning.content.publishing import clinically_checked


def init_app(app: Flask) -> None:
    from learning.authoring import draft_views  # noqa: F401 — its routes join the authoring blueprint
    from learning.authoring.views import author_bp, review_bp

    app.register_blueprint(author_bp)
    app.register_blueprint(review_bp)
    app.jinja_env.globals["clinically_checked"] = _clinically_checked
    app.jinja_env.globals["draft_heading"] = _draft_heading


def _draft_heading(draft: Draft) -> str:
    """For templates: a draft's title in the reader's language (the folder name is not a name people use)."""
    texts = {file.path: file.data for file in draft.files if file.path.endswith(".md")}
    return draft_title(draft, texts, str(get_locale()))


def _clinically_checked(module: Module, document: ModuleDocument) -> bool:
    """For templates: whether a real clinician approved the version this document is (see the review banner)."""
    return clinically_checked(module, document.version, document.review)
