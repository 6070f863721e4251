"""The draft editor's own requests: its files (upload, serve), its live preview, and all languages side by side.

Kept apart from views.py (the workspace, review and history pages) so each stays short; the routes belong to the
same "authoring" blueprint. Uploads answer JSON (the editor's forms send them with fetch), refusals too.
"""

from __future__ import annotations

import hashlib
import io
from typing import Any

from flask import Response, abort, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from learning.authoring.media import MEDIA_CSP, check_folder, draft_file, remove_file, served_type, store_uploads
from learning.authoring.services import AuthoringError, StaleSave, _l
from learning.authoring.views import _authors_only, _draft, _render_editor, _staff_only, author_bp, say
from learning.editor.preview import PreviewRefused, preview_from_form
from learning.editor.views import read_upload

MISSING_REVISION = _l("Reload the page: the editor did not say which version of the draft it has.")
# An upload has no text of its own to compare (the text's save shows both texts): what helps is a fresh page.
STALE_UPLOAD = _l(
    "Someone else saved this draft after you opened it, so your file was not stored. Reload the page (text you"
    " typed is kept on this device), then upload the file again."
)


def draft_media_base(draft_id: int) -> str:
    """Where the draft's pictures are fetched from: its own files, not the published module's."""
    return url_for("authoring.draft_media", draft_id=draft_id, path="x")[:-1]


@author_bp.get("/drafts/<int:draft_id>/side-by-side")
@login_required
def side_by_side(draft_id: int) -> tuple[str, int]:
    """Every language of the draft beside each other (stacked on a phone), each with its preview and problems."""
    _staff_only()
    return _render_editor(_draft(draft_id), "nl", side=True)


@author_bp.get("/drafts/<int:draft_id>/media/<path:path>")
@login_required
def draft_media(draft_id: int, path: str) -> Response:
    """A picture, caption or film of a draft, for its previews (never shown to learners).

    The type comes from the file's bytes (a file that is not what its name says is only offered as a download),
    the browser may not guess another (nosniff), and an SVG opened on its own runs in a sandbox without script.
    """
    _staff_only()
    data = draft_file(_draft(draft_id), path)
    if data is None or path.endswith(".md"):
        abort(404)
    kind = served_type(path, data)
    response = send_file(io.BytesIO(data), mimetype=kind or "application/octet-stream", conditional=True,
                         etag=hashlib.sha256(data).hexdigest(), as_attachment=kind is None,
                         download_name=path.rsplit("/", 1)[-1])  # fmt: skip
    response.headers["Content-Security-Policy"] = MEDIA_CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@author_bp.post("/drafts/<int:draft_id>/files")
@login_required
def upload(draft_id: int) -> tuple[Response, int]:
    """Store an upload of the editor's forms in the draft (cleaned first) as a new revision; JSON either way."""
    _authors_only()
    draft = _draft(draft_id)
    revision = request.form.get("revision", "")
    if not revision.isdigit():
        return jsonify(error=_(MISSING_REVISION)), 400
    files, reason, status = read_upload()
    if reason:
        return jsonify(error=reason), status
    try:
        stored = store_uploads(draft, files, int(revision), current_user)
    except StaleSave as exc:
        return jsonify(error=_(STALE_UPLOAD), revision=exc.revision), 409
    except AuthoringError as exc:
        return jsonify(error=say(exc)), 400
    base = draft_media_base(draft.id)
    described = [{"filename": f.filename, "content_type": f.content_type, "size": len(f.data), "width": f.width,
                  "height": f.height, "markdown": f.markdown, "notes": list(f.notes), "url": base + f.filename}
                 for f in stored.files]  # fmt: skip
    return jsonify(files=described, revision=stored.revision), 200


@author_bp.post("/drafts/<int:draft_id>/files/remove")
@login_required
def remove(draft_id: int) -> Any:
    """Remove a file the texts no longer use, under the same revision check as a save."""
    _authors_only()
    draft = _draft(draft_id)
    path, revision = request.form.get("path", ""), request.form.get("revision", "")
    try:
        if not revision.isdigit():
            raise AuthoringError(MISSING_REVISION)
        remove_file(draft, path, int(revision), current_user)
    except AuthoringError as exc:
        return _render_editor(draft, "nl", problem=exc, status=409 if isinstance(exc, StaleSave) else 400)
    flash(_("%(name)s removed.", name=path), "success")
    return redirect(url_for(".editor", draft_id=draft.id, language="nl"))


@author_bp.post("/drafts/<int:draft_id>/preview")
@login_required
def preview(draft_id: int) -> Any:
    """The live preview of one language of the draft, with the draft's own pictures (an htmx fragment)."""
    _staff_only()
    draft = _draft(draft_id)
    media_base = draft_media_base(draft.id)
    try:
        result = preview_from_form(request.form, slug=draft.slug, folder=check_folder(draft), media_base=media_base)
    except PreviewRefused as exc:
        return jsonify(error=str(exc)), 400
    return render_template("editor/_preview.html", preview=result, document=result.checked.document)
