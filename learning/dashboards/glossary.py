"""Every abbreviation and framework name the dashboards use, written out in Dutch, English and German.

A manager is not an implementation scientist: "HF", "RE-AIM" or "CeHRes Roadmap" must be explained where they
first appear. The pages take their words from here (the environment's condition, its phase, the frameworks a metric
belongs to), and tests check that every abbreviation a dashboard page shows is explained on that page.
"""

from __future__ import annotations

from learning.dashboards.explanations import Texts, pick

# The abbreviation as the page shows it -> what it means
TERMS: dict[str, Texts] = {
    "RPM": (
        "zorg op afstand: patiënten meten thuis en het team kijkt mee (remote patient monitoring)",
        "remote patient monitoring: patients measure at home and the team keeps an eye on the results",
        "Telemonitoring: Patienten messen zu Hause und das Team sieht die Werte (remote patient monitoring)",
    ),
    "RE-AIM": (
        "vijf vragen om een invoering te beoordelen: bereik (Reach), effect (Effectiveness), wie doet mee "
        "(Adoption), gaat het zoals bedoeld (Implementation) en blijft het (Maintenance)",
        "five questions to judge an implementation: Reach, Effectiveness, Adoption (who takes part), "
        "Implementation (done as intended) and Maintenance (does it last)",
        "fünf Fragen zur Bewertung einer Einführung: Reichweite (Reach), Wirkung (Effectiveness), wer macht "
        "mit (Adoption), läuft es wie geplant (Implementation) und bleibt es (Maintenance)",
    ),
    "Kirkpatrick": (
        "vier niveaus om training te beoordelen: 1 wat vond men ervan, 2 wat heeft men geleerd, "
        "3 doet men het in het werk, 4 wat levert het op",
        "four levels to judge training: 1 how people liked it, 2 what they learned, 3 whether they "
        "apply it at work, 4 what it achieves",
        "vier Stufen zur Bewertung einer Schulung: 1 wie gefiel sie, 2 was wurde gelernt, 3 wird es in "
        "der Arbeit angewendet, 4 was bringt es",
    ),
    "NASSS": (
        "een model om te zien hoe ingewikkeld een invoering is, in zeven domeinen (Nonadoption, "
        "Abandonment, Scale-up, Spread, Sustainability)",
        "a model of how complex an implementation is, in seven domains (Nonadoption, Abandonment, Scale-up, "
        "Spread, Sustainability)",
        "ein Modell, wie komplex eine Einführung ist, in sieben Bereichen (Nonadoption, Abandonment, "
        "Scale-up, Spread, Sustainability)",
    ),
    "CFIR": (
        "een lijst van wat een invoering helpt of hindert (Consolidated Framework for Implementation Research)",
        "a list of what helps or hinders an implementation (Consolidated Framework for Implementation Research)",
        "eine Liste dessen, was eine Einführung fördert oder behindert (Consolidated Framework for "
        "Implementation Research)",
    ),
    "Proctor": (
        "namen voor uitkomsten van een invoering, zoals bereik, trouw aan de opzet en kosten (Proctor e.a. 2011)",
        "names for implementation outcomes such as penetration, fidelity and cost (Proctor et al. 2011)",
        "Namen für Ergebnisse einer Einführung wie Durchdringung, Treue zum Konzept und Kosten (Proctor u. a. 2011)",
    ),
    "eHealth-monitor": (
        "het landelijke onderzoek naar aanbod, gebruik en houding bij eHealth (Nictiz, Nivel, RIVM)",
        "the Dutch national survey of supply, use and attitudes in eHealth (Nictiz, Nivel, RIVM)",
        "die niederländische Erhebung zu Angebot, Nutzung und Haltung bei eHealth (Nictiz, Nivel, RIVM)",
    ),
    "CeHRes Roadmap": (
        "het stappenplan van de Universiteit Twente om eHealth te ontwikkelen en in te voeren: "
        "verkennen, waarden bepalen, ontwerpen, invoeren, evalueren",
        "the University of Twente's step-by-step plan to develop and introduce eHealth: explore, "
        "set values, design, put into practice, evaluate",
        "der Stufenplan der Universität Twente, um eHealth zu entwickeln und einzuführen: erkunden, "
        "Werte festlegen, entwerfen, einführen, bewerten",
    ),
    "SLA": (
        "de afgesproken tijd voor een eerste reactie op een melding (service level agreement)",
        "the agreed time for a first response to an alert (service level agreement)",
        "die vereinbarte Zeit für eine erste Reaktion auf eine Meldung (Service Level Agreement)",
    ),
    "pp": (
        "procentpunt: het verschil tussen twee percentages (van 50% naar 63% is +13 %-punt)",
        "percentage point: the difference between two percentages (from 50% to 63% is +13 pp)",
        "Prozentpunkt: der Unterschied zwischen zwei Prozentwerten (von 50 % auf 63 % sind +13 Pp.)",
    ),
}

CONDITIONS: dict[str, Texts] = {
    "HF": ("hartfalen", "heart failure", "Herzinsuffizienz"),
    "T2DM": ("diabetes type 2", "type 2 diabetes", "Diabetes Typ 2"),
    "COPD": (
        "COPD, een chronische longziekte",
        "COPD, a chronic lung disease",
        "COPD, eine chronische Lungenerkrankung",
    ),
    "OA": ("artrose", "osteoarthritis", "Arthrose"),
    "DEM": ("dementie", "dementia", "Demenz"),
    "HTN": ("hoge bloeddruk", "high blood pressure", "Bluthochdruck"),
}


def term(abbreviation: str, locale: str) -> str:
    """Return what an abbreviation means, in the page language."""
    return pick(TERMS[abbreviation], locale)


def condition(code: str, locale: str) -> str:
    """Return a condition written out with its code: "hartfalen (HF)"."""
    texts = CONDITIONS.get(code)
    return f"{pick(texts, locale)} ({code})" if texts else code


def framework_terms(frameworks: tuple[str, ...], locale: str) -> list[tuple[str, str]]:
    """Return (framework, meaning) for each framework a metric's tags name ("RE-AIM:Reach" -> RE-AIM), once."""
    seen: list[str] = []
    for tag in frameworks:
        name = tag.split(":")[0]
        if name in TERMS and name not in seen:
            seen.append(name)
    return [(name, term(name, locale)) for name in seen]
