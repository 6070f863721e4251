"""Who holds a target's lease: a name for each delivery run, and whether the process behind a name is gone.

A lease only runs out after `lease_seconds` (a minute or more: longer than any request to a target may take), so a
worker killed mid-delivery (kill -9, the OOM killer) would hold its targets for that long after a restart. A run's
name says on which host and in which process it runs; a process of the same host can see that this process no
longer exists and free its leases at once. Runs of other hosts are never judged: their leases run out as before.
App nodes must therefore have host names of their own (they have, unless cloned containers share one).
"""

from __future__ import annotations

import os
import socket
import uuid

HOST_CHARS = 30  # lease_owner is 64 characters: host, pid and a 12-character random part fit


def _host() -> str:
    return socket.gethostname()[:HOST_CHARS]


def run_owner() -> str:
    """Name this delivery run in target leases: host, process and a random part (for a CLI run beside a worker)."""
    return f"{_host()}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


def owner_is_gone(owner: str) -> bool:
    """Whether `owner` names a run of a process on this host that no longer exists.

    False whenever it cannot be sure: another host, a name of another form, a process that exists (also one that
    took a dead run's process id: the lease then runs out as before), or this very process.
    """
    parts = owner.rsplit(":", 2)
    if len(parts) != 3 or parts[0] != _host() or not parts[1].isdigit():
        return False
    pid = int(parts[1])
    if pid <= 0 or pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # it exists, under another user
        return False
    return False
