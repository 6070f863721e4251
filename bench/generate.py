"""Realistic xAPI statement sets for benchmarks: the platform's own verbs and module activities, many pseudonymous
learners, teams as groups, sub-statements, attachments by fileUrl, registrations per attempt.

    python bench/generate.py 10000 > statements.jsonl      # one statement per line, deterministic per --seed
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

BASE = "https://vtc.example.org"
ADL = "http://adlnet.gov/expapi/verbs/"
VERBS = ["launched", "initialized", "experienced", "answered", "completed", "passed", "failed", "terminated"]
WEIGHTS = [5, 5, 40, 30, 5, 4, 1, 5]
MODULES = [f"module-{i:02d}" for i in range(13)]
LANGS = ["nl-NL", "en-US"]
ORGANISATIONS = 6  # the demo region's; each learner belongs to one, as in the LMS


def organisation_home(number: int) -> str:
    """The account homePage of organisation `number`'s learners, as the LMS gives it ({base}/org/<pseudonym>)."""
    return f"{BASE}/org/org-{number}"


def _actor(rng: random.Random, learners: int) -> dict[str, Any]:
    learner = rng.randrange(learners)
    home = organisation_home(learner % ORGANISATIONS)
    return {"objectType": "Agent", "account": {"homePage": home, "name": f"pid-{learner:07d}"}}


def _team(rng: random.Random, teams: int, learners: int) -> dict[str, Any]:
    members = [_actor(rng, learners) for _ in range(rng.randint(2, 5))]
    return {"objectType": "Group", "name": f"team {rng.randrange(teams)}", "member": members}


def _activity(module: str, step: int | None, rng: random.Random) -> dict[str, Any]:
    if step is None:
        return {
            "objectType": "Activity",
            "id": f"{BASE}/xapi/module/{module}",
            "definition": {"type": "http://adlnet.gov/expapi/activities/module",
                           "name": {"nl-NL": f"Module {module}", "en-US": f"Module {module}"}},
        }  # fmt: skip
    return {
        "objectType": "Activity",
        "id": f"{BASE}/xapi/module/{module}/step/{step}",
        "definition": {"type": "http://adlnet.gov/expapi/activities/lesson", "name": {"nl-NL": f"Stap {step}"}},
    }


def _interaction(module: str, item: int) -> dict[str, Any]:
    return {
        "objectType": "Activity",
        "id": f"{BASE}/xapi/module/{module}/item/q{item}",
        "definition": {
            "type": "http://adlnet.gov/expapi/activities/cmi.interaction",
            "name": {"nl-NL": f"Vraag {item}"},
            "interactionType": "choice",
            "correctResponsesPattern": ["choice-1"],
            "choices": [{"id": f"choice-{i}", "description": {"nl-NL": f"Antwoord {i}"}} for i in range(3)],
        },
    }


def statement(rng: random.Random, moment: datetime, learners: int, registrations: list[str]) -> dict[str, Any]:
    """Return one statement shaped like those the LMS and outside RPM tools send."""
    verb = rng.choices(VERBS, WEIGHTS)[0]
    module = rng.choice(MODULES)
    actor = _team(rng, 200, learners) if rng.random() < 0.02 else _actor(rng, learners)
    obj: dict[str, Any]
    result: dict[str, Any] | None = None
    if verb == "experienced":
        obj = _activity(module, rng.randint(1, 7), rng)
    elif verb == "answered":
        obj = _interaction(module, rng.randint(1, 5))
        result = {"response": f"choice-{rng.randint(0, 2)}", "success": rng.random() < 0.7}
    else:
        obj = _activity(module, None, rng)
    if verb in {"passed", "failed"}:
        result = {"success": verb == "passed", "score": {"scaled": round(rng.random(), 2)}, "duration": "PT7M12S"}
    if rng.random() < 0.01:
        obj = {"objectType": "SubStatement", "actor": _actor(rng, learners),
               "verb": {"id": ADL + "completed"}, "object": _activity(module, None, rng)}  # fmt: skip
    stmt: dict[str, Any] = {
        "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "actor": actor,
        "verb": {"id": ADL + verb, "display": {"en-US": verb}},
        "object": obj,
        "timestamp": moment.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "context": {
            "registration": rng.choice(registrations),
            "language": rng.choice(LANGS),
            "contextActivities": {
                "parent": [{"id": f"{BASE}/xapi/module/{module}", "objectType": "Activity"}],
                "grouping": [{"id": f"{BASE}/xapi/curriculum/hf", "objectType": "Activity"}],
            },
            "extensions": {f"{BASE}/xapi/ext/audience": rng.choice(["professional", "patient", "caregiver"])},
        },
    }
    if result is not None:
        stmt["result"] = result
    if rng.random() < 0.005:
        stmt["attachments"] = [{
            "usageType": "http://id.tincanapi.com/attachment/certificate",
            "display": {"en-US": "certificate"}, "contentType": "application/pdf", "length": 12345,
            "sha2": f"{rng.getrandbits(256):064x}", "fileUrl": f"{BASE}/certificates/{rng.getrandbits(64):x}.pdf",
        }]  # fmt: skip
    return stmt


def generate(count: int, *, seed: int = 7, learners: int | None = None) -> Iterator[dict[str, Any]]:
    """Yield `count` statements spread over a year; learners default to count/50 (50 statements each)."""
    rng = random.Random(seed)
    learners = learners or max(count // 50, 10)
    registrations = [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(max(count // 20, 10))]
    start = datetime(2026, 1, 1, tzinfo=UTC)
    step = timedelta(days=365) / max(count, 1)
    for i in range(count):
        yield statement(rng, start + step * i, learners, registrations)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    out = sys.stdout
    for stmt in generate(args.count, seed=args.seed):
        out.write(json.dumps(stmt, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
