"""Account forms; Flask-WTF adds the CSRF token to each."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from learning.accounts.services import MIN_PASSWORD_LENGTH


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])


class RegisterForm(FlaskForm):
    code = StringField(_l("Invitation code"), validators=[DataRequired(), Length(max=40)])
    display_name = StringField(_l("What may we call you? (optional)"), validators=[Length(max=100)])
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Email(), Length(max=254)])
    password = PasswordField(
        _l("Password (at least %(n)d characters)", n=MIN_PASSWORD_LENGTH),
        validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=200)],
    )
    confirm = PasswordField(
        _l("Password again"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )


class PasswordChangeForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=200)])
    password = PasswordField(
        _l("New password (at least %(n)d characters)", n=MIN_PASSWORD_LENGTH),
        validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=200)],
    )
    confirm = PasswordField(
        _l("New password again"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )
