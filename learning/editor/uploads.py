"""Checks for what an author uploads into a module: pictures, captions and video. Nothing is stored here.

A file from an author's computer is untrusted: a photo carries EXIF data (the camera, often GPS of the author's
home), an SVG can hold script, a caption file can be a renamed document. Each check returns a clean file to store
or refuses with a reason a teacher can act on; the caller (the draft editor) stores what comes back.
"""

from __future__ import annotations

import dataclasses
import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import PurePath

from flask_babel import gettext as _
from flask_babel import ngettext
from PIL import Image, ImageOps, UnidentifiedImageError

from learning.editor.svg import SvgRefused, clean_svg

MAX_WIDTH = 1200  # twice a phone's width at 2x: sharp on every screen the platform serves, small to download
MAX_PIXELS = 40_000_000  # a decompression bomb (a tiny file that unpacks to gigabytes) is refused before decoding
MAX_PICTURE_BYTES = 10 * 1024 * 1024
MAX_CAPTION_BYTES = 512 * 1024
MAX_VIDEO_BYTES = 15 * 1024 * 1024  # the request limit is 16 MB; a 5-minute demo film at 360p fits well within
RASTER_FORMATS = {"PNG": ("png", "image/png"), "JPEG": ("jpg", "image/jpeg"), "WEBP": ("webp", "image/webp")}
VIDEO_TYPES = {"webm": "video/webm", "mp4": "video/mp4"}
CAPTION_LANGUAGES = ("nl", "en")
_TIME = r"(?:\d{2,}:)?[0-5]\d:[0-5]\d\.\d{3}"
_CUE_TIMING = re.compile(rf"^(?P<start>{_TIME})[ \t]+-->[ \t]+(?P<end>{_TIME})(?:[ \t]+.*)?$")


class UploadRefused(ValueError):
    """The file cannot be used; `str()` is the reason in the teacher's language."""


@dataclass(frozen=True)
class CleanFile:
    """A file that may be stored in the module folder as it is now, with the Markdown that uses it."""

    filename: str
    content_type: str
    data: bytes
    markdown: str = ""
    width: int | None = None
    height: int | None = None
    notes: tuple[str, ...] = field(default=())  # what was changed, so the teacher knows (resized, data removed)


def safe_filename(name: str, suffix: str) -> str:
    """A file name the module folder and Markdown can hold: lower-case letters, digits and dashes + suffix.

    The name becomes part of Markdown and of a URL, so anything else (quotes, brackets, slashes, `..`) is dropped
    rather than escaped; an empty result gets a neutral name.
    """
    stem = unicodedata.normalize("NFKD", PurePath(name.replace("\\", "/")).stem)
    stem = stem.encode("ascii", "ignore").decode().lower()
    stem = re.sub(r"[^a-z0-9]+", "-", stem).strip("-")[:60].strip("-")
    return f"{stem or 'file'}.{suffix}"


def _alt_text(alt: str) -> str:
    alt = " ".join(alt.split())
    if not alt:
        raise UploadRefused(_("Describe what the picture shows (alt text): learners who cannot see it need that."))
    if len(alt) > 300:
        raise UploadRefused(_("Keep the description of the picture under 300 characters."))
    return alt


def _markdown_alt(alt: str) -> str:
    """The alt text made safe inside ![...]: brackets and backslashes would end or break the image syntax."""
    return re.sub(r"[\[\]\\]", "", alt)


def check_picture(filename: str, data: bytes, alt: str) -> CleanFile:
    """A picture for a step: SVG cleaned to the module rules, PNG/JPEG/WebP re-encoded without metadata."""
    alt = _alt_text(alt)
    if not data:
        raise UploadRefused(_("The file is empty. Choose the picture again."))
    if len(data) > MAX_PICTURE_BYTES:
        raise UploadRefused(_("The picture is larger than 10 MB. Save it smaller and upload it again."))
    if PurePath(filename).suffix.lower() == ".svg" or data.lstrip()[:5] in {b"<?xml", b"<svg ", b"<svg>", b"<!--"}:
        try:
            svg, notes = clean_svg(data, title=alt)
        except SvgRefused as exc:
            raise UploadRefused(str(exc)) from exc
        name = safe_filename(filename, "svg")
        return CleanFile(name, "image/svg+xml", svg, f"![{_markdown_alt(alt)}]({name})", notes=notes)
    return _raster(filename, data, alt)


