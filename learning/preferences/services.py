"""Read and save reading preferences: the account's columns when logged in, the session otherwise."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from flask import session
from flask_login import current_user
from markupsafe import Markup, escape

from learning.db import db

TEXT_SIZES = ("normal", "large", "larger")
CONTRASTS = ("auto", "on", "off")
RATE_MIN, RATE_MAX, RATE_DEFAULT = 0.5, 1.5, 0.9
SESSION_KEY = "preferences"


class PreferenceError(ValueError):
    """A value outside what the settings form offers: the view shows the form again with a message."""


@dataclass(frozen=True)
class Preferences:
    text_size: str = "normal"
    contrast: str = "auto"
    speech_voice: str | None = None
    speech_rate: float = RATE_DEFAULT

    @property
    def html_classes(self) -> str:
        """The classes on <html>: large-text (and larger-text), high-contrast or low-contrast-off."""
        classes = []
        if self.text_size in ("large", "larger"):
            classes.append("large-text")
        if self.text_size == "larger":
            classes.append("larger-text")
        if self.contrast == "on":
            classes.append("high-contrast")
        elif self.contrast == "off":
            classes.append("contrast-off")
        return " ".join(classes)

    @property
    def html_attributes(self) -> Markup:
        """base.html's <html> attributes: the classes and the data- attributes the CSS and the read-aloud script
        read. Every page has them and few people differ in them, so they are built once per distinct preferences."""
        return _html_attributes(self)


@lru_cache(maxsize=1024)
def _html_attributes(preferences: Preferences) -> Markup:
    classes = preferences.html_classes
    attributes = [f'class="{classes}"'] if classes else []
    attributes += [
        f'data-text-size="{escape(preferences.text_size)}"',
        f'data-contrast="{escape(preferences.contrast)}"',
        f'data-speech-voice="{escape(preferences.speech_voice or "")}"',
        f'data-speech-rate="{preferences.speech_rate:.1f}"',
    ]
    return Markup(" ".join(attributes))  # noqa: S704 — constant names, escaped values


def validate(text_size: str, contrast: str, speech_voice: str | None, speech_rate: float) -> Preferences:
    """Return the preferences if every value is one the form offers, else raise PreferenceError naming the field."""
    if text_size not in TEXT_SIZES:
        raise PreferenceError("text_size")
    if contrast not in CONTRASTS:
        raise PreferenceError("contrast")
    if not RATE_MIN <= speech_rate <= RATE_MAX:
        raise PreferenceError("speech_rate")
    voice = (speech_voice or "").strip()[:200] or None
    return Preferences(text_size, contrast, voice, round(speech_rate, 1))


def current_preferences() -> Preferences:
    """The preferences of whoever makes this request: account first, then the visitor's session, then defaults."""
    user = current_user._get_current_object()  # once: base.html asks on every page, each look-up is a proxy's
    if user and user.is_authenticated:
        return Preferences(
            user.text_size or "normal",
            user.contrast or "auto",
            user.speech_voice,
            float(user.speech_rate if user.speech_rate is not None else RATE_DEFAULT),
        )
    stored = session.get(SESSION_KEY)
    if isinstance(stored, dict):
        try:
            return validate(
                str(stored.get("text_size", "normal")),
                str(stored.get("contrast", "auto")),
                stored.get("speech_voice"),
                float(stored.get("speech_rate", RATE_DEFAULT)),
            )
        except (PreferenceError, TypeError, ValueError):
            session.pop(SESSION_KEY, None)  # an old or tampered cookie: start from the defaults
    return Preferences()


def save_preferences(preferences: Preferences) -> None:
    """Store on the account when logged in (every device), in the session for a visitor (this browser)."""
    if current_user and current_user.is_authenticated:
        current_user.text_size = preferences.text_size
        current_user.contrast = preferences.contrast
        current_user.speech_voice = preferences.speech_voice
        current_user.speech_rate = preferences.speech_rate
        db.session.commit()
    else:
        session[SESSION_KEY] = {
            "text_size": preferences.text_size,
            "contrast": preferences.contrast,
            "speech_voice": preferences.speech_voice,
            "speech_rate": preferences.speech_rate,
        }
