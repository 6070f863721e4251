"""The editor's endpoints: the live preview fragment, the upload check, and a try-out page on a bundled module.

Nothing here stores anything: the draft workflow (learning/authoring) saves texts and files; these views only
check and show them, so they can be used from any page that includes templates/editor/_editor.html.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar, cast

from flask import Blueprint, abort, current_app, jsonify, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response

from learning.accounts.models import Role
from learning.content.loader import LANGUAGES, SLUG
from learning.editor.preview import PreviewRefused, preview_from_form
from learning.editor.uploads import UPLOAD_KINDS, CleanFile, UploadRefused, check_upload, no_captions_chosen

bp = Blueprint("editor", __name__, url_prefix="/editor")
EDITORS = {Role.AUTHOR, Role.REVIEWER, Role.ADMIN}
F = TypeVar("F", bound=Callable[..., Any])


def editors_only(view: F) -> F:
    """Authors write, reviewers read drafts, admins do both: everyone else gets a 403."""

    @wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        if current_user.role not in EDITORS:
            abort(403)
        return view(*args, **kwargs)

    return cast(F, login_required(guarded))


def _bundled_folder(slug: str) -> Path | None:
    """The module folder in CONTENT_DIR when it exists: pictures and captions are then checked against it."""
    folder = Path(current_app.config["CONTENT_DIR"]) / slug
    return folder if SLUG.match(slug) and folder.is_dir() else None


def _json_refusal(message: str, status: int = 400) -> tuple[Response, int]:
    return jsonify(error=message), status


@bp.post("/preview")
@editors_only
def preview() -> Any:
    """The learner's view of the posted text and its problems, as an htmx fragment (nothing is stored)."""
    slug = request.form.get("slug", "").strip() or "new-module"
    try:
        result = preview_from_form(request.form, slug=slug, folder=_bundled_folder(slug))
    except PreviewRefused as exc:
        return _json_refusal(str(exc))
    return render_template("editor/_preview.html", preview=result, document=result.checked.document)


def _file(name: str) -> FileStorage | None:
    upload = request.files.get(name)
    return upload if upload is not None and upload.filename else None


def _describe(clean: CleanFile) -> dict[str, Any]:
    return {
        "filename": clean.filename,
        "content_type": clean.content_type,
        "size": len(clean.data),
        "width": clean.width,
        "height": clean.height,
        "markdown": clean.markdown,
        "notes": list(clean.notes),
        "data_base64": base64.b64encode(clean.data).decode(),
    }


def read_upload() -> tuple[list[CleanFile], str, int]:
    """The editor's upload form (kind, file, alt, captions_nl/en) cleaned: (files, "", 200) or ([], reason, status).

    Every kind needs `file` but `film-captions`, which sends only captions_nl and/or captions_en.

    The check-only endpoint and the draft's upload (learning/authoring) read the same form, so a file is refused
    or cleaned alike wherever it is sent: 400 for a missing kind or file, 422 for a file that cannot be used.
    """
    kind = request.form.get("kind", "")
    upload = _file("file")
    if kind not in UPLOAD_KINDS:
        return [], _("Say what you upload: a picture, captions or a video."), 400
    if upload is None and kind != "film-captions":  # new captions for a film come without the film
        return [], _("Choose a file to upload."), 400
    captions = {}
    for language in ("nl", "en"):
        caption = _file(f"captions_{language}")
        captions[language] = (caption.filename or "", caption.read()) if caption else ("", b"")
    if kind == "film-captions" and not any(data for _name, data in captions.values()):
        return [], no_captions_chosen(), 400
    try:
        name, data = (upload.filename or "", upload.read()) if upload else ("", b"")
        files = check_upload(kind, name, data, alt=request.form.get("alt", ""), captions=captions)
    except UploadRefused as exc:
        return [], str(exc), 422
    return files, "", 200


@bp.post("/upload-check")
@editors_only
def upload_check() -> Any:
    """Check one upload (a kind of UPLOAD_KINDS) and return the cleaned file(s), or the reason as JSON."""
    files, reason, status = read_upload()
    if reason:
        return _json_refusal(reason, status)
    return jsonify(files=[_describe(clean) for clean in files])


@bp.get("/try")
@editors_only
def try_editor() -> str:
    """The editor on a copy of a bundled module: type, preview and insert blocks; nothing can be saved here."""
    root = Path(current_app.config["CONTENT_DIR"])
    slugs = sorted(p.name for p in root.iterdir() if (p / "nl.md").is_file())
    slug = request.args.get("slug", "")
    if slug not in slugs:
        slug = slugs[0] if slugs else abort(404)
    language = request.args.get("language", "nl")
    if language not in LANGUAGES:
        language = "nl"
    sources = {lang: (root / slug / f"{lang}.md") for lang in LANGUAGES}
    texts = {lang: path.read_text(encoding="utf-8") for lang, path in sources.items() if path.is_file()}
    return render_template(
        "editor/try.html",
        slugs=slugs,
        slug=slug,
        language=language,
        source=texts.get(language, ""),
        others={lang: text for lang, text in texts.items() if lang != language},
        preview_url=url_for("editor.preview"),
        save_url=None,
        revision=None,
    )
