"""xAPI 1.0.x Alternate Request Syntax: a browser that cannot send custom headers or PUT across origins POSTs
`?method=PUT` with the headers, parameters and body as form fields. This WSGI layer turns such a request
back into the ordinary one before Flask routes it, so every resource supports it without knowing.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl, urlencode

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
METHODS = {"GET", "PUT", "POST", "DELETE", "HEAD"}
HEADER_FIELDS = {
    "authorization": "HTTP_AUTHORIZATION",
    "x-experience-api-version": "HTTP_X_EXPERIENCE_API_VERSION",
    "content-type": "CONTENT_TYPE",
    "content-length": "CONTENT_LENGTH",
    "if-match": "HTTP_IF_MATCH",
    "if-none-match": "HTTP_IF_NONE_MATCH",
}
FORM_TYPE = "application/x-www-form-urlencoded"


class SyntaxRefused(Exception):
    """The request uses the alternate syntax wrongly; the message says how."""


class AlternateRequestSyntax:
    def __init__(self, app: WSGIApp, prefix: str, max_body: Callable[[], int]) -> None:
        self.app, self.prefix, self.max_body = app, prefix, max_body

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if not environ.get("PATH_INFO", "").startswith(self.prefix + "/"):
            return self.app(environ, start_response)
        query = dict(parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True))
        if "method" not in query:
            return self.app(environ, start_response)
        try:
            rewrite(environ, query, self.max_body())
        except SyntaxRefused as refused:
            return _refuse(start_response, str(refused))
        return self.app(environ, start_response)


def rewrite(environ: dict[str, Any], query: dict[str, str], max_body: int) -> None:
    """Turn an alternate-syntax POST into the request it stands for (in place).

    :raises SyntaxRefused: when it is not a POST, carries other query parameters, is not a form, or its
        version is 2.0 (which dropped the alternate syntax).
    """
    if environ.get("REQUEST_METHOD") != "POST":
        raise SyntaxRefused("the alternate request syntax (?method=…) must be sent as POST")
    if set(query) != {"method"}:
        raise SyntaxRefused("with ?method=… every other parameter must be a form field, not in the query")
    method = query["method"].upper()
    if method not in METHODS:
        raise SyntaxRefused(f"method {query['method']!r} is not one this LRS supports")
    if environ.get("CONTENT_TYPE", "").split(";")[0].strip().lower() != FORM_TYPE:
        raise SyntaxRefused(f"the alternate request syntax sends its fields as {FORM_TYPE}")
    form = _read_form(environ, max_body)
    content = form.pop("content", None)
    if method in {"PUT", "POST"} and content is None:
        raise SyntaxRefused(f"a {method} in the alternate syntax needs its body in the 'content' form field")
    _apply(environ, method, form, content)
    if environ.get("HTTP_X_EXPERIENCE_API_VERSION", "").startswith("2."):
        raise SyntaxRefused("xAPI 2.0 no longer supports the alternate request syntax")


def _read_form(environ: dict[str, Any], max_body: int) -> dict[str, str]:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise SyntaxRefused("Content-Length is not a number") from None
    if length > max_body:
        raise SyntaxRefused(f"the form is larger than this LRS accepts ({max_body} bytes)")
    raw = environ["wsgi.input"].read(length)
    try:
        return dict(parse_qsl(raw.decode("utf-8"), keep_blank_values=True, strict_parsing=bool(raw)))
    except (UnicodeDecodeError, ValueError):
        raise SyntaxRefused("the form fields are not valid url-encoded text") from None


def _apply(environ: dict[str, Any], method: str, form: dict[str, str], content: str | None) -> None:
    params = {}
    for name, value in form.items():
        key = HEADER_FIELDS.get(name.lower())
        if key is None:
            params[name] = value
        elif key != "CONTENT_LENGTH":
            environ[key] = value
    body = (content or "").encode("utf-8")
    environ["REQUEST_METHOD"] = method
    environ["QUERY_STRING"] = urlencode(params)
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    if content is not None and environ.get("CONTENT_TYPE", "").startswith(FORM_TYPE):
        environ["CONTENT_TYPE"] = "application/json"


def _refuse(start_response: Callable[..., Any], message: str) -> Iterable[bytes]:
    body = json.dumps({"error": {"status": 400, "message": message}}).encode()
    headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    start_response("400 BAD REQUEST", [*headers, ("X-Experience-API-Version", "1.0.3")])
    return [body]
