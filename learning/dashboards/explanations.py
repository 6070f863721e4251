"""Words before formulas: each metric in one plain sentence and a worked example, in Dutch, English and German.

A manager reads "Van de 12 verpleegkundigen van dit team hebben er 9 alle verplichte modules gedaan: 75%" long
before they read `|{u∈S(t,b): ∀m∈C(u)…}|`. The formula stays (it is the versioned definition in
learning/metrics/definitions.py); this module adds what comes before it. The example's figure is not typed in:
it is computed from the example's own numbers and written with `format_value`, like every figure on the page, so an
example can never show a percentage its numbers do not give.

The texts are not versioned with the definition on purpose: they explain, they do not define, and a clearer
sentence must not start a new definition version (which would make old values look like another metric).
"""

from __future__ import annotations

from dataclasses import dataclass

from babel.numbers import format_decimal

from learning.dashboards.numbers import format_value, words
from learning.metrics.definitions import BY_CODE, MetricSpec

Texts = tuple[str, str, str]  # nl, en, de
LANGUAGES = ("nl", "en", "de")


@dataclass(frozen=True)
class Explanation:
    """One metric in plain words: a German name, the sentence, and an example with `{num}`, `{den}`, `{value}`."""

    name_de: str
    sentence: Texts
    example: Texts
    num: float
    den: float
    value: float | None = None  # for medians and means: the example's result; ratios compute num / den

    def result(self, spec: MetricSpec) -> float:
        if self.value is not None:
            return self.value
        return self.num / (self.den / spec.per)  # ALERT_RATE counts per 100 patient-days


def _language(locale: str) -> str:
    lang = locale.replace("-", "_").split("_")[0].lower()
    words(lang)  # refuses a language the dashboards do not speak
    return lang


def pick(texts: Texts, locale: str) -> str:
    return texts[LANGUAGES.index(_language(locale))]


def sentence(code: str, locale: str) -> str:
    """Return the metric's plain sentence in the page language."""
    return pick(EXPLANATIONS[code].sentence, locale)


def example(code: str, locale: str) -> str:
    """Return the worked example, its numbers and result written as the dashboard writes them."""
    explanation, spec = EXPLANATIONS[code], BY_CODE[code]
    lang = _language(locale)
    return pick(explanation.example, lang).format(
        num=format_decimal(explanation.num, locale=lang),
        den=format_decimal(explanation.den, locale=lang),
        value=format_value(explanation.result(spec), spec.unit, lang),
    )


def name(spec: MetricSpec, locale: str) -> str:
    """Return the metric's name in the page language (German from here, Dutch and English from the registry)."""
    lang = _language(locale)
    if lang == "de" and spec.code in EXPLANATIONS:
        return EXPLANATIONS[spec.code].name_de
    return spec.name_nl if lang == "nl" else spec.name_en


