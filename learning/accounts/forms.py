"""Account forms; Flask-WTF adds the CSRF token to each."""

from __future__ import annotations

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import EmailField, Field, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Regexp, ValidationError

from learning.accounts.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, PasswordProblem, password_problem

PASSWORD_MESSAGES: dict[str, LazyString] = {
    PasswordProblem.TOO_SHORT: _l(
        "Choose a password of at least %(n)d characters. A few words in a row are easy to remember.",
        n=MIN_PASSWORD_LENGTH,
    ),
    PasswordProblem.TOO_LONG: _l("Choose a password of at most %(n)d characters.", n=MAX_PASSWORD_LENGTH),
    PasswordProblem.TOO_COMMON: _l(
        "Many people use this password, so it is easy to guess. Choose another one, for example a few words "
        "that belong together for you."
    ),
    PasswordProblem.IS_EMAIL: _l("Do not use your e-mail address as your password. Choose another one."),
}


class NewPassword:
    """A new password must pass passwords.py; the message under the field says what to do instead.

    The account's e-mail address comes from the form's `email` field (registration) or the logged-in user.
    """

    def __call__(self, form: FlaskForm, field: Field) -> None:
        email = form.email.data if hasattr(form, "email") else ""
        if not email and current_user.is_authenticated:
            email = current_user.email
        problem = password_problem(field.data or "", email or getattr(form, "account_email", ""))
        if problem is not None:
            raise ValidationError(str(PASSWORD_MESSAGES[problem]))


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])


class RegisterForm(FlaskForm):
    code = StringField(_l("Invitation code"), validators=[DataRequired(), Length(max=40)])
    display_name = StringField(_l("What may we call you? (optional)"), validators=[Length(max=100)])
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Email(), Length(max=254)])
    password = PasswordField(
        _l("Password (at least %(n)d characters)", n=MIN_PASSWORD_LENGTH),
        validators=[DataRequired(), NewPassword()],
    )
    confirm = PasswordField(
        _l("Password again"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )


class PasswordChangeForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=200)])
    password = PasswordField(
        _l("New password (at least %(n)d characters)", n=MIN_PASSWORD_LENGTH),
        validators=[DataRequired(), NewPassword()],
    )
    confirm = PasswordField(
        _l("New password again"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )


class ForgotPasswordForm(FlaskForm):
    # Only the shape: an address the strict checker refuses may still be an account's (made before it, or by CLI)
    email = EmailField(
        _l("E-mail address"),
        validators=[
            DataRequired(),
            Length(max=254),
            Regexp(r"^[^@\s]+@[^@\s]+$", message=_l("Fill in a valid e-mail address.")),
        ],
    )


class ResetPasswordForm(FlaskForm):
    account_email = ""  # set by the view: the account's address may not be its new password

    password = PasswordField(
        _l("New password (at least %(n)d characters)", n=MIN_PASSWORD_LENGTH),
        validators=[DataRequired(), NewPassword()],
    )
    confirm = PasswordField(
        _l("New password again"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )


class SignInLinkForm(ForgotPasswordForm):
    """Ask for a sign-in link by e-mail: only the address (the shape of the forgotten-password form)."""


class ButtonForm(FlaskForm):
    """One button and the CSRF token: the click that uses a link from a mail (a mail scanner only opens it)."""
