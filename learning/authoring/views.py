"""Author workspace, draft editor, review queue and review pages, history: thin views over the services.

Every refusal a person can cause is shown in the page (role="alert") with what they entered kept; JSON callers
(the editor's autosave) get a 4xx with a JSON reason.
"""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from learning.authoring import history, workflow
from learning.authoring.archive import import_zip, to_zip
from learning.authoring.models import Draft, DraftStatus
from learning.authoring.preview import draft_document
from learning.authoring.services import (
    AuthoringError,
    NotAllowed,
    StaleSave,
    can_author,
    can_review,
    create_from_published,
    create_from_template,
    draft_files,
    draft_sources,
    get_draft,
    published_files,
    save_file,
)
from learning.authoring.workspace import draft_texts, draft_title
from learning.authoring.workspace import workspace as list_workspace
from learning.content.loader import AUDIENCES, LANGUAGES
from learning.content.services import get_module
from learning.db import db

author_bp = Blueprint("authoring", __name__, url_prefix="/author")
review_bp = Blueprint("review", __name__, url_prefix="/review")


def say(exc: AuthoringError) -> str:
    """The refusal in the reader's language (services keep the English msgid and its values)."""
    return _(exc.message, **exc.params)  # type: ignore[arg-type]


def _authors_only() -> None:
    if not can_author(current_user):
        abort(403)


def _staff_only() -> None:
    """Authors and reviewers (and admins) read drafts, history and exports."""
    if not (can_author(current_user) or can_review(current_user)):
        abort(403)


def _draft(draft_id: int) -> Draft:
    return get_draft(draft_id) or abort(404)


def _zip_response(name: str, data: bytes) -> Response:
    response = Response(data, mimetype="application/zip")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.zip"'
    return response


# --- author workspace ------------------------------------------------------------------------------------------


@author_bp.get("/")
@login_required
def workspace(problem: str | None = None, status: int = 200, **kept: Any) -> tuple[str, int]:
    """What awaits my review, my drafts, the others' drafts and every module by title; forms to start a module."""
    _staff_only()
    listed = list_workspace(current_user, str(get_locale()))
    html = render_template("authoring/workspace.html", listed=listed, audiences=sorted(AUDIENCES), problem=problem,
                           kept=kept, can_write=can_author(current_user))  # fmt: skip
    return html, status


@author_bp.post("/drafts")
@login_required
def new_draft() -> Any:
    """Start a module from the template of its audience."""
    _authors_only()
    slug, audience = request.form.get("slug", "").strip(), request.form.get("audience", "")
    if audience not in AUDIENCES:
        return workspace(_("Choose for whom the module is."), 400, slug=slug)
    try:
        draft = create_from_template(slug, audience, current_user)
    except AuthoringError as exc:
        return workspace(say(exc), 400, slug=slug, audience=audience)
    return redirect(url_for(".editor", draft_id=draft.id, language="nl"))


@author_bp.post("/modules/<slug>/draft")
@login_required
def draft_of_module(slug: str) -> Any:
    """Start a draft from the published version, or from an older one (restore)."""
    _authors_only()
    try:
        draft = create_from_published(slug, current_user, request.form.get("version") or None)
    except AuthoringError as exc:
        return workspace(say(exc), 400)
    return redirect(url_for(".editor", draft_id=draft.id, language="nl"))


@author_bp.post("/import")
@login_required
def import_draft() -> Any:
    """Make a draft of a module folder uploaded as a zip."""
    _authors_only()
    upload = request.files.get("archive")
    if upload is None or not upload.filename:
        return workspace(_("Choose a zip file first."), 400)
    try:
        draft = import_zip(upload.read(), current_user)
    except AuthoringError as exc:
        return workspace(say(exc), 400)
    return redirect(url_for(".editor", draft_id=draft.id, language="nl"))


# --- the draft editor ------------------------------------------------------------------------------------------


def _preview_url(draft: Draft) -> str | None:
    """The draft's live preview, when the editor package (which draws it) is installed."""
    if "editor" not in current_app.blueprints:
        return None
    return url_for(".preview", draft_id=draft.id)


