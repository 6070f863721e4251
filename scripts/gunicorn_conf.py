"""Gunicorn settings that `scripts/serve.py` (make run) loads: workers die with their master.

Without this, a master killed with SIGKILL (OOM killer, kill -9) left its workers running: they hold the listening
socket, notice the new parent only when their accept loop wakes (up to half the worker timeout), and meanwhile the
next `make run` failed with "Connection in use". The kernel's parent-death signal ends them at once instead.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
from typing import Any

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def post_fork(server: Any, worker: Any) -> None:
    """In each new worker: ask the kernel for SIGTERM (a graceful stop) when the master dies."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    if os.getppid() != server.pid:  # the master died between fork and prctl: no signal will come
        os._exit(0)
