"""POST statements to an external LRS with the standard library, and classify its answer.

Only the stdlib: lrs must not depend on the LMS's tincan client. Redirects are not followed, because urllib
would turn a redirected POST into a GET, whose 200 would look like a delivery.
"""

from __future__ import annotations

import base64
import functools
import http.client
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

from lrs.service.forwarding.addresses import connect

TRANSIENT = frozenset({408, 425, 429})  # the target is busy: try again soon, the statements are fine
TARGET_PROBLEMS = frozenset({401, 403, 404, 405, 407})  # our key or URL is wrong: no statement is at fault
MAX_READ_BACK = 2_000_000  # one statement read back after a 409; far above any sane statement


@dataclass(frozen=True)
class Answer:
    """What a target said: an HTTP status, or None when no answer came (refused, timed out, unresolvable)."""

    status: int | None
    detail: str

    @property
    def is_delivered(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def is_duplicate(self) -> bool:
        """409: the target already holds a statement with this id (a resend after a lost answer)."""
        return self.status == 409

    @property
    def is_transient(self) -> bool:
        return self.status is None or self.status >= 500 or self.status in TRANSIENT

    @property
    def is_statement_problem(self) -> bool:
        """A 4xx that may be about one statement in the batch, so sending them one by one can isolate it."""
        status = self.status or 0
        return 400 <= status < 500 and status not in TRANSIENT | TARGET_PROBLEMS


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None  # the 3xx then surfaces as an HTTPError: the endpoint is misconfigured


class _CheckedHTTPHandler(urllib.request.HTTPHandler):
    """Plain http, connecting only to addresses that addresses.connect checked (at delivery, after DNS)."""

    def __init__(self, allow_private: bool) -> None:
        super().__init__()
        self.allow_private = allow_private

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(self._connection, req)

    def _connection(self, host: str, **kwargs: Any) -> http.client.HTTPConnection:
        connection = http.client.HTTPConnection(host, **kwargs)
        connection._create_connection = functools.partial(connect, allow_private=self.allow_private)  # type: ignore[attr-defined]
        return connection


class _CheckedHTTPSHandler(urllib.request.HTTPSHandler):
    """https with the same check; TLS still verifies the certificate against the host name."""

    def __init__(self, allow_private: bool) -> None:
        super().__init__()
        self.allow_private = allow_private

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(self._connection, req)

    def _connection(self, host: str, **kwargs: Any) -> http.client.HTTPSConnection:
        connection = http.client.HTTPSConnection(host, **kwargs)
        connection._create_connection = functools.partial(connect, allow_private=self.allow_private)  # type: ignore[attr-defined]
        return connection


def _opener(allow_private: bool) -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(
        _NoRedirect, _CheckedHTTPHandler(allow_private), _CheckedHTTPSHandler(allow_private)
    )


def is_http_url(url: str) -> bool:
    """Return whether url is an absolute http(s) URL without credentials, query or fragment."""
    parts = urlsplit(url)
    return (
        parts.scheme in {"http", "https"}
        and bool(parts.hostname)
        and not (parts.username or parts.password or parts.query or parts.fragment)
    )


def statements_url(endpoint: str) -> str:
    """Return the Statement resource of an xAPI endpoint given with or without its trailing slash."""
    return endpoint.rstrip("/") + "/statements"


def post_statements(
    endpoint: str, username: str, secret: str, version: str, body: bytes, content_type: str, timeout: float,
    *, allow_private: bool = False,
) -> Answer:  # fmt: skip
    """Send one POST /statements and return the answer; never raises for HTTP or network trouble.

    Unless allow_private, a host that resolves to a loopback, link-local or private address is not contacted:
    the answer is "unreachable" with the reason, and the statements wait in the queue.
    """
    url = statements_url(endpoint)
    if not is_http_url(url):
        return Answer(0, f"not an http(s) endpoint: {endpoint}")
    token = base64.b64encode(f"{username}:{secret}".encode()).decode()
    headers = {
        "Authorization": f"Basic {token}",
        "Content-Type": content_type,
        "X-Experience-API-Version": version,
    }
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 - scheme checked
    try:
        with _opener(allow_private).open(request, timeout=timeout) as response:
            response.read()
            return Answer(response.status, f"HTTP {response.status}")
    except urllib.error.HTTPError as exc:
        return Answer(exc.code, f"HTTP {exc.code}: {_excerpt(exc)}")
    except urllib.error.URLError as exc:
        return Answer(None, f"unreachable: {exc.reason}")
    except TimeoutError:
        return Answer(None, f"no answer within {timeout:g} s")
    except (OSError, http.client.HTTPException) as exc:
        return Answer(None, f"connection failed: {exc!r}")


def get_statement(
    endpoint: str, username: str, secret: str, version: str, statement_id: str, timeout: float,
    *, allow_private: bool = False,
) -> tuple[Answer, bytes]:  # fmt: skip
    """Read one statement back from the target (a voided one too), after it answered 409 for that id.

    Returns the answer to the last GET and its body: 200 with the statement, 404 when the target shows none.
    """
    url = statements_url(endpoint)
    if not is_http_url(url):
        return Answer(0, f"not an http(s) endpoint: {endpoint}"), b""
    token = base64.b64encode(f"{username}:{secret}".encode()).decode()
    headers = {"Authorization": f"Basic {token}", "X-Experience-API-Version": version}
    answer, body = Answer(404, "HTTP 404"), b""
    for param in ("statementId", "voidedStatementId"):
        query = urlencode({param: statement_id})
        request = urllib.request.Request(f"{url}?{query}", headers=headers)  # noqa: S310 - scheme checked
        answer, body = _get(request, allow_private, timeout)
        if answer.status != 404:
            return answer, body
    return answer, body


def _get(request: urllib.request.Request, allow_private: bool, timeout: float) -> tuple[Answer, bytes]:
    try:
        with _opener(allow_private).open(request, timeout=timeout) as response:
            return Answer(response.status, f"HTTP {response.status}"), response.read(MAX_READ_BACK)
    except urllib.error.HTTPError as exc:
        return Answer(exc.code, f"HTTP {exc.code}: {_excerpt(exc)}"), b""
    except urllib.error.URLError as exc:
        return Answer(None, f"unreachable: {exc.reason}"), b""
    except TimeoutError:
        return Answer(None, f"no answer within {timeout:g} s"), b""
    except (OSError, http.client.HTTPException) as exc:
        return Answer(None, f"connection failed: {exc!r}"), b""


def _excerpt(error: urllib.error.HTTPError) -> str:
    """The start of the target's error body: xAPI LRSs explain a 400 there."""
    try:
        text = error.read(500).decode("utf-8", "replace")
    except (OSError, http.client.HTTPException):
        text = ""
    finally:
        error.close()
    return " ".join(text.split())[:300] or str(error.reason)