def _raster(filename: str, data: bytes, alt: str) -> CleanFile:
    refused = _("This is not a picture we can use. Upload a PNG, JPEG, WebP or SVG file.")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind = probe.format or ""
            if kind not in RASTER_FORMATS:
                raise UploadRefused(refused)
            if probe.width * probe.height > MAX_PIXELS:
                raise UploadRefused(_("The picture has too many pixels. Make it at most 6000 by 6000 pixels."))
            if getattr(probe, "n_frames", 1) > 1:
                raise UploadRefused(_("Moving pictures are not allowed. Upload a still picture, or add a video."))
            probe.load()
            image = ImageOps.exif_transpose(probe)  # a phone photo stands upright once its EXIF turn is applied
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError, ValueError) as exc:
        if isinstance(exc, UploadRefused):
            raise
        raise UploadRefused(refused) from exc
    notes = [_("Hidden data (camera, place, date) removed.")]
    if image.width > MAX_WIDTH:
        height = max(1, round(image.height * MAX_WIDTH / image.width))
        image = image.resize((MAX_WIDTH, height), Image.Resampling.LANCZOS)
        notes.append(_("Made %(width)d pixels wide.", width=MAX_WIDTH))
    suffix, content_type = RASTER_FORMATS[kind]
    if image.mode not in {"RGB", "RGBA", "L", "LA"}:
        image = image.convert("RGBA" if "transparency" in image.info or "A" in image.mode else "RGB")
    out = io.BytesIO()
    # a new image holds only pixels: no EXIF, XMP, ICC comments or text chunks are carried over
    clean = Image.new(image.mode, image.size)
    clean.paste(image)
    if kind == "JPEG":
        clean.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
    elif kind == "WEBP":
        clean.save(out, "WEBP", quality=85)
    else:
        clean.save(out, "PNG", optimize=True)
    name = safe_filename(filename, suffix)
    return CleanFile(
        name, content_type, out.getvalue(), f"![{_markdown_alt(alt)}]({name})", clean.width, clean.height, tuple(notes)
    )


def _seconds(stamp: str) -> float:
    parts = [float(p) for p in stamp.split(":")]
    return sum(value * 60**power for power, value in enumerate(reversed(parts)))


def check_captions(filename: str, data: bytes) -> CleanFile:
    """A WebVTT caption file: text, a WEBVTT header, and cues whose times are valid and run forwards."""
    if len(data) > MAX_CAPTION_BYTES:
        raise UploadRefused(_("The caption file is larger than 512 kB. Is it really a caption file?"))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UploadRefused(_("The caption file is not plain text (UTF-8). Save it as WebVTT (.vtt).")) from exc
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if not lines or not re.match(r"^WEBVTT(?:[ \t].*)?$", lines[0]):
        raise UploadRefused(_("A caption file must start with the line WEBVTT. Save it as WebVTT (.vtt)."))
    cues = 0
    for number, line in enumerate(lines, start=1):
        if "-->" not in line:
            continue
        timing = _CUE_TIMING.match(line.strip())
        if timing is None:
            raise UploadRefused(_("Line %(line)d: write the time as 00:00:01.000 --> 00:00:04.000.", line=number))
        if _seconds(timing["end"]) <= _seconds(timing["start"]):
            raise UploadRefused(_("Line %(line)d: the end time must come after the start time.", line=number))
        cues += 1
    if cues == 0:
        raise UploadRefused(_("The caption file has no captions: add lines with times such as 00:00:01.000 --> …"))
    clean = "\n".join(lines).encode()
    return CleanFile(
        safe_filename(filename, "vtt"),
        "text/vtt",
        clean,
        notes=(ngettext("%(num)d caption.", "%(num)d captions.", cues),),
    )


def _video_kind(data: bytes) -> str | None:
    """The container by its first bytes (the name can lie): WebM/Matroska's EBML mark, or MP4's 'ftyp' box."""
    if data[:4] == b"\x1a\x45\xdf\xa3":
        return "webm"
    if data[4:8] == b"ftyp":
        return "mp4"
    return None


