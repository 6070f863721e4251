"""Make the modules' demonstration videos from drawn SVG frames: WebM (VP9) and MP4 (H.264), captions, poster.

The project makes its own videos so that they carry no licence questions and can be changed like any other text:
each video is a list of scenes; a scene draws one frame for a moment t (0..1) of its duration and carries its
caption in Dutch and English. The pictures hold no words (only numbers and units), so one video serves every
language; what is said goes into the WebVTT captions, written from the same scene list so they stay in time.

    python scripts/make_videos.py            # (re)makes every video into modules_content/
    python scripts/make_videos.py wegen      # one video

Needs ffmpeg from Debian (`apt-get install ffmpeg`; its librsvg decoder reads the SVG frames).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FPS = 12
WIDTH, HEIGHT = 640, 360
INK, PAPER, SOFT, ACCENT, GOOD = "#1f3a5f", "#f7f9fb", "#dfe6ee", "#2b6cb0", "#1e7b34"


@dataclass(frozen=True)
class Scene:
    seconds: float
    draw: Callable[[float], str]
    nl: str
    en: str


@dataclass(frozen=True)
class Video:
    name: str
    module: str
    title_nl: str
    title_en: str
    scenes: tuple[Scene, ...]


def ease(t: float) -> float:
    """Ease in and out, so movements start and stop gently."""
    t = min(max(t, 0.0), 1.0)
    return t * t * (3 - 2 * t)


def between(t: float, start: float, end: float) -> float:
    """Where t is between start and end, as 0..1."""
    return ease((t - start) / (end - start)) if end > start else float(t >= end)


def check(x: float, y: float, shown: float, size: float = 1.0) -> str:
    """A green tick in a circle that grows in when shown goes 0 → 1 (a symbol, so never colour alone)."""
    if shown <= 0:
        return ""
    s = size * shown
    return (
        f'<g transform="translate({x} {y}) scale({s:.3f})"><circle r="34" fill="{GOOD}"/>'
        '<path d="M-16 0 L-4 13 L18 -13" stroke="#fff" stroke-width="9" fill="none" stroke-linecap="round" '
        'stroke-linejoin="round"/></g>'
    )


def cross(x: float, y: float, size: float = 1.0) -> str:
    """A red cross in a circle: 'do not'."""
    return (
        f'<g transform="translate({x} {y}) scale({size})"><circle r="30" fill="#b42318"/>'
        '<path d="M-13 -13 L13 13 M13 -13 L-13 13" stroke="#fff" stroke-width="8" stroke-linecap="round"/></g>'
    )


def clock(x: float, y: float, minutes: int, filled: float) -> str:
    """A timer: the arc fills as the minutes pass; the number says how many."""
    import math

    angle = 2 * math.pi * min(max(filled, 0.0), 0.999)
    ex, ey = x + 48 * math.sin(angle), y - 48 * math.cos(angle)
    large = 1 if angle > math.pi else 0
    arc = f'<path d="M{x} {y} L{x} {y - 48} A48 48 0 {large} 1 {ex:.1f} {ey:.1f} Z" fill="{ACCENT}" opacity="0.35"/>'
    return (
        f'<circle cx="{x}" cy="{y}" r="56" fill="#fff" stroke="{INK}" stroke-width="6"/>{arc}'
        f'<text x="{x}" y="{y + 14}" font-family="sans-serif" font-size="40" font-weight="bold" fill="{INK}" '
        f'text-anchor="middle">{minutes}</text>'
    )


def phone(x: float, y: float, screen: str) -> str:
    return (
        f'<g transform="translate({x} {y})"><rect x="-60" y="-110" width="120" height="220" rx="16" fill="{INK}"/>'
        f'<rect x="-50" y="-92" width="100" height="172" rx="6" fill="#fff"/>{screen}'
        '<circle cx="0" cy="96" r="7" fill="#fff"/></g>'
    )


def frame(step: int, steps: int, body: str) -> str:
    """The frame around every scene: background, the step number and the progress dots."""
    dots = "".join(
        f'<circle cx="{WIDTH / 2 + (i - (steps - 1) / 2) * 26}" cy="{HEIGHT - 18}" r="7" '
        f'fill="{INK if i < step else "#fff"}" stroke="{INK}" stroke-width="2"/>'
        for i in range(steps)
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}">'
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="{PAPER}"/>{body}'
        f'<circle cx="42" cy="42" r="28" fill="{INK}"/><text x="42" y="54" font-family="sans-serif" font-size="32" '
        f'font-weight="bold" fill="#fff" text-anchor="middle">{step}</text>{dots}</svg>'
    )


# --- Daily weighing (elke-dag-wegen-hartfalen) ------------------------------------------------------------------


def toilet(t: float) -> str:
    return (
        '<rect x="200" y="80" width="70" height="110" rx="10" fill="#fff" stroke="#1f3a5f" stroke-width="6"/>'
        '<path d="M180 190 H380 Q380 250 320 262 L320 300 H240 L240 262 Q180 250 180 190 Z" fill="#fff" '
        'stroke="#1f3a5f" stroke-width="6"/>'
        '<path d="M430 120 Q460 170 430 190 Q400 170 430 120 Z" fill="#2b6cb0"/>'
        + check(480, 240, between(t, 0.5, 0.8))
    )


def scale_body(display: str) -> str:
    return (
        f'<rect x="0" y="300" width="{WIDTH}" height="60" fill="{SOFT}"/>'
        '<path d="M0 300 H640 M80 300 V360 M200 300 V360 M320 300 V360 M440 300 V360 M560 300 V360" '
        'stroke="#9aa4ae" stroke-width="3"/>'
        '<rect x="190" y="230" width="260" height="80" rx="22" fill="#eef3f8" stroke="#1f3a5f" stroke-width="6"/>'
        f'<rect x="270" y="244" width="100" height="40" rx="6" fill="{INK}"/>'
        f'<text x="320" y="274" font-family="sans-serif" font-size="26" font-weight="bold" fill="#fff" '
        f'text-anchor="middle">{display}</text>'
    )


def feet(drop: float) -> str:
    y = -120 + 120 * drop
    return (
        f'<g transform="translate(0 {y:.1f})">'
        '<path d="M255 120 V205 Q255 240 290 240 H300 V120 Z" fill="#8a5a44"/>'
        '<path d="M340 120 V240 H350 Q385 240 385 205 V120 Z" fill="#8a5a44"/>'
        '<rect x="245" y="40" width="65" height="90" fill="#2b6cb0"/><rect x="330" y="40" width="65" height="90" '
        'fill="#2b6cb0"/></g>'
    )


def step_on(t: float) -> str:
    return scale_body("kg") + feet(between(t, 0.15, 0.7))


def read_weight(t: float) -> str:
    shown = round(81 * between(t, 0.0, 0.6))
    steady = between(t, 0.7, 0.9)
    return (
        scale_body(f"{shown} kg")
        + feet(1.0)
        + (
            f'<g opacity="{steady:.2f}"><rect x="470" y="120" width="130" height="60" rx="10" fill="#fff" '
            f'stroke="{INK}" stroke-width="4"/><text x="535" y="162" font-family="sans-serif" font-size="32" '
            f'font-weight="bold" fill="{INK}" text-anchor="middle">81 kg</text></g>'
        )
    )


def send_weight(t: float) -> str:
    moved = between(t, 0.1, 0.6)
    screen = (
        '<text x="0" y="-20" font-family="sans-serif" font-size="28" font-weight="bold" fill="#1f3a5f" '
        'text-anchor="middle">81 kg</text>' + check(0, 40, between(t, 0.6, 0.85), 0.7)
    )
    x = 230 + 170 * moved
    return (
        f'<rect x="90" y="150" width="150" height="110" rx="18" fill="#eef3f8" stroke="{INK}" stroke-width="5"/>'
        f'<rect x="125" y="165" width="80" height="34" rx="5" fill="{INK}"/>'
        '<text x="165" y="190" font-family="sans-serif" font-size="20" font-weight="bold" fill="#fff" '
        'text-anchor="middle">81 kg</text>'
        f'<path d="M250 205 H{x:.0f}" stroke="{ACCENT}" stroke-width="8" stroke-linecap="round"/>'
        f'<path d="M{x - 14:.0f} 190 L{x + 4:.0f} 205 L{x - 14:.0f} 220" stroke="{ACCENT}" stroke-width="8" '
        'fill="none" stroke-linecap="round" stroke-linejoin="round"/>' + phone(480, 180, screen)
    )


def breakfast(t: float) -> str:
    return (
        '<circle cx="150" cy="110" r="40" fill="#f2b705"/>'
        '<path d="M150 50 V30 M150 190 V170 M90 110 H70 M230 110 H210 M108 68 L94 54 M192 68 L206 54" '
        'stroke="#b7791f" stroke-width="6" stroke-linecap="round"/>'
        '<ellipse cx="330" cy="250" rx="130" ry="34" fill="#fff" stroke="#1f3a5f" stroke-width="6"/>'
        '<rect x="270" y="205" width="110" height="45" rx="12" fill="#d9a066" stroke="#8a5a44" stroke-width="4"/>'
        '<rect x="460" y="180" width="60" height="70" rx="8" fill="#fff" stroke="#1f3a5f" stroke-width="6"/>'
        '<path d="M520 195 Q545 205 520 230" stroke="#1f3a5f" stroke-width="6" fill="none"/>'
        + check(560, 110, between(t, 0.4, 0.7))
    )


WEIGHING = Video(
    name="wegen",
    module="elke-dag-wegen-hartfalen",
    title_nl="Zo weeg je jezelf elke ochtend",
    title_en="How to weigh yourself every morning",
    scenes=(
        Scene(4, toilet, "Ga eerst naar de wc om te plassen.", "First go to the toilet to pass urine."),
        Scene(
            4.5,
            step_on,
            "Zet de weegschaal op een harde vloer. Ga erop staan, in dezelfde kleding als altijd.",
            "Put the scales on a hard floor. Stand on them, in the same clothes as always.",
        ),
        Scene(
            4.5,
            read_weight,
            "Blijf stil staan tot het getal niet meer verandert. Onthoud je gewicht.",
            "Stand still until the number stops changing. Remember your weight.",
        ),
        Scene(
            4.5,
            send_weight,
            "Stuur je gewicht door in de app of schrijf het op.",
            "Send your weight in the app or write it down.",
        ),
        Scene(4, breakfast, "Pas daarna eet en drink je je ontbijt.", "Only then have your breakfast."),
    ),
)


# --- Blood pressure at home (bloeddruk-thuis-meten) -------------------------------------------------------------


def sitting_person(arm_on_table: bool = True, cuff: float = 1.0) -> str:
    """Side view: back against the chair, feet flat, legs not crossed, lower arm resting on the table."""
    cuff_part = (
        f'<rect x="222" y="150" width="46" height="44" rx="8" fill="{ACCENT}" opacity="{cuff:.2f}" '
        f'stroke="{INK}" stroke-width="4"/><path d="M245 194 Q300 260 420 222" stroke="{INK}" stroke-width="4" '
        f'fill="none" opacity="{cuff:.2f}"/>'
        if cuff > 0
        else ""
    )
    return (
        # chair
        '<rect x="120" y="90" width="22" height="170" rx="6" fill="#8a5a44"/>'
        '<rect x="120" y="240" width="150" height="20" rx="6" fill="#8a5a44"/>'
        '<path d="M135 260 V318 M255 260 V318" stroke="#8a5a44" stroke-width="12"/>'
        # table
        '<rect x="330" y="205" width="240" height="16" rx="4" fill="#b7791f"/>'
        '<path d="M360 221 V318 M540 221 V318" stroke="#b7791f" stroke-width="12"/>'
        # monitor on the table
        f'<rect x="440" y="160" width="90" height="46" rx="8" fill="#fff" stroke="{INK}" stroke-width="4"/>'
        # body
        '<circle cx="200" cy="70" r="32" fill="#c68642"/>'
        '<rect x="150" y="105" width="70" height="140" rx="26" fill="#4a7c59"/>'
        # upper leg and lower leg, feet flat on the floor
        '<path d="M185 235 H290 V310 H320" stroke="#2d3748" stroke-width="30" fill="none" stroke-linecap="round" '
        'stroke-linejoin="round"/>'
        # upper arm down, lower arm on the table
        '<path d="M200 130 L245 200 L360 200" stroke="#c68642" stroke-width="22" fill="none" stroke-linecap="round" '
        'stroke-linejoin="round"/>'
        f"{cuff_part}"
        f'<rect x="0" y="318" width="{WIDTH}" height="42" fill="{SOFT}"/>'
    )


def rest(t: float) -> str:
    return sitting_person(cuff=0.0) + clock(540, 90, 5, between(t, 0.05, 0.9))


def cuff_on(t: float) -> str:
    shown = between(t, 0.1, 0.5)
    heart = between(t, 0.5, 0.8)
    return (
        sitting_person(cuff=shown)
        + f'<g opacity="{heart:.2f}"><path d="M196 172 C180 152 156 170 176 190 L196 208 L216 190 C236 170 212 152 '
        f'196 172 Z" fill="#b42318"/><path d="M230 182 H560" stroke="{INK}" stroke-width="3" '
        'stroke-dasharray="10 8"/></g>'
    )


def measure(t: float) -> str:
    pressure = between(t, 0.1, 0.8)
    display = (
        '<text x="485" y="192" font-family="sans-serif" font-size="22" font-weight="bold" fill="#1f3a5f" '
        f'text-anchor="middle">{"- - -" if pressure < 1 else "128/82"}</text>'
    )
    bubble = (
        '<path d="M250 30 H350 Q366 30 366 46 V86 Q366 102 350 102 H290 L262 122 L270 102 H250 Q234 102 234 86 V46 '
        'Q234 30 250 30 Z" fill="#fff" stroke="#1f3a5f" stroke-width="4"/>'
        '<path d="M260 58 H340 M260 78 H320" stroke="#1f3a5f" stroke-width="6" stroke-linecap="round"/>'
    )
    return sitting_person() + display + bubble + cross(372, 40, 0.8)


def again(t: float) -> str:
    return (
        sitting_person()
        + clock(540, 90, 1, between(t, 0.05, 0.7))
        + '<text x="485" y="192" font-family="sans-serif" font-size="22" font-weight="bold" fill="#1f3a5f" '
        'text-anchor="middle">2×</text>'  # noqa: RUF001 — the times sign, as on a label
    )


def send_pressure(t: float) -> str:
    screen = (
        '<text x="0" y="-40" font-family="sans-serif" font-size="22" font-weight="bold" fill="#1f3a5f" '
        'text-anchor="middle">128/82</text><text x="0" y="-8" font-family="sans-serif" font-size="22" '
        'font-weight="bold" fill="#1f3a5f" text-anchor="middle">126/80</text>' + check(0, 45, between(t, 0.4, 0.7), 0.6)
    )
    return phone(320, 170, screen)


BLOOD_PRESSURE = Video(
    name="bloeddruk",
    module="bloeddruk-thuis-meten",
    title_nl="Zo meet je je bloeddruk thuis",
    title_en="How to measure your blood pressure at home",
    scenes=(
        Scene(
            5,
            rest,
            "Ga zitten met je rug tegen de stoel en je voeten plat op de grond. Rust eerst 5 minuten.",
            "Sit with your back against the chair and your feet flat on the floor. First rest for 5 minutes.",
        ),
        Scene(
            5,
            cuff_on,
            "Doe de band om je bovenarm. Je arm ligt op tafel, de band op de hoogte van je hart.",
            "Put the cuff around your upper arm. Your arm rests on the table, the cuff at the height of your heart.",
        ),
        Scene(
            5,
            measure,
            "Druk op start. Praat niet en beweeg niet tijdens het meten.",
            "Press start. Do not talk or move while it measures.",
        ),
        Scene(
            4.5,
            again,
            "Wacht 1 minuut en meet nog een keer. Zo meet je 2 keer.",
            "Wait 1 minute and measure once more. That makes 2 readings.",
        ),
        Scene(
            4,
            send_pressure,
            "Stuur allebei de metingen door in de app.",
            "Send both readings in the app.",
        ),
    ),
)

VIDEOS = {video.name: video for video in (WEIGHING, BLOOD_PRESSURE)}


def timestamp(seconds: float) -> str:
    minutes, rest_ = divmod(seconds, 60)
    return f"00:{int(minutes):02d}:{rest_:06.3f}"


def captions(video: Video, language: str) -> str:
    """WebVTT captions in one language, timed by the scenes."""
    cues, start = ["WEBVTT", ""], 0.0
    for number, scene in enumerate(video.scenes, 1):
        end = start + scene.seconds
        cues += [str(number), f"{timestamp(start)} --> {timestamp(end)}", getattr(scene, language), ""]
        start = end
    return "\n".join(cues)


def render(video: Video, ffmpeg: str) -> None:
    """Draw every frame, encode WebM and MP4, and write the captions and a poster into the module folder."""
    folder = ROOT / "modules_content" / video.module
    if not folder.is_dir():
        raise SystemExit(f"module folder {folder} not found")
    with tempfile.TemporaryDirectory() as scratch:
        index = 0
        for number, scene in enumerate(video.scenes, 1):
            count = round(scene.seconds * FPS)
            for i in range(count):
                svg = frame(number, len(video.scenes), scene.draw(i / max(count - 1, 1)))
                (Path(scratch) / f"frame-{index:05d}.svg").write_text(svg, encoding="utf-8")
                index += 1
        frames = ["-framerate", str(FPS), "-i", str(Path(scratch) / "frame-%05d.svg")]
        common = [ffmpeg, "-y", "-loglevel", "error", *frames, "-pix_fmt", "yuv420p", "-an"]
        webm = [*common, "-c:v", "libvpx-vp9", "-b:v", "0", "-crf", "42", "-row-mt", "1"]
        subprocess.run([*webm, str(folder / f"{video.name}.webm")], check=True)  # noqa: S603 — our own arguments
        mp4 = [*common, "-c:v", "libx264", "-crf", "30", "-preset", "slow", "-movflags", "+faststart"]
        subprocess.run([*mp4, str(folder / f"{video.name}.mp4")], check=True)  # noqa: S603
    poster = frame(2, len(video.scenes), video.scenes[1].draw(1.0)).replace(
        "<svg ", '<svg role="img" aria-labelledby="t" ', 1
    )
    poster = poster.replace(">", f'><title id="t">{video.title_nl} / {video.title_en}</title>', 1)
    (folder / f"{video.name}-poster.svg").write_text(poster + "\n", encoding="utf-8")
    for language in ("nl", "en"):
        (folder / f"{video.name}.{language}.vtt").write_text(captions(video, language), encoding="utf-8")
    sizes = ", ".join(f"{p.name} {p.stat().st_size // 1024} KB" for p in sorted(folder.glob(f"{video.name}.*")))
    print(f"{video.module}: {sizes}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="*", choices=[[], *VIDEOS], help="videos to make (default: all)")
    args = parser.parse_args()
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        sys.exit("ffmpeg is not installed: apt-get install ffmpeg")
    for name in args.names or VIDEOS:
        render(VIDEOS[name], ffmpeg)


if __name__ == "__main__":
    main()
