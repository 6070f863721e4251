"""`make run`'s server: start gunicorn so that it starts cleanly after any crash of the previous one.

- The pid file and gunicorn's control socket live in the run directory (instance/ by default), not in a fixed
  path shared with every other gunicorn of the user (~/.gunicorn/gunicorn.ctl), so a stale one is ours to remove.
- A previous server of this checkout that still holds the port (a master that hung, or workers orphaned by a
  kill -9 of their master) is stopped first: SIGTERM, then SIGKILL after a grace period. Processes of other
  programs, or of other checkouts, are never touched: the port then stays taken and gunicorn says so.
- Workers get a parent-death signal (scripts/gunicorn_conf.py), so a killed master takes its workers with it.

Usage: python scripts/serve.py [--host H] [--port P] [--workers N] [--run-dir DIR]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GRACE_SECONDS = 5.0
LISTEN = "0A"  # TCP state LISTEN in /proc/net/tcp


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--run-dir", type=Path, default=ROOT / "instance")
    args = parser.parse_args()
    run_dir: Path = args.run_dir.resolve()
    run_dir.mkdir(parents=True, exist_ok=True)
    pid_file, control_socket = run_dir / "gunicorn.pid", run_dir / "gunicorn.ctl"
    stale = set(_holders_of_port(args.port)) | _pid_from(pid_file)
    ours = sorted(pid for pid in stale if _is_our_gunicorn(pid))
    if ours:
        print(f"Stopping a previous server of this checkout that still runs: pids {ours}", file=sys.stderr)
        _stop(ours)
    pid_file.unlink(missing_ok=True)
    control_socket.unlink(missing_ok=True)
    gunicorn = Path(sys.executable).parent / "gunicorn"
    argv = [
        str(gunicorn),
        "--config", str(ROOT / "scripts" / "gunicorn_conf.py"),
        "--workers", str(args.workers),
        "--bind", f"{args.host}:{args.port}",
        "--pid", str(pid_file),
        "--control-socket", str(control_socket),
        "--access-logfile", "-",
        "app:create_app()",
    ]  # fmt: skip
    os.chdir(ROOT)
    os.execv(argv[0], argv)  # noqa: S606 - our own gunicorn, argv built above


def _pid_from(pid_file: Path) -> set[int]:
    try:
        return {int(pid_file.read_text().strip())}
    except (OSError, ValueError):
        return set()


def _holders_of_port(port: int) -> list[int]:
    """Return the processes that hold a listening TCP socket on `port` (Linux /proc; elsewhere none)."""
    inodes: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == LISTEN:
                inodes.add(fields[9])
    holders = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            links = {os.readlink(fd) for fd in (proc / "fd").iterdir()}
        except OSError:  # gone, or not ours to look at
            continue
        if any(f"socket:[{inode}]" in links for inode in inodes):
            holders.append(int(proc.name))
    return holders


def _is_our_gunicorn(pid: int) -> bool:
    """True for a live gunicorn process (master or worker) started in this checkout."""
    proc = Path(f"/proc/{pid}")
    try:
        cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        cwd = os.readlink(proc / "cwd")
        state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return "gunicorn" in cmdline and Path(cwd) == ROOT and state != "Z"


def _stop(pids: list[int]) -> None:
    for pid in pids:
        _signal(pid, signal.SIGTERM)
    deadline = time.monotonic() + GRACE_SECONDS
    while time.monotonic() < deadline and any(_is_our_gunicorn(pid) for pid in pids):
        time.sleep(0.1)
    for pid in pids:
        if _is_our_gunicorn(pid):
            _signal(pid, signal.SIGKILL)
    while any(_is_our_gunicorn(pid) for pid in pids) and time.monotonic() < deadline + GRACE_SECONDS:
        time.sleep(0.05)


def _signal(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)


if __name__ == "__main__":
    main()
