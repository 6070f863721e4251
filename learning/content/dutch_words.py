"""Dutch word facts for the readability gate: syllables, word frequency and compound splitting.

Kept apart from readability.py so that the rules a teacher may want to question (which vowel groups make one
syllable, which words are "rare") sit in one short file with their exceptions, and have their own unit tests.
"""

from __future__ import annotations

import gzip
import re
from functools import cache, lru_cache
from pathlib import Path

_WORDS_FILE = Path(__file__).resolve().parent / "data" / "nl_words.txt.gz"

# Vowel groups that are one sound (one syllable), longest first. A trema (ë, ï, ö, ü …) always starts a new
# syllable, so accented letters are never part of a group.
_GROUPS = ("ieu", "eeu", "oei", "aai", "ooi", "aa", "ee", "oo", "uu", "ie", "oe", "eu", "ui", "ij", "ei", "ou", "au")
_VOWELS = set("aeiouyàáâäèéêëìíîïòóôöùúûü")
_TREMA = set("äëïöü")

# Words the vowel-group rule gets wrong (mostly loans), with their spoken syllable count.
EXCEPTIONS: dict[str, int] = {
    "museum": 3,
    "e-mail": 2,
    "email": 2,
    "website": 2,
    "websites": 2,
    "online": 2,
    "update": 2,
    "updates": 2,
    "smartphone": 2,
    "smartwatch": 2,
    "bluetooth": 2,
    "app": 1,
    "apps": 1,
    "wifi": 2,
    "wi-fi": 2,
    "ideeën": 3,
    "oké": 2,
    "okay": 2,
    "cafe": 2,
    "café": 2,
}

PART_ZIPF = 3.0  # a compound's parts must each be at least this common
_MIN_PART = 4  # shorter parts ("ten", "sie") would let any long word fall apart into syllable-sized "words"
_LINKS = ("", "s", "e", "en")  # "tussenklanken" between compound parts: thuis-zorg, bloed-s-, pann-en-koek


@lru_cache(maxsize=65536)  # the B1 gate counts each word's syllables for every formula; the web editor per keystroke
def syllables(word: str) -> int:
    """Count the syllables of one Dutch word by its vowel groups (at least 1: "112" or "s" in 's avonds)."""
    lowered = word.lower()
    if lowered in EXCEPTIONS:
        return EXCEPTIONS[lowered]
    if lowered.isdigit():
        return max(1, len(lowered))  # spoken numbers are long: 112 is "honderdtwaalf"; a rough but fair weight
    count, i = 0, 0
    while i < len(lowered):
        if lowered[i] not in _VOWELS:
            i += 1
            continue
        if lowered[i] in _TREMA:
            count, i = count + 1, i + 1
            continue
        group = next((g for g in _GROUPS if lowered.startswith(g, i)), lowered[i])
        count, i = count + 1, i + len(group)
    return max(1, count)


@cache
def word_zipf() -> dict[str, float]:
    """The frozen Dutch frequency list: word -> Zipf value (log10 of uses per billion words)."""
    with gzip.open(_WORDS_FILE, "rt", encoding="utf-8") as handle:
        rows = handle.read().split("\n")
    pairs = (row.partition("\t") for row in rows if row and not row.startswith("#"))
    return {word: int(tenths) / 10 for word, _, tenths in pairs}


def zipf(word: str) -> float:
    """Zipf frequency of a word (0 when it is not in the list)."""
    return word_zipf().get(word.lower(), 0.0)


def split_compound(word: str, min_zipf: float = PART_ZIPF) -> list[str] | None:
    """Split a compound into common words ("bloeddrukmeter" -> ["bloeddruk", "meter"]), or None.

    Greedy: the longest known first part wins, with backtracking when the rest cannot be split. Dutch writes
    compounds as one word, so "thuismeting" is missing from any frequency list although both parts are everyday
    words; without the split the gate would call half of a care text rare.
    """
    return _split(word.lower(), min_zipf, 0)


def _split(word: str, min_zipf: float, depth: int) -> list[str] | None:
    table = word_zipf()
    if depth > 0 and len(word) >= _MIN_PART and table.get(word, 0.0) >= min_zipf:
        return [word]
    if depth > 3:
        return None
    for end in range(len(word) - _MIN_PART, _MIN_PART - 1, -1):
        head = word[:end]
        if table.get(head, 0.0) < min_zipf:
            continue
        for link in _LINKS:
            rest = word[end:]
            if link and not rest.startswith(link):
                continue
            tail = _split(rest[len(link) :], min_zipf, depth + 1)
            if tail:
                return [head, *tail]
    return None


def is_rare(word: str, threshold: float) -> bool:
    """True when a word is below the frequency threshold and is not a compound of common words."""
    if zipf(word) >= threshold:
        return False
    clean = re.sub(r"-", "", word.lower())
    if zipf(clean) >= threshold:
        return False
    if "-" in word:  # e-mail-adres, 112-centrale: every part on its own
        return any(is_rare(part, threshold) for part in word.split("-") if len(part) > 3 and not part.isdigit())
    return split_compound(clean, max(threshold, PART_ZIPF)) is None
