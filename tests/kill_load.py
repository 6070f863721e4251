"""Load for the kill -9 test (tests/test_serve.py): learners answering questions in the player over real HTTP, and an
external LRS that receives forwarded statements.

Learners log in with a password, start patient modules, open the steps and answer the quiz questions as htmx does
(HX-Request: a 200 with the feedback). Each answer's id is fixed before it is first sent (as offline.js does), and an
answer that got no 2xx (a cut connection, a 503) is sent again with the same id until it is acknowledged, as the
player's queue does: so an answer is never lost by the client, and the server must never count it twice.
"""

from __future__ import annotations

import http.cookiejar
import json
import queue
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from helpers import CSRF_INPUT, PASSWORD

from app import ROOT
from learning.content.document import Quiz
from learning.content.loader import load_module_folder

RETRY_PAUSE = 0.05  # between two tries of one request, as a client's back-off (not a wait for a result)


def quizzes_of(slugs: tuple[str, ...]) -> list[tuple[str, list[tuple[int, str, str]]]]:
    """(slug, [(step, quiz id, a choice)]) of each module: what a learner answers there."""
    modules = []
    for slug in slugs:
        document = load_module_folder(ROOT / "modules_content" / slug)["nl"]
        quizzes = [
            (step.number, item.id, "0") for step in document.steps for item in step.items if isinstance(item, Quiz)
        ]
        modules.append((slug, quizzes))
    return modules


@dataclass
class Answer:
    """One answer as the learner's device holds it: its id is fixed before it is first sent."""

    email: str
    slug: str
    item: str
    choice: str
    answer_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    acknowledged: bool = False


class Learner:
    """One logged-in browser: its cookies and the CSRF token of its session."""

    def __init__(self, base: str, email: str, statuses: Counter[int], lock: threading.Lock) -> None:
        self.base, self.email, self.statuses, self.lock = base, email, statuses, lock
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        self.token = ""

    def request(
        self, path: str, form: dict[str, Any] | None = None, htmx: bool = False, counted: bool = True
    ) -> tuple[int, str]:
        """One request (redirects followed); status 0 when the connection was refused or cut (no answer).
        `counted`: its status goes into the player's statuses (log-in requests do not)."""
        data = None if form is None else urllib.parse.urlencode(form, doseq=True).encode()
        headers = {"HX-Request": "true"} if htmx else {}
        request = urllib.request.Request(self.base + path, data, headers)  # noqa: S310 — the test's loopback server
        try:
            with self.opener.open(request, timeout=30) as response:
                status, body = int(response.status), response.read().decode()
        except urllib.error.HTTPError as error:
            with error:  # closes its socket (else the GC reports it in some later test)
                status, body = int(error.code), error.read().decode(errors="replace")
        except OSError:
            status, body = 0, ""
        if counted:
            with self.lock:
                self.statuses[status] += 1
        return status, body

    def until_ok(self, stop: threading.Event, path: str, form: dict[str, Any] | None = None, htmx: bool = False) -> str:
        """Send until a 200 (the server may be gone for a moment); '' when the test stops first."""
        while not stop.is_set():
            status, body = self.request(path, form if form is None else {**form, "csrf_token": self.token}, htmx)
            if status == 200:
                return body
            time.sleep(RETRY_PAUSE)
        return ""

    def log_in(self, stop: threading.Event) -> bool:
        """Log in, again with a fresh token when a log-in went through but its answer was lost in a kill (the
        session, and so its form token, changed: the old token is refused with a 400, as for a person)."""
        while not stop.is_set():
            match = CSRF_INPUT.search(self.request("/login", counted=False)[1])
            if match is not None:
                form = {"email": self.email, "password": PASSWORD, "csrf_token": match.group(1)}
                if self.request("/login", form, counted=False)[0] == 200:
                    break
            time.sleep(RETRY_PAUSE)
        match = CSRF_INPUT.search(self.until_ok(stop, "/"))  # the session is new after log-in: so is its token
        self.token = match.group(1) if match else ""
        return bool(match)


class Learners:
    """Threads that each take learners from a queue, log them in and answer every quiz of the modules given."""

    def __init__(self, base: str, emails: list[str], slugs: tuple[str, ...]) -> None:
        self.base = base
        self.waiting: queue.Queue[str] = queue.Queue()
        for email in emails:
            self.waiting.put(email)
        self.modules = quizzes_of(slugs)
        self.answers: list[Answer] = []
        self.statuses: Counter[int] = Counter()
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.last: tuple[Learner, Answer] | None = None  # the last acknowledged answer, to send again

    def acknowledged(self) -> list[Answer]:
        with self.lock:
            return [answer for answer in self.answers if answer.acknowledged]

    def client(self) -> None:
        while not self.stop.is_set():
            try:
                learner = Learner(self.base, self.waiting.get_nowait(), self.statuses, self.lock)
            except queue.Empty:
                return
            if learner.log_in(self.stop):
                for slug, quizzes in self.modules:
                    self._take(learner, slug, quizzes)

    def _take(self, learner: Learner, slug: str, quizzes: list[tuple[int, str, str]]) -> None:
        learner.until_ok(self.stop, f"/modules/{slug}/start", {})  # begins the attempt; follows to its step
        opened = 0
        for step, item, choice in quizzes:
            if self.stop.is_set():
                return
            if step != opened:
                learner.until_ok(self.stop, f"/modules/{slug}/step/{step}")  # the learner opens the step
                opened = step
            answer = Answer(learner.email, slug, item, choice)
            with self.lock:
                self.answers.append(answer)
            form = {"choice": [choice], "answer_id": answer.answer_id}
            if learner.until_ok(self.stop, f"/modules/{slug}/item/{item}", form, htmx=True):
                with self.lock:
                    answer.acknowledged = True
                    self.last = (learner, answer)

    def send_again(self) -> int:
        """The last acknowledged answer once more, same id: a client that did not see its answer retries."""
        with self.lock:
            assert self.last is not None
            learner, answer = self.last
        form = {"choice": [answer.choice], "answer_id": answer.answer_id, "csrf_token": learner.token}
        return learner.request(f"/modules/{answer.slug}/item/{answer.item}", form, htmx=True)[0]


class Receiver:
    """An external LRS for forwarding, as small as can be: it notes every statement id each POST carried and keeps
    each statement once by its id, as an xAPI LRS does (so a resend after a lost answer is harmless)."""

    def __init__(self) -> None:
        self.received: list[str] = []
        self.stored: dict[str, dict[str, Any]] = {}
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
                statements = body if isinstance(body, list) else [body]
                with receiver.lock:
                    for statement in statements:
                        receiver.received.append(statement["id"])
                        receiver.stored.setdefault(statement["id"], statement)
                answer = json.dumps([s["id"] for s in statements]).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.endpoint = f"http://127.0.0.1:{self.server.server_port}/xapi/"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), name="receiver", daemon=True)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)

    def twice(self) -> int:
        """How many deliveries were resends of a statement already received (at-least-once delivery)."""
        with self.lock:
            return len(self.received) - len(set(self.received))
