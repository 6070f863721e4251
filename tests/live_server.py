"""The real app served on a loopback port for HTTP clients and browsers, and what a failed test's report shows of
it (the requests still being answered, each with its thread's stack: tests/conftest.py's makereport hook)."""

from __future__ import annotations

import sys
import threading
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

IN_FLIGHT = pytest.StashKey["InFlight"]()


@dataclass(frozen=True)
class LiveServer:
    url: str
    app: Flask


class _ClosedWhenLetGo:
    """A response's iterable, closed once: by the server as usual, or when it is let go.

    Why: werkzeug's development server does not close the iterable when the browser drops the connection in the
    middle of the answer (a page left while its icon was still being sent): the static file stayed open and its
    ResourceWarning failed whichever test was running when it was collected. Gunicorn closes it in every case."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.closed = False

    def __iter__(self) -> Any:
        return iter(self.inner)

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            close = getattr(self.inner, "close", None)
            if close is not None:
                close()

    def __del__(self) -> None:
        self.close()


class InFlight:
    """WSGI wrapper that counts the requests being answered, so a test's teardown can wait for them.

    Why: the threaded server answers each request in a daemon thread that `shutdown()` does not wait for. A request
    a browser still had open when its test ended (a failed assertion, a prefetch) could hold a pooled connection
    while the app's engines were disposed; PostgreSQL's driver then warned about it in a later, unrelated test."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.count = 0
        self.idle = threading.Condition()
        self.answering: dict[int, str] = {}  # thread id -> "GET /path": what a failed test's report shows

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        thread = threading.get_ident()
        with self.idle:
            self.count += 1
            self.answering[thread] = f"{environ.get('REQUEST_METHOD')} {environ.get('PATH_INFO')}"
        try:
            # Flask ends the request's context before it returns
            return _ClosedWhenLetGo(self.app(environ, start_response))
        finally:
            with self.idle:
                self.count -= 1
                self.answering.pop(thread, None)
                self.idle.notify_all()

    def report(self) -> str:
        """The requests still being answered, each with its thread's stack: why a page never came."""
        frames = sys._current_frames()
        with self.idle:
            answering = dict(self.answering)
        parts = [f"{len(answering)} request(s) being answered"]
        for thread, request in answering.items():
            frame = frames.get(thread)
            stack = "".join(traceback.format_stack(frame)[-25:]) if frame is not None else "(no stack)\n"
            parts.append(f"--- {request} (thread {thread})\n{stack}")
        return "\n".join(parts)

    def wait_until_idle(self, seconds: float) -> bool:
        with self.idle:
            return self.idle.wait_for(lambda: self.count == 0, timeout=seconds)


@contextmanager
def serving(app: Flask, item: pytest.Item) -> Iterator[LiveServer]:
    """Serve `app` on a free loopback port with a threaded WSGI server for as long as the block runs; a failed
    test's report (pytest_runtest_makereport) finds what was still being answered in `item`'s stash meanwhile."""
    in_flight = InFlight(app)
    server = make_server("127.0.0.1", 0, in_flight, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    item.stash[IN_FLIGHT] = in_flight
    try:
        yield LiveServer(f"http://127.0.0.1:{server.server_port}", app)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        # A test item lives as long as the run, so an InFlight left in its stash kept the test's app, engines and
        # pages alive to the end: every full garbage collection then walked every earlier live-server test's heap
        # (tests/test_suite_memory.py). The call's report, which reads it, has been made by now.
        del item.stash[IN_FLIGHT]
        assert in_flight.wait_until_idle(30), f"{in_flight.count} request(s) still answered 30 s after the test"
