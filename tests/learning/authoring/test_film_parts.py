"""A film's parts uploaded on their own through the real app: new captions for a film already in the draft, and a
poster picture. Each is stored like any upload (one revision, an `uploaded` event, the stale-save rule, a `-2`
name rather than replacing another file), and a refusal stores nothing."""

from __future__ import annotations

import io

from helpers import csrf_token
from PIL import Image

from app import ROOT
from learning.accounts.models import Role, User
from learning.authoring.archive import import_zip, to_zip
from learning.authoring.models import Draft
from learning.authoring.services import draft_files
from learning.content.publishing import folder_files
from learning.db import db

SLUG = "elke-dag-wegen-hartfalen"
FOLDER = ROOT / "modules_content" / SLUG
FIXED = b"WEBVTT\n\n00:00:00.000 --> 00:00:03.000\nGa eerst naar de wc om te plassen.\n"


def upload(client, draft_id: int, revision: int, **fields):
    data = {"revision": str(revision), "csrf_token": csrf_token(client, "/help"), **fields}
    return client.post(f"/author/drafts/{draft_id}/files", data=data, headers={"Accept": "application/json"})


def start_draft(app, author_id: int) -> int:
    with app.app_context():
        return import_zip(to_zip(SLUG, folder_files(FOLDER)), db.session.get(User, author_id)).id


def stored(app, draft_id: int) -> tuple[dict[str, bytes], int, list[str]]:
    """The draft's files, revision and `uploaded` event messages, read fresh from the database."""
    with app.app_context():
        draft = db.session.get(Draft, draft_id)
        assert draft is not None
        return draft_files(draft), draft.revision, [e.message for e in draft.events if e.kind == "uploaded"]


def photo() -> bytes:
    image = Image.new("RGB", (1600, 900), (31, 58, 95))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def test_new_dutch_captions_for_a_film_get_a_name_of_their_own_and_a_revision(app, client, login, make_user):
    author = make_user(Role.AUTHOR)
    login(author)
    draft_id = start_draft(app, author.id)
    before, _, _ = stored(app, draft_id)
    answer = upload(client, draft_id, 1, kind="film-captions", captions_nl=(io.BytesIO(FIXED), "wegen.nl.vtt"))
    assert answer.status_code == 200, answer.get_data(as_text=True)
    body = answer.get_json()
    # wegen.nl.vtt is the film's own (other text): kept, and the correction is stored beside it
    assert [f["filename"] for f in body["files"]] == ["wegen-2.nl.vtt"]
    assert body["files"][0]["url"] == f"/author/drafts/{draft_id}/media/wegen-2.nl.vtt"
    assert body["files"][0]["markdown"] == ""
    assert body["revision"] == 2
    files, revision, events = stored(app, draft_id)
    assert files["wegen-2.nl.vtt"] == FIXED
    assert files["wegen.nl.vtt"] == before["wegen.nl.vtt"]
    assert files["wegen.en.vtt"] == before["wegen.en.vtt"]  # the other language is left alone
    assert (revision, events) == (2, ["wegen-2.nl.vtt"])
    # both languages in one go: one revision, one event, the first name free for both
    both = upload(client, draft_id, 2, kind="film-captions", captions_nl=(io.BytesIO(FIXED + b"\n"), "wegen.vtt"),
                  captions_en=(io.BytesIO(FIXED + b"\n"), "wegen.en.vtt"))  # fmt: skip
    assert [f["filename"] for f in both.get_json()["files"]] == ["wegen-3.nl.vtt", "wegen-3.en.vtt"]
    assert stored(app, draft_id)[1:] == (3, ["wegen-2.nl.vtt", "wegen-3.en.vtt, wegen-3.nl.vtt"])
    # the same correction again changes nothing
    again = upload(client, draft_id, 3, kind="film-captions", captions_nl=(io.BytesIO(FIXED), "wegen.nl.vtt"))
    assert (again.get_json()["files"][0]["filename"], again.get_json()["revision"]) == ("wegen-2.nl.vtt", 3)
    # the draft preview plays the new file once the block names it
    source = (FOLDER / "nl.md").read_text(encoding="utf-8").replace("nl: wegen.nl.vtt", "nl: wegen-2.nl.vtt")
    ask = {"language": "nl", "source": source, "csrf_token": csrf_token(client, "/help")}
    preview = client.post(f"/author/drafts/{draft_id}/preview", data=ask)
    assert f'<track kind="captions" src="/author/drafts/{draft_id}/media/wegen-2.nl.vtt"' in preview.get_data(True)


