"""The texts a new module starts from, per audience, in Dutch and English.

Each starter passes `flask content check` as it is (structure, B1 for patients), so an author sees the shape of a
good module, with a quiz question whose syntax they can copy, and changes words rather than fights the format.
"""

from __future__ import annotations

from learning.content.loader import AUDIENCES

_LAY_NL = """---
title: "Nieuwe module"
summary: "Wat je leert in deze module. Schrijf dit in korte zinnen."
audience: [{audience}]
minutes: 5
version: 0.1.0
mastery_score: 0.7
review: pending
reviewed_by: ""
objectives:
  - Je weet wat je moet doen.
sources:
  - title: "Noem hier de bron van de tekst."
---

## Wat ga je doen?

Schrijf hier de eerste stap. Gebruik korte zinnen. Spreek de lezer aan met je.

## Test jezelf

```quiz
id: eerste-vraag
question: "Wat doe je eerst?"
choices:
  - text: "Ik lees de stap."
    correct: true
    feedback: "Goed. Lees eerst de stap."
  - text: "Ik sla de stap over."
    feedback: "Nee. Lees eerst de stap."
```
"""

_LAY_EN = """---
title: "New module"
summary: "What you learn in this module. Write it in short sentences."
audience: [{audience}]
minutes: 5
version: 0.1.0
mastery_score: 0.7
review: pending
reviewed_by: ""
objectives:
  - You know what to do.
sources:
  - title: "Name the source of the text here."
---

## What will you do?

Write the first step here. Use short sentences. Speak to the reader as you.

## Test yourself

```quiz
id: eerste-vraag
question: "What do you do first?"
choices:
  - text: "I read the step."
    correct: true
    feedback: "Right. Read the step first."
  - text: "I skip the step."
    feedback: "No. Read the step first."
```
"""

_PRO_NL = """---
title: "Nieuwe module voor professionals"
summary: "Wat de professional na deze module kan, in één of twee zinnen."
audience: [professional]
minutes: 10
version: 0.1.0
mastery_score: 0.7
review: pending
reviewed_by: ""
objectives:
  - Je kunt de werkwijze uitleggen aan een collega.
sources:
  - title: "Noem hier de richtlijn of het protocol waarop de tekst steunt."
    url: https://www.example.org/
---

## Achtergrond

Beschrijf hier waarom de werkwijze belangrijk is en voor welke patiënten zij geldt.

## Werkwijze

Beschrijf de stappen in de volgorde waarin de professional ze uitvoert.

```quiz
id: eerste-vraag
question: "Welke stap komt eerst?"
choices:
  - text: "De situatie van de patiënt beoordelen."
    correct: true
    feedback: "Goed. Beoordeel eerst de situatie."
  - text: "Direct de behandeling aanpassen."
    feedback: "Nee. Beoordeel eerst de situatie."
```
"""

_PRO_EN = """---
title: "New module for professionals"
summary: "What the professional can do after this module, in one or two sentences."
audience: [professional]
minutes: 10
version: 0.1.0
mastery_score: 0.7
review: pending
reviewed_by: ""
objectives:
  - You can explain the way of working to a colleague.
sources:
  - title: "Name the guideline or protocol the text rests on here."
    url: https://www.example.org/
---

## Background

Describe why the way of working matters and which patients it applies to.

## Way of working

Describe the steps in the order the professional takes them.

```quiz
id: eerste-vraag
question: "Which step comes first?"
choices:
  - text: "Assess the patient's situation."
    correct: true
    feedback: "Right. Assess the situation first."
  - text: "Change the treatment at once."
    feedback: "No. Assess the situation first."
```
"""


def starter_files(audience: str) -> dict[str, bytes]:
    """nl.md and en.md of a new module for this audience (patient and caregiver get the B1 starter)."""
    if audience not in AUDIENCES:
        raise ValueError(f"unknown audience {audience!r}")
    if audience == "professional":
        return {"nl.md": _PRO_NL.encode(), "en.md": _PRO_EN.encode()}
    return {"nl.md": _LAY_NL.format(audience=audience).encode(), "en.md": _LAY_EN.format(audience=audience).encode()}
