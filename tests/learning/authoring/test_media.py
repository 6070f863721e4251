"""A draft's own files through the real app: uploads stored with a revision, served safely, previewed, published,
exported; and every language of a draft on one page."""

from __future__ import annotations

import io
import re
import zipfile
from collections import Counter

from helpers import csrf_token
from PIL import Image

from app import ROOT
from learning.accounts.models import Role, User
from learning.authoring import workflow
from learning.authoring.archive import import_zip, read_zip, to_zip
from learning.authoring.models import Draft
from learning.authoring.services import draft_files
from learning.content.publishing import folder_files
from learning.db import db

SLUG = "elke-dag-wegen-hartfalen"
FOLDER = ROOT / "modules_content" / SLUG
FILM = ("wegen.webm", "wegen.mp4", "wegen.nl.vtt", "wegen.en.vtt")


def png(colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(out, "PNG")
    return out.getvalue()


def post(client, path, data, **kwargs):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, "/help")}, **kwargs)


def upload(client, draft_id: int, revision: int, **fields):
    return post(client, f"/author/drafts/{draft_id}/files", {"revision": str(revision), **fields},
                headers={"Accept": "application/json"})  # fmt: skip


def draft(app, draft_id: int) -> Draft:
    found = db.session.get(Draft, draft_id)
    assert found is not None
    return found


def start_draft(app, author_id: int, files: dict[str, bytes] | None = None) -> int:
    with app.app_context():
        author = db.session.get(User, author_id)
        made = import_zip(to_zip(SLUG, files if files is not None else folder_files(FOLDER)), author)
        return made.id


def test_an_upload_is_a_new_revision_with_an_event_and_never_replaces_another_file(app, client, login, make_user):
    author = make_user(Role.AUTHOR)
    login(author)
    draft_id = start_draft(app, author.id)
    blue = upload(client, draft_id, 1, kind="picture", alt="Een [blauwe] weegschaal",
                  file=(io.BytesIO(png((0, 0, 255))), "Foto van mij.PNG"))  # fmt: skip
    assert blue.status_code == 200, blue.get_data(as_text=True)
    assert blue.get_json()["revision"] == 2
    assert blue.get_json()["files"][0]["markdown"] == "![Een blauwe weegschaal](foto-van-mij.png)"
    # another picture under the same name gets a name of its own: the first may be used on another step
    red = upload(
        client, draft_id, 2, kind="picture", alt="Rood", file=(io.BytesIO(png((255, 0, 0))), "foto van mij.png")
    )
    assert red.get_json()["files"][0]["filename"] == "foto-van-mij-2.png"
    assert red.get_json()["files"][0]["markdown"] == "![Rood](foto-van-mij-2.png)"
    # the same picture again changes nothing
    again = upload(
        client, draft_id, 3, kind="picture", alt="Rood", file=(io.BytesIO(png((255, 0, 0))), "Foto van mij.png")
    )
    assert again.get_json()["files"][0]["filename"] == "foto-van-mij-2.png"
    assert again.get_json()["revision"] == 3
    # a page that missed someone's save cannot store over it: nothing is stored, the page is told to reload
    stale = upload(client, draft_id, 2, kind="picture", alt="Groen", file=(io.BytesIO(png((0, 255, 0))), "groen.png"))
    assert stale.status_code == 409
    assert "opgeslagen" in stale.get_json()["error"]
    refused = upload(client, draft_id, 3, kind="picture", alt=" ", file=(io.BytesIO(png((0, 255, 0))), "groen.png"))
    assert refused.status_code == 422
    assert refused.get_json()["error"]
    with app.app_context():
        stored = draft(app, draft_id)
        files = draft_files(stored)
        assert "groen.png" not in files
        assert Image.open(io.BytesIO(files["foto-van-mij.png"])).getpixel((1, 1)) == (0, 0, 255)
        assert Image.open(io.BytesIO(files["foto-van-mij-2.png"])).getpixel((1, 1)) == (255, 0, 0)
        uploads = [(e.user_id, e.message) for e in stored.events if e.kind == "uploaded"]
        assert uploads == [(author.id, "foto-van-mij.png"), (author.id, "foto-van-mij-2.png")]
        assert stored.revision == 3


