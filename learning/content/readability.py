"""Measure how easy a Dutch module is to read, and hold patient and caregiver modules to taalniveau B1.

No formula is officially "B1". The gate combines what Dutch plain-language practice checks (short sentences,
everyday words) with two classic Dutch formulas, at thresholds calibrated on our own corpus of B1 texts and formal
rewrites (tests/readability_corpus/, docs/readability.md). Its messages say what to do ("split this sentence",
"explain or replace 'X'") because a teacher, not a linguist, has to act on them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from learning.content.dutch_words import is_rare, syllables
from learning.content.items import ITEM_BLOCKS, load_yaml
from learning.content.loader import Problem

# Thresholds (docs/readability.md explains the calibration that chose them).
MAX_ASL = 12.0  # average words per sentence, over the whole module
MAX_SENTENCE = 20  # words in any one sentence
MIN_FLESCH_DOUMA = 70.0
MIN_BROUWER = 70.0
MAX_RARE_SHARE = 0.05  # share of words below RARE_ZIPF that are not declared in the glossary
STEP_MIN_WORDS = 40  # a step this long is gated on its own too (the calibration texts are 40-92 words)
RARE_ZIPF = 3.0  # fewer than about 1 use in a million words
GATED_AUDIENCES = {"patient", "caregiver"}

_WORD = re.compile(r"'[st]\b|[A-Za-zÀ-ÿ]+(?:['\u2019-][A-Za-zÀ-ÿ]+)*|\d+(?:[.,:]\d+)*")
_ABBREVIATIONS = ("bijv.", "bv.", "o.a.", "enz.", "d.w.z.", "ca.", "nr.", "dr.", "mevr.", "dhr.", "t/m", "z.s.m.")
_SENTENCE_END = re.compile(r"(?<=[.?!])[\"\u201d\u2019)]*\s+(?=[\"\u201c'\u2018(]?[A-Z0-9À-Ý'])")
# the question texts a patient reads (feedback right/wrong and matching left/right share the keys "right")
_READ_KEYS = ("question", "text", "feedback", "right", "wrong", "left")
_READ_LISTS = ("steps",)  # a sequencing block's steps


@dataclass(frozen=True)
class Sentence:
    line: int
    text: str
    words: tuple[str, ...]


@dataclass
class Figures:
    """Counts and formulas for a piece of text (a step, a module, a calibration text)."""

    sentences: list[Sentence] = field(default_factory=list)

    @property
    def words(self) -> int:
        return sum(len(s.words) for s in self.sentences)

    @property
    def syllables(self) -> int:
        return sum(syllables(w) for s in self.sentences for w in s.words)

    @property
    def asl(self) -> float:
        return self.words / len(self.sentences) if self.sentences else 0.0

    @property
    def longest(self) -> int:
        return max((len(s.words) for s in self.sentences), default=0)

    @property
    def asw(self) -> float:
        return self.syllables / self.words if self.words else 0.0

    @property
    def flesch_douma(self) -> float:
        """Douma (1960): 206.84 - 0.93 x words per sentence - 77 x syllables per word."""
        return 206.84 - 0.93 * self.asl - 77 * self.asw

    @property
    def brouwer(self) -> float:
        """Brouwer's Leesindex A (1963): 195 - 2 x words per sentence - 66.67 x syllables per word."""
        return 195 - 2 * self.asl - 66.67 * self.asw

    def rare_words(self, glossary: frozenset[str] = frozenset()) -> list[tuple[Sentence, str]]:
        """Words below RARE_ZIPF (compounds split first), except names, short words and glossary terms."""
        found = []
        for sentence in self.sentences:
            for index, word in enumerate(sentence.words):
                if len(word) <= 3 or word[0].isdigit() or _declared(word, glossary):
                    continue
                if index > 0 and word[0].isupper():  # a name (DigiD, Pharos): not a word a reader must know
                    continue
                if is_rare(word, RARE_ZIPF):
                    found.append((sentence, word))
        return found

    def rare_share(self, glossary: frozenset[str] = frozenset()) -> float:
        return len(self.rare_words(glossary)) / self.words if self.words else 0.0


def _declared(word: str, glossary: frozenset[str]) -> bool:
    lowered = word.lower()
    return any(lowered.startswith(term) for term in glossary)  # "bloeddrukmeters" is covered by "bloeddrukmeter"


@dataclass
class Step:
    title: str
    line: int
    figures: Figures = field(default_factory=Figures)


@dataclass
class ModuleReadability:
    path: str
    audiences: list[str]
    glossary: frozenset[str]
    steps: list[Step]
    front: Figures = field(default_factory=Figures)  # title, summary, objectives: reported, not gated (yet)

    @property
    def gated(self) -> bool:
        return bool(GATED_AUDIENCES & set(self.audiences))

    @property
    def figures(self) -> Figures:
        return Figures([s for step in self.steps for s in step.figures.sentences])


