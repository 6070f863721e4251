"""Read a module folder (`<slug>/<lang>.md` + media) into ModuleDocuments, or say exactly what is wrong.

Problems are collected rather than raised one at a time so that `flask content check` can show a teacher every
mistake in one go, each with file and line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token

from learning.content.document import Item, ModuleDocument, Source, Step
from learning.content.hyphenation import hyphenate_html
from learning.content.items import ITEM_BLOCKS, ITEM_ID, load_yaml, parse_item, same_answers, yaml_problem
from learning.content.markdown import CALLOUTS, make_markdown, sanitise
from learning.content.survey import survey_problems
from learning.content.video import parse_video, render_video

LANGUAGES = ("nl", "en")
AUDIENCES = {"patient", "caregiver", "professional"}
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
VERSION = re.compile(r"^\d+\.\d+\.\d+$")
MEDIA_SUFFIXES = {".svg", ".png", ".jpg", ".jpeg", ".webp", ".gif"}
_MD = make_markdown()


@dataclass(frozen=True)
class Problem:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class ContentError(Exception):
    """A module that cannot be published; carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


class _Collector:
    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[Problem] = []
        self.key_lines: dict[str, int] = {}  # front matter key -> its line
        self.source_lines: list[dict[str, int]] = []  # per source entry: "" -> its line, key -> line

    def add(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.path, line, message))

    def at(self, key: str) -> int:
        """The line of a front matter key, or the opening '---' when the key is missing."""
        return self.key_lines.get(key, 1)


