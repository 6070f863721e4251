"""Language choice: Dutch by default (the region's language), English on request."""

from __future__ import annotations

from flask import session
from flask_login import current_user

LANGUAGES = ("nl", "en")
DEFAULT_LANGUAGE = "nl"


def select_locale() -> str:
    """Return the learner's chosen language: account setting, then session, then Dutch."""
    if current_user and current_user.is_authenticated:
        return str(current_user.locale)
    locale = session.get("locale", DEFAULT_LANGUAGE)
    return locale if locale in LANGUAGES else DEFAULT_LANGUAGE
