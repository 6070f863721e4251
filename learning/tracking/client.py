"""Where the LMS's statements go: the only module that imports tincan.

Two sinks share one shape (`send(statements) -> None`, raising DeliveryError): an in-process sink that hands the
xAPI JSON to a store function app.py wires (the built-in LRS, no HTTP to ourselves), and a remote sink that
POSTs to any conformant LRS through tincan with a timeout. Both receive xAPI JSON only, checked by tincan's own
model first, so the built-in LRS can be swapped for another by configuration.
"""

from __future__ import annotations

import http.client
import json
from collections.abc import Callable, Sequence
from typing import Any, ClassVar, Protocol
from urllib.parse import urlencode, urlparse

from tincan import LRSResponse, RemoteLRS, Statement, StatementList

StoreFunction = Callable[[list[dict[str, Any]]], object]


class DeliveryError(Exception):
    """The LRS did not take the statements; they stay in the outbox and are tried again."""


class StatementSink(Protocol):
    is_local: bool

    def send(self, statements: Sequence[dict[str, Any]]) -> None: ...


def to_xapi_json(statements: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Round-trip through tincan's Statement model: what we send is what any tincan-speaking LRS reads."""
    return [json.loads(Statement(s).to_json()) for s in statements]


class InProcessSink:
    """Stores into the LRS living in this process (the default); no HTTP call to our own server."""

    is_local = True

    def __init__(self, store: StoreFunction) -> None:
        self._store = store

    def send(self, statements: Sequence[dict[str, Any]]) -> None:
        try:
            self._store(to_xapi_json(statements))
        except Exception as exc:  # the outbox keeps them; the reason is logged and retried
            raise DeliveryError(f"built-in LRS refused the statements: {exc}") from exc


class _TimeoutRemoteLRS(RemoteLRS):  # type: ignore[misc]
    """tincan's RemoteLRS opens connections without a timeout; a hung LRS must not hang a worker."""

    _props: ClassVar[list[str]] = [*RemoteLRS._props, "timeout"]  # tincan refuses attributes it does not list
    timeout: float = 5.0

    def _send_request(self, request: Any) -> LRSResponse:
        headers = {"X-Experience-API-Version": self.version, **request.headers}
        if self.auth is not None:
            headers["Authorization"] = self.auth
        url = request.resource if request.resource.startswith("http") else self.endpoint + request.resource
        parsed = urlparse(url)
        connection_class = http.client.HTTPSConnection if parsed.scheme == "https" else http.client.HTTPConnection
        connection = connection_class(parsed.hostname, parsed.port, timeout=self.timeout)
        query = urlencode({k: str(v) for k, v in request.query_params.items()})
        path = parsed.path + (f"?{query}" if query else "")
        try:
            connection.request(request.method, path, body=getattr(request, "content", None), headers=headers)
            response = connection.getresponse()
            data = response.read()
        finally:
            connection.close()
        ok = 200 <= response.status < 300 or (response.status == 404 and getattr(request, "ignore404", False))
        return LRSResponse(success=ok, request=request, response=response, data=data)


class RemoteSink:
    """POSTs batches to an outside LRS; used from the outbox worker, never inside a request."""

    is_local = False

    def __init__(self, endpoint: str, key: str, secret: str, *, timeout: float = 5.0) -> None:
        self._lrs = make_remote_lrs(endpoint, key, secret, timeout)

    def send(self, statements: Sequence[dict[str, Any]]) -> None:
        batch = StatementList([Statement(s) for s in statements])
        try:
            response = self._lrs.save_statements(batch)
        except OSError as exc:
            raise DeliveryError(f"LRS unreachable: {exc}") from exc
        if not response.success:
            status = getattr(response.response, "status", "?")
            raise DeliveryError(f"LRS answered {status}: {response.data[:300]!r}")


def make_remote_lrs(endpoint: str, key: str, secret: str, timeout: float = 5.0) -> RemoteLRS:
    """Return a tincan RemoteLRS with a timeout (the sink, contract tests, exports)."""
    lrs = _TimeoutRemoteLRS(endpoint=endpoint.rstrip("/") + "/", username=key, password=secret, version="1.0.3")
    lrs.timeout = timeout
    return lrs
