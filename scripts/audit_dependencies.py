"""Check every pin of requirements.lock against PyPI's list of known vulnerabilities; fail loudly, never skip.

Why not pip-audit: here it reports success while skipping every package (its vulnerability services are out
of reach). This script asks only PyPI, which is reachable wherever pip install works, and turns every package
it could not check into a failure (exit 2), so an audit that saw nothing never passes as "clean".

PyPI's JSON API lists the known vulnerabilities (from the PyPA advisory database / OSV) of a release at
/pypi/NAME/VERSION/json, and of the newest release at /pypi/NAME/json. Some mirrors (the one reachable here)
serve only the latter; then a pin that is the newest release is still checked exactly, and an older pin cannot
be: it is listed as BEHIND with the newest version, and fails only with --require-newest. It does not fail by
default because every upstream release would otherwise turn a green CI red overnight with nothing wrong in the
project; bump the pins to have them checked. Yanked pins fail: a release is mostly yanked because it is broken
or unsafe.

    python scripts/audit_dependencies.py [requirements.lock] [--index-url https://pypi.org] [--ignore ID]
                                         [--accept-unchecked NAME] [--require-newest]

Exit status: 0 no known problem (pins BEHIND listed); 1 a pin has a known vulnerability or is yanked; 2 a pin
could not be checked at all (registry unreachable, unknown package or version) or, with --require-newest, is BEHIND.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

WORKERS = 16
TIMEOUT = 20.0
TRIES = 3


@dataclass
class Finding:
    """What PyPI says about one pin."""

    name: str
    version: str
    vulnerabilities: list[dict[str, Any]] = field(default_factory=list)
    yanked: str | None = None  # the yank reason ("" when none was given)
    problem: str | None = None  # why it could not be checked
    behind: str | None = None  # the newest version, when only the newest release's data could be read


def read_pins(text: str) -> list[tuple[str, str]]:
    """Return (name, version) of every `name==version` line; comments, blanks and markers are ignored."""
    pins = []
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].split(";", 1)[0].strip()
        if not line:
            continue
        match = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?\s*==\s*([^\s,]+)", line)
        if not match:
            raise ValueError(f"not an exact pin: {raw!r}")
        pins.append((match.group(1), match.group(2)))
    return pins


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _get_json(url: str) -> Any | None:
    """GET url as JSON; None on 404. Network trouble is retried, then raised (the caller reports it)."""
    for attempt in range(TRIES):
        try:
            request = urllib.request.Request(url, headers={"Accept": "application/json"})  # noqa: S310 - our URL
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310  # nosec B310
                return json.load(response)
        except urllib.error.HTTPError as error:
            if error.code == 404:
                return None
            if attempt == TRIES - 1 or error.code < 500:
                raise
        except (urllib.error.URLError, TimeoutError, ConnectionError):
            if attempt == TRIES - 1:
                raise
        time.sleep(0.5 * 2**attempt)
    raise AssertionError("unreachable")


def check(index_url: str, name: str, version: str) -> Finding:
    """Look one pin up: its own release data, else the project's when the pin is the newest release."""
    finding = Finding(name, version)
    base = f"{index_url.rstrip('/')}/pypi/{normalise(name)}"
    try:
        project = _get_json(f"{base}/json")
        if project is None:
            finding.problem = "not on the package index"
            return finding
        files = project.get("releases", {}).get(version)
        if files is None:
            finding.problem = f"version {version} is not on the package index"
            return finding
        if files and all(f.get("yanked") for f in files):
            finding.yanked = files[0].get("yanked_reason") or ""
        release = _get_json(f"{base}/{version}/json")
        if release is not None:
            finding.vulnerabilities = list(release.get("vulnerabilities") or [])
        elif project.get("info", {}).get("version") == version:
            finding.vulnerabilities = list(project.get("vulnerabilities") or [])
        else:
            finding.behind = str(project.get("info", {}).get("version"))
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as error:
        finding.problem = f"registry not reached: {error}"
    return finding


def audit(
    pins: list[tuple[str, str]], index_url: str, ignore: frozenset[str] = frozenset(),
    accept_unchecked: frozenset[str] = frozenset(), require_newest: bool = False,
) -> tuple[int, str]:  # fmt: skip
    """Check all pins in parallel; return (exit status, report).

    accept_unchecked names packages whose pin cannot be checked here for a reviewed reason: they are still
    listed, as "NOT CHECKED (accepted)", but do not fail the audit — unless the registry was not reached.
    """
    with ThreadPoolExecutor(WORKERS) as pool:
        findings = list(pool.map(lambda pin: check(index_url, *pin), pins))
    lines, vulnerable, unchecked = [], 0, 0
    for finding in findings:
        pin = f"{finding.name}=={finding.version}"
        for vuln in finding.vulnerabilities:
            ids = {vuln.get("id"), *(vuln.get("aliases") or [])}
            if vuln.get("withdrawn") or ids & ignore:
                continue
            vulnerable += 1
            aliases = ", ".join(vuln.get("aliases") or [])
            fixed = ", ".join(vuln.get("fixed_in") or []) or "no fix yet"
            lines.append(f"VULNERABLE  {pin}: {vuln.get('id')} ({aliases}) fixed in {fixed} {vuln.get('link', '')}")
        if finding.yanked is not None:
            vulnerable += 1
            lines.append(f"YANKED      {pin}: {finding.yanked or 'no reason given'}")
        if finding.behind is not None:
            accepted = normalise(finding.name) in accept_unchecked
            unchecked += require_newest and not accepted
            lines.append(
                f"BEHIND      {pin}: newest is {finding.behind}; this registry lists vulnerabilities of the newest "
                f"release only, so this pin is not checked{' (accepted)' if accepted else ''}: bump it to check it"
            )
        if finding.problem:
            accepted = normalise(finding.name) in accept_unchecked and "not reached" not in finding.problem
            unchecked += not accepted
            lines.append(f"NOT CHECKED {pin}{' (accepted)' if accepted else ''}: {finding.problem}")
    checked = sum(finding.problem is None and finding.behind is None for finding in findings)
    behind = sum(finding.behind is not None for finding in findings)
    lines.append(
        f"{checked} of {len(pins)} pins checked against {index_url}: {vulnerable} problem(s), {behind} behind the "
        f"newest release, {len(pins) - checked - behind} not checkable, {unchecked} of them failing the audit."
    )
    status = 1 if vulnerable else 2 if unchecked or not pins else 0
    return status, "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("lock", nargs="?", default="requirements.lock", type=Path)
    parser.add_argument("--index-url", default="https://pypi.org", help="PyPI or a mirror with its JSON API")
    parser.add_argument("--ignore", action="append", default=[], metavar="ID", help="a reviewed advisory id to accept")
    parser.add_argument(
        "--accept-unchecked", action="append", default=[], metavar="NAME",
        help="a package whose pin cannot be checked here, for a reason given where this option is used",
    )  # fmt: skip
    parser.add_argument("--require-newest", action="store_true", help="fail (2) when a pin is BEHIND and unchecked")
    args = parser.parse_args(argv)
    accepted = frozenset(normalise(name) for name in args.accept_unchecked)
    pins = read_pins(args.lock.read_text())
    status, report = audit(pins, args.index_url, frozenset(args.ignore), accepted, args.require_newest)
    print(report)
    return status


if __name__ == "__main__":
    sys.exit(main())
