"""SVG pictures cleaned to the module rules (modules_content/README.md, "Pictures"), or refused with the reason.

An SVG is a document that can run script, load other files and track readers. The rules allow drawn shapes and
text only. Anything that can act (script, event attributes, links, embedded HTML, pictures or fonts, animation,
references outside the file) is refused with what to remove, so the teacher learns what the drawing tool added;
editor clutter (metadata, Inkscape/Illustrator attributes, comments) is dropped silently. The output is written
by this module from the allow-lists below, never copied from the upload.
"""

from __future__ import annotations

import re
from html import escape
from typing import Any

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring
from flask_babel import gettext as _

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
ELEMENTS = {
    "svg", "g", "defs", "title", "desc", "path", "rect", "circle", "ellipse", "line", "polyline", "polygon",
    "text", "tspan", "linearGradient", "radialGradient", "stop", "clipPath", "mask", "marker", "pattern", "use",
    "symbol",
}  # fmt: skip
DROPPED = {"metadata", "sodipodi:namedview", "namedview"}  # drawing programs' own notes: no picture in them
REFUSED = {
    "script": "script",
    "foreignObject": "foreignObject",
    "iframe": "iframe",
    "image": "image",
    "a": "a",
    "style": "style",
    "font": "font",
    "font-face": "font-face",
    "animate": "animate",
    "animateTransform": "animateTransform",
    "animateMotion": "animateMotion",
    "set": "set",
    "feImage": "feImage",
    "object": "object",
    "embed": "embed",
    "audio": "audio",
    "video": "video",
    "handler": "handler",
    "listener": "listener",
}
ATTRIBUTES = {
    "id", "class", "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry", "width", "height", "d", "points",
    "viewBox", "preserveAspectRatio", "transform", "fill", "fill-opacity", "fill-rule", "stroke", "stroke-width",
    "stroke-opacity", "stroke-linecap", "stroke-linejoin", "stroke-dasharray", "stroke-dashoffset",
    "stroke-miterlimit", "opacity", "font-family", "font-size", "font-weight", "font-style", "text-anchor",
    "dominant-baseline", "letter-spacing", "dx", "dy", "offset", "stop-color", "stop-opacity", "gradientUnits",
    "gradientTransform", "spreadMethod", "fx", "fy", "clip-path", "clip-rule", "mask", "marker-start", "marker-mid",
    "marker-end", "markerWidth", "markerHeight", "markerUnits", "refX", "refY", "orient", "patternUnits",
    "patternContentUnits", "clipPathUnits", "maskUnits", "role", "aria-labelledby", "aria-describedby",
    "aria-label", "aria-hidden", "lang", "xml:lang", "href", "visibility", "display", "vector-effect",
    "paint-order", "shape-rendering", "textLength", "lengthAdjust",
}  # fmt: skip
_LOCAL_URL = re.compile(r"url\(\s*['\"]?#[A-Za-z_][\w.-]*['\"]?\s*\)")
_STYLE = re.compile(r"^\s*(?:[a-z-]+\s*:\s*[#\w.,%\s()'\"-]*;?\s*)*$", re.IGNORECASE)
MAX_ELEMENTS = 5_000


class SvgRefused(ValueError):
    """The SVG breaks a rule that cleaning cannot fix; `str()` says what to remove, in the teacher's language."""


def _local(tag: str) -> tuple[str, str]:
    """(namespace, local name) of an ElementTree tag or attribute name."""
    if tag.startswith("{"):
        namespace, _, name = tag[1:].partition("}")
        return namespace, name
    return "", tag


def _attribute_name(raw: str) -> str | None:
    """The name to write, or None to drop it (another namespace: an editor's own data)."""
    namespace, name = _local(raw)
    if namespace == XLINK_NS and name == "href":
        return "href"  # SVG 2 and every current browser read a plain href
    if namespace == "http://www.w3.org/XML/1998/namespace":
        return f"xml:{name}"
    return name if not namespace else None


