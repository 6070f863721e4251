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

from learning.tracking.reader import (
    PAGE,
    AgentRecords,
    ReadError,
    activity_params,
    agent_params,
    statement_params,
)

StoreFunction = Callable[[list[dict[str, Any]]], object]


TRANSIENT = frozenset({408, 425, 429})  # the LRS is busy: the statements are fine, try again later
NOT_THE_STATEMENTS = frozenset({401, 403, 404, 405, 407})  # our key or endpoint is wrong: no statement is at fault
LRS_SET = ("stored", "authority", "version")  # what an LRS adds to a statement; not part of what we sent
INVALID = 400  # the status a statement our own model refuses gets: it is as bad as one the LRS refuses


class DeliveryError(Exception):
    """The LRS did not take the statements.

    `status` is the LRS's HTTP status, None when no answer came (down, timed out). Only a refusal of the
    statements themselves (`refused`) lets the outbox look for the culprit; anything else is retried as a whole.
    """

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status

    @property
    def refused(self) -> bool:
        """A 4xx that can be about one statement of the batch (400 bad statement, 409 conflict, 413 too large)."""
        status = self.status or 0
        return 400 <= status < 500 and status not in TRANSIENT | NOT_THE_STATEMENTS

    @property
    def transient(self) -> bool:
        """No answer, a 5xx or "busy": the LRS may well take it in a while."""
        return self.status is None or self.status >= 500 or self.status in TRANSIENT

    @property
    def conflict(self) -> bool:
        """409: the LRS already holds a statement with this id."""
        return self.status == 409


class StatementSink(Protocol):
    is_local: bool

    def send(self, statements: Sequence[dict[str, Any]]) -> None: ...

    def holds(self, statement: dict[str, Any]) -> bool:
        """After a 409: whether the LRS holds this very statement (same id, same content), so it was delivered.

        :raises DeliveryError: when the LRS cannot tell us (its status says whether to try again).
        """
        ...


def to_xapi_json(statements: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Round-trip through tincan's Statement model: what we send is what any tincan-speaking LRS reads.

    :raises DeliveryError: (status 400) when the model refuses a statement: sending it could not succeed either.
    """
    try:
        return [json.loads(Statement(s).to_json()) for s in statements]
    except (TypeError, ValueError, AttributeError, KeyError) as exc:
        raise DeliveryError(f"not a valid xAPI statement (refused before sending): {exc}", INVALID) from exc


def same_statement(sent: dict[str, Any], held: dict[str, Any]) -> bool:
    """Whether the statement an LRS holds is the one we sent: both through tincan's model (so a timestamp written
    another way still matches), the fields the LRS sets left aside."""
    try:
        [ours, theirs] = to_xapi_json([sent, held])
    except DeliveryError:  # an LRS may hold what tincan cannot read (xAPI 2.0 fields): compare it as it is
        ours, theirs = sent, held
    drop = set(LRS_SET) | ({"timestamp"} if "timestamp" not in sent else set())
    return {k: v for k, v in ours.items() if k not in drop} == {k: v for k, v in theirs.items() if k not in drop}


class InProcessSink:
    """Stores into the LRS living in this process (the default); no HTTP call to our own server."""

    is_local = True

    def __init__(self, store: StoreFunction) -> None:
        self._store = store

    def send(self, statements: Sequence[dict[str, Any]]) -> None:
        payload = to_xapi_json(statements)
        try:
            self._store(payload)
        except Exception as exc:  # the LRS's error types are not ours to import: their HTTP status travels on
            status = getattr(exc, "status", None)
            raise DeliveryError(
                f"built-in LRS refused the statements: {exc}", status if isinstance(status, int) else None
            ) from exc

    def holds(self, statement: dict[str, Any]) -> bool:
        """Never after a 409: the built-in LRS answers a resend with the same content with success and a 409 only
        when it holds other content under that id (lrs/service/statements.py, `_drop_duplicates`)."""
        return False


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
        try:
            batch = StatementList([Statement(s) for s in statements])
        except (TypeError, ValueError, AttributeError, KeyError) as exc:
            raise DeliveryError(f"not a valid xAPI statement (refused before sending): {exc}", INVALID) from exc
        try:
            response = self._lrs.save_statements(batch)
        except OSError as exc:
            raise DeliveryError(f"LRS unreachable: {exc}") from exc
        if not response.success:
            raise _answer_error(response)

    def holds(self, statement: dict[str, Any]) -> bool:
        """Ask the LRS for the statement with this id (a voided one too) and compare it with ours."""
        for param in ("statementId", "voidedStatementId"):
            try:
                response = self._lrs.get_json("statements", {param: statement["id"]})
            except OSError as exc:
                raise DeliveryError(f"LRS unreachable: {exc}") from exc
            if response.success:
                try:
                    held = json.loads(response.data)
                except ValueError as exc:
                    raise DeliveryError(f"LRS answered something that is not JSON: {exc}", INVALID) from exc
                return isinstance(held, dict) and same_statement(statement, held)
            if getattr(response.response, "status", None) != 404:
                raise _answer_error(response, "could not read the statement back to compare it: ")
        return False


def _answer_error(response: LRSResponse, prefix: str = "") -> DeliveryError:
    status = getattr(response.response, "status", None)
    return DeliveryError(f"{prefix}LRS answered {status or '?'}: {response.data[:300]!r}", status)


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

    def read_activity(self, activity: str, since: datetime | None = None) -> Iterator[dict[str, Any]]:
        """Yield every statement about `activity` or with it in its context (stored after `since`), oldest first;
        read as plain JSON: tincan's query model has no related_activities."""
        params = activity_params(activity, since)
        page = self._read(
            lambda: self._lrs.get_json("statements", params), lambda: self._lrs.get_json("statements", params)
        )
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
