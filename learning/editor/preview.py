"""What the live preview shows: the learner's view of a text being typed, checked, never stored.

The preview must show exactly what a learner sees, so it renders the same parsed steps (sanitised HTML) with the
player's item templates; it starts no attempt and sends no statement: there is no attempt to answer into.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from learning.content.document import Step
from learning.content.loader import LANGUAGES, SLUG
from learning.editor.problems import Checked, check_text

WIDTHS = ("phone", "desktop")
MAX_SOURCE_CHARS = 200_000  # twenty times the largest bundled module: a paste of a whole book is refused


class PreviewRefused(ValueError):
    """A request the preview cannot answer; the message says what to send instead (shown as the JSON reason)."""


@dataclass(frozen=True)
class Preview:
    checked: Checked
    steps: tuple[Step, ...]  # what is shown: all steps, or the one at the cursor
    width: str
    media_base: str
    cursor_step: int | None


def step_at_line(source: str, line: int) -> int | None:
    """The number of the step ('## ' heading) the given 1-based line belongs to, None before the first step.

    The editor sends the cursor's line; counting headings here keeps the rule in one place with the parser's.
    """
    number, fenced = 0, False
    for text in source.splitlines()[: max(line, 0)]:
        if text.startswith("```"):
            fenced = not fenced
        elif not fenced and text.startswith("## "):
            number += 1
    return number or None


def build_preview(
    *,
    slug: str,
    language: str,
    source: str,
    others: Mapping[str, str] | None = None,
    width: str = "phone",
    cursor_line: int | None = None,
    folder: Path | None = None,
    media_base: str | None = None,
) -> Preview:
    """Check and lay out a text for the preview; `cursor_line` (1-based) shows only the step it stands in.

    `media_base` is where pictures and videos are fetched from (a draft's own files); by default the published
    module's media route. `folder` is where the check looks files up (None: not checked).
    """
    if language not in LANGUAGES:
        raise PreviewRefused(f"language must be one of: {', '.join(LANGUAGES)}")
    if width not in WIDTHS:
        raise PreviewRefused(f"width must be one of: {', '.join(WIDTHS)}")
    if not SLUG.match(slug):
        raise PreviewRefused("slug must be lower-case words joined by dashes")
    if len(source) > MAX_SOURCE_CHARS or any(len(t) > MAX_SOURCE_CHARS for t in (others or {}).values()):
        raise PreviewRefused(f"a module text may have at most {MAX_SOURCE_CHARS} characters")
    checked = check_text(slug, language, source, others, folder)
    steps = checked.document.steps
    cursor_step = step_at_line(source, cursor_line) if cursor_line is not None else None
    if cursor_step is not None and 1 <= cursor_step <= len(steps):
        steps = (steps[cursor_step - 1],)
    published = f"/modules/{slug}/media/"
    if media_base and media_base != published:
        # the loader writes the published route into src/poster attributes (always quoted, escaped)
        steps = tuple(dataclasses.replace(s, html=s.html.replace(f'"{published}', f'"{media_base}')) for s in steps)
    return Preview(checked, steps, width, media_base or published, cursor_step)


def preview_from_form(
    form: Mapping[str, str], *, slug: str, folder: Path | None = None, media_base: str | None = None
) -> Preview:
    """The preview the editor's form asks for (language, source, other_<lang>, width, scope, line).

    Used by the try-out preview and by a draft's own preview, which gives the draft's slug, files and media route.
    """
    line = form.get("line", "")
    return build_preview(
        slug=slug,
        language=form.get("language", ""),
        source=form.get("source", ""),
        others={lang: form.get(f"other_{lang}", "") for lang in LANGUAGES},
        width=form.get("width", "") or "phone",
        cursor_line=int(line) if line.isdigit() and form.get("scope") == "cursor" else None,
        folder=folder,
        media_base=media_base,
    )