def _remember_lines(yaml_text: str, report: _Collector) -> None:
    """Note the line of each front matter key and source entry (front matter YAML starts on line 2)."""
    root = yaml.compose(yaml_text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    if not isinstance(root, yaml.MappingNode):
        return
    for key, value in root.value:
        report.key_lines[str(key.value)] = 2 + key.start_mark.line
        if key.value == "sources" and isinstance(value, yaml.SequenceNode):
            for entry in value.value:
                lines = {"": 2 + entry.start_mark.line}
                if isinstance(entry, yaml.MappingNode):
                    lines |= {str(k.value): 2 + k.start_mark.line for k, _ in entry.value}
                report.source_lines.append(lines)


def split_front_matter(text: str, report: _Collector) -> tuple[dict[str, Any] | None, str, int]:
    """Return (front matter, or None when it cannot be read; body; line number where the body starts)."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        report.add(1, "the file must start with front matter between two '---' lines")
        return None, text, 1
    end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
    if end is None:
        report.add(1, "front matter is not closed with a '---' line")
        return None, "", 1
    yaml_text = "".join(lines[1:end])
    try:
        meta = load_yaml(yaml_text) or {}
    except yaml.YAMLError as exc:
        line, problem = yaml_problem(exc)
        report.add(2 + line, f"front matter is not valid YAML: {problem}")
        return None, "".join(lines[end + 1 :]), end + 2
    if not isinstance(meta, dict):
        report.add(2, "front matter must be a mapping of keys to values")
        return None, "".join(lines[end + 1 :]), end + 2
    _remember_lines(yaml_text, report)
    return meta, "".join(lines[end + 1 :]), end + 2


def _require_str(meta: dict[str, Any], key: str, report: _Collector) -> str:
    value = meta.get(key)
    if not isinstance(value, str) or not value.strip():
        report.add(report.at(key), f"front matter '{key}' is required and must be text")
        return ""
    return value.strip()


def _read_meta(meta: dict[str, Any], report: _Collector) -> dict[str, Any]:
    out: dict[str, Any] = {"title": _require_str(meta, "title", report)}
    out["summary"] = _require_str(meta, "summary", report)
    audiences = meta.get("audience")
    if (
        not isinstance(audiences, list)
        or not audiences
        or not all(isinstance(a, str) and a in AUDIENCES for a in audiences)
    ):
        report.add(report.at("audience"), f"front matter 'audience' must be a list of: {', '.join(sorted(AUDIENCES))}")
        audiences = []
    out["audiences"] = tuple(audiences)
    minutes = meta.get("minutes")
    if not isinstance(minutes, int) or isinstance(minutes, bool) or not 1 <= minutes <= 30:
        report.add(report.at("minutes"), "front matter 'minutes' must be a whole number from 1 to 30")
        minutes = 0
    out["minutes"] = minutes
    version = str(meta.get("version", ""))
    if not VERSION.match(version):
        report.add(report.at("version"), "front matter 'version' must be a version like 1.0.0")
    out["version"] = version
    mastery = meta.get("mastery_score", 0.7)
    if not isinstance(mastery, int | float) or isinstance(mastery, bool) or not 0 <= mastery <= 1:
        report.add(report.at("mastery_score"), "front matter 'mastery_score' must be a number from 0 to 1")
        mastery = 0.7
    out["mastery_score"] = float(mastery)
    out["review"] = str(meta.get("review", "pending"))
    if out["review"] not in {"pending", "reviewed"}:
        report.add(report.at("review"), "front matter 'review' must be 'pending' or 'reviewed'")
    out["objectives"] = _read_text_list(meta, "objectives", report)
    out["sources"] = _read_sources(meta, report)
    return out


def _read_text_list(meta: dict[str, Any], key: str, report: _Collector) -> tuple[str, ...]:
    value = meta.get(key)
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
        report.add(report.at(key), f"front matter '{key}' must be a list of one or more texts")
        return ()
    return tuple(v.strip() for v in value)


def _read_sources(meta: dict[str, Any], report: _Collector) -> tuple[Source, ...]:
    value = meta.get("sources")
    if not isinstance(value, list) or not value:
        message = "front matter 'sources' must list at least one source (medical text must cite its source)"
        report.add(report.at("sources"), message)
        return ()
    sources = []
    for index, entry in enumerate(value):
        lines = report.source_lines[index] if index < len(report.source_lines) else {}
        if not isinstance(entry, dict) or not isinstance(entry.get("title"), str):
            report.add(lines.get("", report.at("sources")), "each source needs a 'title' (and may have a 'url')")
            continue
        url = str(entry.get("url") or "")
        if url and not url.startswith("https://"):
            # the catalogue shows it as a link: only https, never javascript:, data: …
            report.add(lines.get("url", report.at("sources")), f"source url '{url}' must start with https://")
            continue
        sources.append(Source(title=entry["title"], url=url))
    return tuple(sources)


def _child_lines(token: Token, line: int) -> list[tuple[Token, int]]:
    """Each inline child with the line it starts on (an inline token spans every line of its paragraph)."""
    found = []
    for child in token.children or []:
        found.append((child, line))
        if child.type in {"softbreak", "hardbreak"}:
            line += 1
        elif child.type == "html_inline":
            line += child.content.count("\n")
    return found


def _check_inline(token: Token, line: int, folder: Path | None, report: _Collector, media: set[str]) -> None:
    for child, child_line in _child_lines(token, line):
        if child.type != "image":
            continue
        src = str(child.attrGet("src") or "")
        if not child.content.strip():
            report.add(child_line, f"image '{src}' has no alt text: describe what the picture shows")
        if "://" in src:
            report.add(child_line, f"image '{src}' must be a file in the module folder, not a web address")
        elif "/" in src or src.startswith(".") or (folder is not None and not (folder / src).is_file()):
            report.add(child_line, f"image '{src}' does not exist in the module folder")
        else:
            media.add(src)


class _StepBuilder:
    """Collects the tokens, videos and items of one `## ` step, in the order the author wrote them."""

    def __init__(self, number: int, title: str) -> None:
        self.number, self.title = number, title
        self.parts: list[list[Token] | str] = [[]]  # runs of Markdown tokens, and our own video HTML between them
        self.items: list[Item] = []

    def add_token(self, token: Token) -> None:
        last = self.parts[-1]
        if isinstance(last, list):
            last.append(token)
        else:
            self.parts.append([token])

    def add_html(self, html: str) -> None:
        """Add HTML we generated and escaped ourselves: it must not pass the sanitiser, which drops <video>."""
        self.parts.append(html)

    def build(self, env: dict[str, Any]) -> Step:
        html = "".join(
            sanitise(_MD.renderer.render(part, _MD.options, env)) if isinstance(part, list) else part
            for part in self.parts
        )
        return Step(self.number, self.title, hyphenate_html(html, env["language"]), tuple(self.items))


def _parse_video_block(
    token: Token, line: int, folder: Path | None, env: dict[str, Any], report: _Collector, media: set[str]
) -> str:
    """Return the player HTML of a ```video``` block ('' when it has problems, which are reported)."""
    try:
        data = load_yaml(token.content)
    except yaml.YAMLError as exc:
        offset, problem = yaml_problem(exc)
        report.add(line + 1 + offset, f"the video block is not valid YAML: {problem}")
        return ""
    if not isinstance(data, dict) or not isinstance(data.get("id"), str) or not ITEM_ID.match(data["id"]):
        report.add(line, "the block needs an 'id' of lower-case letters, digits and dashes")
        return ""
    video = parse_video(data, line, folder, report.add)
    if video is None:
        return ""
    media.update({*video.sources, *video.captions.values(), *([video.poster] if video.poster else [])})
    return str(render_video(video, env["media_base"], env["language"]))


def _parse_steps(
    body: str, first_line: int, folder: Path | None, slug: str, language: str, report: _Collector
) -> tuple[list[Step], set[str]]:
    env = {"language": language, "media_base": f"/modules/{slug}/media/"}
    steps: list[_StepBuilder] = []
    media: set[str] = set()
    seen_ids: set[str] = set()
    placed: list[tuple[Item, int]] = []
    tokens = _MD.parse(body, env)
    i = 0
    while i < len(tokens):
        token = tokens[i]
        line = first_line + (token.map[0] if token.map else 0)
        if token.type == "heading_open" and token.tag == "h2":
            steps.append(_StepBuilder(len(steps) + 1, tokens[i + 1].content.strip()))
            i += 3
            continue
        if not steps:
            report.add(line, "text before the first step: start every step with a '## ' heading")
            steps.append(_StepBuilder(1, ""))
        step = steps[-1]
        if token.type == "fence" and token.info.strip() in ITEM_BLOCKS:
            item = parse_item(token, line, report.add)
            if item is not None:
                if item.id in seen_ids:
                    report.add(line, f"block id '{item.id}' is used twice; ids must be unique within a module")
                seen_ids.add(item.id)
                step.items.append(item)
                placed.append((item, line))
        elif token.type == "fence" and token.info.strip() == "video":
            step.add_html(_parse_video_block(token, line, folder, env, report, media))
        elif token.type == "fence":
            known = ", ".join((*ITEM_BLOCKS, "video"))
            report.add(line, f"unknown block '```{token.info.strip()}': known blocks are {known}")
        else:
            if token.type == "container_block_open" and token.info.strip().split()[0] not in CALLOUTS:
                name = token.info.strip().split()[0]
                report.add(line, f"unknown block '::: {name}': known blocks are {', '.join(CALLOUTS)}")
            if token.type == "inline":
                _check_inline(token, line, folder, report, media)
            step.add_token(token)
        i += 1
    for raw in _raw_html_lines(body):
        report.add(first_line + raw, "raw HTML is not allowed in module text (it is shown as text)")
    for line, message in survey_problems(placed):
        report.add(line, message)
    return [s.build(env) for s in steps], media


def _html_markdown() -> MarkdownIt:
    """A parser that sees raw HTML, only to find the lines where an author wrote some (it is never rendered)."""
    with_html = make_markdown().enable("html_block").enable("html_inline")
    with_html.options["html"] = True
    return with_html


_MD_HTML = _html_markdown()  # built once: the web editor's live preview parses a module after every pause


def _raw_html_lines(body: str) -> list[int]:
    found = []
    for token in _MD_HTML.parse(body):
        if token.type == "html_block" and token.map:
            found.append(token.map[0])
        elif token.type == "inline":
            html = [
                line for c, line in _child_lines(token, token.map[0] if token.map else 0) if c.type == "html_inline"
            ]
            found.extend(html[:1])
    return found


def parse_module_file(path: Path, *, text: str | None = None) -> ModuleDocument:
    """Parse one `<lang>.md` file; raise ContentError listing every problem.

    With `text`, parse that as if it were the file (a stored revision): media are then not looked up on disk.
    """
    source = path.read_text(encoding="utf-8") if text is None else text
    document, problems = parse_module_text(path, source, folder=path.parent if text is None else None)
    if problems:
        raise ContentError(problems)
    return document


def parse_module_text(path: Path, source: str, *, folder: Path | None) -> tuple[ModuleDocument, list[Problem]]:
    """Parse a module text and return what could be read together with every problem, without raising.

    The web editor previews a text while it is being typed, so it needs the steps that do parse even when a
    block further down is still half written. `folder` is where media are looked up (None: not checked).
    """
    report = _Collector(str(path))
    slug = path.parent.name
    language = path.stem
    if language not in LANGUAGES:
        report.add(1, f"file name must be a language code: {', '.join(f'{lang}.md' for lang in LANGUAGES)}")
    if not SLUG.match(slug):
        report.add(1, f"folder name '{slug}' must be lower-case words joined by dashes")
    meta, body, first_line = split_front_matter(source, report)
    # front matter that cannot be read is one problem, not a "required" problem for every key in it
    fields = _read_meta(meta or {}, report if meta is not None else _Collector(str(path)))
    steps, media = _parse_steps(body, first_line, folder, slug, language, report)
    if not steps:
        report.add(first_line, "a module needs at least one step ('## ' heading)")
    document = ModuleDocument(slug=slug, language=language, steps=tuple(steps), media=tuple(sorted(media)), **fields)
    if document.quizzes == () and meta and "mastery_score" in meta:
        report.add(report.at("mastery_score"), "'mastery_score' is set but the module has no quiz")
    return document, report.problems


def load_module_folder(folder: Path) -> dict[str, ModuleDocument]:
    """Parse every language of one module and check that they match; raise ContentError on any problem."""
    problems: list[Problem] = []
    documents: dict[str, ModuleDocument] = {}
    files = sorted(folder.glob("*.md"))
    if not any(f.stem == "nl" for f in files):
        problems.append(Problem(str(folder), 1, "a module needs a Dutch version: nl.md"))
    for file in files:
        try:
            documents[file.stem] = parse_module_file(file)
        except ContentError as exc:
            problems.extend(exc.problems)
    problems.extend(compare_languages(documents, folder))
    if problems:
        raise ContentError(problems)
    return documents


def compare_languages(documents: dict[str, ModuleDocument], folder: Path) -> list[Problem]:
    """Language versions share steps, item ids (in the same steps), right answers, pictures and version."""
    base = documents.get("nl")
    problems = []
    for language, doc in documents.items():
        if base is None or doc is base:
            continue
        path = str(folder / f"{language}.md")
        if len(doc.steps) != len(base.steps):
            problems.append(Problem(path, 1, f"has {len(doc.steps)} steps but nl.md has {len(base.steps)}"))
        if doc.item_ids != base.item_ids:
            problems.append(Problem(path, 1, "question ids differ from nl.md (same ids, same order)"))
        else:
            problems.extend(_compare_items(path, doc, base, same_steps=len(doc.steps) == len(base.steps)))
        if set(doc.media) != set(base.media):
            pictures, base_pictures = ", ".join(doc.media) or "none", ", ".join(base.media) or "none"
            problems.append(Problem(path, 1, f"uses pictures {pictures} but nl.md uses {base_pictures}"))
        if doc.version != base.version:
            problems.append(Problem(path, 1, f"version {doc.version} differs from nl.md's {base.version}"))
        if set(doc.audiences) != set(base.audiences):
            problems.append(Problem(path, 1, "audience differs from nl.md"))
    return problems


def _compare_items(path: str, doc: ModuleDocument, base: ModuleDocument, *, same_steps: bool) -> list[Problem]:
    """Same ids in the same steps, right answers at the same positions (xAPI names choices by position)."""
    problems = []
    steps = {item.id: step.number for step in doc.steps for item in step.items}
    for step in base.steps:
        for item in step.items:
            if same_steps and steps[item.id] != step.number:
                message = f"'{item.id}' is in step {steps[item.id]} but in step {step.number} in nl.md"
                problems.append(Problem(path, 1, message))
            other = doc.item(item.id)
            if other is not None and not same_answers(item, other):
                message = f"'{item.id}' has other right answers (or another number of parts) than in nl.md"
                problems.append(Problem(path, 1, message))
    return problems


def iter_module_folders(root: Path) -> list[Path]:
    """Return the module folders under root (every folder holding a .md file)."""
    return sorted(p for p in root.iterdir() if p.is_dir() and any(p.glob("*.md")))
