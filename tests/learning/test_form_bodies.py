"""A URL-encoded form is parsed in one step (learning/form_bodies.py) into exactly what Werkzeug's own parser
gives, and every body the short path does not take is still Werkzeug's: compared on the same WSGI environ."""

from __future__ import annotations

import random
from io import BytesIO
from typing import Any

import pytest
from flask import Flask, Request
from werkzeug.exceptions import ClientDisconnected, RequestEntityTooLarge

from learning.form_bodies import URLENCODED, FormBodyRequest

BODIES = [
    b"",
    b"csrf_token=abc.def-ghi&choice=b",
    b"choice=a&choice=b&choice=&empty=&=novalue&flag",
    b"text=een+twee%20drie&accents=%C3%A9%C3%A9n&plus=%2B",
    b"bad=%FF%FEtext&ok=1",  # not UTF-8 once unquoted: Werkzeug keeps the bytes percent-encoded
    b"raw=\xff\xfe",  # not UTF-8 at all: Werkzeug's silent parser gives an empty form
    b"semi=a;b&amp=1&&double=&&",
    b"nul=%00&tab=%09",
]


def _environ(body: bytes, content_type: str | None = URLENCODED, length: int | None = None) -> dict[str, Any]:
    environ: dict[str, Any] = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/",
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "wsgi.url_scheme": "http",
        "wsgi.input": BytesIO(body),
    }
    if content_type is not None:
        environ["CONTENT_TYPE"] = content_type
    environ["CONTENT_LENGTH"] = str(len(body) if length is None else length)
    return environ


def _parsed(request_class: type[Request], app: Flask, environ: dict[str, Any]) -> tuple[Any, Any, bytes]:
    with app.app_context():
        request = request_class(dict(environ, **{"wsgi.input": BytesIO(environ["wsgi.input"].getvalue())}))
        return list(request.form.items(multi=True)), list(request.files.items(multi=True)), request.get_data()


@pytest.fixture
def bare() -> Flask:
    return Flask(__name__)


@pytest.mark.parametrize("body", BODIES)
def test_a_form_is_what_werkzeug_parses(bare, body):
    assert _parsed(FormBodyRequest, bare, _environ(body)) == _parsed(Request, bare, _environ(body))


def test_random_bodies_are_what_werkzeug_parses(bare):
    """Bytes from the characters a form body is made of, and some it should not have."""
    alphabet = b"ab=&%+;2FEfe0\xc3\xa9\xff \x00"
    chance = random.Random(9)
    for _ in range(500):
        body = bytes(chance.choice(alphabet) for _ in range(chance.randrange(0, 24)))
        assert _parsed(FormBodyRequest, bare, _environ(body)) == _parsed(Request, bare, _environ(body)), body


def test_the_short_path_is_taken_for_a_plain_form(bare):
    """So the tests above compare the short path, not Werkzeug with itself: it leaves no Werkzeug stream behind."""
    with bare.app_context():
        request = FormBodyRequest(_environ(b"choice=b"))
        assert request.form["choice"] == "b"
        assert isinstance(request.__dict__["stream"], BytesIO)
        plain = Request(_environ(b"choice=b"))
        assert plain.form["choice"] == "b"
        assert not isinstance(plain.__dict__["stream"], BytesIO)


@pytest.mark.parametrize(
    "content_type",
    ["application/x-www-form-urlencoded; charset=UTF-8", "multipart/form-data; boundary=x", "text/plain", None],
)
def test_other_bodies_are_werkzeugs(bare, content_type):
    body = b'--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--x--\r\n'
    environ = _environ(body, content_type)
    assert _parsed(FormBodyRequest, bare, environ) == _parsed(Request, bare, environ)


def test_a_body_read_before_is_parsed_from_what_was_read(bare):
    with bare.app_context():
        request = FormBodyRequest(_environ(b"choice=b&x=1"))
        assert request.get_data() == b"choice=b&x=1"
        assert request.form.to_dict() == {"choice": "b", "x": "1"}


def test_a_body_over_the_limit_is_refused(bare):
    bare.config["MAX_CONTENT_LENGTH"] = 10
    with bare.app_context(), pytest.raises(RequestEntityTooLarge):
        _ = FormBodyRequest(_environ(b"choice=b&more=12345")).form


class _InParts(BytesIO):
    """A WSGI input that hands the body over four bytes at a time, as a server may."""

    def read(self, size: int | None = -1) -> bytes:
        return super().read(4 if size is None or size < 0 else min(size, 4))


def test_a_body_handed_over_in_parts_is_read_whole(bare):
    environ = _environ(b"csrf_token=abc.def&choice=b")
    environ["wsgi.input"] = _InParts(b"csrf_token=abc.def&choice=b")
    with bare.app_context():
        assert FormBodyRequest(environ).form.to_dict() == {"csrf_token": "abc.def", "choice": "b"}


def test_a_chunked_body_is_werkzeugs(bare):
    """With Transfer-Encoding the server de-chunks the body and Werkzeug ignores a Content-Length."""
    environ = _environ(b"choice=b&x=1", length=3)
    environ["HTTP_TRANSFER_ENCODING"] = "chunked"
    environ["wsgi.input_terminated"] = True
    assert _parsed(FormBodyRequest, bare, environ) == _parsed(Request, bare, environ)
    assert _parsed(FormBodyRequest, bare, environ)[0] == [("choice", "b"), ("x", "1")]


@pytest.mark.parametrize("length", [chr(0xB2), chr(0xFF18), "1_0", " 8", "-1"])  # superscript and full-width digits
def test_a_length_that_is_not_plain_digits_is_werkzeugs(bare, length):
    environ = _environ(b"choice=b")
    environ["CONTENT_LENGTH"] = length
    assert _parsed(FormBodyRequest, bare, environ) == _parsed(Request, bare, environ)


def test_a_body_shorter_than_its_length_is_a_bad_request(bare):
    """The client went away mid-body: never a form parsed from half of it."""
    with bare.app_context(), pytest.raises(ClientDisconnected):
        _ = FormBodyRequest(_environ(b"choice=b", length=50)).form


def test_the_app_parses_forms_this_way(app):
    assert app.request_class is FormBodyRequest
