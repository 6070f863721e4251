"""A draft parsed as the player would show it, for the review preview: no attempt, no statement, draft media."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from flask import url_for

from learning.authoring.models import Draft
from learning.authoring.services import draft_sources
from learning.content.document import ModuleDocument
from learning.content.loader import ContentError, Problem, parse_module_file


def draft_document(draft: Draft, language: str) -> tuple[ModuleDocument | None, list[Problem]]:
    """Parse one language of the draft; its pictures point at the draft's own files, not the published ones."""
    source = draft_sources(draft).get(language)
    if source is None:
        return None, [Problem(f"{language}.md", 1, "this language has no text yet")]
    try:
        document = parse_module_file(Path(draft.slug) / f"{language}.md", text=source)
    except ContentError as exc:
        return None, exc.problems
    published = f'"/modules/{draft.slug}/media/'
    own = '"' + url_for("authoring.draft_media", draft_id=draft.id, path="x")[:-1]
    steps = tuple(dataclasses.replace(step, html=step.html.replace(published, own)) for step in document.steps)
    return dataclasses.replace(document, steps=steps), []
