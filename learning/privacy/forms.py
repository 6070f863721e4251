"""Erasure forms; Flask-WTF adds the CSRF token to each."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, Length


class EraseForm(FlaskForm):
    """The last step before an erasure: the person acting ticks that they understand, and gives their password."""

    understood = BooleanField(
        _l("I understand that everything is deleted and cannot be brought back"),
        validators=[DataRequired(_l("Tick the box to confirm that you understand this."))],
    )
    password = PasswordField(
        _l("Your password"), validators=[DataRequired(_l("Fill in your password.")), Length(max=200)]
    )


class LookupForm(FlaskForm):
    """Find the account a paper request is about."""

    who = StringField(
        _l("E-mail address or pseudonym"),
        validators=[DataRequired(_l("Fill in the e-mail address or pseudonym from the request.")), Length(max=254)],
    )
