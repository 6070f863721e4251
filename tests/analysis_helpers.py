"""A small module with one question of every judged type and the three survey items, for the analysis tests.

Written here, not taken from modules_content/, so the expected figures are worked out by hand from texts the test
can see (and a change to a real module cannot move them).

The learners' journeys (below): version 1.0.0, 8 learners (L0-L7). L0-L5 finish (L0-L3 pass); L6 and L7 stop after
step 2. L5 pauses 2 hours on step 2 (a break, not reading time). L0 takes the module again later and answers the
first question wrong: a second try, which must not count. Version 1.1.0: 4 learners, too few to show.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from learning.content.document import Item
from learning.content.loader import load_module_folder
from learning.tracking import interactions
from learning.tracking import statements as xapi

SLUG = "analyse-oefening"

NL = """---
title: Oefenen met meten
summary: "Een korte module om te oefenen."
audience: [professional]
minutes: 5
version: 1.0.0
mastery_score: 0.75
review: pending
reviewed_by: ""
objectives:
  - Je kunt oefenen.
sources:
  - title: "Oefenbron"
---

## Voor je begint

Er is geen goed of fout antwoord.

```likert
id: pre-confidence-meten
question: "Ik weet hoe ik goed meet."
```

## Meten

Je meet twee keer.

```quiz
id: wie-bellen
question: "Je meting is heel hoog. Wat doe je?"
choices:
  - text: "Bel de huisarts"
    feedback: "Nee."
  - text: "Meet nog een keer na 5 minuten rust"
    correct: true
    feedback: "Goed."
  - text: "Niets"
    feedback: "Nee."
```

```sequencing
id: volgorde
question: "Zet de stappen in de goede volgorde."
steps:
  - "Rust uit"
  - "Doe de band om"
  - "Druk op start"
feedback:
  right: "Goed."
  wrong: "Eerst rust, dan de band, dan start."
```

## Afronden

Je bent klaar.

```matching
id: paren
question: "Wat hoort bij elkaar?"
pairs:
  - left: "Koude handen"
    right: "Wrijf ze warm"
  - left: "Nagellak"
    right: "Haal het eraf"
  - left: "Trap op"
    right: "Rust eerst uit"
feedback:
  right: "Goed."
  wrong: "Kijk nog eens."
```

```true-false
id: alles-sturen
question: "Een hoge meting stuur je ook door."
answer: true
feedback:
  right: "Goed."
  wrong: "Stuur alles door."
```

```fill-in
id: uren
question: "Binnen hoeveel uur meld je een lek? Typ het getal."
accepted: ["72", "72 uur"]
feedback:
  right: "Goed."
  wrong: "Het is 72 uur."
```

```likert
id: confidence-meten
question: "Ik weet hoe ik goed meet."
```

