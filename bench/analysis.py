"""Item analysis benchmark: how long the first (uncached) analysis of a module version takes as learners add up.

The analysis reads the module's statements over xAPI (the in-process reader, GET /statements?activity=…&
related_activities=true, 500 a page) and folds them; the result is kept for 5 minutes. This measures the read and
the fold separately, for the bundled module with the most question types and N learners who each send ~18
statements, and then the refresh a minute later (only what was stored since the last read).

    python bench/analysis.py [--learners 200 1000 3000]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path[:0] = [str(Path(__file__).resolve().parent.parent)]

SLUG = "bloeddruk-thuis-meten"  # the bundled module with the most question types (quiz, sequencing, true-false)


def _statements(learners: int, version: str, document: Any) -> list[dict[str, Any]]:
    """Every learner starts, sees every step, answers every question once (some wrong), and most finish."""
    from learning.content.document import Likert, Matching, Quiz, Sequencing, TrueFalse
    from learning.tracking import interactions
    from learning.tracking import statements as xapi

    rng = random.Random(7)
    made: list[dict[str, Any]] = []
    start = datetime(2026, 11, 1, tzinfo=UTC)
    for learner in range(learners):
        ctx = xapi.LearningContext(
            base_iri="https://vtc.example.org", actor_home="https://vtc.example.org/org/bench",
            actor_name=f"bench-{learner}", audience="patient", module_slug=SLUG, module_titles={"nl": document.title},
            module_version=version, registration=str(uuid.uuid4()), session_id=str(uuid.uuid4()), language="nl",
            mastery_score=0.75,
        )  # fmt: skip
        at = start + timedelta(minutes=learner)
        made += [xapi.module_event(ctx, "launched", timestamp=at), xapi.module_event(ctx, "initialized", timestamp=at)]
        for step in document.steps:
            at += timedelta(seconds=rng.randint(20, 200))
            made.append(xapi.experienced_step(ctx, step.number, {"nl": step.title}, at))
            for item in step.items:
                at += timedelta(seconds=5)
                right = rng.random() < 0.7
                if isinstance(item, Quiz):
                    stored = ",".join(str(i) for i in item.correct_indexes) if right else "0"
                elif isinstance(item, Sequencing):
                    stored = ",".join(str(i) for i in range(len(item.steps)))
                    stored = stored if right else ",".join(reversed(stored.split(",")))
                elif isinstance(item, Matching):
                    stored = ",".join(str(i) for i in range(len(item.pairs)))
                elif isinstance(item, TrueFalse):
                    stored = str(item.answer if right else not item.answer).lower()
                elif isinstance(item, Likert):
                    stored, right = str(rng.randint(1, 5)), None  # type: ignore[assignment]
                else:
                    stored = item.accepted[0] if right else ""  # type: ignore[union-attr]
                made.append(interactions.answered(ctx, {"nl": item}, stored, right, timestamp=at))
        made += xapi.completion(ctx, scaled=0.8, duration=timedelta(minutes=6), timestamp=at + timedelta(seconds=30))
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, nargs="+", default=[200, 1000, 3000])
    args = parser.parse_args()

    import lrs
    from app import ROOT, create_app
    from learning.analysis.figures import figures
    from learning.analysis.records import fold
    from learning.analysis.services import _read, module_iri
    from learning.content.publishing import Approver
    from learning.content.services import get_document, get_module, get_module_text, load_content
    from learning.db import upgrade_database as upgrade_lms
    from learning.tracking.reader import current_reader
    from lrs.service import store_statements

    for learners in args.learners:
        with tempfile.TemporaryDirectory() as tmp:
            database = f"sqlite:///{tmp}/bench.db"
            upgrade_lms(database)
            lrs.upgrade_database(database)
            app = create_app({"SQLALCHEMY_DATABASE_URI": database, "LRS_DATABASE_URI": database,
                              "SECRET_KEY": "bench", "SPEECH_ON_LOAD": False})  # fmt: skip
            with app.app_context():
                load_content(ROOT / "modules_content", Approver(user_id=None, name="bench", clinical=False))
                module = get_module(SLUG)
                assert module is not None
                document = get_document(get_module_text(module, module.current_version, "nl"))  # type: ignore[arg-type]
                made = _statements(learners, module.current_version, document)
                authority = {"objectType": "Agent", "account": {"homePage": "https://vtc.example.org", "name": "b"}}
                for begin in range(0, len(made), 1000):
                    store_statements(app.extensions["lrs"].engine, made[begin : begin + 1000], authority=authority)
                began = time.perf_counter()
                read = list(current_reader().read_activity(module_iri(SLUG)))
                read_s = time.perf_counter() - began
                began = time.perf_counter()
                tallies = fold(read, module_iri(SLUG))
                found = figures(tallies[module.current_version], document)
                fold_s = time.perf_counter() - began
                kept = _read(SLUG, None)  # what the page keeps after its first view
                began = time.perf_counter()
                _read(SLUG, kept)  # a view a minute later: only what was stored since (here: nothing)
                refresh_s = time.perf_counter() - began
            print(f"{learners:>5} learners, {len(read):>6} statements: read {read_s * 1000:7.0f} ms, "
                  f"fold + figures {fold_s * 1000:6.0f} ms, refresh {refresh_s * 1000:5.0f} ms "
                  f"(started {found.started})")  # fmt: skip


if __name__ == "__main__":
    main()
