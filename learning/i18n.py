"""Language choice: Dutch by default (the region's language), English and German on request.

Order: the account's stored choice, then the visitor's choice in the session, then the browser's Accept-Language,
then Dutch. Module texts exist only in Dutch and English: a German reader gets the English text (closer to German
for most readers than Dutch is, and what German care staff in the border region read most), with a note in German.
"""

from __future__ import annotations

from datetime import date

from flask import request, session
from flask_babel import format_date
from flask_login import current_user

LANGUAGES = ("nl", "en", "de")
DEFAULT_LANGUAGE = "nl"
# Interface language -> the content languages to try, in order, when a module has no text in that language.
CONTENT_FALLBACK = {"nl": ("nl", "en"), "en": ("en", "nl"), "de": ("de", "en", "nl")}
LANGUAGE_NAMES = {"nl": "Nederlands", "en": "English", "de": "Deutsch"}


def select_locale() -> str:
    """Return the learner's language: account setting, then session, then Accept-Language, then Dutch."""
    if current_user and current_user.is_authenticated and current_user.locale in LANGUAGES:
        return str(current_user.locale)
    chosen = session.get("locale")
    if chosen in LANGUAGES:
        return str(chosen)
    return negotiate(request.headers.get("Accept-Language", ""))


def negotiate(header: str) -> str:
    """Pick the best of our languages from an Accept-Language header (q-values honoured), else Dutch.

    Parsed by hand rather than with werkzeug's best_match so that "de-AT" matches "de" and q=0 excludes a language.
    """
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        language = tag.strip().lower().split("-")[0]
        if language in LANGUAGES and quality > 0:
            ranked.append((-quality, position, language))
    return min(ranked)[2] if ranked else DEFAULT_LANGUAGE


def format_day(value: date) -> str:
    """A date as people write it in the page's language ("1 maart 2026", "1 March 2026", "1. März 2026"): an ISO
    date is for machines, and a Dutch reader takes 03-01 for the third of January."""
    return format_date(value, format="long")
