"""The security tools can fail: the dependency audit flags a vulnerable pin and fails when it cannot check,
bandit and ruff's S rules really apply to the application code."""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

ROOT = Path(__file__).parent.parent
AUDIT = ROOT / "scripts" / "audit_dependencies.py"
BIN = Path(sys.executable).parent

# What PyPI's JSON API says about Jinja2 2.10 (sandbox escape, fixed in 2.10.1): a known-vulnerable old pin.
JINJA_2_10_VULNERABILITY = {
    "id": "PYSEC-2019-217",
    "aliases": ["CVE-2019-10906", "GHSA-462w-v97r-4m45"],
    "details": "In Pallets Jinja before 2.10.1, str.format_map allows a sandbox escape.",
    "fixed_in": ["2.10.1"],
    "link": "https://osv.dev/vulnerability/PYSEC-2019-217",
    "source": "osv",
    "summary": None,
    "withdrawn": None,
}


class PackageIndex:
    """A small stand-in for PyPI's JSON API on loopback: projects, their releases and vulnerabilities."""

    def __init__(self, per_release: bool = True) -> None:
        self.projects: dict[str, dict[str, Any]] = {}
        self.per_release = per_release  # False: a mirror that serves only /pypi/NAME/json

    def add(self, name: str, newest: str, releases: dict[str, list[dict[str, Any]]], **options: Any) -> None:
        self.projects[name] = {"newest": newest, "releases": releases, **options}

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        parts = environ["PATH_INFO"].strip("/").split("/")
        body = self._answer(parts)
        if body is None:
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b""]
        start_response("200 OK", [("Content-Type", "application/json")])
        return [json.dumps(body).encode()]

    def _answer(self, parts: list[str]) -> dict[str, Any] | None:
        project = self.projects.get(parts[1]) if len(parts) >= 3 and parts[0] == "pypi" else None
        if project is None:
            return None
        files = {version: [{"yanked": version in project.get("yanked", {}),
                            "yanked_reason": project.get("yanked", {}).get(version)}]
                 for version in project["releases"]}  # fmt: skip
        if len(parts) == 3:
            newest = project["newest"]
            return {"info": {"version": newest}, "releases": files, "vulnerabilities": project["releases"][newest]}
        if len(parts) == 4 and self.per_release and parts[2] in project["releases"]:
            return {"info": {"version": parts[2]}, "vulnerabilities": project["releases"][parts[2]]}
        return None


def serve(index: PackageIndex) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, index, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture
def pypi() -> Iterator[tuple[PackageIndex, str]]:
    index = PackageIndex()
    for url in serve(index):
        yield index, url