def _render_editor(draft: Draft, language: str, *, source: str | None = None, conflict: StaleSave | None = None,
                   problem: AuthoringError | None = None, status: int = 200,
                   side: bool = False) -> tuple[str, int]:  # fmt: skip
    """The draft editor: one language (`language`), or with `side` every language the draft has beside each other."""
    sources = draft_sources(draft)
    comments = [e for e in draft.events if e.kind in {"comment", "sent_back", "approved"}]
    shown = list(sources) if side else [language]
    panes = [
        {
            "language": code,
            "save_url": url_for(".save", draft_id=draft.id, language=code),
            "source": sources.get(code, "") if source is None or code != language else source,
            "others": {other: text for other, text in sources.items() if other != code},
        }
        for code in shown
    ]
    html = render_template(
        "authoring/editor.html", draft=draft, language=language, languages=LANGUAGES, panes=panes, side=side,
        source=sources.get(language, "") if source is None else source,
        save_url=url_for(".save", draft_id=draft.id, language=language), preview_url=_preview_url(draft),
        upload_url=url_for(".upload", draft_id=draft.id),
        conflict=conflict, problem=problem, problem_text=say(problem) if problem else None, comments=comments,
        files=draft_files(draft), sources=sources,
        in_use={path for path in draft_files(draft) if any(path in text for text in sources.values())},
        language_urls={code: url_for(".editor", draft_id=draft.id, language=code) for code in LANGUAGES},
        editable=draft.status is not DraftStatus.PUBLISHED and can_author(current_user),
    )  # fmt: skip
    return html, status


@author_bp.get("/drafts/<int:draft_id>/<language>")
@login_required
def editor(draft_id: int, language: str) -> tuple[str, int]:
    """One language of a draft as plain Markdown, with the reviewers' comments beside it."""
    _staff_only()
    if language not in LANGUAGES:
        abort(404)
    return _render_editor(_draft(draft_id), language)


@author_bp.post("/drafts/<int:draft_id>/<language>")
@login_required
def save(draft_id: int, language: str) -> Any:
    """Save one language; `Accept: application/json` (autosave) gets JSON, a form post the page again."""
    _authors_only()
    if language not in LANGUAGES:
        abort(404)
    draft = _draft(draft_id)
    wants_json = request.accept_mimetypes.best == "application/json"
    source = request.form.get("source", "")
    revision = request.form.get("revision", "")
    if not revision.isdigit():
        if wants_json:
            return jsonify(error="revision must be a whole number"), 400
        abort(400, description="revision must be a whole number")
    try:
        save_file(draft, f"{language}.md", source.replace("\r\n", "\n").encode("utf-8"), int(revision), current_user)
    except StaleSave as exc:
        if wants_json:
            return jsonify(error=say(exc), revision=exc.revision, theirs=exc.theirs, yours=exc.yours), 409
        return _render_editor(draft, language, source=source, conflict=exc, status=409)
    except AuthoringError as exc:
        if wants_json:
            return jsonify(error=say(exc)), 400
        return _render_editor(draft, language, source=source, problem=exc, status=400)
    if wants_json:
        return jsonify(revision=draft.revision, saved_at=draft.updated_at.isoformat())
    flash(_("Saved."), "success")
    if request.form.get("view") == "side-by-side":
        return redirect(url_for(".side_by_side", draft_id=draft.id))
    return redirect(url_for(".editor", draft_id=draft.id, language=language))


@author_bp.post("/drafts/<int:draft_id>/submit")
@login_required
def submit(draft_id: int) -> Any:
    """Send the draft for review (only without problems)."""
    _authors_only()
    draft = _draft(draft_id)
    try:
        workflow.submit(draft, current_user)
    except AuthoringError as exc:
        return _render_editor(draft, "nl", problem=exc, status=400)
    flash(_("Sent for review."), "success")
    return redirect(url_for(".editor", draft_id=draft.id, language="nl"))


@author_bp.post("/drafts/<int:draft_id>/publish")
@login_required
def publish(draft_id: int) -> Any:
    """Publish an approved draft as a new version learners see."""
    _staff_only()
    draft = _draft(draft_id)
    try:
        version = workflow.publish(draft, current_user)
    except NotAllowed:
        abort(403)
    except AuthoringError as exc:
        return _render_editor(draft, "nl", problem=exc, status=400)
    flash(_("Published as version %(version)s.", version=version), "success")
    return redirect(url_for(".module_history", slug=draft.slug))


@author_bp.get("/drafts/<int:draft_id>.zip")
@login_required
def export_draft(draft_id: int) -> Response:
    """The draft as its modules_content/ folder in a zip."""
    _staff_only()
    draft = _draft(draft_id)
    return _zip_response(f"{draft.slug}-draft-{draft.id}", to_zip(draft.slug, draft_files(draft)))


# --- history ---------------------------------------------------------------------------------------------------


@author_bp.get("/modules/<slug>/")
@login_required
def module_history(slug: str) -> str:
    """Published versions and drafts of one module, with a form to compare any two."""
    _staff_only()
    module = get_module(slug) or abort(404)
    return render_template("authoring/history.html", module=module, versions=history.module_versions(module),
                           drafts=history.module_drafts(slug), can_write=can_author(current_user))  # fmt: skip