```likert
id: relevance-meten
question: "Wat ik heb geleerd, kan ik gebruiken in mijn werk."
```
"""


def write_module(root: Path, version: str = "1.0.0") -> Path:
    folder = root / SLUG
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "nl.md").write_text(NL.replace("version: 1.0.0", f"version: {version}"), encoding="utf-8")
    return folder


START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
# learner -> first answers in LMS form (judging.py), and whether each is right
QUIZ = ["1", "1", "1", "0", "0", "2", "0", "0,2"]  # choice-1 is right; choice-0 is "Bel de huisarts"
ORDER = ["0,1,2", "0,1,2", "0,1,2", "0,1,2", "1,0,2", "1,0,2", "2,1,0", "1,0,2"]
PAIRS = ["0,1,2", "0,1,2", "0,1,2", "1,0,2", "1,0,2", "0,2,1"]  # L0-L5 only: L6, L7 never reach step 3
TRUE_FALSE = ["true", "true", "true", "true", "true", "false"]
TYPED = [("72", True), ("72", True), ("72 uur", True), ("72", True), ("", False), ("", False)]
PRE = [2, 2, 3, 1, 2, 3, 4, 2]
POST = [4, 4, 4, 3, 3, 5]
RELEVANCE = [5, 4, 2, 4, 3, 5]
STEP_2_SECONDS = [30, 40, 50, 60, 70, 7200]  # L5's two hours are a break


class Journey:
    """One attempt of one learner, as the player reports it."""

    def __init__(self, items: dict[str, Item], learner: int, version: str, start: datetime) -> None:
        self.items, self.at = items, start
        self.statements: list[dict[str, Any]] = []
        self.ctx = xapi.LearningContext(
            base_iri="https://vtc.test", actor_home="https://vtc.test/org/test", actor_name=f"learner-{learner}",
            audience="professional", module_slug=SLUG, module_titles={"nl": "Oefenen met meten"},
            module_version=version, registration=str(uuid.uuid4()), session_id=str(uuid.uuid4()), language="nl",
            mastery_score=0.75,
        )  # fmt: skip
        self.statements += [xapi.module_event(self.ctx, "launched", timestamp=start),
                            xapi.module_event(self.ctx, "initialized", timestamp=start)]  # fmt: skip

    def step(self, number: int, after: float = 0) -> None:
        self.at += timedelta(seconds=after)
        self.statements.append(xapi.experienced_step(self.ctx, number, {"nl": f"Stap {number}"}, self.at))

    def answer(self, item_id: str, stored: str, correct: bool | None) -> None:
        self.at += timedelta(seconds=5)
        item = self.items[item_id]
        self.statements.append(interactions.answered(self.ctx, {"nl": item}, stored, correct, timestamp=self.at))

    def finish(self, after: float, passed: bool) -> None:
        self.at += timedelta(seconds=after)
        self.statements += xapi.completion(self.ctx, scaled=0.8 if passed else 0.4, duration=timedelta(minutes=5),
                                           timestamp=self.at)  # fmt: skip


def journeys(items: dict[str, Item]) -> list[dict[str, Any]]:
    made = []
    for learner in range(8):
        trip = Journey(items, learner, "1.0.0", START + timedelta(hours=learner))
        trip.step(1)
        trip.answer("pre-confidence-meten", str(PRE[learner]), None)
        trip.step(2, after=55)  # 5 s answering + 55 s: every learner spends 60 s on step 1
        trip.answer("wie-bellen", QUIZ[learner], QUIZ[learner] == "1")
        trip.answer("volgorde", ORDER[learner], ORDER[learner] == "0,1,2")
        if learner < 6:
            trip.step(3, after=STEP_2_SECONDS[learner] - 10)
            trip.answer("paren", PAIRS[learner], PAIRS[learner] == "0,1,2")
            trip.answer("alles-sturen", TRUE_FALSE[learner], TRUE_FALSE[learner] == "true")
            trip.answer("uren", *TYPED[learner])
            trip.answer("confidence-meten", str(POST[learner]), None)
            trip.answer("relevance-meten", str(RELEVANCE[learner]), None)
            trip.finish(after=95, passed=learner < 4)  # 5 answers of 5 s + 95 s: 120 s on step 3
        made += trip.statements
    again = Journey(items, 0, "1.0.0", START + timedelta(days=2))  # L0's second attempt: wrong, and not counted
    again.step(1)
    again.step(2, after=20)
    again.answer("wie-bellen", "0", False)
    made += again.statements
    for learner in range(4):  # version 1.1.0: only 4 learners, each right at once
        other = Journey(items, 100 + learner, "1.1.0", START + timedelta(days=3, hours=learner))
        other.step(1)
        other.step(2, after=30)
        other.answer("wie-bellen", "1", True)
        made += other.statements
    return made


def post_journeys(client: Any, lrs_auth: dict[str, str], root: Path) -> None:
    """Post every journey's statements to our LRS over /xapi, as the outbox would."""
    items = {item.id: item for step in load_module_folder(root / SLUG)["nl"].steps for item in step.items}
    statements = journeys(items)
    for start in range(0, len(statements), 100):
        response = client.post("/xapi/statements", json=statements[start : start + 100], headers=lrs_auth)
        assert response.status_code == 200, response.get_data(as_text=True)