def _check_value(element: str, name: str, value: str) -> None:
    lowered = re.sub(r"\s", "", value).lower()
    if "javascript:" in lowered or "data:" in lowered or "expression(" in lowered or "@import" in lowered:
        raise SvgRefused(_("The picture contains a link or code (in %(where)s). Remove it.", where=f"{element} {name}"))
    if name == "href" and not re.fullmatch(r"#[A-Za-z_][\w.-]*", value.strip()):
        raise SvgRefused(
            _("The picture refers to another file or website (%(value)s). Draw everything inside the picture.",
              value=value[:80])
        )  # fmt: skip
    if "url(" in lowered and not all(_LOCAL_URL.fullmatch(m) for m in re.findall(r"url\([^)]*\)", value)):
        raise SvgRefused(
            _("The picture refers to another file or website (%(value)s). Draw everything inside the picture.",
              value=value[:80])
        )  # fmt: skip


def _attributes(element: Any, name: str, notes: set[str]) -> dict[str, str]:
    kept: dict[str, str] = {}
    for raw, value in element.attrib.items():
        attribute = _attribute_name(raw)
        if attribute is None:
            continue
        if attribute.lower().startswith("on"):
            raise SvgRefused(
                _("The picture has code that runs (%(attribute)s). Remove it, e.g. save as plain SVG.",
                  attribute=attribute)
            )  # fmt: skip
        _check_value(name, attribute, value)
        if attribute == "style":
            if not _STYLE.match(value):
                raise SvgRefused(_("The picture has a style we cannot check. Save it as plain SVG."))
            kept[attribute] = value
        elif attribute in ATTRIBUTES:
            kept[attribute] = value
        else:
            notes.add(_("Parts the picture does not need were removed."))
    return kept


def _write(element: Any, out: list[str], notes: set[str], count: list[int], title: str = "") -> None:
    """Write an allowed element and its allowed children; `title` is written first inside it when given."""
    namespace, name = _local(element.tag)
    if namespace not in {"", SVG_NS}:
        notes.add(_("Parts the picture does not need were removed."))
        return  # Inkscape's and Illustrator's own elements
    if name in REFUSED:
        raise SvgRefused(
            _("The picture contains <%(element)s>, which is not allowed (no scripts, links, embedded pictures, fonts "
              "or animations). Remove it and upload again.", element=name)
        )  # fmt: skip
    if name in DROPPED:
        return
    if name not in ELEMENTS:
        notes.add(_("Parts the picture does not need were removed."))
        return
    count[0] += 1
    if count[0] > MAX_ELEMENTS:
        raise SvgRefused(_("The picture has too many parts. Simplify the drawing."))
    attributes = _attributes(element, name, notes)
    text = "".join(f' {key}="{escape(value, quote=True)}"' for key, value in attributes.items())
    out.append(f"<{name}{text}>")
    if title:
        out.append(f"<title>{escape(title, quote=False)}</title>")
    out.append(escape(element.text or "", quote=False))
    for child in element:
        _write(child, out, notes, count)
        out.append(escape(child.tail or "", quote=False))
    out.append(f"</{name}>")


def clean_svg(data: bytes, *, title: str) -> tuple[bytes, tuple[str, ...]]:
    """Return the cleaned SVG and notes on what changed; `title` (the alt text) is used when it has none.

    :raises SvgRefused: with what the teacher must remove or add.
    """
    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise SvgRefused(_("The picture declares its own document type. Save it as plain SVG and try again.")) from exc
    except (ParseError, ValueError) as exc:
        raise SvgRefused(_("This SVG file cannot be read. Save it again as plain SVG.")) from exc
    if _local(root.tag) != (SVG_NS, "svg"):
        raise SvgRefused(_("This is not an SVG picture. Save it again as plain SVG."))
    notes: set[str] = set()
    if "viewBox" not in root.attrib:
        width, height = root.attrib.get("width", ""), root.attrib.get("height", "")
        if not (re.fullmatch(r"\d+(\.\d+)?", width) and re.fullmatch(r"\d+(\.\d+)?", height)):
            raise SvgRefused(_("The picture needs a viewBox, so it can grow and shrink. Save it with a viewBox."))
        root.set("viewBox", f"0 0 {width} {height}")
    if root.get("role") != "img":
        root.set("role", "img")
    has_title = any(_local(child.tag)[1] == "title" for child in root)
    if not has_title:
        notes.add(_("The description was added as the picture's title."))
    out: list[str] = []
    _write(root, out, notes, [0], "" if has_title else title)
    out[0] = out[0].replace("<svg", f'<svg xmlns="{SVG_NS}"', 1)
    return "".join(out).encode(), tuple(sorted(notes))
