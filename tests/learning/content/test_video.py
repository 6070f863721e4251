"""The video block: what `flask content check` refuses, and the HTML a learner gets (captions, transcript, no
autoplay)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app import ROOT
from learning.content.hyphenation import strip_soft_hyphens
from learning.content.video import parse_video, render_video

FOLDER = ROOT / "modules_content" / "elke-dag-wegen-hartfalen"
GOOD = {
    "id": "weigh-demo",
    "title": "Zo weeg je jezelf",
    "sources": ["wegen.webm", "wegen.mp4"],
    "captions": {"nl": "wegen.nl.vtt", "en": "wegen.en.vtt"},
    "poster": "wegen-poster.svg",
    "transcript": "Ga eerst plassen.\n\nGa dan op de weegschaal staan.",
}


def parse(data: dict, folder: Path | None = FOLDER):
    problems: list[tuple[int, str]] = []
    video = parse_video(data, 7, folder, lambda line, message: problems.append((line, message)))
    return video, problems


def test_a_complete_block_is_read_with_every_file():
    video, problems = parse(GOOD)
    assert problems == []
    assert video is not None
    assert video.sources == ("wegen.webm", "wegen.mp4")
    assert video.captions == {"nl": "wegen.nl.vtt", "en": "wegen.en.vtt"}


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"captions": {"nl": "wegen.nl.vtt"}}, "captions' with a WebVTT file for nl and for en"),
        ({"captions": {"nl": "wegen.nl.vtt", "en": "missing.en.vtt"}}, "'missing.en.vtt' does not exist"),
        ({"captions": {"nl": "wegen.nl.vtt", "en": "wegen-poster.svg"}}, "are not WebVTT"),
        ({"transcript": " "}, "needs a 'transcript'"),
        ({"title": None}, "needs a 'title'"),
        ({"sources": []}, "needs 'sources'"),
        ({"sources": ["wegen-poster.svg"]}, "must be .webm or .mp4"),
        ({"sources": ["https://example.org/a.mp4"]}, "must be a file in the module folder"),
    ],
)
def test_a_video_a_learner_could_not_follow_is_refused(change, expected):
    video, problems = parse(GOOD | change)
    assert video is None
    assert any(expected in message for _line, message in problems), problems
    assert all(line == 7 for line, _message in problems)


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_player_html_never_autoplays_and_has_captions_in_the_page_language(language):
    video, _ = parse(GOOD)
    assert video is not None
    html = str(render_video(video, "/modules/m/media/", language))
    assert "autoplay" not in html
    assert "controls" in html
    tracks = re.findall(r"<track [^>]*>", html)
    assert len(tracks) == 2
    default = [t for t in tracks if " default" in t]
    assert len(default) == 1
    assert f'srclang="{language}"' in default[0]
    assert 'href="#transcript-weigh-demo"' in html
    assert 'id="transcript-weigh-demo"' in html
    assert "<p>Ga eerst plassen.</p><p>Ga dan op de weegschaal staan.</p>" in html


def test_author_text_in_the_player_html_is_escaped():
    video, _ = parse(GOOD | {"title": "<script>alert(1)</script>", "transcript": "<img src=x onerror=alert(1)>"})
    assert video is not None
    html = str(render_video(video, "/m/", "nl"))
    assert "<script>" not in html
    assert "<img" not in html


def test_committed_captions_match_the_scenes_that_made_the_videos():
    """Captions are written from the same scene list as the frames: a changed scene must be re-rendered."""
    import importlib.util
    import sys

    spec = importlib.util.spec_from_file_location("make_videos", ROOT / "scripts" / "make_videos.py")
    assert spec is not None
    assert spec.loader is not None
    make_videos = importlib.util.module_from_spec(spec)
    sys.modules["make_videos"] = make_videos  # dataclasses look their module up there
    spec.loader.exec_module(make_videos)
    checked = 0
    for video in make_videos.VIDEOS.values():
        folder = ROOT / "modules_content" / video.module
        for language in ("nl", "en"):
            committed = folder / f"{video.name}.{language}.vtt"
            if folder.is_dir():
                assert committed.read_text(encoding="utf-8") == make_videos.captions(video, language)
                checked += 1
    assert checked >= 2


def test_the_loader_puts_the_video_where_the_author_wrote_it():
    from learning.content.loader import load_module_folder

    for language, before in (("nl", "Pas daarna eet en drink je."), ("en", "Only then eat and drink.")):
        step = load_module_folder(FOLDER)[language].steps[1]
        html = strip_soft_hyphens(step.html)  # long words carry soft hyphens for line breaks
        assert html.index(before) < html.index("<video") < html.index("callout-tip")
        assert f'srclang="{language}" label=' in html
        assert "/modules/elke-dag-wegen-hartfalen/media/wegen.webm" in html


def test_a_broken_video_block_is_reported_with_its_line(tmp_path):
    import shutil

    from learning.content.loader import ContentError, load_module_folder

    folder = tmp_path / "elke-dag-wegen-hartfalen"
    shutil.copytree(FOLDER, folder)
    (folder / "wegen.en.vtt").unlink()
    with pytest.raises(ContentError) as refused:
        load_module_folder(folder)
    source = (folder / "nl.md").read_text(encoding="utf-8").splitlines()
    block_line = source.index("```video") + 1
    problems = [p for p in refused.value.problems if p.path.endswith("nl.md")]
    assert [(p.line, "'wegen.en.vtt' does not exist" in p.message) for p in problems] == [(block_line, True)]


def test_a_learner_gets_the_video_and_its_files(client, login, make_user, content):
    from helpers import csrf_token

    from learning.accounts.models import Role

    login(make_user(Role.PATIENT))
    module = "/modules/elke-dag-wegen-hartfalen"
    client.post(f"{module}/start", data={"csrf_token": csrf_token(client, f"{module}/")})
    page = client.get(f"{module}/step/2").get_data(as_text=True)
    assert "<video controls" in page
    for name, mimetype in (("wegen.webm", "video/webm"), ("wegen.mp4", "video/mp4"), ("wegen.nl.vtt", "text/vtt")):
        assert f"{module}/media/{name}" in page
        with client.get(f"{module}/media/{name}") as response:
            assert response.status_code == 200
            assert response.mimetype == mimetype
            assert len(response.get_data()) > 100
