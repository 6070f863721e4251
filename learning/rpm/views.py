"""The manager's CSV upload: choose a kind, download its template, upload, preview every problem, confirm.

Nothing is imported while any row has a problem; a clean file is kept server-side until the manager confirms
(see uploads.py), so confirming needs no second upload.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response as BaseResponse
from wtforms import SelectChoice

from learning.accounts.models import Organisation
from learning.db import db
from learning.rpm import services
from learning.rpm.csv_io import CsvError, TooManyRows
from learning.rpm.fields import Kind
from learning.rpm.forms import ConfirmForm, UploadForm
from learning.rpm.ingest import ForeignProgramme
from learning.rpm.kinds import SPECS
from learning.rpm.uploads import Upload, UploadGone, discard_upload, load_upload, new_upload_id, store_upload

bp = Blueprint("rpm", __name__, url_prefix="/rpm")
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_ROWS = 100_000
Page = tuple[str, int]


def _limits() -> tuple[int, int]:
    """Return the most bytes and rows one upload may have (RPM_CSV_MAX_BYTES, RPM_CSV_MAX_ROWS)."""
    max_bytes = current_app.config.get("RPM_CSV_MAX_BYTES", DEFAULT_MAX_BYTES)
    return int(max_bytes), int(current_app.config.get("RPM_CSV_MAX_ROWS", DEFAULT_MAX_ROWS))


def _organisation(requested: int | None) -> Organisation:
    """Return the organisation this request uploads for: a manager's own, or an administrator's choice."""
    if not current_user.is_admin:
        requested = current_user.organisation_id if requested is None else requested
    elif requested is None:
        requested = next((o.id for o in services.organisations()), None)
    if requested is None or not services.may_upload(current_user, requested):
        abort(403)
    return db.get_or_404(Organisation, requested)


def _form(organisation: Organisation) -> UploadForm:
    form = UploadForm(organisation=organisation.id, kind=request.args.get("kind", Kind.ENROLMENTS.value))
    if current_user.is_admin:
        form.organisation.choices = [SelectChoice(str(o.id), o.name) for o in services.organisations()]
    else:
        del form.organisation
    return form


def _page(form: UploadForm, organisation: Organisation, status: int = 200) -> Page:
    context = services.upload_context(organisation.id)
    page = render_template("rpm/upload.html", form=form, organisation=organisation, context=context, specs=SPECS)
    return page, status


@bp.get("/upload")
@login_required
def upload() -> Page:
    """Show the upload form, the organisation's programmes and the columns of each kind."""
    organisation = _organisation(request.args.get("organisation", type=int))
    return _page(_form(organisation), organisation)


@bp.post("/upload")
@login_required
def preview() -> Page:
    """Check an uploaded file and show its first rows and every problem; keep it only when it is clean."""
    organisation = _organisation(request.form.get("organisation", type=int))
    form = _form(organisation)
    if not form.validate_on_submit():
        return _page(form, organisation, 400)
    max_bytes, max_rows = _limits()
    data = form.file.data.read(max_bytes + 1)
    kind = Kind(form.kind.data)
    if len(data) > max_bytes:
        return _refused(form, organisation, TooManyRows(max_rows))
    try:
        result = services.preview_csv(kind, organisation.id, data, max_rows)
    except (CsvError, TooManyRows, ForeignProgramme) as error:
        return _refused(form, organisation, error)
    if result.problems:
        return _preview_page(result, organisation), 422
    upload = Upload(new_upload_id(), current_user.id, organisation.id, kind, form.file.data.filename or "")
    return _preview_page(result, organisation, ConfirmForm(token=store_upload(data, upload))), 200


def _preview_page(result: services.Preview, organisation: Organisation, confirm: ConfirmForm | None = None) -> str:
    return render_template("rpm/preview.html", preview=result, organisation=organisation, confirm=confirm, specs=SPECS)


def _refused(form: UploadForm, organisation: Organisation, error: Exception) -> Page:
    """Explain a file that cannot even be previewed, with the status that says why."""
    max_bytes, max_rows = _limits()
    if isinstance(error, CsvError):
        flash(_(error.problem.template, **error.problem.params), "error")
        return _page(form, organisation, 400)
    if isinstance(error, ForeignProgramme):
        numbers = ", ".join(map(str, error.programmes))
        message = _("Programme %(numbers)s is not a programme of %(name)s.", numbers=numbers, name=organisation.name)
        flash(message + " " + _("Nothing was imported."), "error")
        return _page(form, organisation, 403)
    limit = _("at most %(rows)d rows and %(mb)d MB per upload", rows=max_rows, mb=max_bytes // 1024 // 1024)
    flash(_("The file is too large (%(limit)s). Split it into parts.", limit=limit), "error")
    return _page(form, organisation, 413)


@bp.post("/upload/confirm")
@login_required
def confirm() -> BaseResponse | Page:
    """Import a previewed file; its rows are checked again, as the programmes may have changed meanwhile."""
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        upload, data = load_upload(form.token.data or "", current_user.id)
    except UploadGone:
        flash(_("This upload was imported already or has expired. Upload the file again if needed."), "error")
        return redirect(url_for("rpm.upload"))
    organisation = _organisation(upload.organisation_id)
    try:
        report = services.import_csv(upload.kind, organisation.id, data, _limits()[1])
    except ForeignProgramme:
        abort(403)
    discard_upload(upload)
    if report.problems:
        return _preview_page(services.preview_csv(upload.kind, organisation.id, data, _limits()[1]), organisation), 422
    counts = {"inserted": report.inserted, "updated": report.updated, "unchanged": report.unchanged}
    flash(_("Imported: %(inserted)d new, %(updated)d changed, %(unchanged)d unchanged rows.", **counts), "info")
    return redirect(url_for("rpm.upload", organisation=organisation.id, kind=upload.kind.value))


@bp.get("/upload/<kind>/template.csv")
@login_required
def template(kind: str) -> Response:
    """Download the CSV template of a kind: the columns and one example row to replace."""
    try:
        parsed = Kind(kind)
    except ValueError:
        abort(404)
    organisation = _organisation(request.args.get("organisation", type=int))
    body = services.make_template(parsed, organisation.id)
    response = Response(body, mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="rpm-{kind}-template.csv"'
    return response
