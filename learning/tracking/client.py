"""Where the LMS's statements go: the only module that imports tincan.

Two sinks share one shape (`send(statements) -> None`, raising DeliveryError): an in-process sink that hands the
xAPI JSON to a store function app.py wires (the built-in LRS, no HTTP to ourselves), and a remote sink that
POSTs to any conformant LRS through tincan with a timeout. Both receive xAPI JSON only, checked by tincan's own
model first, so the built-in LRS can be swapped for another by configuration. Reading back from a remote LRS
(RemoteReader) lives here for the same reason; the in-process reader is in reader.py.
"""

from __future__ import annotations

import http.client
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any, ClassVar, Protocol
from urllib.parse import urlencode, urlparse

from tincan import HTTPRequest, LRSResponse, RemoteLRS, Statement, StatementList, Verb

from learning.tracking.reader import PAGE, AgentRecords, ReadError, agent_params, statement_params

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
        # a `more` link carries its own query string, which must survive next to any parameters
        params = urlencode({k: str(v) for k, v in request.query_params.items()})
        query = "&".join(part for part in (parsed.query, params) if part)
        path = parsed.path + (f"?{query}" if query else "")
        try:
            connection.request(request.method, path, body=getattr(request, "content", None), headers=headers)
            response = connection.getresponse()
            data = response.read()
        finally:
            connection.close()
        ok = 200 <= response.status < 300 or (response.status == 404 and getattr(request, "ignore404", False))
        return LRSResponse(success=ok, request=request, response=response, data=data)

    def get_json(self, resource: str, params: dict[str, str] | None = None) -> LRSResponse:
        """GET a resource and leave its body unparsed (tincan's model refuses statements it cannot represent)."""
        request = HTTPRequest(method="GET", resource=resource)
        request.query_params = params or {}
        return self._send_request(request)


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


class RemoteReader:
    """Reads statements back from an outside LRS through tincan, following `more` links; the JSON is as stored.

    Statements come from tincan's query_statements/more_statements. When tincan's model refuses a page (it knows
    xAPI up to 1.0.3, so a 2.0 statement with e.g. contextAgents breaks it), that page is fetched again through
    the same connection settings and read as plain JSON, so one foreign statement cannot stop the reading.
    """

    def __init__(self, endpoint: str, key: str, secret: str, *, timeout: float = 5.0) -> None:
        self._lrs = make_remote_lrs(endpoint, key, secret, timeout)

    def read_statements(
        self, since: datetime | None, *, limit: int = PAGE, verb: str | None = None
    ) -> Iterator[dict[str, Any]]:
        """Yield statements stored after `since` (all when None), oldest first, optionally of one verb only."""
        page = self._first_page(statement_params(since, limit=limit, verb=verb))
        while True:
            yield from page["statements"]
            if not page.get("more"):
                return
            page = self._more(str(page["more"]))

    def read_agent(self, agent: Mapping[str, Any]) -> AgentRecords:
        """Return everything the outside LRS lets our credential read about one person, over xAPI: the statements
        they appear in, their Agent Profile documents, and their State documents of every activity in those."""
        statements, page = [], self._document("statements", agent_params(agent))
        while True:
            statements += page["statements"]
            if not page.get("more"):
                break
            more = urlparse(str(page["more"]))  # as in _more: tincan prefixes the server root itself
            page = self._document(self._root() + more.path + (f"?{more.query}" if more.query else ""), {})
        who = {"agent": json.dumps(agent)}
        documents = [
            {"resource": "agents/profile", "agent": dict(agent), "profileId": profile_id,
             "content": self._document("agents/profile", {**who, "profileId": profile_id})}
            for profile_id in self._document("agents/profile", who)
        ]  # fmt: skip
        for activity in sorted({s["object"]["id"] for s in statements if "id" in s.get("object", {})}):
            where = {**who, "activityId": activity}
            documents += [
                {"resource": "activities/state", "agent": dict(agent), "activityId": activity, "stateId": state_id,
                 "content": self._document("activities/state", {**where, "stateId": state_id})}
                for state_id in self._document("activities/state", where)
            ]  # fmt: skip
        return AgentRecords(statements, documents)

    def _document(self, resource: str, params: dict[str, str]) -> Any:
        try:
            response = self._lrs.get_json(resource, params)
        except OSError as exc:
            raise ReadError(f"LRS unreachable: {exc}") from exc
        if not response.success:
            raise ReadError(f"LRS answered {getattr(response.response, 'status', '?')} to GET {resource}")
        try:
            return json.loads(response.data)
        except ValueError:
            return {"contentText": str(response.data)}  # a document need not be JSON

    def _first_page(self, params: dict[str, str]) -> dict[str, Any]:
        query: dict[str, Any] = {**params, "verb": Verb(id=params["verb"])} if "verb" in params else dict(params)
        return self._read(lambda: self._lrs.query_statements(query), lambda: self._lrs.get_json("statements", params))

    def _more(self, more: str) -> dict[str, Any]:
        parsed = urlparse(more)  # tincan prefixes the server root itself; an absolute link must lose its own
        path = parsed.path + (f"?{parsed.query}" if parsed.query else "")
        return self._read(lambda: self._lrs.more_statements(path), lambda: self._lrs.get_json(self._root() + path))

    def _root(self) -> str:
        return str(self._lrs.get_endpoint_server_root())

    def _read(self, through_model: Callable[[], LRSResponse], plain: Callable[[], LRSResponse]) -> dict[str, Any]:
        try:
            try:
                response = through_model()
            except (TypeError, ValueError, AttributeError):
                response = plain()
        except OSError as exc:
            raise ReadError(f"LRS unreachable: {exc}") from exc
        if not response.success:
            status = getattr(response.response, "status", "?")
            raise ReadError(f"LRS answered {status}: {response.data[:300]!r}")
        try:
            result = json.loads(response.data)
        except ValueError as exc:
            raise ReadError(f"LRS answered something that is not JSON: {exc}") from exc
        if not isinstance(result, dict) or not isinstance(result.get("statements"), list):
            raise ReadError("LRS answered something that is not a StatementResult")
        return result