E = Explanation
EXPLANATIONS: dict[str, Explanation] = {
    "TRN_REACH": E(
        "Mitarbeitende, die mit der Schulung begonnen haben",
        (
            "Hoeveel medewerkers van het team zijn ooit aan een module begonnen?",
            "How many of the team's staff have ever started a module?",
            "Wie viele Mitarbeitende des Teams haben je ein Modul begonnen?",
        ),
        (
            "Van de {den} verpleegkundigen van dit team zijn er {num} aan een module begonnen: {value}.",
            "Of the team's {den} nurses, {num} have started a module: {value}.",
            "Von den {den} Pflegekräften dieses Teams haben {num} ein Modul begonnen: {value}.",
        ),
        10,
        12,
    ),
    "TRN_COVERAGE": E(
        "Anteil geschulter Mitarbeitender",
        (
            "Hoeveel medewerkers hebben alle modules gedaan die hun rol verplicht stelt?",
            "How many staff have done every module their role requires?",
            "Wie viele Mitarbeitende haben alle Module abgeschlossen, die ihre Rolle verlangt?",
        ),
        (
            "Van de {den} verpleegkundigen van dit team hebben er {num} alle verplichte modules gedaan: {value}.",
            "Of the team's {den} nurses, {num} have done every required module: {value}.",
            "Von den {den} Pflegekräften dieses Teams haben {num} alle Pflichtmodule abgeschlossen: {value}.",
        ),
        9,
        12,
    ),
    "MOD_COMPLETION": E(
        "Abschlussquote der Module",
        (
            "Hoe vaak maakt iemand die deze maand aan een module begon, die module ook af?",
            "How often does someone who started a module this month also finish it?",
            "Wie oft schließt jemand, der diesen Monat ein Modul begonnen hat, es auch ab?",
        ),
        (
            "Deze maand zijn {den} modules gestart en daarvan zijn er {num} afgemaakt: {value}.",
            "This month {den} modules were started and {num} of them finished: {value}.",
            "Diesen Monat wurden {den} Module begonnen und {num} davon abgeschlossen: {value}.",
        ),
        16,
        20,
    ),
    "MOD_PASS_FIRST": E(
        "Bestanden beim ersten Versuch",
        (
            "Hoe vaak slaagt iemand voor de toets van een module bij de eerste poging?",
            "How often does someone pass a module's test at the first attempt?",
            "Wie oft besteht jemand den Test eines Moduls beim ersten Versuch?",
        ),
        (
            "Van de {den} eerste pogingen deze maand waren er {num} geslaagd: {value}.",
            "Of this month's {den} first attempts, {num} passed: {value}.",
            "Von den {den} ersten Versuchen in diesem Monat waren {num} erfolgreich: {value}.",
        ),
        14,
        16,
    ),
    "MOD_TIME": E(
        "Aktive Lernzeit",
        (
            "Hoeveel minuten werkt iemand echt aan een module tot die klaar is? De middelste waarde telt (mediaan).",
            "How many minutes does someone actually spend on a module until it is done? The middle value counts "
            "(median).",
            "Wie viele Minuten arbeitet jemand tatsächlich an einem Modul, bis es fertig ist? Der mittlere Wert zählt "
            "(Median).",
        ),
        (
            "{den} medewerkers maakten deze maand een module af; de helft deed er korter over dan {value}.",
            "{den} staff finished a module this month; half of them took less than {value}.",
            "{den} Mitarbeitende haben diesen Monat ein Modul abgeschlossen; die Hälfte brauchte weniger als {value}.",
        ),
        0,
        9,
        25,
    ),
    "CONF_GAIN": E(
        "Zuwachs an Selbstvertrauen",
        (
            "Voelen medewerkers zich na de module zekerder dan ervoor? Ze geven zichzelf voor en na een cijfer "
            "van 1 tot 5.",
            "Do staff feel more confident after the module than before? They rate themselves from 1 to 5 before and "
            "after.",
            "Fühlen sich Mitarbeitende nach dem Modul sicherer als vorher? Sie bewerten sich vorher und nachher von "
            "1 bis 5.",
        ),
        (
            "{den} medewerkers gaven zich voor de module gemiddeld een 3 en erna een 4,2: {value} punt.",
            "{den} staff rated themselves 3 on average before the module and 4.2 after: {value} points.",
            "{den} Mitarbeitende gaben sich vor dem Modul im Mittel eine 3 und danach eine 4,2: {value} Punkte.",
        ),
        0,
        8,
        1.2,
    ),
    "RELEVANCE": E(
        "Wahrgenommene Relevanz",
        (
            "Vinden medewerkers de module nuttig voor hun werk? We tellen de antwoorden 4 of 5 op een schaal van 1 "
            "tot 5.",
            "Do staff find the module useful for their work? We count the answers 4 or 5 on a scale of 1 to 5.",
            "Finden Mitarbeitende das Modul nützlich für ihre Arbeit? Gezählt werden die Antworten 4 oder 5 auf einer "
            "Skala von 1 bis 5.",
        ),
        (
            "Van de {den} antwoorden deze maand waren er {num} een 4 of 5: {value}.",
            "Of this month's {den} answers, {num} were a 4 or 5: {value}.",
            "Von den {den} Antworten in diesem Monat waren {num} eine 4 oder 5: {value}.",
        ),
        17,
        20,
    ),
    "TT_FIRST_USE": E(
        "Von der Schulung zur ersten RPM-Handlung",
        (
            "Hoeveel dagen na de training gebruikt een medewerker voor het eerst zorg op afstand (RPM) bij een "
            "patiënt? De middelste waarde telt (mediaan).",
            "How many days after training does a member of staff first use remote patient monitoring (RPM) with a "
            "patient? The middle value counts (median).",
            "Wie viele Tage nach der Schulung nutzt eine Fachkraft zum ersten Mal Telemonitoring (RPM) bei einem "
            "Patienten? Der mittlere Wert zählt (Median).",
        ),
        (
            "{den} opgeleide medewerkers deden deze maand hun eerste RPM-handeling; de helft binnen {value}.",
            "{den} trained staff did their first RPM action this month; half of them within {value}.",
            "{den} geschulte Mitarbeitende haben diesen Monat ihre erste RPM-Handlung ausgeführt; die Hälfte "
            "innerhalb von {value}.",
        ),
        0,
        6,
        11,
    ),
    "STAFF_APPLIED": E(
        "Geschulte Mitarbeitende, die RPM anwenden",
        (
            "Hoeveel opgeleide medewerkers hebben deze maand echt iets gedaan met zorg op afstand (RPM)?",
            "How many trained staff actually did something with remote patient monitoring (RPM) this month?",
            "Wie viele geschulte Mitarbeitende haben diesen Monat tatsächlich etwas mit Telemonitoring (RPM) getan?",
        ),
        (
            "Van de {den} opgeleide verpleegkundigen bekeken er {num} metingen of meldingen: {value}.",
            "Of the {den} trained nurses, {num} reviewed measurements or alerts: {value}.",
            "Von den {den} geschulten Pflegekräften haben {num} Messungen oder Meldungen bearbeitet: {value}.",
        ),
        7,
        9,
    ),
    "PT_REACH": E(
        "Reichweite bei Patienten",
        (
            "Hoeveel van de patiënten die mee zouden kunnen doen, doen echt mee?",
            "How many of the patients who could take part actually do?",
            "Wie viele der Patienten, die teilnehmen könnten, nehmen tatsächlich teil?",
        ),
        (
            "Het ziekenhuis telt {den} patiënten met hartfalen die mee kunnen doen; {num} zijn ingeschreven: {value}.",
            "The hospital counts {den} heart-failure patients who could take part; {num} are enrolled: {value}.",
            "Das Krankenhaus zählt {den} Patienten mit Herzinsuffizienz, die teilnehmen könnten; {num} sind "
            "eingeschrieben: {value}.",
        ),
        60,
        200,
    ),
    "PT_UPTAKE": E(
        "Annahme des Angebots",
        (
            "Hoeveel patiënten die zorg op afstand kregen aangeboden, zeiden ja?",
            "How many patients who were offered remote monitoring said yes?",
            "Wie viele Patienten, denen Telemonitoring angeboten wurde, haben zugesagt?",
        ),
        (
            "Deze maand kregen {den} patiënten het aanbod en {num} schreven zich in: {value}.",
            "This month {den} patients were offered it and {num} enrolled: {value}.",
            "Diesen Monat erhielten {den} Patienten das Angebot und {num} schrieben sich ein: {value}.",
        ),
        18,
        24,
    ),
    "PT_ACTIVE": E(
        "Aktive eingeschriebene Patienten",
        (
            "Hoeveel ingeschreven patiënten hebben deze maand minstens één meting gestuurd?",
            "How many enrolled patients sent at least one measurement this month?",
            "Wie viele eingeschriebene Patienten haben diesen Monat mindestens eine Messung geschickt?",
        ),
        (
            "Van de {den} ingeschreven patiënten stuurden er {num} een meting: {value}.",
            "Of the {den} enrolled patients, {num} sent a measurement: {value}.",
            "Von den {den} eingeschriebenen Patienten haben {num} eine Messung geschickt: {value}.",
        ),
        45,
        50,
    ),
    "PT_ACTIVATION": E(
        "Erste Messung innerhalb von 7 Tagen",
        (
            "Hoeveel nieuwe patiënten stuurden hun eerste meting binnen een week na de start?",
            "How many new patients sent their first measurement within a week of starting?",
            "Wie viele neue Patienten haben ihre erste Messung innerhalb einer Woche nach dem Start geschickt?",
        ),
        (
            "Van de {den} patiënten die deze maand startten, maten er {num} binnen 7 dagen: {value}.",
            "Of the {den} patients who started this month, {num} measured within 7 days: {value}.",
            "Von den {den} Patienten, die diesen Monat begonnen haben, haben {num} innerhalb von 7 Tagen gemessen: "
            "{value}.",
        ),
        11,
        12,
    ),
    "PT_ADHERENCE": E(
        "Messtreue",
        (
            "Op hoeveel van de dagen dat een meting verwacht werd, kwam die ook binnen? Alle patiënten samen.",
            "On how many of the days a measurement was expected did it arrive? All patients together.",
            "An wie vielen der Tage, an denen eine Messung erwartet wurde, kam sie auch an? Alle Patienten zusammen.",
        ),
        (
            "De patiënten samen hadden {den} meetdagen en op {num} daarvan kwam de meting binnen: {value}.",
            "Together the patients had {den} expected days and the measurement arrived on {num} of them: {value}.",
            "Zusammen hatten die Patienten {den} Messtage und an {num} davon kam die Messung an: {value}.",
        ),
        1230,
        1500,
    ),
    "PT_ADHERENCE_SHARE": E(
        "Patienten mit ausreichender Messtreue",
        (
            "Hoeveel patiënten maten op genoeg dagen? Genoeg is de norm van het programma, meestal 80% van de dagen "
            "(θ, spreek uit: thèta).",
            "How many patients measured on enough days? Enough is the programme's norm, usually 80% of the days "
            "(θ, theta).",
            "Wie viele Patienten haben an genug Tagen gemessen? Genug ist die Norm des Programms, meist 80 % der Tage "
            "(θ, Theta).",
        ),
        (
            "Van de {den} patiënten met meetdagen maten er {num} op minstens 80% van hun dagen: {value}.",
            "Of the {den} patients with expected days, {num} measured on at least 80% of them: {value}.",
            "Von den {den} Patienten mit Messtagen haben {num} an mindestens 80 % ihrer Tage gemessen: {value}.",
        ),
        38,
        50,
    ),
    "PT_DROPOUT": E(
        "Abbruchquote",
        (
            "Hoeveel patiënten stopten deze maand zelf of door techniek? Overlijden, verhuizen of een geplande stop "
            "tellen niet.",
            "How many patients stopped this month by their own choice or because of technology? Death, a move or a "
            "planned end do not count.",
            "Wie viele Patienten haben diesen Monat selbst oder wegen der Technik aufgehört? Tod, Umzug oder ein "
            "geplantes Ende zählen nicht.",
        ),
        (
            "Op de eerste dag van de maand deden {den} patiënten mee; {num} stopten: {value}.",
            "On the first day of the month {den} patients took part; {num} stopped: {value}.",
            "Am ersten Tag des Monats nahmen {den} Patienten teil; {num} haben aufgehört: {value}.",
        ),
        2,
        50,
    ),
    "PT_RET180": E(
        "Verbleib nach 6 Monaten",
        (
            "Meet een patiënt een half jaar na de start nog steeds?",
            "Is a patient still measuring half a year after starting?",
            "Misst ein Patient ein halbes Jahr nach dem Start noch?",
        ),
        (
            "{den} patiënten deden deze maand 180 dagen mee; {num} maten nog in de laatste 30 dagen: {value}.",
            "{den} patients reached 180 days this month; {num} still measured in the last 30 days: {value}.",
            "{den} Patienten erreichten diesen Monat 180 Tage; {num} haben in den letzten 30 Tagen noch gemessen: "
            "{value}.",
        ),
        10,
        12,
    ),
    "ALERT_RATE": E(
        "Meldungen pro 100 Patiententage",
        (
            "Hoeveel meldingen (alarmen bij een afwijkende meting) geeft het systeem per 100 dagen zorg op afstand?",
            "How many alerts (warnings about an unusual measurement) does the system give per 100 days of remote care?",
            "Wie viele Meldungen (Warnungen bei einer auffälligen Messung) gibt das System pro 100 Tage "
            "Telemonitoring?",
        ),
        (
            "{den} patiëntdagen gaven {num} meldingen: {value} per 100 patiëntdagen.",
            "{den} patient-days gave {num} alerts: {value} per 100 patient-days.",
            "{den} Patiententage ergaben {num} Meldungen: {value} pro 100 Patiententage.",
        ),
        45,
        1500,
    ),
    "ALERT_SLA": E(
        "Meldungen innerhalb der Norm",
        (
            "Hoeveel meldingen kregen op tijd een eerste reactie? Op tijd is de afgesproken norm per ernst, de SLA "
            "(service level agreement).",
            "How many alerts got a first response in time? In time is the agreed norm per severity, the SLA "
            "(service level agreement).",
            "Wie viele Meldungen bekamen rechtzeitig eine erste Reaktion? Rechtzeitig heißt innerhalb der "
            "vereinbarten Norm je Schweregrad, der SLA (Service Level Agreement).",
        ),
        (
            "Van de {den} meldingen kregen er {num} binnen de norm een reactie: {value}.",
            "Of the {den} alerts, {num} got a response within the norm: {value}.",
            "Von den {den} Meldungen bekamen {num} innerhalb der Norm eine Reaktion: {value}.",
        ),
        40,
        45,
    ),
    "ALERT_SLA_MEDIAN": E(
        "Mediane Reaktionszeit auf Meldungen",
        (
            "Hoe lang duurt het tot iemand op een melding reageert? De middelste waarde telt (mediaan).",
            "How long until someone responds to an alert? The middle value counts (median).",
            "Wie lange dauert es, bis jemand auf eine Meldung reagiert? Der mittlere Wert zählt (Median).",
        ),
        (
            "Van {den} meldingen kreeg de helft binnen {value} een reactie.",
            "Half of {den} alerts got a response within {value}.",
            "Die Hälfte von {den} Meldungen bekam innerhalb von {value} eine Reaktion.",
        ),
        0,
        45,
        38,
    ),
    "ALERT_SLA_P90": E(
        "Reaktionszeit auf Meldungen, 90. Perzentil",
        (
            "Hoe lang wachten de traagste meldingen? Negen van de tien meldingen kregen sneller een reactie "
            "(90e percentiel, P90).",
            "How long do the slowest alerts wait? Nine in ten alerts got a response sooner (90th percentile, P90).",
            "Wie lange warten die langsamsten Meldungen? Neun von zehn Meldungen bekamen schneller eine Reaktion "
            "(90. Perzentil, P90).",
        ),
        (
            "Van {den} meldingen kregen er 9 van de 10 binnen {value} een reactie.",
            "Of {den} alerts, 9 in 10 got a response within {value}.",
            "Von {den} Meldungen bekamen 9 von 10 innerhalb von {value} eine Reaktion.",
        ),
        0,
        45,
        175,
    ),
    "ALERT_ACTIONABLE": E(
        "Anteil Meldungen mit Folgen",
        (
            "Hoeveel meldingen leidden tot contact met de patiënt of een andere behandeling?",
            "How many alerts led to contact with the patient or a change of treatment?",
            "Wie viele Meldungen führten zu einem Kontakt mit dem Patienten oder einer geänderten Behandlung?",
        ),
        (
            "Van de {den} meldingen leidden er {num} tot contact of een andere behandeling: {value}.",
            "Of the {den} alerts, {num} led to contact or a change of treatment: {value}.",
            "Von den {den} Meldungen führten {num} zu Kontakt oder einer geänderten Behandlung: {value}.",
        ),
        15,
        45,
    ),
    "ONBOARD_FIDELITY": E(
        "Patientenschulung vor dem Start",
        (
            "Hoeveel nieuwe patiënten hadden hun uitleg-modules gedaan, uiterlijk een week na de start?",
            "How many new patients had done their explanation modules, at the latest a week after starting?",
            "Wie viele neue Patienten hatten ihre Erklärmodule spätestens eine Woche nach dem Start abgeschlossen?",
        ),
        (
            "Van de {den} patiënten die deze maand startten, hadden er {num} de modules op tijd gedaan: {value}.",
            "Of the {den} patients who started this month, {num} had done the modules in time: {value}.",
            "Von den {den} Patienten, die diesen Monat begonnen haben, hatten {num} die Module rechtzeitig "
            "abgeschlossen: {value}.",
        ),
        9,
        12,
    ),
    "PT_CONFIDENCE": E(
        "Selbstvertrauen der Patienten",
        (
            "Weten patiënten wat ze moeten doen? We tellen de antwoorden 4 of 5 op een schaal van 1 tot 5.",
            "Do patients know what to do? We count the answers 4 or 5 on a scale of 1 to 5.",
            "Wissen Patienten, was sie tun müssen? Gezählt werden die Antworten 4 oder 5 auf einer Skala von 1 bis 5.",
        ),
        (
            "Van de {den} antwoorden van patiënten waren er {num} een 4 of 5: {value}.",
            "Of the patients' {den} answers, {num} were a 4 or 5: {value}.",
            "Von den {den} Antworten der Patienten waren {num} eine 4 oder 5: {value}.",
        ),
        24,
        30,
    ),
    "TEAM_ADOPT": E(
        "Teams, die RPM nutzen",
        (
            "Hoeveel deelnemende teams hebben deze maand minstens één patiënt met zorg op afstand?",
            "How many taking-part teams have at least one patient on remote monitoring this month?",
            "Wie viele teilnehmende Teams haben diesen Monat mindestens einen Patienten im Telemonitoring?",
        ),
        (
            "Van de {den} teams hadden er {num} een patiënt ingeschreven: {value}.",
            "Of the {den} teams, {num} had a patient enrolled: {value}.",
            "Von den {den} Teams hatten {num} einen eingeschriebenen Patienten: {value}.",
        ),
        6,
        8,
    ),
    "PROG_SUSTAIN": E(
        "Programm fortgeführt",
        (
            "Gaat de zorg op afstand door nu het projectgeld op is? We tellen de maanden met minstens één actieve "
            "patiënt.",
            "Does remote monitoring go on now the project money has ended? We count the months with at least one "
            "active patient.",
            "Geht das Telemonitoring weiter, seit die Projektförderung geendet hat? Gezählt werden die Monate mit "
            "mindestens einem aktiven Patienten.",
        ),
        (
            "Het projectgeld stopte {den} maanden geleden; in {num} van die maanden mat een patiënt: {value}.",
            "The project money stopped {den} months ago; in {num} of those months a patient measured: {value}.",
            "Die Förderung endete vor {den} Monaten; in {num} dieser Monate hat ein Patient gemessen: {value}.",
        ),
        8,
        8,
    ),
}