@author_bp.get("/modules/<slug>/diff")
@login_required
def diff(slug: str) -> tuple[str, int]:
    """The line differences between two versions or drafts (?a=v1.0.0&b=d3), per file."""
    _staff_only()
    module = get_module(slug) or abort(404)
    a, b = request.args.get("a", ""), request.args.get("b", "")
    old, new = history.files_of(module, a), history.files_of(module, b)
    versions, drafts = history.module_versions(module), history.module_drafts(slug)
    if old is None or new is None:
        problem = _("Choose two versions or drafts to compare.")
        html = render_template("authoring/diff.html", module=module, versions=versions, drafts=drafts, a=a, b=b,
                               changes=None, problem=problem)  # fmt: skip
        return html, 400
    html = render_template("authoring/diff.html", module=module, versions=versions, drafts=drafts, a=a, b=b,
                           changes=history.diff(old, new), problem=None)  # fmt: skip
    return html, 200


@author_bp.get("/modules/<slug>/<version>.zip")
@login_required
def export_version(slug: str, version: str) -> Response:
    """A stored version as its modules_content/ folder in a zip, byte for byte."""
    _staff_only()
    module = get_module(slug) or abort(404)
    if version not in {t.version for t in module.texts}:
        abort(404)
    return _zip_response(f"{slug}-{version}", to_zip(slug, published_files(module, version)))


# --- review ----------------------------------------------------------------------------------------------------


def _reviewers_only() -> None:
    if not can_review(current_user):
        abort(403)


@review_bp.get("/")
@login_required
def queue() -> str:
    """Drafts waiting for a review, oldest first."""
    _reviewers_only()
    waiting = list(
        db.session.scalars(select(Draft).where(Draft.status == DraftStatus.SUBMITTED).order_by(Draft.updated_at))
    )
    texts = draft_texts([draft.id for draft in waiting])
    language = str(get_locale())
    titled = [(draft, draft_title(draft, texts.get(draft.id, {}), language)) for draft in waiting]
    return render_template("authoring/queue.html", drafts=titled)


def _render_review(draft: Draft, language: str, number: int, *, problem: str | None = None, kept: str = "",
                   status: int = 200) -> tuple[str, int]:  # fmt: skip
    document, problems = draft_document(draft, language)
    if document is None and number != 1:  # a text that cannot be parsed is shown with its problems on step 1
        abort(404)
    if document is not None and not 1 <= number <= len(document.steps):
        abort(404)
    step = document.steps[number - 1] if document is not None else None
    comments = [e for e in draft.events if e.kind == "comment" and e.language == language and e.step == number]
    html = render_template(
        "authoring/review_step.html", draft=draft, language=language, languages=LANGUAGES, document=document,
        step=step, number=number, problems=problems, comments=comments, problem=problem, kept=kept,
        media_base=url_for("authoring.draft_media", draft_id=draft.id, path="x")[:-1],
    )  # fmt: skip
    return html, status


@review_bp.get("/drafts/<int:draft_id>/<language>/<int:number>")
@login_required
def review_step(draft_id: int, language: str, number: int) -> tuple[str, int]:
    """One step of a draft as a learner sees it, without an attempt and without statements; comments beside it."""
    _reviewers_only()
    if language not in LANGUAGES:
        abort(404)
    return _render_review(_draft(draft_id), language, number)


@review_bp.post("/drafts/<int:draft_id>/<language>/<int:number>/comment")
@login_required
def comment(draft_id: int, language: str, number: int) -> Any:
    """Keep a comment on this step."""
    _reviewers_only()
    draft = _draft(draft_id)
    message = request.form.get("message", "")
    try:
        workflow.comment(draft, current_user, language, number, message)
    except AuthoringError as exc:
        return _render_review(draft, language, number, problem=say(exc), kept=message, status=400)
    flash(_("Comment saved."), "success")
    return redirect(url_for(".review_step", draft_id=draft.id, language=language, number=number))


@review_bp.post("/drafts/<int:draft_id>/decision")
@login_required
def decide(draft_id: int) -> Any:
    """Approve the draft, or send it back to its authors with a reason."""
    _reviewers_only()
    draft = _draft(draft_id)
    message = request.form.get("message", "")
    try:
        if request.form.get("decision") == "approve":
            workflow.approve(draft, current_user, message)
            flash(_("Approved. The author can now publish it."), "success")
        else:
            workflow.send_back(draft, current_user, message)
            flash(_("Sent back to the author."), "success")
    except NotAllowed:
        abort(403)
    except AuthoringError as exc:
        return _render_review(draft, "nl", 1, problem=say(exc), kept=message, status=400)
    return redirect(url_for(".queue"))
