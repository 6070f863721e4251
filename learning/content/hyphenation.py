"""Soft hyphens in long words, so a narrow screen breaks "thuismonitoringsprogramma" at a syllable, with a hyphen.

CSS `hyphens: auto` needs the browser's own hyphenation dictionaries, and Debian's Chromium (like many Linux and
older Android browsers) has none: there a long Dutch or German compound either runs off a 320 px screen or is cut
anywhere by `overflow-wrap`, without a hyphen. A soft hyphen (U+00AD) is honoured by every browser: invisible
unless the line breaks there, and then drawn as a hyphen. The break points come from the LibreOffice/hunspell
patterns that pyphen ships, so they fall between syllables as a Dutch, English or German reader expects.

Module text is hyphenated once when a module is parsed (the loader), item texts once per distinct text
(`functools.lru_cache`), so a request pays nothing. Only the HTML gets soft hyphens: code, web addresses, e-mail
addresses, file names and attribute values never do, and whatever reads text aloud or measures it works on text
without them (`strip_soft_hyphens`).
"""

from __future__ import annotations

import functools
import re

import pyphen
from markupsafe import Markup

SOFT_HYPHEN = "\u00ad"
# At 160 CSS px (320 px at 200 % zoom) a choice's text column holds about eight letters, a heading's about nine;
# with a comma or full stop after it even a six-letter word can need a break point there
# (tests/browser/test_hyphenation.py walks every step at that width).
MIN_LETTERS = 6
DICTIONARIES = {"nl": "nl_NL", "en": "en_US", "de": "de_DE"}  # en_GB patterns leave "everything" whole

_LETTERS = re.compile(rf"[^\W\d_]{{{MIN_LETTERS},}}")
_TOKEN = re.compile(r"\S+")
# A token that is (or holds) an address or a name a machine reads: a URL, an e-mail address, a domain or file name
# ("thuisarts.nl", "bloeddruk.pdf"), a path. A hyphen in it would be copied along and break it.
_MACHINE = re.compile(r"://|@|^/|www\.|[^\W_]\.[^\W\d_]")
# Start or end tag, quoted attribute values included (a '>' inside an alt text does not end the tag).
_TAG = re.compile(r"""<(/?)([a-zA-Z][a-zA-Z0-9]*)(?:[^>"']|"[^"]*"|'[^']*')*>""")
_VERBATIM = {"code", "pre", "kbd", "samp", "script", "style", "textarea"}


@functools.cache
def _dictionary(language: str) -> pyphen.Pyphen | None:
    name = DICTIONARIES.get(language.split("-")[0].lower())
    return pyphen.Pyphen(lang=name) if name else None


@functools.lru_cache(maxsize=8192)
def hyphenate_word(word: str, language: str) -> str:
    """Return word with a soft hyphen at each syllable break the language's patterns allow."""
    dictionary = _dictionary(language)
    if dictionary is None:
        return word
    return str(dictionary.inserted(word, hyphen=SOFT_HYPHEN))


# A citation's volume and pages ("2021;39(7):1293-1302.") have no syllables; they may break after ; and :
_CITATION = re.compile(r"[\d)][;:](?=\d)")
ZERO_WIDTH_SPACE = "\u200b"


def _hyphenate_token(match: re.Match[str], language: str) -> str:
    token = match.group(0)
    if _MACHINE.search(token):
        return token
    token = _CITATION.sub(lambda mark: mark.group(0) + ZERO_WIDTH_SPACE, token)
    return _LETTERS.sub(lambda word: hyphenate_word(word.group(0), language), token)


@functools.lru_cache(maxsize=8192)
def hyphenate_text(text: str, language: str) -> str:
    """Return plain text with soft hyphens in its long words (not in addresses, e-mail addresses or file names)."""
    if len(text) < MIN_LETTERS:
        return text
    return _TOKEN.sub(lambda token: _hyphenate_token(token, language), text)


def hyphenate_html(html: str, language: str) -> str:
    """Return sanitised HTML with soft hyphens in the long words of its text, never in tags or verbatim code.

    Expects well-formed HTML as the sanitiser writes it (quoted attributes, no comments).
    """
    parts: list[str] = []
    verbatim = 0  # depth inside <code>, <pre> …: text a reader may copy exactly
    position = 0
    for tag in _TAG.finditer(html):
        text = html[position : tag.start()]
        parts.append(text if verbatim else hyphenate_text(text, language))
        parts.append(tag.group(0))
        if tag.group(2).lower() in _VERBATIM:
            verbatim = max(0, verbatim + (-1 if tag.group(1) else 1))
        position = tag.end()
    tail = html[position:]
    parts.append(tail if verbatim else hyphenate_text(tail, language))
    return "".join(parts)


# interface strings are few and short: cache them; a step's HTML is hyphenated once by the loader, uncached
_hyphenate_short_html = functools.lru_cache(maxsize=2048)(hyphenate_html)


def hyphenate_filter(value: object, language: str) -> str:
    """Jinja filter `hyphenate(lang)`: plain text gets soft hyphens and stays escaped; Markup stays Markup."""
    if isinstance(value, Markup):  # a translated string in an autoescaped template: touch only its text
        return Markup(_hyphenate_short_html(str(value), language))  # noqa: S704 — only U+00AD is added to safe markup
    return "" if value is None else hyphenate_text(str(value), language)


def strip_soft_hyphens(text: str) -> str:
    """Return text without soft hyphens, for speech and anything that compares or measures words."""
    return text.replace(SOFT_HYPHEN, "").replace(ZERO_WIDTH_SPACE, "")
