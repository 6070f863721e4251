"""A form a browser or htmx posts (URL-encoded, with its length) is parsed in one step, not through Werkzeug's
general form machinery.

Why: an answer POST carries two short fields, and `request.form` cost ~39 us of the worker's CPU for them: a
limited input stream wrapping the WSGI input, the Content-Type header parsed for the parser's choice, a form parser
object, a read in chunks through the stream. The parse itself (`parse_qsl` into a MultiDict) is ~6 us
(docs/performance.md, tenth round).

How: for a body of exactly `application/x-www-form-urlencoded` with a Content-Length (ASCII digits, no
Transfer-Encoding) within MAX_CONTENT_LENGTH, the request reads that many bytes from the WSGI input and parses them
as Werkzeug does: UTF-8, blank values kept, the same handler for bytes that are not UTF-8 after unquoting; a body
that is not UTF-8 at all gives an empty form, as Werkzeug's silent parser does. Everything else goes through
Werkzeug's own path, which also refuses a body over MAX_CONTENT_LENGTH: multipart, a charset or other parameter,
no length, a chunked body, too long, a body something read before. Flask's debug-mode help for a form without
files stays (its `_load_form_data` runs after).

One difference, on purpose: a body shorter than its Content-Length (the client went away mid-body) is a 400 here.
Under gunicorn, which marks its input as terminated, Werkzeug parsed what had come; a half-sent answer must not
count as the learner's choice.
"""

from __future__ import annotations

from io import BytesIO
from typing import BinaryIO
from urllib.parse import parse_qsl

import werkzeug.urls  # noqa: F401 — registers the "werkzeug.url_quote" error handler parse_qsl is given below
from flask import Request
from werkzeug.exceptions import ClientDisconnected

URLENCODED = "application/x-www-form-urlencoded"


class FormBodyRequest(Request):
    """Flask's request, with URL-encoded forms of a known length parsed directly (see above)."""

    def _load_form_data(self) -> None:
        """The form and files, parsed here when the body is a plain URL-encoded form (see above), else by Werkzeug."""
        untouched = not ({"form", "stream", "_cached_data"} & self.__dict__.keys())  # nothing read the body yet
        if untouched and not self.shallow:
            environ = self.environ
            length = environ.get("CONTENT_LENGTH", "")
            plain = environ.get("CONTENT_TYPE") == URLENCODED and "HTTP_TRANSFER_ENCODING" not in environ
            if plain and length.isascii() and length.isdigit():
                size = int(length)
                limit = self.max_content_length
                if limit is None or size <= limit:
                    self._parse_urlencoded(_read(environ["wsgi.input"], size))
        super()._load_form_data()  # Werkzeug's parse when the form is not set yet; Flask's debug help in any case

    def _parse_urlencoded(self, body: bytes) -> None:
        """Set the form (and no files) from the body, as Werkzeug's URL-encoded parser would."""
        try:
            items = parse_qsl(body.decode(), keep_blank_values=True, errors="werkzeug.url_quote")
        except ValueError:  # not UTF-8: Werkzeug's parser is silent about it and leaves the form empty
            items = []
        storage = self.parameter_storage_class
        self.__dict__.update(stream=BytesIO(), form=storage(items), files=storage())


def _read(stream: BinaryIO, size: int) -> bytes:
    """Exactly `size` bytes of the body (a server may hand them over in parts).

    :raises ClientDisconnected: the body ended before its Content-Length: a 400.
    """
    parts, missing = [], size
    while missing:
        part = stream.read(missing)
        if not part:
            raise ClientDisconnected()
        parts.append(part)
        missing -= len(part)
    return b"".join(parts)
