"""Whole learner pages rendered once per key, with each request's own values put in (the fragments' marks).

Why: after the header, the cards and the progress table were kept as fragments (learning/fragments.py), rendering
base.html and a page's template was still about a quarter of the catalogue's CPU per request (~0.4 of ~1.5 ms
in-process, docs/performance.md, seventh round), most of it Jinja calling gettext, url_for and the fragments again
to produce the same text. The catalogue and /progress are what a learner opens most, and their markup depends on a
few things only: what the page shows (the view's key) and what base.html reads of the request.

How: a view calls `cached_page(template, content_key, **context)`. The page is kept per (template, content key,
frame key); the frame key is everything base.html reads per request (language, script root, logged in, role,
reading preferences, whether the account has an organisation and an unconfirmed address, the demo warning). While a
page renders to be kept, fragments leave their marks in and templates' csrf_token() gives the form token's mark
(`KEEP_MARKS`); each request then puts its own form token, page address, user id and e-mail address in, escaped, in
one pass (fragments.put_in). A request with flashed messages (shown once) renders as before and keeps nothing.

The rule for a template behind `cached_page`, as for a fragment's body: whatever it shows comes from the context's
key, the frame key or a mark. With PAGE_CACHE_CHECK on (the test suite turns it on), every page served this way is
compared with a plain render of the same request, its fragments rendered afresh too, and a difference is an error:
a template that came to read something per request outside the key fails a test in which two people in the same
situation open the page (tests/learning/test_page_cache.py has such tests for both pages) instead of showing one
person's page to another.

Marks are plain ASCII (`vtc-mark-<name>-8c1e`): a module text holding one would be filled with the viewer's own value
(their token or address, never someone else's), as in any fragment.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from flask import Flask, current_app, g, render_template, session
from flask.globals import _cv_request
from flask_login import current_user

from learning.demo.plain_http import SETTING as DEMO_SETTING
from learning.form_tokens import KEEP_MARKS
from learning.fragments import FRESH, MARK, per_request, put_in
from learning.preferences.services import current_preferences

PAGE_CACHE_SIZE = 1_000  # pages per worker (~7 KB each): learners' situations x languages x preferences
CHECK = "PAGE_CACHE_CHECK"


class PageCacheMismatch(AssertionError):
    """A kept page, filled for this request, differs from a plain render: its template reads something per
    request that its key does not hold."""


EXTENSION = "vtc_page_cache"  # the app's kept pages: one dict per app, as the fragments are kept per app


def frame_key(fragments_key: tuple[str, str, bool, str | None]) -> tuple[Hashable, ...]:
    """What base.html reads of the request, besides the marks: the fragments' key (per_request: language, script
    root, logged in, role), the reading preferences (the <html> attributes, the header's text size), the header's
    "has an organisation", the confirm banner's "address not confirmed" and the demo warning."""
    user = current_user._get_current_object()
    logged_in = fragments_key[2]
    return (
        *fragments_key,
        current_preferences(),
        logged_in and user.organisation_id is not None,
        logged_in and user.email_confirmed_at is None,
        bool(current_app.config.get(DEMO_SETTING)),
    )


def cached_page(template: str, content_key: Hashable, **context: Any) -> str:
    """The page `render_template(template, **context)` gives, kept per (template, content_key, frame key).

    `content_key` must hold everything the template shows of `context` (the catalogue: its cards' key and the
    training required of the learner)."""
    request_context = _cv_request.get(None)
    if session.get("_flashes") or (request_context is not None and request_context.flashes):
        return render_template(template, **context)  # a message shown once (or read already): nothing to keep
    fragments_key = per_request()
    key = (template, content_key, *frame_key(fragments_key))
    # one cache per template: /progress has nearly a page per learner, and filling up must not empty the
    # catalogue's, which learners in the same situation share
    pages: dict[tuple[Hashable, ...], tuple[str, ...]] = current_app.extensions[EXTENSION].setdefault(template, {})
    parts = pages.get(key)
    if parts is None:
        setattr(g, KEEP_MARKS, True)
        try:
            page = render_template(template, **context)
        finally:
            g.pop(KEEP_MARKS, None)
        parts = tuple(MARK.split(page))
        if len(pages) >= PAGE_CACHE_SIZE:
            pages.clear()
        pages[key] = parts
    page = put_in(parts, fragments_key[2])
    if current_app.config.get(CHECK):
        setattr(g, FRESH, True)  # every fragment rendered now too: a leak inside a kept fragment shows as well
        try:
            plain = render_template(template, **context)
        finally:
            g.pop(FRESH, None)
        if plain != page:
            at = next(
                (i for i, (a, b) in enumerate(zip(plain, page, strict=False)) if a != b), min(len(plain), len(page))
            )
            raise PageCacheMismatch(
                f"{template}: the kept page differs from a plain render at {at}: "
                f"kept {page[max(0, at - 80) : at + 80]!r}, plain {plain[max(0, at - 80) : at + 80]!r}"
            )
    return page


def init_app(app: Flask) -> None:
    """An empty cache for this app; PAGE_CACHE_CHECK off unless set (tests/conftest.py sets it)."""
    app.extensions[EXTENSION] = {}
    app.config.setdefault(CHECK, False)