def test_refused_captions_store_nothing_and_say_what_to_do(app, client, login, make_user):
    author = make_user(Role.AUTHOR)
    login(author)
    draft_id = start_draft(app, author.id)
    before = stored(app, draft_id)
    none = upload(client, draft_id, 1, kind="film-captions")
    assert none.status_code == 400
    assert none.get_json()["error"] == (
        "Kies het bestand met Nederlandse of Engelse ondertitels (.vtt), of allebei. Upload ze daarna."
    )
    srt = b"1\n00:00:00,000 --> 00:00:02,000\nSRT\n"
    bad = upload(client, draft_id, 1, kind="film-captions", captions_nl=(io.BytesIO(FIXED), "goed.vtt"),
                 captions_en=(io.BytesIO(srt), "subtitles.srt"))  # fmt: skip
    assert bad.status_code == 422
    assert bad.get_json()["error"].startswith("en: ")  # the good Dutch file is not stored either: all or nothing
    stale = upload(client, draft_id, 0, kind="film-captions", captions_nl=(io.BytesIO(FIXED), "goed.vtt"))
    assert stale.status_code == 409
    assert stale.get_json()["error"].startswith("Iemand anders heeft dit concept opgeslagen nadat jij het opende.")
    assert "Laad de pagina opnieuw" in stale.get_json()["error"]  # what to do, not "compare both texts"
    assert stale.get_json()["revision"] == 1
    assert stored(app, draft_id) == before


def test_a_poster_is_cleaned_like_a_picture_and_stored_with_a_revision(app, client, login, make_user):
    author = make_user(Role.AUTHOR)
    login(author)
    draft_id = start_draft(app, author.id)
    answer = upload(client, draft_id, 1, kind="poster", alt="Zo weeg je jezelf",
                    file=(io.BytesIO(photo()), "Wegen Poster.JPG"))  # fmt: skip
    assert answer.status_code == 200, answer.get_data(as_text=True)
    (poster,) = answer.get_json()["files"]
    assert (poster["filename"], poster["width"], poster["markdown"]) == ("wegen-poster.jpg", 1200, "")
    files, revision, events = stored(app, draft_id)
    assert b"PhoneMaker" not in files["wegen-poster.jpg"]  # redrawn: the camera's data is gone
    assert Image.open(io.BytesIO(files["wegen-poster.jpg"])).size == (1200, 675)
    assert (revision, events) == (2, ["wegen-poster.jpg"])
    # the module's own wegen-poster.svg is another drawing: it is kept, and this one is rebuilt and named -2
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 4 3"><rect width="4" height="3"/></svg>'
    drawn = upload(client, draft_id, 2, kind="poster", alt="", file=(io.BytesIO(svg), "wegen-poster.svg"))
    assert drawn.get_json()["files"][0]["filename"] == "wegen-poster-2.svg"
    files, revision, events = stored(app, draft_id)
    assert files["wegen-poster.svg"] == (FOLDER / "wegen-poster.svg").read_bytes()
    assert b"<title>Plaatje dat je ziet voordat de film begint</title>" in files["wegen-poster-2.svg"]
    assert (revision, events) == (3, ["wegen-poster.jpg", "wegen-poster-2.svg"])


def test_a_refused_poster_stores_nothing(app, client, login, make_user):
    author = make_user(Role.AUTHOR)
    login(author)
    draft_id = start_draft(app, author.id)
    before = stored(app, draft_id)
    missing = upload(client, draft_id, 1, kind="poster", alt="Film")
    assert (missing.status_code, missing.get_json()["error"]) == (400, "Kies een bestand om te uploaden.")
    script = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 4 3"><script>alert(1)</script></svg>'
    for name, data in (("poster.svg", script), ("poster.png", b"GIF89a not a picture"), ("leeg.png", b"")):
        refused = upload(client, draft_id, 1, kind="poster", alt="Film", file=(io.BytesIO(data), name))
        assert refused.status_code == 422, name
        assert refused.get_json()["error"]
    stale = upload(client, draft_id, 5, kind="poster", alt="Film", file=(io.BytesIO(photo()), "poster.jpg"))
    assert stale.status_code == 409
    assert stored(app, draft_id) == before


def test_the_check_only_endpoint_cleans_film_parts_alike(app, client, login, make_user):
    login(make_user(Role.AUTHOR))
    token = csrf_token(client, "/help")
    english = {"csrf_token": token, "kind": "film-captions", "captions_en": (io.BytesIO(FIXED), "Subtitles.vtt")}
    checked = client.post("/editor/upload-check", data=english)
    assert checked.get_json()["files"][0]["filename"] == "subtitles.en.vtt"
    picture = {"csrf_token": token, "kind": "poster", "file": (io.BytesIO(photo()), "p.jpg")}
    poster = client.post("/editor/upload-check", data=picture)
    assert poster.get_json()["files"][0]["width"] == 1200
