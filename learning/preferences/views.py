"""The settings page: language, text size, contrast, read-aloud voice and rate."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from learning.accounts import services as accounts
from learning.i18n import LANGUAGES
from learning.preferences import services
from learning.preferences.services import PreferenceError
from learning.web import safe_next_url

bp = Blueprint("preferences", __name__)


def _problem(field: str) -> str:
    messages = {
        "language": _("Choose one of the languages."),
        "text_size": _("Choose one of the text sizes."),
        "contrast": _("Choose one of the contrast settings."),
        "speech_rate": _("Choose a reading speed from 0.5 to 1.5."),
    }
    return messages[field]


@bp.route("/settings", methods=["GET", "POST"])
def settings() -> str | Response | tuple[str, int]:
    """Show and save the settings; visitors may use it too (kept in their session cookie)."""
    if request.method == "GET":
        return render_template("preferences/settings.html", chosen=services.current_preferences(), problem=None)
    form = request.form
    language = form.get("language", "")
    try:
        rate = float(form.get("speech_rate", ""))
    except ValueError:
        rate = -1.0
    try:
        if language not in LANGUAGES:
            raise PreferenceError("language")
        chosen = services.validate(form.get("text_size", ""), form.get("contrast", ""), form.get("speech_voice"), rate)
    except PreferenceError as error:
        kept = services.Preferences(
            form.get("text_size", "normal"), form.get("contrast", "auto"), form.get("speech_voice") or None, 0.9
        )
        page = render_template("preferences/settings.html", chosen=kept, problem=_problem(str(error)))
        return page, 400
    services.save_preferences(chosen)
    session["locale"] = language
    if current_user.is_authenticated:
        accounts.set_locale(current_user, language)
    flash(_("Your settings are saved."), "success")
    return redirect(url_for("preferences.settings"))


@bp.post("/settings/large-text")
def toggle_large_text() -> Response:
    """The header's "Larger text" switch: normal <-> large, stored like the settings page, back to the same page."""
    chosen = services.current_preferences()
    size = "normal" if chosen.text_size != "normal" else "large"
    services.save_preferences(services.Preferences(size, chosen.contrast, chosen.speech_voice, chosen.speech_rate))
    return redirect(safe_next_url(request.form.get("next")) or url_for("preferences.settings"))
