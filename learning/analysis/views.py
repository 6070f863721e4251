"""The item analysis page of a module version, and the button that opens a step or question in a new draft.

Authors, reviewers and admins read it (as they read drafts and history); only authors and admins start a draft.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from learning.analysis.services import analyse, draft_lines, open_draft
from learning.authoring.services import AuthoringError, can_author, can_review, create_from_published
from learning.content.services import get_module
from learning.tracking.reader import ReadError

bp = Blueprint("analysis", __name__, url_prefix="/author")


def _staff_only() -> None:
    if not (can_author(current_user) or can_review(current_user)):
        abort(403)


def _editor_url(draft_id: int, language: str, line: int | None) -> str:
    url = url_for("authoring.editor", draft_id=draft_id, language=language)
    return f"{url}#line-{line}" if line else url


@bp.get("/modules/<slug>/analysis")
@login_required
def module_analysis(slug: str, problem: str | None = None, status: int = 200) -> tuple[str, int]:
    """What learners did with one version: where they stopped, how long each step took, what they answered."""
    _staff_only()
    module = get_module(slug) or abort(404)
    try:
        analysis = analyse(module, request.args.get("version") or None, str(get_locale()))
    except ReadError:
        analysis, problem, status = (
            None,
            _("The learning records cannot be read right now. Try again in a minute."),
            503,
        )
    if analysis is None and status == 200:
        abort(404)
    draft = open_draft(slug)
    links: dict[str, str] = {}
    if draft is not None and analysis is not None:
        language, steps, items = draft_lines(draft, analysis.language)
        links = {f"step-{n}": _editor_url(draft.id, language, line) for n, line in steps.items()}
        links |= {f"item-{i}": _editor_url(draft.id, language, line) for i, line in items.items()}
        links[""] = _editor_url(draft.id, language, None)
    html = render_template("analysis/module.html", module=module, analysis=analysis, draft=draft, links=links,
                           can_write=can_author(current_user), problem=problem)  # fmt: skip
    return html, status


@bp.post("/modules/<slug>/analysis/edit")
@login_required
def edit(slug: str) -> Any:
    """Open a step or question in the editor: in the open draft, else in a new draft of the shown version."""
    if not can_author(current_user):
        abort(403)
    module = get_module(slug) or abort(404)
    target = request.form.get("target", "")
    draft = open_draft(slug)
    if draft is None:
        try:
            draft = create_from_published(module.slug, current_user)
        except AuthoringError as exc:
            return module_analysis(slug, problem=_(exc.message, **exc.params), status=400)  # type: ignore[arg-type]
    language, steps, items = draft_lines(draft, str(get_locale()))
    line = None
    if target.startswith("step-") and target[5:].isdigit():
        line = steps.get(int(target[5:]))
    elif target.startswith("item-"):
        line = items.get(target[5:])
    return redirect(_editor_url(draft.id, language, line))