def run_audit(tmp_path: Path, lock: str, *args: str) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "requirements.lock"
    path.write_text(lock)
    command = [sys.executable, str(AUDIT), str(path), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def test_a_known_vulnerable_old_pin_fails_the_audit(tmp_path, pypi):
    index, url = pypi
    index.add("jinja2", "3.1.6", {"2.10": [JINJA_2_10_VULNERABILITY], "2.10.1": [], "3.1.6": []})
    index.add("flask", "3.1.3", {"3.1.3": []})
    result = run_audit(tmp_path, "Flask==3.1.3\nJinja2==2.10\n", "--index-url", url)
    assert result.returncode == 1
    assert "VULNERABLE  Jinja2==2.10: PYSEC-2019-217 (CVE-2019-10906, GHSA-462w-v97r-4m45) fixed in 2.10.1" in (
        result.stdout
    )
    assert "2 of 2 pins checked" in result.stdout
    fixed = run_audit(tmp_path, "Flask==3.1.3\nJinja2==2.10.1\n", "--index-url", url)
    assert fixed.returncode == 0, fixed.stdout
    accepted = run_audit(tmp_path, "Jinja2==2.10\n", "--index-url", url, "--ignore", "CVE-2019-10906")
    assert accepted.returncode == 0, accepted.stdout


def test_an_unreachable_registry_fails_the_audit(tmp_path):
    result = run_audit(tmp_path, "Flask==3.1.3\n", "--index-url", "http://127.0.0.1:9", "--accept-unchecked", "flask")
    assert result.returncode == 2
    assert "NOT CHECKED Flask==3.1.3: registry not reached" in result.stdout
    assert "0 of 1 pins checked" in result.stdout


def test_unknown_packages_and_versions_are_not_taken_as_clean(tmp_path, pypi):
    index, url = pypi
    index.add("flask", "3.1.3", {"3.1.3": []})
    result = run_audit(tmp_path, "Flask==9.9.9\nno-such-package==1.0\n", "--index-url", url)
    assert result.returncode == 2
    assert "NOT CHECKED Flask==9.9.9: version 9.9.9 is not on the package index" in result.stdout
    assert "NOT CHECKED no-such-package==1.0: not on the package index" in result.stdout


def test_a_yanked_pin_fails_and_withdrawn_advisories_do_not(tmp_path, pypi):
    index, url = pypi
    withdrawn = {**JINJA_2_10_VULNERABILITY, "withdrawn": "2024-01-01T00:00:00Z"}
    index.add("tool", "2.0", {"1.0": [withdrawn], "2.0": []}, yanked={"1.0": "data loss on upgrade"})
    result = run_audit(tmp_path, "tool==1.0\n", "--index-url", url)
    assert result.returncode == 1
    assert "YANKED      tool==1.0: data loss on upgrade" in result.stdout
    assert "VULNERABLE" not in result.stdout


def test_a_mirror_without_release_data_checks_newest_pins_and_lists_older_ones(tmp_path):
    index = PackageIndex(per_release=False)
    index.add("jinja2", "2.10", {"2.10": [JINJA_2_10_VULNERABILITY]})  # as if 2.10 were the newest
    index.add("numpy", "2.5.5", {"2.4.6": [], "2.5.5": []})
    for url in serve(index):
        newest = run_audit(tmp_path, "Jinja2==2.10\n", "--index-url", url)
        assert newest.returncode == 1
        assert "PYSEC-2019-217" in newest.stdout
        older = run_audit(tmp_path, "numpy==2.4.6\n", "--index-url", url)
        assert older.returncode == 0, older.stdout  # an upstream release alone must not turn CI red
        assert "BEHIND      numpy==2.4.6: newest is 2.5.5" in older.stdout
        assert "0 of 1 pins checked" in older.stdout
        strict = run_audit(tmp_path, "numpy==2.4.6\n", "--index-url", url, "--require-newest")
        assert strict.returncode == 2
        accepted = run_audit(
            tmp_path, "numpy==2.4.6\n", "--index-url", url, "--require-newest", "--accept-unchecked", "numpy"
        )
        assert accepted.returncode == 0
        assert "(accepted)" in accepted.stdout


def test_every_line_of_the_real_lock_is_a_pin_the_audit_reads(monkeypatch):
    spec = importlib.util.spec_from_file_location("audit_dependencies", AUDIT)
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "audit_dependencies", module)  # dataclasses look their module up
    spec.loader.exec_module(module)
    lines = [line for line in (ROOT / "requirements.lock").read_text().splitlines() if line.strip()]
    pins = module.read_pins((ROOT / "requirements.lock").read_text())
    assert len(pins) == len(lines)
    assert ("bandit", "1.9.4") in pins
    with pytest.raises(ValueError, match="not an exact pin"):
        module.read_pins("flask>=3\n")


def test_bandit_is_clean_on_the_code_and_still_finds_what_it_should(tmp_path):
    bandit = [str(BIN / "bandit"), "-q", "-c", str(ROOT / "pyproject.toml"), "-r"]
    clean = subprocess.run([*bandit, "learning", "lrs", "app.py"], cwd=ROOT, capture_output=True, text=True)
    assert clean.returncode == 0, clean.stdout
    shutil.copytree(ROOT / "learning" / "accounts", tmp_path / "accounts")
    (tmp_path / "accounts" / "export.py").write_text(
        "import subprocess\n\n\ndef export(name):\n    subprocess.call(f'zip {name}', shell=True)\n"
    )
    dirty = subprocess.run([*bandit, str(tmp_path / "accounts")], capture_output=True, text=True)
    assert dirty.returncode == 1
    assert "B602" in dirty.stdout


@pytest.mark.parametrize(
    ("code", "rule"),
    [
        ("import pickle\n\n\ndef load(data: bytes) -> object:\n    return pickle.loads(data)\n", "S301"),
        ("import subprocess\n\n\ndef run(cmd: str) -> None:\n    subprocess.run(cmd, shell=True)\n", "S602"),
        ('SECRET_KEY = "hunter2-hunter2"\n', "S105"),
    ],
)
def test_ruff_applies_the_bandit_rules_to_application_code(code, rule):
    result = subprocess.run(
        [str(BIN / "ruff"), "check", "--no-cache", "--stdin-filename", "learning/accounts/example.py", "-"],
        cwd=ROOT, input=code, capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 1
    assert rule in result.stdout
