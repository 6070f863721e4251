"""The ```video``` block: a short demonstration with Dutch and English captions and a transcript, never autoplay.

A video is part of a step's text, not a question: the loader puts its HTML where the author placed the block. Every
rule a learner depends on is checked here, so `flask content check` refuses a video a deaf learner or a learner
without sound could not follow: both caption files exist and are WebVTT, and the transcript is written out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from markupsafe import Markup, escape

VIDEO_SUFFIXES = {".webm": "video/webm", ".mp4": "video/mp4"}
CAPTION_LANGUAGES = ("nl", "en")
LABELS = {
    "nl": {
        "nl": "Nederlands",
        "en": "Engels",
        "transcript": "Tekst van de video",
        "read": "Lees de tekst van de video",
    },
    "en": {"nl": "Dutch", "en": "English", "transcript": "Transcript of the video", "read": "Read the video's text"},
}


@dataclass(frozen=True)
class Video:
    id: str
    title: str
    sources: tuple[str, ...]
    captions: dict[str, str]
    transcript: str
    poster: str = ""


Report = Callable[[int, str], None]


def _media_file(name: object, folder: Path | None, line: int, what: str, report: Report) -> str | None:
    """Return a file name of the module folder, or report why it is not one."""
    if not isinstance(name, str) or not name.strip():
        report(line, f"the video needs {what}")
        return None
    if "/" in name or name.startswith(".") or "://" in name:
        report(line, f"video {what} '{name}' must be a file in the module folder")
        return None
    if folder is not None and not (folder / name).is_file():
        report(line, f"video {what} '{name}' does not exist in the module folder")
        return None
    return name


def _check_captions(folder: Path | None, name: str, line: int, report: Report) -> None:
    """A caption file a browser will show: WebVTT with at least one timed cue."""
    if folder is None:
        return
    text = (folder / name).read_text(encoding="utf-8", errors="replace")
    if not text.startswith(("WEBVTT", "\ufeffWEBVTT")) or "-->" not in text:
        report(line, f"captions '{name}' are not WebVTT: start with 'WEBVTT' and give cues with '-->' times")


def parse_video(data: dict[str, Any], line: int, folder: Path | None, report: Report) -> Video | None:
    """Read a video block's YAML (already parsed), checking files against the module folder when given.

    Returns None when anything is wrong: a video is shown only when every part of it works.
    """
    found: list[str] = []

    def problem(at: int, message: str) -> None:
        found.append(message)
        report(at, message)

    video = _parse(data, line, folder, problem)
    return None if found else video


def _parse(data: dict[str, Any], line: int, folder: Path | None, report: Report) -> Video | None:
    title, transcript = data.get("title"), data.get("transcript")
    if not isinstance(title, str) or not title.strip():
        report(line, "a video needs a 'title'")
    if not isinstance(transcript, str) or not transcript.strip():
        report(line, "a video needs a 'transcript': write out what the video shows and says")
    raw_sources = data.get("sources")
    if not isinstance(raw_sources, list) or not raw_sources:
        report(line, "a video needs 'sources': a list of .webm and/or .mp4 files")
        raw_sources = []
    sources = []
    for raw in raw_sources:
        name = _media_file(raw, folder, line, "source", report)
        if name is not None and Path(name).suffix not in VIDEO_SUFFIXES:
            report(line, f"video source '{name}' must be .webm or .mp4")
        elif name is not None:
            sources.append(name)
    raw_captions = data.get("captions")
    captions: dict[str, str] = {}
    if not isinstance(raw_captions, dict) or set(raw_captions) != set(CAPTION_LANGUAGES):
        report(line, "a video needs 'captions' with a WebVTT file for nl and for en")
    else:
        for language in CAPTION_LANGUAGES:
            name = _media_file(raw_captions[language], folder, line, f"captions ({language})", report)
            if name is not None:
                _check_captions(folder, name, line, report)
                captions[language] = name
    poster = data.get("poster", "")
    if poster:
        poster = _media_file(poster, folder, line, "poster", report) or ""
    if not (isinstance(title, str) and isinstance(transcript, str)) or not sources or len(captions) != 2:
        return None
    return Video(data["id"], title.strip(), tuple(sources), captions, transcript.strip(), str(poster))


def render_video(video: Video, media_base: str, language: str) -> Markup:
    """The player's HTML: controls, no autoplay, captions in the page's language on by default, a transcript."""
    labels = LABELS.get(language, LABELS["en"])
    poster = f' poster="{escape(media_base + video.poster)}"' if video.poster else ""
    sources = "".join(
        f'<source src="{escape(media_base + name)}" type="{VIDEO_SUFFIXES[Path(name).suffix]}">'
        for name in video.sources
    )
    tracks = "".join(
        f'<track kind="captions" src="{escape(media_base + name)}" srclang="{lang}" label="{escape(labels[lang])}"'
        f"{' default' if lang == language else ''}>"
        for lang, name in video.captions.items()
    )
    paragraphs = "".join(f"<p>{escape(part.strip())}</p>" for part in video.transcript.split("\n\n") if part.strip())
    transcript_id = escape(f"transcript-{video.id}")
    return Markup(  # noqa: S704 — every author value in it is escaped above
        f'<figure class="video" id="video-{escape(video.id)}">'
        f'<video controls preload="metadata" playsinline{poster} aria-describedby="{transcript_id}">'
        f"{sources}{tracks}</video>"
        f'<figcaption>{escape(video.title)} · <a href="#{transcript_id}">{escape(labels["read"])}</a></figcaption>'
        f'<details class="transcript" id="{transcript_id}"><summary>{escape(labels["transcript"])}</summary>'
        f"{paragraphs}</details></figure>"
    )
