"""Every interface text has a Dutch translation: Dutch is the default language of the platform."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).parent.parent


def test_every_message_has_a_dutch_translation(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", "-k", "_l",
         "-o", str(pot), "."],
        cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip
    with pot.open("rb") as handle:
        wanted = {m.id for m in read_po(handle) if m.id}
    with (ROOT / "translations/nl/LC_MESSAGES/messages.po").open("rb") as handle:
        catalogue = read_po(handle)
    translated = {m.id for m in catalogue if m.id and _complete(m.string) and "fuzzy" not in m.flags}
    assert sorted(wanted - translated) == []


def _complete(string: str | tuple[str, ...]) -> bool:
    """A plural entry is translated only when every plural form is."""
    return all(string) if isinstance(string, tuple) else bool(string)