def test_draft_files_are_served_as_what_their_bytes_are_with_nosniff_and_svg_in_a_sandbox(
    app, client, login, make_user
):
    author = make_user(Role.AUTHOR)
    login(author)
    files = folder_files(FOLDER) | {"truc.png": b"<script>alert(1)</script>", "leeg.vtt": b"<html>"}
    draft_id = start_draft(app, author.id, files)
    svg = client.get(f"/author/drafts/{draft_id}/media/weegschaal.svg")
    assert svg.status_code == 200
    assert svg.mimetype == "image/svg+xml"
    assert svg.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in svg.headers["Content-Security-Policy"]
    assert "script-src" not in svg.headers["Content-Security-Policy"]  # default-src 'none' forbids script
    assert svg.data == files["weegschaal.svg"]
    film = client.get(f"/author/drafts/{draft_id}/media/wegen.webm", headers={"Range": "bytes=0-9"})
    assert film.status_code == 206  # a film can be wound forward in the preview
    assert film.mimetype == "video/webm"
    for lie in ("truc.png", "leeg.vtt"):  # a name that lies about the bytes: a download, never shown
        served = client.get(f"/author/drafts/{draft_id}/media/{lie}")
        assert served.mimetype == "application/octet-stream"
        assert served.headers["Content-Disposition"].startswith("attachment")
    assert client.get(f"/author/drafts/{draft_id}/media/nl.md").status_code == 404
    assert client.get(f"/author/drafts/{draft_id}/media/geen.svg").status_code == 404


def test_the_review_preview_shows_the_drafts_own_files_to_a_reviewer(app, client, login, make_user):
    author = make_user(Role.AUTHOR)
    draft_id = start_draft(
        app, author.id, folder_files(FOLDER) | {"weegschaal.svg": b"<svg xmlns='http://www.w3.org/2000/svg'/>"}
    )
    with app.app_context():
        workflow.submit(draft(app, draft_id), db.session.get(User, author.id))
    login(make_user(Role.REVIEWER))
    step = client.get(f"/review/drafts/{draft_id}/nl/1").get_data(as_text=True)
    assert f'src="/author/drafts/{draft_id}/media/weegschaal.svg"' in step
    assert f"/modules/{SLUG}/media/" not in step
    served = client.get(f"/author/drafts/{draft_id}/media/weegschaal.svg")
    assert served.data == b"<svg xmlns='http://www.w3.org/2000/svg'/>"  # the draft's file, not the published one


def test_the_draft_preview_shows_and_checks_the_drafts_own_pictures(app, client, login, make_user):
    author = make_user(Role.AUTHOR)
    login(author)
    draft_id = start_draft(app, author.id)
    source = (FOLDER / "nl.md").read_text(encoding="utf-8") + "\n![Een rode stip](stip.png)\n"
    ask = {"language": "nl", "source": source, "width": "phone"}
    missing = post(client, f"/author/drafts/{draft_id}/preview", ask).get_data(as_text=True)
    assert "stip.png" in missing
    assert "Plaatje stip.png staat nog niet in de module" in missing  # a new account reads Dutch
    upload(client, draft_id, 1, kind="picture", alt="Een rode stip", file=(io.BytesIO(png((255, 0, 0))), "stip.png"))
    shown = post(client, f"/author/drafts/{draft_id}/preview", ask).get_data(as_text=True)
    assert f'src="/author/drafts/{draft_id}/media/stip.png"' in shown
    assert f'src="/author/drafts/{draft_id}/media/wegen.webm"' in shown  # films too, and their captions
    assert f"/modules/{SLUG}/media/" not in shown  # never the published module's files
    assert "stip.png" not in re.sub(r'src="[^"]*"', "", shown)  # no problem names the picture any more
    assert client.get(f"/author/drafts/{draft_id}/media/stip.png").mimetype == "image/png"


