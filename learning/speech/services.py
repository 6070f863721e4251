"""What a step says out loud, and the espeak-ng audio of it cached under the instance folder.

The browser's own speech is the first choice (it follows the learner's voice and rate). Many phones and Linux
desktops have no Dutch voice, though, so the server renders the same text once per step, language and module
version with espeak-ng, and the player offers that file instead. A published version never changes its text, so
a file rendered for a version stays right for as long as that version exists.
"""

from __future__ import annotations

import shutil
import subprocess  # nosec B404
import tempfile
from html.parser import HTMLParser
from pathlib import Path

from flask import current_app

from learning.content.document import Item, Matching, ModuleDocument, Quiz, Sequencing, Step
from learning.content.hyphenation import strip_soft_hyphens
from learning.content.judging import mixed_order

# espeak-ng voice per content language; the page's languages are the module languages.
VOICES = {"nl": "nl", "en": "en-gb", "de": "de"}
SUFFIX = ".ogg"  # Opus 24 kb/s in Ogg: ~2.8 kB per second of speech, ~15x smaller than espeak-ng's WAV
_BLOCKS = {"p", "li", "h1", "h2", "h3", "h4", "figcaption", "td", "th", "dt", "dd", "blockquote", "summary"}


class SpeechError(RuntimeError):
    """espeak-ng or ffmpeg is missing or failed; the message says which."""


class _TextAndAlts(HTMLParser):
    """HTML to the text a sighted learner sees, with each picture's alt text where the picture is."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0  # depth inside aria-hidden or <button>: not spoken on the page either

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if self._hidden or values.get("aria-hidden") == "true" or tag in {"button", "script", "style"}:
            if tag not in {"img", "br", "source", "track"}:
                self._hidden += 1
            return
        if tag == "img" and values.get("alt"):
            self.parts.append(f"\n{values['alt']}.\n")
        elif tag in _BLOCKS or tag == "br":
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if self._hidden:
            self._hidden -= 1
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(strip_soft_hyphens(data))  # the step HTML has them for line breaks; speech must not


def _html_text(html: str) -> list[str]:
    parser = _TextAndAlts()
    parser.feed(html)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return [line for line in lines if line]


def item_parts(item: Item) -> list[str]:
    """What the player shows of an item besides its question, in page order (items/_<type>.html)."""
    if isinstance(item, Quiz):
        return [choice.text for choice in item.choices]
    if isinstance(item, Sequencing):
        return [item.steps[i] for i in mixed_order(item.id, len(item.steps))]
    if isinstance(item, Matching):
        return [pair.left for pair in item.pairs]
    return []


def spoken_text(step: Step) -> str:
    """Step title, text with alt texts, then each question and its options: the order of the page."""
    lines = [step.title, *_html_text(step.html)]
    for item in step.items:
        lines.append(item.question)
        lines.extend(item_parts(item))
    # a full stop after each block makes espeak pause between a question and its options, as a reader would
    return "\n".join(line if line[-1] in ".?!:;" else f"{line}." for line in lines)


def cache_dir() -> Path:
    """SPEECH_DIR when configured (tests give each run its own), else instance/speech."""
    configured = current_app.config.get("SPEECH_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "speech"


def audio_path(cache: Path, slug: str, version: str, language: str, number: int) -> Path:
    """Where the audio of one step lives; version and language are part of the path, so they never mix."""
    return cache / slug / version / language / f"{number}{SUFFIX}"


def render(text: str, language: str, target: Path) -> Path:
    """Render text with espeak-ng to Opus at target (atomically: a half-written file is never served).

    :raises SpeechError: when a program is missing or fails.
    """
    espeak, ffmpeg = shutil.which("espeak-ng"), shutil.which("ffmpeg")
    if espeak is None or ffmpeg is None:
        raise SpeechError("espeak-ng and ffmpeg are needed: run scripts/system-packages.sh")
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as work:
        wav, ogg = Path(work) / "step.wav", Path(work) / f"step{SUFFIX}"
        voice = VOICES.get(language, "nl")
        steps = [
            [espeak, "-v", voice, "-s", "150", "-w", str(wav), "--stdin"],
            [ffmpeg, "-nostdin", "-loglevel", "error", "-i", str(wav), "-c:a", "libopus", "-b:a", "24k", str(ogg)],
        ]
        for number, command in enumerate(steps):
            done = subprocess.run(  # noqa: S603  # nosec B603
                command, input=text if number == 0 else None, capture_output=True, text=True, check=False, timeout=120
            )
            if done.returncode != 0:
                raise SpeechError(f"{Path(command[0]).name} failed: {done.stderr.strip()[:300]}")
        ogg.replace(target)
    return target


def render_step(cache: Path, document: ModuleDocument, step: Step, *, force: bool = False) -> Path:
    """Return the cached audio of a step, rendering it when missing."""
    path = audio_path(cache, document.slug, document.version, document.language, step.number)
    if force or not path.is_file():
        render(spoken_text(step), document.language, path)
    return path