def check_video(filename: str, data: bytes, captions: dict[str, tuple[str, bytes]]) -> list[CleanFile]:
    """A video and its captions in both languages (a deaf learner must be able to follow it): all or nothing."""
    if not data:
        raise UploadRefused(_("The video file is empty. Choose it again."))
    if len(data) > MAX_VIDEO_BYTES:
        raise UploadRefused(_("The video is larger than 15 MB. Make it shorter or smaller (360p is enough)."))
    kind = _video_kind(data)
    if kind is None:
        raise UploadRefused(_("This is not a WebM or MP4 video. Save the film as .webm or .mp4."))
    missing = [language for language in CAPTION_LANGUAGES if not captions.get(language, ("", b""))[1]]
    if missing:
        raise UploadRefused(_("Add captions for the video in Dutch and in English (WebVTT files)."))
    files = [CleanFile(safe_filename(filename, kind), VIDEO_TYPES[kind], data)]
    for language in CAPTION_LANGUAGES:
        name, caption = captions[language]
        try:
            clean = check_captions(name, caption)
        except UploadRefused as exc:
            raise UploadRefused(f"{language}: {exc}") from exc
        stem = safe_filename(filename, "").removesuffix(".")
        files.append(CleanFile(f"{stem}.{language}.vtt", clean.content_type, clean.data, notes=clean.notes))
    return files


def no_captions_chosen() -> str:
    """What a teacher reads when new captions for a film come without either file (the form and this check)."""
    return _("Choose the Dutch or the English captions file (.vtt), or both, then upload them.")


def check_film_captions(captions: dict[str, tuple[str, bytes]]) -> list[CleanFile]:
    """New captions for a film already in the module, Dutch and/or English, without sending the film again.

    Each file is checked as any caption file is and named `<its name>.<language>.vtt` (`wegen.nl.vtt` stays
    `wegen.nl.vtt`, `ondertitels.vtt` for Dutch becomes `ondertitels.nl.vtt`), so the storing side's `-2` name
    keeps the language before `.vtt`, as a film's own captions do. Both are checked before either is returned.
    """
    chosen = [language for language in CAPTION_LANGUAGES if captions.get(language, ("", b""))[1]]
    if not chosen:
        raise UploadRefused(no_captions_chosen())
    files = []
    for language in chosen:
        name, data = captions[language]
        try:
            clean = check_captions(name, data)
        except UploadRefused as exc:
            raise UploadRefused(f"{language}: {exc}") from exc
        stem = PurePath(name.replace("\\", "/")).name
        for ending in (".vtt", f".{language}"):
            stem = stem[: -len(ending)] if stem.lower().endswith(ending) else stem
        base = safe_filename(f"{stem}.vtt", "vtt").removesuffix(".vtt")
        files.append(CleanFile(f"{base}.{language}.vtt", clean.content_type, clean.data, notes=clean.notes))
    return files


def check_poster(filename: str, data: bytes, title: str) -> CleanFile:
    """The picture a film shows before it plays: cleaned exactly as a step's picture (`check_picture`).

    A poster has no alt text of its own (the film's title and transcript describe it); the title goes into an
    SVG's <title> instead, and no Markdown is made: the video block's `poster` field names the file.
    """
    clean = check_picture(filename, data, title.strip()[:300] or _("Picture shown before the film plays"))
    return dataclasses.replace(clean, markdown="")


UPLOAD_KINDS = ("picture", "captions", "video", "film-captions", "poster")


def check_upload(
    kind: str, filename: str, data: bytes, *, alt: str = "", captions: dict[str, tuple[str, bytes]] | None = None
) -> list[CleanFile]:
    """One upload of the editor's forms as the files to store: a picture, a caption file, a video + captions,
    new captions for a film (`film-captions`: no `file`, only `captions`) or a film's poster (`alt`: its title).

    Both the check-only endpoint and the draft's upload use this, so a file is cleaned the same way wherever it
    is sent. `kind` must be one of UPLOAD_KINDS (the views answer 400 for another before calling this).
    """
    if kind == "picture":
        return [check_picture(filename, data, alt)]
    if kind == "captions":
        return [check_captions(filename, data)]
    if kind == "video":
        return check_video(filename, data, captions or {})
    if kind == "film-captions":
        return check_film_captions(captions or {})
    if kind == "poster":
        return [check_poster(filename, data, alt)]
    raise ValueError(f"unknown upload kind {kind!r}")
