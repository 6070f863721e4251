"""The letter a patient gets with their invitation code: the registration address with the code filled in, as text
and as a QR code a phone camera opens.

segno draws the QR code as SVG in pure Python (no image library, no network): the letter prints sharp at any
size, and the page stays one self-contained HTML document.
"""

from __future__ import annotations

import segno
from flask import url_for
from markupsafe import Markup


def registration_url(code: str) -> str:
    """The full address of the registration page with this code filled in."""
    return url_for("accounts.register", code=code, _external=True)


def qr_svg(url: str, title: str) -> Markup:
    """An inline SVG QR code of `url`, labelled for screen readers with `title`.

    Error correction M (15 %) survives a crease or a stain on a letter; the quiet zone is segno's standard four
    modules, which phone cameras need.
    """
    qr = segno.make(url, error="m", micro=False)
    svg = qr.svg_inline(scale=4, title=title, svgclass="qr", lineclass=None, omitsize=False)
    svg = svg.replace("<svg ", '<svg role="img" ', 1)
    return Markup(svg)  # noqa: S704 — segno's own SVG of our URL; the title is escaped by segno
