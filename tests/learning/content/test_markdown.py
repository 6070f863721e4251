"""Module text to HTML: author text can never inject script; images and callouts render as the player needs."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest

from learning.content.hyphenation import strip_soft_hyphens
from learning.content.loader import ContentError, parse_module_file
from learning.content.markdown import make_markdown, sanitise

PLACEHOLDER = "**Weeg jezelf elke ochtend.** Ook als je je goed voelt."
VOID = {"img", "br", "hr", "input", "meta", "link", "source", "embed", "param", "wbr", "area", "col", "base"}


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    children: list[Node | str] = field(default_factory=list)

    def iter(self) -> Iterator[Node]:
        yield self
        for child in self.children:
            if isinstance(child, Node):
                yield from child.iter()

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def classes(self) -> list[str]:
        return self.attrs.get("class", "").split()


class _TreeBuilder(HTMLParser):
    """A browser-like reading of the HTML: entities in attributes decoded, tags nested."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {name: value or "" for name, value in attrs})
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Node(tag, {name: value or "" for name, value in attrs}))

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.stack) - 1, 0, -1):
            if self.stack[index].tag == tag:
                del self.stack[index:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def tree(html: str) -> Node:
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


def browser_url(value: str) -> str:
    """What a browser makes of an attribute URL: tabs/newlines removed, C0 controls and spaces trimmed."""
    return re.sub(r"[\t\n\r]", "", value).strip("".join(chr(c) for c in range(0x21))).lower()


def dangers(html: str) -> list[str]:
    """Everything in rendered HTML that could run script or load foreign content."""
    found = []
    lowered = html.lower()
    for marker in ("<script", "<iframe", "<svg", "<object", "<embed", "<style", "<form", "<meta", "<base", "<math"):
        if marker in lowered:
            found.append(f"tag {marker}")
    for node in tree(html).iter():
        for name, value in node.attrs.items():
            if name.startswith("on"):
                found.append(f"event attribute {name} on <{node.tag}>")
            if name in {"style", "srcdoc", "formaction", "action", "xlink:href", "background", "data"}:
                found.append(f"attribute {name} on <{node.tag}>")
            if name in {"href", "src"} and browser_url(value).startswith(("javascript:", "vbscript:", "data:")):
                found.append(f"{name}={value!r} on <{node.tag}>")
    return found


def render(body: str, slug: str = "weeg-test", language: str = "nl") -> str:
    """The step pipeline (markdown without HTML, then nh3) for text the loader refuses to publish."""
    env = {"language": language, "media_base": f"/modules/{slug}/media/"}
    return sanitise(make_markdown().render(body, env))


def render_with_html_enabled(body: str) -> str:
    """As if markdown let raw HTML through: nh3 alone must still make it safe (the second wall)."""
    md = make_markdown().enable(["html_block", "html_inline"])
    md.options["html"] = True
    return sanitise(md.render(body, {"language": "nl", "media_base": "/m/"}))


# (id, vector, refused by the loader as raw HTML / unknown block)
VECTORS = [
    ("script-tag", "<script>alert(1)</script>", True),
    ("script-inline", "Hallo <script>alert(document.cookie)</script> daar", True),
    ("img-onerror", "<img src=x onerror=alert(1)>", True),
    ("img-onerror-inline", "Kijk: <img src=x onerror=alert(1)>", True),
    ("svg-onload", "<svg onload=alert(1)>", True),
    ("svg-script", "<svg><script>alert(1)</script></svg>", True),
    ("iframe", '<iframe src="https://evil.example/"></iframe>', True),
    ("iframe-srcdoc", '<iframe srcdoc="<script>alert(1)</script>"></iframe>', True),
    ("style-expression", '<div style="width: expression(alert(1))">x</div>', True),
    ("style-tag", "<style>body { background: url(javascript:alert(1)) }</style>", True),
    ("event-onclick", '<a href="#" onclick="alert(1)">klik</a>', True),
    ("event-onmouseover", '<p onmouseover="alert(1)">beweeg</p>', True),
    ("event-body-onload", "<body onload=alert(1)>", True),
    ("raw-a-javascript", '<a href="javascript:alert(1)">klik</a>', True),
    ("raw-a-tab-entity", '<a href="jav&#x09;ascript:alert(1)">klik</a>', True),
    ("raw-a-newline-entity", '<A HREF="java&#10;script:alert(1)">klik</A>', True),
    ("object-data", '<object data="javascript:alert(1)"></object>', True),
    ("embed", '<embed src="javascript:alert(1)">', True),
    ("form-action", '<form action="javascript:alert(1)"><button>ok</button></form>', True),
    ("meta-refresh", '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">', True),
    ("math-mutation", "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>", True),
    ("comment", "<!-- --><img src=x onerror=alert(1)>", True),
    ("md-link-javascript", "[klik](javascript:alert(1))", False),
    ("md-link-mixed-case", "[klik](JaVaScRiPt:alert(1))", False),
    ("md-link-leading-space", "[klik]( javascript:alert(1))", False),
    ("md-link-angle", "[klik](<javascript:alert(1)>)", False),
    ("md-link-vbscript", "[klik](vbscript:msgbox(1))", False),
    ("md-link-data-url", "[klik](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)", False),
    ("md-link-reference", "[klik][x]\n\n[x]: javascript:alert(1)", False),
    ("md-image-javascript", "![plaatje](javascript:alert(1))", False),
    ("autolink-javascript", "<javascript:alert(1)>", False),
    ("autolink-upper", "<JAVASCRIPT:alert(1)>", False),
    ("autolink-data", "<data:text/html,alert(1)>", False),
    ("entity-decimal", "[klik](&#106;avascript:alert(1))", False),
    ("entity-hex", "[klik](&#x6A;&#x61;vascript:alert(1))", False),
    ("entity-colon", "[klik](javascript&colon;alert(1))", False),
    ("entity-tab", "[klik](jav&#x09;ascript:alert(1))", False),
    ("entity-newline", "[klik](java&#x0A;script:alert(1))", False),
    ("percent-encoded", "[klik](javascript%3Aalert(1))", False),
    ("title-breakout", '[klik](https://example.org "x\\" onmouseover=\\"alert(1)")', False),
    ("callout-name", '::: tip" onmouseover="alert(1)\nx\n:::', True),
    ("callout-unknown-html", "::: <img src=x onerror=alert(1)>\nx\n:::", True),
]


@pytest.mark.parametrize(("vector", "refused"), [v[1:] for v in VECTORS], ids=[v[0] for v in VECTORS])
def test_xss_vector_never_reaches_step_html(write_module, nl_text, line_of, vector, refused):
    assert PLACEHOLDER in nl_text
    text = nl_text.replace(PLACEHOLDER, vector)
    path = write_module(nl=text, en=None) / "nl.md"
    first = line_of(text, vector.splitlines()[0])
    last = first + len(vector.splitlines()) - 1
    problems = []
    try:
        html = parse_module_file(path).steps[0].html
    except ContentError as exc:
        problems = exc.problems
        step_one = text.split("## Weeg elke ochtend\n", 1)[1].split("\n## ", 1)[0]
        html = render(step_one)
    if refused:
        # the author is told where, and why
        assert problems, f"raw HTML was accepted: {vector!r}"
        for problem in problems:
            assert first <= problem.line <= last, str(problem)
            assert "raw HTML" in problem.message or "unknown block" in problem.message
    else:
        assert problems == []
    assert dangers(html) == [], html
    assert "<script" not in html.lower()


@pytest.mark.parametrize("vector", [v[1] for v in VECTORS], ids=[v[0] for v in VECTORS])
def test_sanitiser_alone_stops_every_vector(vector):
    # if markdown ever let raw HTML through, nh3 is the second wall
    html = render_with_html_enabled(vector)
    assert dangers(html) == [], html


def test_sanitiser_keeps_safe_markup_and_strips_attributes():
    html = sanitise(
        '<p onclick="x" style="color:red">Tekst <a href="https://example.org" onmouseover="x">link</a>'
        '<img src="/modules/a/media/b.svg" alt="B" loading="lazy" onerror="x"></p>'
    )
    root = tree(html)
    (p,) = (n for n in root.iter() if n.tag == "p")
    (a,) = (n for n in root.iter() if n.tag == "a")
    (img,) = (n for n in root.iter() if n.tag == "img")
    assert p.attrs == {}
    assert a.attrs["href"] == "https://example.org"
    assert "onmouseover" not in a.attrs
    assert img.attrs == {"src": "/modules/a/media/b.svg", "alt": "B", "loading": "lazy"}
    assert p.text() == "Tekst link"


def test_links_open_without_opener(write_module, nl_text):
    text = nl_text.replace(PLACEHOLDER, "Lees [meer](https://www.heartfailurematters.org/).")
    html = parse_module_file(write_module(nl=text, en=None) / "nl.md").steps[0].html
    (a,) = (n for n in tree(html).iter() if n.tag == "a")
    assert a.attrs["href"] == "https://www.heartfailurematters.org/"
    assert set(a.attrs["rel"].split()) >= {"noopener", "noreferrer"}
    assert a.text() == "meer"


def test_plain_text_is_escaped_not_dropped(write_module, nl_text):
    text = nl_text.replace(PLACEHOLDER, "Bij 2 < 3 en 5 > 4 & meer.")
    html = parse_module_file(write_module(nl=text, en=None) / "nl.md").steps[0].html
    assert "Bij 2 &lt; 3 en 5 &gt; 4 &amp; meer." in html


# --- images ---------------------------------------------------------------------------------------------------


def images(html: str) -> list[Node]:
    return [n for n in tree(html).iter() if n.tag == "img"]


def test_images_get_media_prefix_and_lazy_loading(write_module, nl_text, en_text):
    extra = "![Een telefoon met het nummer van je team.](telefoon.svg)"
    folder = write_module(
        "weeg-beeld",
        nl=nl_text.replace(PLACEHOLDER, PLACEHOLDER + "\n\n" + extra),
        en=en_text.replace("**Weigh yourself every morning.**", "![A phone.](telefoon.svg)\n\n**Weigh.**"),
        media=("weegschaal.svg", "telefoon.svg"),
    )
    for language, alts in (
        ("nl", ["Een weegschaal op een harde vloer.", "Een telefoon met het nummer van je team."]),
        ("en", ["Bathroom scales on a hard floor.", "A phone."]),
    ):
        doc = parse_module_file(folder / f"{language}.md")
        found = images(doc.steps[0].html)
        assert [img.attrs["src"] for img in found] == [
            "/modules/weeg-beeld/media/weegschaal.svg",
            "/modules/weeg-beeld/media/telefoon.svg",
        ]
        assert [img.attrs["alt"] for img in found] == alts
        assert all(img.attrs.get("loading") == "lazy" for img in found)
        assert doc.media == ("telefoon.svg", "weegschaal.svg")


def test_stored_revision_renders_images_with_the_same_prefix(tmp_path: Path, nl_text):
    doc = parse_module_file(tmp_path / "weeg-test" / "nl.md", text=nl_text)
    (img,) = images(doc.steps[0].html)
    assert img.attrs["src"] == "/modules/weeg-test/media/weegschaal.svg"
    assert img.attrs["loading"] == "lazy"


# --- callouts -------------------------------------------------------------------------------------------------

CALLOUT_LABELS = {
    "nl": {"tip": "Tip", "warning": "Let op", "call": "Bel", "summary": "Onthoud"},
    "en": {"tip": "Tip", "warning": "Warning", "call": "Call", "summary": "Remember"},
}


def callout(html: str, name: str) -> Node:
    (box,) = (n for n in tree(html).iter() if n.tag == "div" and f"callout-{name}" in n.classes())
    return box


@pytest.mark.parametrize("language", ["nl", "en"])
def test_callouts_render_label_and_icon(write_module, nl_text, en_text, language):
    boxes = "\n\n".join(f"::: {name}\nTekst in **{name}**.\n:::" for name in CALLOUT_LABELS[language])
    source = {"nl": nl_text, "en": en_text}[language]
    source = re.sub(r"::: tip\n.*?\n:::", lambda _: boxes, source, count=1, flags=re.DOTALL)
    folder = write_module(nl=source if language == "nl" else None, en=source if language == "en" else None)
    html = strip_soft_hyphens(parse_module_file(folder / f"{language}.md").steps[0].html)  # they are for line breaks

    icons = []
    for name, label in CALLOUT_LABELS[language].items():
        box = callout(html, name)
        assert "callout" in box.classes()
        hidden = [n for n in box.iter() if n.attrs.get("aria-hidden") == "true"]
        assert len(hidden) == 1, f"one decorative icon in the {name} box"
        icon = hidden[0].text().strip()
        assert icon
        assert not any(ch.isalnum() for ch in icon), "the icon is a symbol, the word is the label"
        icons.append(icon)
        # the label is real text next to the icon, so screen readers say it; the body follows
        visible = box.text().replace(hidden[0].text(), "", 1)
        assert visible.split()[: len(label.split())] == label.split()
        assert f"Tekst in {name}." in " ".join(visible.split())
        assert any(n.tag == "strong" and n.text() == name for n in box.iter())
    assert len(set(icons)) == len(icons), "each kind of box has its own icon"


def test_callout_label_follows_the_file_language(write_module, nl_text, en_text):
    folder = write_module(nl=nl_text.replace("::: tip", "::: call"), en=en_text.replace("::: tip", "::: call"))
    nl = callout(parse_module_file(folder / "nl.md").steps[0].html, "call").text()
    en = callout(parse_module_file(folder / "en.md").steps[0].html, "call").text()
    assert "Bel" in nl
    assert "Call" not in nl
    assert "Call" in en


@pytest.mark.parametrize(
    "vector",
    [v[1] for v in VECTORS if v[2] and not v[0].startswith("callout")],
    ids=[v[0] for v in VECTORS if v[2] and not v[0].startswith("callout")],
)
def test_the_danger_check_itself_sees_each_raw_vector(vector):
    # guards the tests above against passing vacuously: unsanitised, every raw HTML vector is caught
    assert dangers(vector) != []
