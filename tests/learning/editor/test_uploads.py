"""Upload checks: pictures come back re-encoded without metadata, SVG cleaned or refused, captions and video checked."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from app import ROOT
from learning.editor.uploads import (
    MAX_WIDTH,
    UploadRefused,
    check_captions,
    check_film_captions,
    check_picture,
    check_poster,
    check_video,
    safe_filename,
)

BUNDLED = ROOT / "modules_content"
GPS_IFD = 0x8825


def photo(kind: str, width: int = 2400, height: int = 1600) -> bytes:
    """A photo as a phone makes it: EXIF with the camera and a GPS position."""
    image = Image.new("RGB", (width, height), (200, 120, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Phone 12"  # Model
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (52.0, 13.0, 0.0), 3: "E", 4: (6.0, 53.0, 0.0)})
    out = io.BytesIO()
    image.save(out, kind, exif=exif)
    return out.getvalue()


@pytest.mark.parametrize(("kind", "suffix"), [("JPEG", "jpg"), ("PNG", "png"), ("WEBP", "webp")])
def test_a_photo_is_resized_and_loses_its_camera_and_gps_data(rq, kind, suffix):
    raw = photo(kind)
    with Image.open(io.BytesIO(raw)) as before:
        assert before.getexif().get(0x010F) == "PhoneMaker"  # the test photo really carries EXIF
    clean = check_picture(f"Mijn foto's (1).{suffix}", raw, "Een weegschaal op de vloer")
    with Image.open(io.BytesIO(clean.data)) as after:
        assert after.format == kind
        assert after.width == MAX_WIDTH
        assert after.height == 800
        assert not after.getexif()
        assert b"PhoneMaker" not in clean.data
        assert "exif" not in after.info
        assert "xmp" not in after.info
    assert clean.filename == f"mijn-foto-s-1.{suffix}"
    assert clean.markdown == f"![Een weegschaal op de vloer]({clean.filename})"


def test_a_small_picture_keeps_its_size(rq):
    clean = check_picture("a.png", photo("PNG", 300, 200), "Iets")
    assert (clean.width, clean.height) == (300, 200)


def test_a_picture_without_alt_text_is_refused(rq):
    with pytest.raises(UploadRefused, match="Describe what the picture shows"):
        check_picture("a.png", photo("PNG", 10, 10), "   ")


@pytest.mark.parametrize(
    "data",
    [b"GIF89a\x01\x00\x01\x00", b"%PDF-1.4 not a picture", b"\x89PNG\r\n\x1a\n broken"],
)
def test_what_is_not_a_usable_picture_is_refused_with_the_formats_we_take(rq, data):
    with pytest.raises(UploadRefused, match="PNG, JPEG, WebP or SVG"):
        check_picture("a.png", data, "Iets")


def test_every_bundled_svg_passes_unchanged_in_meaning(rq):
    for path in sorted(BUNDLED.glob("*/*.svg")):
        clean = check_picture(path.name, path.read_bytes(), "Iets")
        assert clean.content_type == "image/svg+xml"
        assert b"<title" in clean.data
        assert b'role="img"' in clean.data
        assert clean.data.count(b"<path") == path.read_bytes().count(b"<path")


SVG = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10">{}</svg>'


@pytest.mark.parametrize(
    ("inner", "reason"),
    [
        ("<script>alert(1)</script>", "<script>"),
        ('<rect onclick="alert(1)" width="1" height="1"/>', "onclick"),
        ('<foreignObject><p xmlns="http://www.w3.org/1999/xhtml">x</p></foreignObject>', "<foreignObject>"),
        ('<image href="https://tracker.example/x.png"/>', "<image>"),
        ('<use xlink:href="https://example.org/other.svg#a"/>', "another file or website"),
        ('<rect fill="url(https://example.org/x)" width="1" height="1"/>', "another file or website"),
        ('<a href="javascript:alert(1)"><rect width="1" height="1"/></a>', "<a>"),
        ('<rect style="fill: url(javascript:alert(1))" width="1" height="1"/>', "link or code"),
        ("<style>@import url(https://example.org/x.css);</style>", "<style>"),
        ('<animate attributeName="href" to="javascript:alert(1)"/>', "<animate>"),
    ],
)
def test_an_svg_that_can_act_or_load_something_is_refused_with_the_reason(rq, inner, reason):
    with pytest.raises(UploadRefused) as refused:
        check_picture("x.svg", SVG.format(inner).encode(), "Iets")
    assert reason in str(refused.value)


def test_an_svg_with_entities_is_refused_before_they_expand(rq):
    bomb = b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><svg>&b;</svg>'
    with pytest.raises(UploadRefused, match="document type"):
        check_picture("x.svg", bomb, "Iets")


def test_svg_editor_clutter_is_dropped_and_a_title_and_role_are_added(rq):
    inkscape = (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" '
        'width="20" height="10" inkscape:version="1.3"><metadata>made by</metadata><!-- a comment -->'
        '<rect width="5" height="5" inkscape:label="box" fill="#1f3a5f"/></svg>'
    )
    clean = check_picture("Drawing.SVG", inkscape.encode(), 'A "box" <here>')
    text = clean.data.decode()
    assert "inkscape" not in text
    assert "metadata" not in text
    assert "comment" not in text
    assert 'viewBox="0 0 20 10"' in text
    assert 'role="img"' in text
    assert "<title>A &quot;box&quot; &lt;here&gt;</title>" in text or '<title>A "box" &lt;here&gt;</title>' in text
    assert clean.filename == "drawing.svg"


VTT = "WEBVTT\n\n00:00:00.000 --> 00:00:03.500\nGa eerst naar de wc.\n\n00:03.500 --> 00:07.000\nWeeg je.\n"


def test_webvtt_captions_are_accepted_and_counted(rq):
    clean = check_captions("wegen.nl.vtt", VTT.encode())
    assert clean.content_type == "text/vtt"
    assert clean.data.decode().startswith("WEBVTT")
    assert clean.notes == ("2 captions.",)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("1\n00:00:00,000 --> 00:00:02,000\nSRT, not WebVTT\n", "must start with the line WEBVTT"),
        ("WEBVTT\n\n00:00:00,000 --> 00:00:02,000\nkomma\n", "Line 3: write the time"),
        ("WEBVTT\n\n00:00:05.000 --> 00:00:02.000\nterug\n", "Line 3: the end time"),
        ("WEBVTT\n\nno cues\n", "has no captions"),
    ],
)
def test_broken_captions_are_refused_with_the_line(rq, text, reason):
    with pytest.raises(UploadRefused, match=reason):
        check_captions("x.vtt", text.encode())


def test_a_video_needs_both_captions_and_is_recognised_by_its_bytes(rq):
    webm = (BUNDLED / "elke-dag-wegen-hartfalen" / "wegen.webm").read_bytes()
    captions = {"nl": ("a.vtt", VTT.encode()), "en": ("b.vtt", VTT.encode())}
    video, nl, en = check_video("Wegen demo.webm", webm, captions)
    assert (video.filename, video.content_type) == ("wegen-demo.webm", "video/webm")
    assert (nl.filename, en.filename) == ("wegen-demo.nl.vtt", "wegen-demo.en.vtt")
    with pytest.raises(UploadRefused, match="captions"):
        check_video("x.webm", webm, {"nl": ("a.vtt", VTT.encode())})
    with pytest.raises(UploadRefused, match="not a WebM or MP4"):
        check_video("x.mp4", b"MZ\x90\x00 an exe renamed", captions)
    mp4 = (BUNDLED / "elke-dag-wegen-hartfalen" / "wegen.mp4").read_bytes()
    assert check_video("x.mp4", mp4, captions)[0].content_type == "video/mp4"


def test_new_captions_for_a_film_keep_their_language_in_the_name_and_are_checked_like_any(rq):
    nl, en = check_film_captions({"nl": ("Wegen.NL.vtt", VTT.encode()), "en": ("subtitles fixed.vtt", VTT.encode())})
    assert (nl.filename, en.filename) == ("wegen.nl.vtt", "subtitles-fixed.en.vtt")
    assert nl.data == check_captions("x.vtt", VTT.encode()).data
    assert nl.notes == ("2 captions.",)
    (only,) = check_film_captions({"nl": ("", b""), "en": ("wegen.en.vtt", VTT.encode())})  # one language alone
    assert only.filename == "wegen.en.vtt"
    with pytest.raises(UploadRefused, match="Choose the Dutch or the English captions"):
        check_film_captions({"nl": ("", b""), "en": ("", b"")})
    with pytest.raises(UploadRefused, match=r"^en: A caption file must start with the line WEBVTT"):
        check_film_captions({"nl": ("a.vtt", VTT.encode()), "en": ("b.vtt", b"1\n00:00:00,000 --> 00:00:02,000\nSRT")})


def test_a_poster_is_cleaned_as_a_picture_without_markdown(rq):
    clean = check_poster("Poster (1).jpg", photo("JPEG"), "")
    assert (clean.filename, clean.width, clean.markdown) == ("poster-1.jpg", MAX_WIDTH, "")
    assert b"PhoneMaker" not in clean.data
    svg = check_poster("p.svg", b'<svg xmlns="http://www.w3.org/2000/svg" width="4" height="3"/>', "Zo weeg je")
    assert b"<title>Zo weeg je</title>" in svg.data  # the film's title names the drawing
    with pytest.raises(UploadRefused, match="not a picture we can use"):
        check_poster("p.png", b"GIF89a not really", "Film")
    with pytest.raises(UploadRefused, match="<script>"):
        check_poster("p.svg", SVG.format("<script>alert(1)</script>").encode(), "Film")


@pytest.mark.parametrize(
    ("name", "expected"),
    [("../../etc/passwd.png", "passwd.png"), ('"><img src=x onerror=alert(1)>.png', "img-src-x-onerror-alert-1.png"),
     ("Ééntje café.PNG", "eentje-cafe.png"), ("....png", "file.png")],
)  # fmt: skip
def test_file_names_become_plain_words(name, expected):
    assert safe_filename(name, "png") == expected


def test_one_caption_is_counted_in_the_singular_in_dutch(app) -> None:
    with app.test_request_context(headers={"Accept-Language": "nl"}):
        one = check_captions("een.vtt", b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nHallo\n")
        two = check_captions(
            "twee.vtt", b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nHallo\n\n00:00:03.000 --> 00:00:04.000\nDag\n"
        )
    assert one.notes == ("1 ondertitel.",)
    assert two.notes == ("2 ondertitels.",)