def test_a_film_uploaded_on_the_web_is_published_and_exported_byte_for_byte(app, client, login, make_user, runner,
                                                                             tmp_path):  # fmt: skip
    author, reviewer, patient = make_user(Role.AUTHOR), make_user(Role.REVIEWER), make_user(Role.PATIENT)
    original = folder_files(FOLDER)
    login(author)
    draft_id = start_draft(app, author.id, {p: d for p, d in original.items() if p not in FILM})
    revision = 1
    for film in ("wegen.webm", "wegen.mp4"):
        answer = upload(client, draft_id, revision, kind="video", file=(io.BytesIO(original[film]), film),
                        captions_nl=(io.BytesIO(original["wegen.nl.vtt"]), "ondertitels.vtt"),
                        captions_en=(io.BytesIO(original["wegen.en.vtt"]), "subtitles.vtt"))  # fmt: skip
        assert answer.status_code == 200, answer.get_data(as_text=True)
        assert [f["filename"] for f in answer.get_json()["files"]] == [film, "wegen.nl.vtt", "wegen.en.vtt"]
        revision = answer.get_json()["revision"]
    assert revision == 3  # the second film's captions were the same files: stored once
    exported = client.get(f"/author/drafts/{draft_id}.zip")
    assert read_zip(exported.data) == (SLUG, original)  # folder -> web -> zip: the same folder, byte for byte
    with app.app_context():
        assert draft_files(draft(app, draft_id)) == original
        workflow.submit(draft(app, draft_id), db.session.get(User, author.id))
        workflow.approve(draft(app, draft_id), db.session.get(User, reviewer.id))
        workflow.publish(draft(app, draft_id), db.session.get(User, author.id))
    result = runner.invoke(args=["content", "export", SLUG, "--to", str(tmp_path)])
    assert result.exit_code == 0, result.output
    back = folder_files(tmp_path / SLUG)
    assert back.keys() == original.keys()
    assert all(back[p] == original[p] for p in original if not p.endswith(".md"))
    client.post("/logout", data={"csrf_token": csrf_token(client, "/help")})
    login(patient)
    post(client, f"/modules/{SLUG}/start", {})
    assert client.get(f"/modules/{SLUG}/media/wegen.webm").data == original["wegen.webm"]
    with zipfile.ZipFile(io.BytesIO(exported.data)) as archive:
        assert f"{SLUG}/wegen.en.vtt" in archive.namelist()


def test_every_language_side_by_side_with_unique_ids_and_previews_of_their_own(app, client, login, make_user):
    author = make_user(Role.AUTHOR)
    login(author)
    draft_id = start_draft(app, author.id)
    page = client.get(f"/author/drafts/{draft_id}/side-by-side").get_data(as_text=True)
    assert 'id="editor-nl-source"' in page
    assert 'id="editor-en-source"' in page
    assert '<a href="#editor-en-text-title" lang="en">English</a>' in page  # on a phone: jump to the other language
    assert f'hx-post="/author/drafts/{draft_id}/preview"' in page
    assert f'data-upload-url="/author/drafts/{draft_id}/files"' in page
    # the two previews of one module together (sequencing items carry the same id in both languages)
    previews = ""
    for language in ("nl", "en"):
        source = (ROOT / "modules_content" / "bloeddruk-thuis-meten" / f"{language}.md").read_text(encoding="utf-8")
        answer = post(client, f"/author/drafts/{draft_id}/preview", {"language": language, "source": source})
        previews += answer.get_data(as_text=True)
    assert "parts-" in previews
    ids = Counter(re.findall(r'\sid="([^"]+)"', page + previews))
    assert [name for name, count in ids.items() if count > 1] == []
    # a save from the side-by-side page comes back to it
    nl = (FOLDER / "nl.md").read_text(encoding="utf-8")
    saved = post(client, f"/author/drafts/{draft_id}/nl", {"source": nl, "revision": "1", "view": "side-by-side"})
    assert saved.headers["Location"].endswith(f"/author/drafts/{draft_id}/side-by-side")


def test_a_file_the_texts_no_longer_use_can_be_removed_and_a_used_one_cannot(app, client, login, make_user):
    author = make_user(Role.AUTHOR)
    login(author)
    draft_id = start_draft(app, author.id, folder_files(FOLDER) | {"oud.png": png((1, 2, 3))})
    used = post(client, f"/author/drafts/{draft_id}/files/remove", {"path": "weegschaal.svg", "revision": "1"})
    assert used.status_code == 400
    assert 'role="alert"' in used.get_data(as_text=True)
    assert "weegschaal.svg wordt nog gebruikt in de tekst (nl, en)" in used.get_data(as_text=True)
    stale = post(client, f"/author/drafts/{draft_id}/files/remove", {"path": "oud.png", "revision": "7"})
    assert stale.status_code == 409
    page = client.get(f"/author/drafts/{draft_id}/nl").get_data(as_text=True)
    assert 'aria-label="oud.png verwijderen"' in page
    assert 'aria-label="weegschaal.svg verwijderen"' not in page  # a used file offers no button
    removed = post(client, f"/author/drafts/{draft_id}/files/remove", {"path": "oud.png", "revision": "1"})
    assert removed.status_code == 302
    with app.app_context():
        stored = draft(app, draft_id)
        assert "oud.png" not in draft_files(stored)
        assert "weegschaal.svg" in draft_files(stored)
        assert stored.revision == 2
        assert [(e.kind, e.message) for e in stored.events if e.kind == "removed"] == [("removed", "oud.png")]