def measure_text(text: str, first_line: int = 1) -> Figures:
    """Figures for plain Markdown text without front matter (calibration texts, one step)."""
    return Figures(list(_sentences(text.splitlines(), first_line)))


def measure_module(path: Path, text: str | None = None) -> ModuleReadability:
    """Figures per step (a '## ' heading starts a step) for one module file (or `text`, read as that file)."""
    lines = (path.read_text(encoding="utf-8") if text is None else text).splitlines()
    meta, body_start = _front_matter(lines)
    glossary = frozenset(str(term).lower() for term in meta.get("glossary") or [])
    audiences = meta.get("audience") or []
    steps: list[Step] = []
    chunk: list[str] = []
    chunk_start = body_start

    def close() -> None:
        if steps:
            steps[-1].figures.sentences.extend(_sentences(chunk, chunk_start))

    for number, line in enumerate(lines[body_start - 1 :], start=body_start):
        if line.startswith("## "):
            close()
            steps.append(Step(line[3:].strip(), number))
            chunk, chunk_start = [], number
        chunk.append(line)
    close()
    return ModuleReadability(str(path), [str(a) for a in audiences], glossary, steps, _front_figures(meta, lines))


def _front_figures(meta: dict[str, Any], lines: list[str]) -> Figures:
    """The front matter texts a reader sees in the catalogue (title, summary, objectives), each at its line."""
    figures = Figures()
    objectives = meta.get("objectives")
    texts = [meta.get("title"), meta.get("summary"), *(objectives if isinstance(objectives, list) else [])]
    for text in texts:
        if isinstance(text, str) and text.strip():
            line = next((n for n, raw in enumerate(lines, start=1) if text[:30] in raw), 1)
            figures.sentences.extend(_paragraph([(line, text)]))
    return figures


def _front_matter(lines: list[str]) -> tuple[dict[str, Any], int]:
    if not lines or lines[0].strip() != "---":
        return {}, 1
    end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), 0)
    try:
        meta = load_yaml("\n".join(lines[1:end])) or {}
    except yaml.YAMLError:
        meta = {}  # the loader reports broken front matter; the gate only needs audience and glossary
    return (meta if isinstance(meta, dict) else {}), end + 2


def _sentences(lines: list[str], first_line: int) -> Iterator[Sentence]:
    """Sentences of Markdown lines: paragraphs, list items, headings and picture descriptions end a sentence;
    fenced blocks are skipped except the question texts that a patient reads."""
    paragraph: list[tuple[int, str]] = []
    fence: list[tuple[int, str]] | None = None
    for number, raw in enumerate(lines, start=first_line):
        line = raw.strip()
        if fence is not None:
            if line.startswith("```"):
                yield from _fenced(fence)
                fence = None
            else:
                fence.append((number, raw))
            continue
        if line.startswith("```"):
            yield from _paragraph(paragraph)
            paragraph = []
            fence = [] if line[3:].strip() in ITEM_BLOCKS else [(0, "")]  # (0, "") marks "skip"
            continue
        starts_block = re.match(r"(#{1,6} |[-*+] |\d+[.)] |!\[|:::)", line)
        if not line or starts_block:
            yield from _paragraph(paragraph)
            paragraph = []
        if line.startswith(":::"):
            continue
        image = re.match(r"!\[([^\]]*)\]", line)
        if image:
            yield from _paragraph([(number, image.group(1))])
            continue
        if line:
            paragraph.append((number, re.sub(r"^(#{1,6} |[-*+] |\d+[.)] )", "", line)))
    yield from _paragraph(paragraph)


def _fenced(block: list[tuple[int, str]]) -> Iterator[Sentence]:
    if block and block[0] == (0, ""):
        return
    try:
        data = load_yaml("\n".join(raw for _, raw in block))
    except yaml.YAMLError:
        return  # the loader reports it
    for text in _read_texts(data):
        line = next((n for n, raw in block if text[:30] in raw), block[0][0] if block else 0)
        yield from _paragraph([(line, text)])


def _read_texts(data: object) -> Iterator[str]:
    if isinstance(data, dict):
        for key, value in data.items():
            if key in _READ_KEYS and isinstance(value, str):
                yield value
            elif key in _READ_LISTS and isinstance(value, list):
                yield from (entry for entry in value if isinstance(entry, str))
            elif isinstance(value, dict | list):
                yield from _read_texts(value)
    elif isinstance(data, list):
        for entry in data:
            yield from _read_texts(entry)


def _paragraph(parts: list[tuple[int, str]]) -> Iterator[Sentence]:
    if not parts:
        return
    text = " ".join(_plain(t) for _, t in parts)
    line = parts[0][0]
    protected = text
    for abbreviation in _ABBREVIATIONS:
        protected = protected.replace(abbreviation, abbreviation.replace(".", "\u2024"))
    for piece in _SENTENCE_END.split(protected):
        piece = piece.replace("\u2024", ".").strip()
        words = tuple(w.replace("\u2019", "'") for w in _WORD.findall(piece))
        if words:
            yield Sentence(line, piece, words)


