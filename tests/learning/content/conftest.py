"""Fixtures for the content tests: a small valid module (nl + en) written to real files, and line lookup."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

# A tiny SVG that follows the README rules (viewBox, role="img", <title>).
SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" role="img">'
    "<title>Weegschaal / scales</title>"
    '<rect width="10" height="10"/>'
    "</svg>\n"
)

NL = """\
---
title: Weeg je elke dag
summary: "Hoe en wanneer je jezelf weegt."
audience: [patient, caregiver]
minutes: 5
version: 1.0.0
mastery_score: 0.5
review: pending
reviewed_by: ""
objectives:
  - Je kunt jezelf elke ochtend goed wegen.
sources:
  - title: "Heart Failure Matters: Weight gain"
    url: https://www.heartfailurematters.org/en_GB/Understanding-heart-failure/Weight-gain
  - title: "Jaarsma T, et al. Self-care of heart failure patients. Eur J Heart Fail. 2021;23(1):157-174."
---

## Weeg elke ochtend

![Een weegschaal op een harde vloer.](weegschaal.svg)

**Weeg jezelf elke ochtend.** Ook als je je goed voelt.

::: tip
Zet de weegschaal op een harde vloer.
:::

## Test je kennis

```quiz
id: when-to-weigh
question: "Wanneer weeg je jezelf?"
choices:
  - text: "'s Ochtends, vóór het ontbijt"
    correct: true
    feedback: "Goed. Dan kun je de dagen vergelijken."
  - text: "'s Avonds na het eten"
    feedback: "Nee. Weeg jezelf 's ochtends."
```

```quiz
id: who-to-call
question: "Je bent in 3 dagen 2 kilo zwaarder. Wie bel je? Kies alles wat klopt."
choices:
  - text: "De helpdesk"
    feedback: "Nee. De helpdesk helpt alleen met de techniek."
  - text: "Je hartfalenverpleegkundige"
    correct: true
    feedback: "Goed."
  - text: "Het nummer uit je zorgplan"
    correct: true
    feedback: "Goed."
```

## Tot slot

```likert
id: confidence-weighing
question: "Ik weet hoe ik mezelf elke ochtend goed weeg."
```
"""

EN = """\
---
title: Weigh yourself every day
summary: "How and when to weigh yourself."
audience: [patient, caregiver]
minutes: 5
version: 1.0.0
mastery_score: 0.5
review: pending
reviewed_by: ""
objectives:
  - You can weigh yourself correctly every morning.
sources:
  - title: "Heart Failure Matters: Weight gain"
    url: https://www.heartfailurematters.org/en_GB/Understanding-heart-failure/Weight-gain
  - title: "Jaarsma T, et al. Self-care of heart failure patients. Eur J Heart Fail. 2021;23(1):157-174."
---

## Weigh every morning

![Bathroom scales on a hard floor.](weegschaal.svg)

**Weigh yourself every morning.** Also when you feel well.

::: tip
Put the scales on a hard floor.
:::

## Test your knowledge

```quiz
id: when-to-weigh
question: "When do you weigh yourself?"
choices:
  - text: "In the morning, before breakfast"
    correct: true
    feedback: "Right. Then you can compare the days."
  - text: "In the evening after dinner"
    feedback: "No. Weigh yourself in the morning."
```

```quiz
id: who-to-call
question: "You are 2 kilos heavier in 3 days. Whom do you call? Choose all that are right."
choices:
  - text: "The helpdesk"
    feedback: "No. The helpdesk only helps with the technology."
  - text: "Your heart failure nurse"
    correct: true
    feedback: "Right."
  - text: "The number in your care plan"
    correct: true
    feedback: "Right."
```

## Finally

```likert
id: confidence-weighing
question: "I know how to weigh myself correctly every morning."
```
"""

WriteModule = Callable[..., Path]


@pytest.fixture
def nl_text() -> str:
    return NL


@pytest.fixture
def en_text() -> str:
    return EN


@pytest.fixture
def write_module(tmp_path: Path) -> WriteModule:
    """Write `<root>/<slug>/{nl,en}.md` plus media files; None leaves a language out. Returns the folder."""

    def write(
        slug: str = "weeg-test",
        *,
        nl: str | None = NL,
        en: str | None = EN,
        media: tuple[str, ...] = ("weegschaal.svg",),
        root: Path | None = None,
    ) -> Path:
        folder = (root or tmp_path / "modules") / slug
        folder.mkdir(parents=True, exist_ok=True)
        for name, text in (("nl.md", nl), ("en.md", en)):
            if text is not None:
                (folder / name).write_text(text, encoding="utf-8")
        for name in media:
            (folder / name).write_text(SVG, encoding="utf-8")
        return folder

    return write


def find_line(text: str, needle: str, occurrence: int = 1) -> int:
    """1-based number of the line holding `needle` (its n-th occurrence), computed from the fixture text."""
    hits = [number for number, line in enumerate(text.splitlines(), start=1) if needle in line]
    assert len(hits) >= occurrence, f"{needle!r} occurs {len(hits)} time(s) in the fixture"
    return hits[occurrence - 1]


@pytest.fixture
def line_of() -> Callable[..., int]:
    return find_line
