"""The editor's endpoints over HTTP: the preview fragment is the learner's view and stores nothing; the upload check
answers with the cleaned file or a JSON reason; bad input is a 4xx with a reason."""

from __future__ import annotations

import base64
import io
import re

from helpers import csrf_token
from sqlalchemy import func, select

from app import ROOT
from learning.accounts.models import Role
from learning.db import db
from learning.player.models import Attempt
from lrs.store.tables import statement

SLUG = "bloeddruk-thuis-meten"  # has pictures, a video and every kind of question the bundled modules use


def source(language: str = "nl") -> str:
    return (ROOT / "modules_content" / SLUG / f"{language}.md").read_text(encoding="utf-8")


def post_preview(client, **fields):
    token = csrf_token(client, "/editor/try")
    return client.post("/editor/preview", data={"csrf_token": token, "slug": SLUG, "language": "nl", **fields})


def count_rows(app) -> tuple[int, int]:
    with app.app_context():
        lrs = app.extensions["lrs"].engine
        with lrs.connect() as connection:
            stored = connection.execute(select(func.count()).select_from(statement)).scalar_one()
        return db.session.scalar(select(func.count()).select_from(Attempt)) or 0, stored


def test_the_preview_shows_every_step_and_question_and_stores_nothing(app, make_user, login):
    client = login(make_user(Role.AUTHOR))
    before = count_rows(app)
    response = post_preview(client, source=source(), other_en=source("en"), width="desktop")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Geen problemen gevonden." in html
    assert 'class="preview-frame preview-desktop"' in html
    assert html.count("data-preview-step=") >= 5
    assert 'class="item item-choice"' in html
    assert "<video" in html
    assert "/modules/bloeddruk-thuis-meten/media/" in html
    assert "player/" not in html
    assert "/item/" not in html
    assert count_rows(app) == before


def test_problems_are_listed_with_buttons_that_go_to_their_line(app, make_user, login):
    client = login(make_user(Role.REVIEWER))
    broken = source().replace("## ", "## Nieuw\n\n![](geen.svg)\n\n## ", 1)
    html = post_preview(client, source=broken).get_data(as_text=True)
    line = next(n for n, text in enumerate(broken.splitlines(), start=1) if text == "![](geen.svg)")
    assert f'data-editor-line="{line}"' in html
    assert "geen.svg" in html


def test_author_markup_is_text_in_the_preview(app, make_user, login):
    client = login(make_user(Role.ADMIN))
    evil = source().replace("## ", '## <script>alert(1)</script>\n\n<img src=x onerror="alert(2)">\n\n## ', 1)
    html = post_preview(client, source=evil).get_data(as_text=True)
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;" in html


def test_bad_preview_input_is_a_400_with_a_reason(app, make_user, login):
    client = login(make_user(Role.AUTHOR))
    response = post_preview(client, source="x", language="fr")
    assert response.status_code == 400
    assert "language" in response.get_json()["error"]
    response = post_preview(client, source="x" * 200_001)
    assert response.status_code == 400
    assert "at most" in response.get_json()["error"]


def test_learners_and_managers_may_not_use_the_editor(app, make_user, login):
    client = login(make_user(Role.PATIENT))
    assert client.get("/editor/try").status_code == 403


def test_the_upload_check_returns_the_cleaned_picture(app, make_user, login):
    client = login(make_user(Role.AUTHOR))
    token = csrf_token(client, "/editor/try")
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 4 4"><rect width="4" height="4"/></svg>'
    response = client.post(
        "/editor/upload-check",
        data={"csrf_token": token, "kind": "picture", "alt": "Een vierkant", "file": (io.BytesIO(svg), "Vierkant.svg")},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    [file] = response.get_json()["files"]
    assert file["filename"] == "vierkant.svg"
    assert file["markdown"] == "![Een vierkant](vierkant.svg)"
    assert b"<title>Een vierkant</title>" in base64.b64decode(file["data_base64"])


def test_a_refused_upload_says_why_in_json(app, make_user, login):
    client = login(make_user(Role.AUTHOR))
    token = csrf_token(client, "/editor/try")
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 4 4" onload="alert(1)"/>'
    response = client.post(
        "/editor/upload-check",
        data={"csrf_token": token, "kind": "picture", "alt": "x", "file": (io.BytesIO(svg), "x.svg")},
    )
    assert response.status_code == 422
    assert "onload" in response.get_json()["error"]
    response = client.post("/editor/upload-check", data={"csrf_token": token, "kind": "picture"})
    assert response.status_code == 400
    assert response.get_json()["error"] == "Kies een bestand om te uploaden."


def test_the_try_page_holds_the_module_text_and_every_block_button(app, make_user, login):
    client = login(make_user(Role.AUTHOR))
    html = client.get(f"/editor/try?slug={SLUG}&language=en", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Blood pressure" in html or "blood pressure" in html
    for kind in ("quiz", "true-false", "sequencing", "matching", "fill-in", "likert", "video", "callout", "picture"):
        assert f'data-editor-open="editor-en-{kind}"' in html
    assert 'name="other_nl"' in html


def test_every_id_on_the_try_page_is_unique(app, make_user, login):
    """A label points at its field by id: a second element with that id (a dialog heading) took the label away."""
    client = login(make_user(Role.AUTHOR))
    html = client.get(f"/editor/try?slug={SLUG}").get_data(as_text=True)
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) > 50
    assert sorted({i for i in ids if ids.count(i) > 1}) == []
    for target in re.findall(r'\sfor="([^"]+)"', html):
        assert target in ids, target
