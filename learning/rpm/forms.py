"""Upload forms; Flask-WTF adds the CSRF token to each."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, SelectChoice, SelectField
from wtforms.validators import DataRequired

from learning.rpm.kinds import SPECS


class UploadForm(FlaskForm):
    """Choose a kind (and, for administrators, an organisation) and a CSV file to check."""

    organisation = SelectField(_l("Organisation"), coerce=int)  # administrators only; removed for managers
    kind = SelectField(
        _l("What does the file hold?"),
        choices=[SelectChoice(kind.value, _l(spec.title)) for kind, spec in SPECS.items()],
        validators=[DataRequired()],
    )
    file = FileField(_l("CSV file"), validators=[FileRequired(_l("Choose a CSV file."))])


class ConfirmForm(FlaskForm):
    """Confirm the import of a checked upload, named by its signed token."""

    token = HiddenField(validators=[DataRequired()])
