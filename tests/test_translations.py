"""Every interface text is translated into every catalogue (Dutch, German), with the same placeholders.

Dutch is the platform's default language and German is offered to staff and patients across the border: a missing
or fuzzy entry would silently show English, and a placeholder that differs would crash or garble the page.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

ROOT = Path(__file__).parent.parent
CATALOGUES = sorted(path.parent.parent.name for path in ROOT.glob("translations/*/LC_MESSAGES/messages.po"))
PLACEHOLDER = re.compile(r"%(?:\([a-z_]+\))?[sdf%]")


@pytest.fixture(scope="module")
def wanted(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", "-k", "_l",
         "-o", str(pot), "."],
        cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip
    with pot.open("rb") as handle:
        return read_po(handle)


def _catalogue(language: str) -> Catalog:
    with (ROOT / f"translations/{language}/LC_MESSAGES/messages.po").open("rb") as handle:
        return read_po(handle, locale=language)


def test_dutch_and_german_catalogues_exist():
    assert {"nl", "de"} <= set(CATALOGUES)


@pytest.mark.parametrize("language", CATALOGUES)
def test_every_message_is_translated(wanted: Catalog, language: str):
    catalogue = _catalogue(language)
    translated = {m.id for m in catalogue if m.id and _complete(m.string) and "fuzzy" not in m.flags}
    assert sorted(str(m.id) for m in wanted if m.id and m.id not in translated) == []


@pytest.mark.parametrize("language", CATALOGUES)
def test_placeholders_match(language: str):
    wrong = []
    for message in _catalogue(language):
        if not message.id or not _complete(message.string):
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = set(PLACEHOLDER.findall(ids[-1]))
        # A singular form may leave out the count ("Het nieuwste item"), as gettext allows; nothing else may differ.
        wrong += [(ids[0], s) for s in strings[:-1] if not set(PLACEHOLDER.findall(s)) <= expected]
        wrong += [(ids[0], s) for s in strings[-1:] if set(PLACEHOLDER.findall(s)) != expected]
    assert wrong == []


def test_placeholder_check_can_fail():
    """The pattern sees a renamed placeholder: otherwise the test above would pass on anything."""
    assert PLACEHOLDER.findall("%(n)d von %(total)d") != PLACEHOLDER.findall("%(n)d von %(totaal)d")


def _complete(string: str | tuple[str, ...]) -> bool:
    """A plural entry is translated only when every plural form is."""
    return all(string) if isinstance(string, tuple) else bool(string)
