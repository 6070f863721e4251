"""Parts of every page rendered once per worker and kept: the site header and the offline texts of base.html.

Why: base.html's header (menu, language and text-size forms) and the offline texts call gettext and url_for about
forty times, and that markup is the same for every request with the same language, role and text size (~0.1 ms
of every full page, docs/performance.md). It is rendered once per key and kept; only what differs per request (the
form token, the page address, the user id) is put in afterwards.

In a template:

    {% call(csrf, here, user) frame_fragment("header", prefs.text_size) %} ... {{ csrf }} ... {% endcall %}

The body is rendered only when its key is new. The key is the name, the extra values passed, the language, the
script root, whether someone is logged in and their role: everything else the body reads must be the same for
everyone (translations, URLs) or come in through the three arguments. The arguments are placeholders while the
body renders and are replaced by the HTML-escaped current values: the form token (csrf_token()), the page's own
path with its query (for "next" fields) and the session's user id ("" when logged out). A fourth mark, EMAIL
(`vtc-mark-email-8c1e` in a body), is the logged-in person's e-mail address (the confirm banner's sentence).

A whole page kept by learning/page_cache.py is rendered with its fragments' marks left in (`keep_marks`): the page
is then filled per request as a fragment is.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable
from typing import Any

from flask import Flask, g, request
from flask_login import current_user
from markupsafe import Markup, escape

from learning.form_tokens import CSRF, KEEP_MARKS, form_token
from learning.rendering import current_locale

FRAGMENT_CACHE_SIZE = 20_000  # names x languages x roles x text sizes: far below this
# Fragments whose key has a value per learner's situation (the catalogue's cards: every card's status) are kept
# apart, in fewer entries, so that many learners never push the page frame out of its cache.
VARIED_CACHE_SIZE = 2_000
# ASCII marks that survive HTML escaping and JSON encoding unchanged, so they can sit in attributes and in JSON.
HERE, USER, EMAIL = "vtc-mark-here-8c1e", "vtc-mark-user-8c1e", "vtc-mark-email-8c1e"  # and CSRF (form_tokens)
MARK = re.compile(r"(vtc-mark-[a-z]+-8c1e)")  # the group: split keeps the marks
_PER_REQUEST = "_vtc_fragment_key"
FRESH = "_vtc_fresh_fragments"  # set on g: render every fragment's body now and keep nothing (page_cache's check)


def _fragment_cache() -> Callable[..., Markup]:
    frames: dict[tuple[Hashable, ...], tuple[str, ...]] = {}
    varied: dict[tuple[Hashable, ...], tuple[str, ...]] = {}

    def frame_fragment(name: str, *extra: Hashable, caller: Callable[..., Any], many: bool = False) -> Markup:
        """The body of the `{% call %}` block, rendered once per key, with this request's values put in. `many`:
        the key takes many values (see VARIED_CACHE_SIZE)."""
        request_key = per_request()
        key = (name, *extra, *request_key)
        cache, size = (varied, VARIED_CACHE_SIZE) if many else (frames, FRAGMENT_CACHE_SIZE)
        fresh = g.get(FRESH)
        parts = None if fresh else cache.get(key)
        if parts is None:
            # kept split at its marks: text, mark, text, mark, ..., text
            parts = tuple(MARK.split(str(caller(CSRF, HERE, USER))))
            if not fresh:
                if len(cache) >= size:
                    cache.clear()
                cache[key] = parts
        if len(parts) == 1:
            return Markup(parts[0])  # noqa: S704 — rendered by our own autoescaping template
        if g.get(KEEP_MARKS):
            return Markup("".join(parts))  # noqa: S704 — the page around it is filled (learning/page_cache.py)
        return Markup(put_in(parts, request_key[2]))  # noqa: S704 — and the values put in are escaped

    return frame_fragment


def put_in(parts: tuple[str, ...], logged_in: bool) -> str:
    """The body with each mark (the odd parts) replaced by this request's value, HTML-escaped, in one pass: a value
    put in is never looked at again (a page address that holds a mark must not receive the person's e-mail
    address). Each value is worked out once, however often its mark occurs."""
    values: dict[str, str] = {}
    for mark in set(parts[1::2]):
        if mark == CSRF:
            raw = form_token()
        elif mark == HERE:
            raw = request.full_path if request.query_string else request.path
        elif mark == USER:
            raw = current_user.get_id() if logged_in else ""
        elif mark == EMAIL:
            raw = current_user.email if logged_in else ""
        else:
            raw = mark  # not ours to fill: left as it was
        values[mark] = str(escape(raw))
    pieces = list(parts)
    pieces[1::2] = [values[mark] for mark in parts[1::2]]
    return "".join(pieces)


def per_request() -> tuple[str, str, bool, str | None]:
    """The request's part of every fragment key (language, script root, logged in, role), worked out once: a full
    page has four or five fragments, and each look-up goes through Flask's and Flask-Login's proxies."""
    found: tuple[str, str, bool, str | None] | None = g.get(_PER_REQUEST)
    if found is None:
        logged_in = bool(current_user.is_authenticated)
        found = (current_locale(), request.script_root, logged_in, current_user.role.value if logged_in else None)
        setattr(g, _PER_REQUEST, found)
    return found


def init_app(app: Flask) -> None:
    """Offer frame_fragment to every template."""
    app.jinja_env.globals["frame_fragment"] = _fragment_cache()
