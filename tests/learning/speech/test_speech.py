"""Server read-aloud audio: the spoken text follows the page, `content load` renders real espeak-ng audio into the
cache, and the route serves it with caching headers only to learners who may open the module."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from app import ROOT
from learning.accounts.models import Role
from learning.content.document import Quiz
from learning.content.loader import load_module_folder
from learning.speech.services import audio_path, spoken_text

SLUG = "elke-dag-wegen-hartfalen"
DOC = load_module_folder(ROOT / "modules_content" / SLUG)["nl"]


@pytest.fixture
def app_config(app_config, tmp_path):
    return {**app_config, "SPEECH_DIR": str(tmp_path / "speech"), "SPEECH_ON_LOAD": True}


def seconds(path: Path) -> float:
    """The audio's length as ffprobe reads it: proves a real, decodable file, not just bytes."""
    ffprobe = shutil.which("ffprobe")
    assert ffprobe, "ffprobe (ffmpeg) is missing: run scripts/system-packages.sh"
    out = subprocess.run(
        [ffprobe, "-v", "error", "-show_entries", "format=duration", "-of", "json", str(path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return float(json.loads(out)["format"]["duration"])


def alts(html: str) -> list[str]:
    return re.findall(r'<img [^>]*alt="([^"]+)"', html)


def test_spoken_text_has_title_text_alt_texts_questions_and_every_option_in_page_order():
    with_picture = next(step for step in DOC.steps if alts(step.html))
    said = spoken_text(with_picture)
    assert said.startswith(with_picture.title)
    for alt in alts(with_picture.html):
        assert alt.replace("&quot;", '"') in said
    quiz_step = next(step for step in DOC.steps if any(isinstance(i, Quiz) for i in step.items))
    said = spoken_text(quiz_step)
    positions = []
    for item in quiz_step.items:
        positions.append(said.index(item.question))
        for choice in item.choices:
            positions.append(said.index(choice.text, positions[-1]))
    assert positions == sorted(positions)
    assert "<" not in said


def test_content_load_renders_every_step_and_the_route_serves_it(app, runner, client, login, make_user, tmp_path):
    one_module = tmp_path / "content"  # one module is enough to prove it; the catalogue would take minutes
    shutil.copytree(ROOT / "modules_content" / SLUG, one_module / SLUG)
    reviewer = make_user(Role.REVIEWER)  # learners hear only an approved version
    result = runner.invoke(args=["content", "load", str(one_module), "--approve-as", reviewer.email])
    assert result.exit_code == 0, result.output
    assert re.search(r"Read-aloud audio: [1-9]\d* step\(s\) rendered", result.output)
    cache = Path(app.config["SPEECH_DIR"])
    for language in ("nl", "en"):
        doc = load_module_folder(ROOT / "modules_content" / SLUG)[language]
        for step in doc.steps:
            assert audio_path(cache, SLUG, doc.version, language, step.number).is_file()
    first = audio_path(cache, SLUG, DOC.version, "nl", 1)
    assert seconds(first) > 5, "a step of several sentences lasts more than five seconds"
    again = runner.invoke(args=["speech", "render"])
    assert "0 step(s) rendered" in again.output  # a version's text never changes: nothing rendered twice

    login(make_user(Role.PATIENT))
    response = client.get(f"/speech/{SLUG}/{DOC.version}/nl/1.ogg")
    assert response.status_code == 200
    assert response.mimetype == "audio/ogg"
    assert response.data == first.read_bytes()
    assert len(response.data) > 10_000
    assert "private" in response.headers["Cache-Control"]
    assert "max-age=86400" in response.headers["Cache-Control"]
    assert response.headers.get("ETag")
    response.close()  # send_file streams from the open file
    assert client.get(f"/speech/{SLUG}/{DOC.version}/nl/99.ogg").status_code == 404
    assert client.get(f"/speech/{SLUG}/0.0.0/nl/1.ogg").status_code == 404


def test_audio_is_refused_to_guests_and_to_learners_who_may_not_open_the_module(client, login, make_user, content):
    assert client.get(f"/speech/{SLUG}/{DOC.version}/nl/1.ogg").status_code in (302, 401)
    hidden = next(
        folder.name
        for folder in sorted((ROOT / "modules_content").iterdir())
        if (folder / "nl.md").is_file() and "patient" not in load_module_folder(folder)["nl"].audiences
    )
    version = load_module_folder(ROOT / "modules_content" / hidden)["nl"].version
    login(make_user(Role.PATIENT))
    assert client.get(f"/speech/{hidden}/{version}/nl/1.ogg").status_code == 404
