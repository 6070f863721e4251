"""A small module with one question of every judged type and the three survey items, for the analysis tests.

Written here, not taken from modules_content/, so the expected figures are worked out by hand from texts the test
can see (and a change to a real module cannot move them).
"""

from __future__ import annotations

from pathlib import Path

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
