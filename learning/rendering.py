"""Cheaper template helpers for every page: translations looked up once per request, URLs built once per process.

Why: a page's base template alone calls gettext about thirty times and url_for about twenty. Flask-Babel finds the
translations anew on each call (four context lookups and a locale formatted to a string), and werkzeug builds each
URL from its rule: together that was a fifth of the time of the cheapest logged-in page (bench/profile_pages.py).
The output is the same; only the lookups are kept.

- Translations: remembered in `g` with the locale and domain they were found for, so a change of either in the
  same request (Flask-Babel's force_locale or refresh) finds them anew.
- URLs: the routes never change once the app serves, so a URL depends only on the endpoint, its values and the
  request's script root (a proxy's X-Forwarded-Prefix); it is built once per worker and kept (bounded). Anything
  unusual (no request, `_external`/`_anchor`..., url_defaults hooks, values that cannot be a key) goes through
  Flask's own url_for unchanged.
"""

from __future__ import annotations

from typing import Any

from babel.support import NullTranslations
from flask import Flask
from flask.globals import _cv_app, _cv_request
from flask_babel import get_translations

_TRANSLATIONS = "_vtc_translations"
_KEY_TYPES = frozenset({str, int})  # values whose equality is their URL text: never an object compared by identity
URL_CACHE_SIZE = 20_000  # distinct URLs a worker keeps: steps x modules x languages, far below this


def current_translations() -> NullTranslations:
    """The request's translations, found once per request (and again after the locale or domain changes)."""
    app_ctx = _cv_app.get(None)
    if app_ctx is None:
        return get_translations()
    values = app_ctx.g.__dict__
    found = values.get(_TRANSLATIONS)
    babel = values.get("_flask_babel")
    if (
        found is not None
        and babel is not None
        and found[0] is getattr(babel, "babel_locale", None)
        and found[1] is getattr(babel, "babel_domain", None)
    ):
        return found[2]  # type: ignore[no-any-return]
    translations = get_translations()  # sets the locale and domain on g._flask_babel
    babel = values.get("_flask_babel")
    locale = getattr(babel, "babel_locale", None)
    values[_TRANSLATIONS] = (locale, getattr(babel, "babel_domain", None), translations, str(locale))
    return translations


def current_locale() -> str:
    """The request's locale as a string ("nl"), formatted once per request."""
    current_translations()
    app_ctx = _cv_app.get(None)
    if app_ctx is None:
        from flask_babel import get_locale

        return str(get_locale())
    return str(app_ctx.g.__dict__[_TRANSLATIONS][3])


def _url_builder(app: Flask) -> Any:
    cache: dict[tuple[Any, ...], str] = {}
    build = app.url_for

    def url_for(endpoint: str, /, **values: Any) -> str:
        request_ctx = _cv_request.get(None)
        if request_ctx is None or any(key[:1] == "_" for key in values) or any(app.url_default_functions.values()):
            return build(endpoint, **values)
        if endpoint[:1] == ".":
            blueprint = request_ctx.request.blueprint
            endpoint = f"{blueprint}{endpoint}" if blueprint is not None else endpoint[1:]
        if not all(type(value) in _KEY_TYPES for value in values.values()):
            return build(endpoint, **values)  # an object or a list (query string): built each time, never kept
        key = (request_ctx.request.script_root, endpoint, *((k, type(v), v) for k, v in sorted(values.items())))
        url = cache.get(key)
        if url is not None:
            return url
        url = build(endpoint, **values)
        if len(cache) >= URL_CACHE_SIZE:
            cache.clear()
        cache[key] = url
        return url

    return url_for


def init_app(app: Flask) -> None:
    """Install the cheaper gettext, url_for and current_locale in the app's templates (after Flask-Babel's)."""
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: current_translations().ugettext(s),
        ngettext=lambda s, p, n: current_translations().ungettext(s, p, n),
        pgettext=lambda c, s: current_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: current_translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
    app.jinja_env.globals["url_for"] = _url_builder(app)
    app.jinja_env.globals["current_locale"] = current_locale