def _plain(markdown: str) -> str:
    text = re.sub(r"`[^`]*`", "", markdown)  # inline code is not read as prose
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)  # links keep their text
    text = re.sub(r"<[^>]+>", "", text)
    return re.sub(r"\s+", " ", re.sub(r"[*_]{1,3}", "", text))


def passes(figures: Figures, glossary: frozenset[str] = frozenset()) -> bool:
    """The B1 verdict for a text (used for modules and for the calibration corpus alike)."""
    return (
        figures.asl <= MAX_ASL
        and figures.longest <= MAX_SENTENCE
        and figures.flesch_douma >= MIN_FLESCH_DOUMA
        and figures.brouwer >= MIN_BROUWER
        and figures.rare_share(glossary) <= MAX_RARE_SHARE
    )


def readability_problems(path: Path, text: str | None = None) -> list[Problem]:
    """What stops a patient or caregiver module from being B1, each with line and what to do; [] otherwise.

    With `text`, judge that as if it were the file (the web editor checks the text being typed)."""
    module = measure_module(path, text)
    if not module.gated:
        return []
    figures = module.figures
    problems = [
        Problem(
            module.path,
            s.line,
            f'sentence of {len(s.words)} words (B1: at most {MAX_SENTENCE}): split this sentence: "{_short(s.text)}"',
        )
        for s in figures.sentences
        if len(s.words) > MAX_SENTENCE
    ]
    problems.extend(_formula_problems(module.path, 1, "the module", figures))
    for step in module.steps:  # a hard step must not hide behind easy ones in the module average
        if step.figures.words >= STEP_MIN_WORDS:
            problems.extend(_formula_problems(module.path, step.line, f"step '{step.title}'", step.figures))
    share = figures.rare_share(module.glossary)
    if share > MAX_RARE_SHARE:
        problems.append(Problem(module.path, 1, f"{share:.1%} rare words (B1: at most {MAX_RARE_SHARE:.0%})"))
        problems.extend(
            Problem(
                module.path,
                s.line,
                f"rare word '{word}': explain or replace '{word}' (an explained term "
                "can go in the front matter 'glossary')",
            )
            for s, word in figures.rare_words(module.glossary)
        )
    return problems


def _formula_problems(path: str, line: int, label: str, figures: Figures) -> list[Problem]:
    formulas = (
        (figures.asl > MAX_ASL, f"{figures.asl:.1f} words per sentence on average (B1: at most {MAX_ASL:g})"),
        (
            figures.flesch_douma < MIN_FLESCH_DOUMA,
            f"Flesch-Douma {figures.flesch_douma:.0f} (B1: {MIN_FLESCH_DOUMA:g} or more)",
        ),
        (figures.brouwer < MIN_BROUWER, f"Brouwer {figures.brouwer:.0f} (B1: {MIN_BROUWER:g} or more)"),
    )
    longest = sorted(figures.sentences, key=lambda s: -len(s.words))[:3]
    hint = "; ".join(f'line {s.line}: "{_short(s.text)}"' for s in longest)
    return [
        Problem(
            path,
            line,
            f"{label} is too hard to read: {figure}: split the longest sentences and use shorter words, first {hint}",
        )
        for failed, figure in formulas
        if failed
    ]


def _short(text: str, limit: int = 90) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def format_report(path: Path) -> str:
    """Per-module and per-step figures as a text table, for `flask content readability`."""
    module = measure_module(path)
    header = f"{path}  ({', '.join(module.audiences) or 'no audience'}; {'gated: B1' if module.gated else 'not gated'})"
    rows = [
        f"  {'step':<34} {'line':>5} {'sent':>5} {'words':>6} {'ASL':>5} {'max':>4} "
        f"{'F-D':>6} {'Brouw':>6} {'rare%':>6}"
    ]
    named = [(step.title, step.line, step.figures) for step in module.steps]
    extra = [("(whole module, steps)", 1, module.figures), ("(front matter: reported only)", 1, module.front)]
    for title, line, figures in [*named, *extra]:
        rows.append(
            f"  {_short(title, 34):<34} {line:>5} {len(figures.sentences):>5} {figures.words:>6} {figures.asl:>5.1f} "
            f"{figures.longest:>4} {figures.flesch_douma:>6.1f} {figures.brouwer:>6.1f} "
            f"{100 * figures.rare_share(module.glossary):>6.1f}"
        )
    verdict = "passes B1" if passes(module.figures, module.glossary) else "does not pass B1"
    return "\n".join([header, *rows, f"  -> {verdict}"])
