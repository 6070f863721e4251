"""The one Markdown setup for module text: raw HTML off, containers for callouts, sanitised output.

Author text never reaches a page unsanitised: markdown-it's html option is off (raw HTML becomes text) and the
rendered HTML passes nh3 with a short allow-list as a second wall.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.container import container_plugin

CALLOUTS = {
    "tip": {"nl": "Tip", "en": "Tip", "icon": "💡"},
    "warning": {"nl": "Let op", "en": "Warning", "icon": "⚠️"},
    "call": {"nl": "Bel", "en": "Call", "icon": "📞"},
    "summary": {"nl": "Onthoud", "en": "Remember", "icon": "✅"},
}
ALLOWED_TAGS = {
    "p",
    "h2",
    "h3",
    "h4",
    "ul",
    "ol",
    "li",
    "strong",
    "em",
    "a",
    "img",
    "div",
    "span",
    "blockquote",
    "br",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "code",
    "pre",
    "hr",
    "figure",
    "figcaption",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "loading"},
    "div": {"class"},
    "span": {"class", "aria-hidden"},
    "th": {"scope"},
}


def _render_callout(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: dict[str, Any]) -> str:
    token = tokens[idx]
    if token.nesting != 1:
        return "</div>\n"
    name = token.info.strip().split(" ", 1)[0]
    callout = CALLOUTS.get(name)
    if callout is None:
        return '<div class="callout">\n'
    label = callout.get(env.get("language", "nl"), callout["en"])
    return (
        f'<div class="callout callout-{name}"><span class="callout-label">'
        f'<span aria-hidden="true">{callout["icon"]}</span> {label}</span>\n'
    )


def _render_image(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: dict[str, Any]) -> str:
    token = tokens[idx]
    src = str(token.attrGet("src") or "")
    if "://" not in src and not src.startswith("/"):
        token.attrSet("src", env.get("media_base", "") + src)
    token.attrSet("loading", "lazy")
    return str(self.image(tokens, idx, options, env))


def make_markdown() -> MarkdownIt:
    """Return a parser for module text; any `::: name` block is tokenised so unknown names can be reported."""
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")
    md.use(container_plugin, name="block", validate=lambda params, markup: bool(params.strip()))
    md.add_render_rule("container_block_open", _render_callout)
    md.add_render_rule("container_block_close", _render_callout)
    md.add_render_rule("image", _render_image)
    return md


def sanitise(html: str) -> str:
    """Strip anything outside the allow-list; links get rel=noopener so authors cannot open windows on us."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer",
    )
