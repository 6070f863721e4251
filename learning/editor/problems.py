"""The problems of `flask content check` for a text that is being typed, in words a teacher understands.

The loader collects Problem(path, line, message) in English. The editor shows them beside the text, so each
known message is matched here and given a translatable wording (Dutch for the region's teachers), with the
values the loader found (an id, a file name) kept. A message this table does not know is shown as the loader
wrote it: a teacher then still sees the problem, only in English.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from flask_babel import gettext as _

from learning.content.document import ModuleDocument
from learning.content.loader import LANGUAGES, Problem, compare_languages, parse_module_text
from learning.content.readability import GATED_AUDIENCES as GATED
from learning.content.readability import readability_problems


@dataclass(frozen=True)
class EditorProblem:
    """One problem as the editor lists it: `line` is in the text being edited, None when it is in another file."""

    line: int | None
    message: str
    file: str


@dataclass(frozen=True)
class Checked:
    """A text as far as it could be read (the preview shows it) and everything still wrong with it."""

    document: ModuleDocument
    problems: tuple[EditorProblem, ...]


def _patterns() -> list[tuple[re.Pattern[str], Callable[[dict[str, str]], str]]]:
    """Loader wordings and their teacher's wording; built per request so gettext uses the reader's language."""
    table: list[tuple[str, Callable[[dict[str, str]], str]]] = [
        (
            r"image '(?P<src>.*)' has no alt text: describe what the picture shows",
            lambda v: _("Picture %(src)s has no description. Write what the picture shows between [ and ].", **v),
        ),
        (
            r"image '(?P<src>.*)' does not exist in the module folder",
            lambda v: _("Picture %(src)s is not in the module yet. Upload it, or check the file name.", **v),
        ),
        (
            r"image '(?P<src>.*)' must be a file in the module folder, not a web address",
            lambda v: _("Picture %(src)s is a web address. Upload the picture and use its file name.", **v),
        ),
        (
            r"text before the first step: start every step with a '## ' heading",
            lambda v: _("This text stands before the first step. Start each step with a line '## Title'."),
        ),
        (
            r"a module needs at least one step \('## ' heading\)",
            lambda v: _("The module has no steps yet. Start a step with a line '## Title'."),
        ),
        (
            r"raw HTML is not allowed in module text \(it is shown as text\)",
            lambda v: _("HTML code is not allowed here; learners would see it as text. Use the toolbar instead."),
        ),
        (
            r"the file must start with front matter between two '---' lines",
            lambda v: _("The text must start with the module details between two lines '---'."),
        ),
        (
            r"front matter is not closed with a '---' line",
            lambda v: _("The module details at the top are not closed: add a line '---' after them."),
        ),
        (
            r"front matter is not valid YAML: (?P<detail>.*)",
            lambda v: _("The module details at the top cannot be read (%(detail)s). Check quotes and indents.", **v),
        ),
        (
            r"front matter '(?P<key>[a-z_]+)' is required and must be text",
            lambda v: _("The module details need '%(key)s' with a text.", **v),
        ),
        (
            r"front matter 'sources' must list at least one source.*",
            lambda v: _("List at least one source under 'sources': medical text must say where it comes from."),
        ),
        (
            r"source url '(?P<url>.*)' must start with https://",
            lambda v: _("The source link %(url)s must start with https://.", **v),
        ),
        (
            r"block id '(?P<id>.*)' is used twice; ids must be unique within a module",
            lambda v: _("The id '%(id)s' is used twice. Give each question its own id.", **v),
        ),
        (
            r"unknown block '(?P<block>.*)': known blocks are (?P<known>.*)",
            lambda v: _("'%(block)s' is not a known block. Known blocks: %(known)s.", **v),
        ),
        (
            r"the (?P<kind>[a-z-]+) block is not valid YAML: (?P<detail>.*)",
            lambda v: _("The %(kind)s block cannot be read (%(detail)s). Check quotes and indents.", **v),
        ),
        (
            r"the block needs an 'id' of lower-case letters, digits and dashes",
            lambda v: _("The block needs an 'id': small letters, digits and dashes, e.g. weigh-when."),
        ),
        (
            r"a (?P<kind>[a-z-]+) block needs a 'question'",
            lambda v: _("The %(kind)s block needs a 'question'.", **v),
        ),
        (
            r"quiz '(?P<id>.*)' has no correct answer: mark one choice with 'correct: true'",
            lambda v: _("Question '%(id)s' has no right answer. Add 'correct: true' to the right choice.", **v),
        ),
        (r"a quiz needs 2 to 5 choices", lambda v: _("A quiz question needs 2 to 5 choices.")),
        (
            r"'(?P<id>.*)' needs feedback with 'right' and 'wrong' texts that say why",
            lambda v: _("Question '%(id)s' needs feedback: a 'right' and a 'wrong' text that say why.", **v),
        ),
        (
            r"a video needs 'captions' with a WebVTT file for nl and for en",
            lambda v: _("A video needs captions: a WebVTT file for Dutch (nl) and for English (en)."),
        ),
        (
            r"a video needs a 'transcript': write out what the video shows and says",
            lambda v: _("A video needs a transcript: write out what the video shows and says."),
        ),
        (
            r"sentence of (?P<n>\d+) words \(B1: at most (?P<max>\d+)\): split this sentence: (?P<text>.*)",
            lambda v: _("Sentence of %(n)s words (B1: at most %(max)s). Split it: %(text)s", **v),
        ),
        (
            r"rare word '(?P<word>.*)': explain or replace .*",
            lambda v: _("'%(word)s' is a hard word. Explain or replace it (or add it to the 'glossary').", **v),
        ),
        (
            r"(?P<where>.*) starts by saying the answer is (?P<said>right|wrong), but it is not: .*",
            lambda v: _(
                "The feedback starts with a verdict that contradicts the answer. Fix the feedback or the "
                "answer: %(where)s",
                **v,
            ),
        ),
        (r"each quiz choice needs a 'text'", lambda v: _("Each choice needs a 'text'.")),
        (
            r"'(?P<id>.*)' needs 'answer: true' or 'answer: false'",
            lambda v: _("Statement '%(id)s' needs 'answer: true' or 'answer: false'.", **v),
        ),
        (
            r"'(?P<id>.*)' needs '(?P<key>[a-z]+)': a list of texts, each in quotes .*",
            lambda v: _("Question '%(id)s' needs '%(key)s': a list of texts, each between quotes.", **v),
        ),
        (
            r"'(?P<id>.*)' needs (?P<low>\d+) to (?P<high>\d+) (?P<key>[a-z]+)",
            lambda v: _("Question '%(id)s' needs %(low)s to %(high)s %(key)s.", **v),
        ),
        (
            r"'(?P<id>.*)' has the same text twice in '(?P<key>[a-z]+)'",
            lambda v: _("Question '%(id)s' has the same text twice in '%(key)s'.", **v),
        ),
        (
            r"'(?P<id>.*)' needs 'pairs': a list of 'left' and 'right' texts",
            lambda v: _("Question '%(id)s' needs 'pairs': each with a 'left' and a 'right' text.", **v),
        ),
        (r"a video needs a 'title'", lambda v: _("A video needs a 'title'.")),
        (
            r"a video needs 'sources': a list of .webm and/or .mp4 files",
            lambda v: _("A video needs 'sources': the .webm and/or .mp4 files of the film."),
        ),
        (
            r"video (?P<what>.+) '(?P<name>.*)' does not exist in the module folder",
            lambda v: _("The video file %(name)s is not in the module yet. Upload it, or check the name.", **v),
        ),
        (
            r"captions '(?P<name>.*)' are not WebVTT: .*",
            lambda v: _("Captions %(name)s are not WebVTT: start with WEBVTT and give times with '-->'.", **v),
        ),
        (
            r"front matter 'minutes' must be a whole number from 1 to 30",
            lambda v: _("'minutes' in the module details must be a whole number from 1 to 30."),
        ),
        (
            r"front matter 'version' must be a version like 1.0.0",
            lambda v: _("'version' in the module details must look like 1.0.0."),
        ),
        (
            r"front matter 'audience' must be a list of: .*",
            lambda v: _("'audience' in the module details must list: patient, caregiver and/or professional."),
        ),
        (
            r"has (?P<n>\d+) steps but nl.md has (?P<base>\d+)",
            lambda v: _("Has %(n)s steps, but the Dutch text has %(base)s. Both need the same steps.", **v),
        ),
        (
            r"uses pictures (?P<pictures>.*) but nl.md uses (?P<base>.*)",
            _other_files,
        ),
        (
            r"version (?P<version>\S+) differs from nl.md's (?P<base>\S+)",
            lambda v: _("Has version %(version)s, but the Dutch text has %(base)s. Give both the same.", **v),
        ),
        (
            r"audience differs from nl.md",
            lambda v: _("Is for other learners ('audience') than the Dutch text. Give both the same."),
        ),
        (
            r"'(?P<id>.*)' is in step (?P<step>\d+) but in step (?P<base>\d+) in nl.md",
            lambda v: _("Question '%(id)s' is in step %(step)s, but in step %(base)s in the Dutch text.", **v),
        ),
        (
            r"'(?P<id>.*)' has other right answers \(or another number of parts\) than in nl.md",
            lambda v: _("Question '%(id)s' has other right answers (or parts) than in the Dutch text.", **v),
        ),
        (
            r"question ids differ from nl.md \(same ids, same order\)",
            lambda v: _("The question ids differ from the Dutch text. Use the same ids in the same order."),
        ),
    ]
    return [(re.compile(pattern), wording) for pattern, wording in table]


def _other_files(values: dict[str, str]) -> str:
    """Name only the files that differ: the loader lists every file of both texts, which hides the one that counts."""
    here, dutch = (set(values[key].split(", ")) - {"none"} for key in ("pictures", "base"))
    said = []
    if dutch - here:
        said.append(_("The Dutch text uses %(files)s; this text does not.", files=", ".join(sorted(dutch - here))))
    if here - dutch:
        said.append(_("This text uses %(files)s; the Dutch text does not.", files=", ".join(sorted(here - dutch))))
    return " ".join([*said, _("Both need the same pictures and files.")])


def teacher_message(message: str) -> str:
    """The loader's message in the reader's language where this module knows it, else as the loader wrote it."""
    for pattern, wording in _patterns():
        found = pattern.fullmatch(message)
        if found:
            return wording(found.groupdict())
    return message


@lru_cache(maxsize=64)
def _parsed(slug: str, language: str, source: str, folder: str | None) -> tuple[ModuleDocument, tuple[Problem, ...]]:
    """Parse once per distinct text: the other language stays the same while one language is typed."""
    path = Path(slug) / f"{language}.md"
    document, problems = parse_module_text(path, source, folder=Path(folder) if folder else None)
    return document, tuple(problems)


def check_text(
    slug: str, language: str, source: str, others: Mapping[str, str] | None = None, folder: Path | None = None
) -> Checked:
    """Every problem `flask content check` would find in this text, plus the comparison with the other languages
    given, and the B1 gate for a Dutch patient or caregiver text. Nothing is read from or written to storage.
    """
    if language not in LANGUAGES:
        raise ValueError(language)
    folder_key = str(folder) if folder is not None else None
    document, found = _parsed(slug, language, source, folder_key)
    file = f"{language}.md"
    problems = [EditorProblem(p.line, teacher_message(p.message), file) for p in found]
    if language == "nl" and GATED & set(document.audiences):  # the B1 gate: Dutch text for patients and carers
        readability = readability_problems(Path(slug) / file, source)
        problems.extend(EditorProblem(p.line, teacher_message(p.message), file) for p in readability)
    documents = {language: document}
    for other, text in (others or {}).items():
        if other in LANGUAGES and other != language and text.strip():
            documents[other] = _parsed(slug, other, text, folder_key)[0]
    if len(documents) > 1 and "nl" in documents:
        for problem in compare_languages(documents, Path(slug)):
            where = Path(problem.path).name
            # the comparison is made on the other file; the line there means nothing in this text
            problems.append(EditorProblem(None, teacher_message(problem.message), where))
    problems.sort(key=lambda p: (p.line is None, p.line or 0))
    return Checked(document, tuple(problems))
