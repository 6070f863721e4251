"""The background delivery thread: one per worker process, started by the first statement that needs it.

Started lazily rather than at app creation, so CLI commands, tests and gunicorn's master never run it; a
process forked after it started (gunicorn with --preload) gets a thread of its own. Any number of processes
may run one: targets are leased, so they share the work without sending a batch twice.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import weakref

from sqlalchemy import Engine
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from lrs.service.forwarding.delivery import DeliveryReport, deliver_due
from lrs.service.forwarding.owners import run_owner
from lrs.service.forwarding.settings import ForwardSettings
from lrs.store.engine import storage_problem
from lrs.store.forward_targets import active_credential_keys

log = logging.getLogger(__name__)
TARGETS_TTL = 30.0  # seconds a process trusts its list of forwarding credentials


class Forwarder:
    """Wakes the delivery thread of this process when a credential that forwards has stored statements."""

    def __init__(self, engine: Engine, settings: ForwardSettings) -> None:
        self.engine, self.settings = engine, settings
        self._keys: set[str] = set()
        self._keys_loaded_at = float("-inf")
        self._reset()
        _forwarders.add(self)

    def _reset(self) -> None:
        """Fresh thread state; after a fork the parent's thread, locks and event do not belong to this process."""
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stopping = False
        self._thread: threading.Thread | None = None

    def notify(self, credential_key: str) -> None:
        """Called after a client stored statements: deliver soon if its credential forwards."""
        if not self.settings.background:
            return
        keys = self._forwarding_keys()
        if keys:  # also picks up a backlog left by a restart
            self._ensure_thread()
        if credential_key in keys:
            self._wake.set()

    def forget_targets(self) -> None:
        """Re-read which credentials forward on the next notify (after an administrator changed a target)."""
        with self._lock:
            self._keys_loaded_at = float("-inf")

    def flush(self) -> DeliveryReport:
        """Deliver what is queued now, even to targets backing off; for `flask lrs forward-flush` and tests."""
        return deliver_due(self.engine, self.settings, run_owner(), force=True)

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the thread after its current run; what is still queued stays queued."""
        self._stopping = True
        self._wake.set()
        thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def _forwarding_keys(self) -> set[str]:
        with self._lock:
            if time.monotonic() - self._keys_loaded_at > TARGETS_TTL:
                with self.engine.connect() as conn:
                    self._keys = active_credential_keys(conn)
                self._keys_loaded_at = time.monotonic()
            return self._keys

    def _ensure_thread(self) -> None:
        with self._lock:
            if self._thread is not None or self._stopping:
                return
            self._thread = threading.Thread(target=self._run, name="lrs-forwarding", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        owner = run_owner()
        while not self._stopping:
            self._wake.clear()  # before the run: a wake during it makes the next wait return at once
            try:
                deliver_due(self.engine, self.settings, owner)
            except (OperationalError, InterfaceError, PoolTimeout) as exc:  # down or failing over: one line
                log.warning("statement forwarding waits: the database is %s: %s", storage_problem(exc),
                            getattr(exc, "orig", exc))  # fmt: skip
            except Exception:  # keep the thread alive: the statements stay queued for the next round
                log.exception("statement forwarding crashed")
            self._wake.wait(self.settings.poll_seconds)


_forwarders: weakref.WeakSet[Forwarder] = weakref.WeakSet()


def _after_fork_in_child() -> None:
    for forwarder in list(_forwarders):
        forwarder._reset()


os.register_at_fork(after_in_child=_after_fork_in_child)
