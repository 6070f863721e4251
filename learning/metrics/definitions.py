"""The registry of every metric (docs/metrics.md), and its versioned copy in `metric_definition`.

Each definition says in plain words (Dutch and English) what is counted and how, so that a dashboard can show the
definition one click away from the number. `kind` decides the small-cell threshold: staff-derived metrics are
suppressed below 5, patient-derived ones below 10; setting-level metrics (teams that adopted, months a programme
kept running) count settings, not people, and are never suppressed. Two metrics of the list report a second statistic;
each has its own code: PT_ADHERENCE_SHARE (share of patients with AD ≥ θ) and ALERT_SLA_MEDIAN / ALERT_SLA_P90
(response times behind ALERT_SLA).

`sync_definitions()` stores the registry: an unchanged definition is left alone, a changed one gets a new version
row, and old versions stay so that values computed with them keep their meaning.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy import func, select

from learning.db import db
from learning.metrics.models import MetricDefinition

Kind = Literal["staff", "patient", "setting"]
Statistic = Literal["ratio", "mean", "median", "p90"]
MIN_CELL: dict[str, int] = {"staff": 5, "patient": 10, "setting": 0}
NO_PERSON = frozenset({"PT_REACH", "TEAM_ADOPT", "PROG_SUSTAIN"})  # contributions without a person behind them


@dataclass(frozen=True)
class MetricSpec:
    """One metric as the registry defines it; `statistic` says how a scope's value is made from its events."""

    code: str
    version: int
    name_nl: str
    name_en: str
    formula_nl: str
    formula_en: str
    source: Literal["xapi", "rpm", "both"]
    frameworks: tuple[str, ...]
    unit: str
    direction: Literal["up", "down"]
    kind: Kind
    statistic: Statistic = "ratio"
    team_scope: bool = True  # False: the data has no team (eligibility counts, programme funding)
    per: int = 1  # the denominator is counted in units and stored in units of `per` (ALERT_RATE: 100 patient-days)

    @property
    def min_cell(self) -> int:
        return MIN_CELL[self.kind]

    @property
    def patient_derived(self) -> bool:
        return self.kind == "patient"

    @property
    def counts_people(self) -> bool:
        """Whether contributions name the person they come from (so a cell is also small with few people).

        PT_REACH counts eligible patients from a figure with no persons behind it; setting metrics count teams and
        months. They keep the numerator/denominator rule only.
        """
        return self.code not in NO_PERSON and self.min_cell > 0

    @property
    def counts_numerator(self) -> bool:
        """Whether the numerator counts people or events (and so is itself subject to the small-cell rule)."""
        return self.statistic == "ratio"


S_NL = "S(t,b) = medewerkers met op de laatste dag van de maand een actief lidmaatschap van het team in een rol die een curriculum van een programma van het team noemt"  # noqa: E501
S_EN = "S(t,b) = staff with a membership of the team active on the last day of the month, in a role that a curriculum of one of the team's programmes targets"  # noqa: E501
DONE_NL = "klaar(u,m,b) = een niet-ingetrokken statement completed, passed of waived voor module m van u's VTC-account vóór b; zonder gekoppeld account heeft u niets gedaan"  # noqa: E501
DONE_EN = "done(u,m,b) = a non-voided completed, passed or waived statement for module m by u's VTC account before b; without a linked account u has done nothing"  # noqa: E501


def _staff(
    code: str, nl: str, en: str, fnl: str, fen: str, fw: tuple[str, ...], *, unit: str,
    direction: Literal["up", "down"], statistic: Statistic = "ratio", source: Literal["xapi", "both"] = "xapi",
) -> MetricSpec:  # fmt: skip
    return MetricSpec(code, 1, nl, en, fnl, fen, source, fw, unit, direction, "staff", statistic)


def _patient(
    code: str, nl: str, en: str, fnl: str, fen: str, fw: tuple[str, ...], *, unit: str,
    direction: Literal["up", "down"], statistic: Statistic = "ratio", source: Literal["rpm", "both"] = "rpm",
    team_scope: bool = True, per: int = 1,
) -> MetricSpec:  # fmt: skip
    return MetricSpec(code, 1, nl, en, fnl, fen, source, fw, unit, direction, "patient", statistic, team_scope, per)


STAFF_METRICS = (
    _staff("TRN_REACH", "Medewerkers die met de training begonnen", "Staff who started training",
           f"Deel van de doelgroep dat ooit een module startte. |{{u∈S(t,b): ∃ launched door u vóór b}}| / |S(t,b)|; {S_NL}.",  # noqa: E501
           f"Share of the target staff who ever started a module. |{{u∈S(t,b): ∃ launched by u before b}}| / |S(t,b)|; {S_EN}.",  # noqa: E501
           ("RE-AIM:Reach",), unit="ratio", direction="up"),
    _staff("TRN_COVERAGE", "Opgeleide medewerkers", "Trained-staff share",
           f"Deel van de doelgroep dat alle verplichte modules van zijn rol afrondde. |{{u∈S(t,b): ∀m∈C(u): klaar(u,m,b)}}| / |S(t,b)|; C(u) = de modules van de curricula van u's rol(len) in de programma's van het team; {DONE_NL}; {S_NL}.",  # noqa: E501
           f"Share of the target staff who completed every module their role requires. |{{u∈S(t,b): ∀m∈C(u): done(u,m,b)}}| / |S(t,b)|; C(u) = the modules of the curricula for u's role(s) in the team's programmes; {DONE_EN}; {S_EN}.",  # noqa: E501
           ("RE-AIM:Adoption", "RE-AIM:Maintenance", "CFIR:Access to knowledge & information"),
           unit="ratio", direction="up"),
    _staff("MOD_COMPLETION", "Voltooiing van modules", "Module completion rate",
           "Van de paren (medewerker, module) met een initialized in de maand: het deel met ook een completed in die maand. |{(u,m): initialized en completed in [a,b)}| / |{(u,m): initialized in [a,b)}|, u∈S(t,b).",  # noqa: E501
           "Of the (staff member, module) pairs with an initialized in the month, the share that also has a completed in that month. |{(u,m): initialized and completed in [a,b)}| / |{(u,m): initialized in [a,b)}|, u∈S(t,b).",  # noqa: E501
           ("Kirkpatrick:L1",), unit="ratio", direction="up"),
    _staff("MOD_PASS_FIRST", "Geslaagd bij eerste poging", "First-attempt pass rate",
           "Van de paren (medewerker, module) waarvan de eerste beoordeelde registratie (passed of failed) in de maand valt: het deel dat in die registratie slaagde. passed in 1e registratie / beoordeeld, u∈S(t,b).",  # noqa: E501
           "Of the (staff member, module) pairs whose first judged registration (passed or failed) falls in the month, the share that passed in that registration. passed in 1st registration / attempted, u∈S(t,b).",  # noqa: E501
           ("Kirkpatrick:L2",), unit="ratio", direction="up"),
    _staff("MOD_TIME", "Actieve leertijd", "Active learning time",
           "Mediaan, over de paren (medewerker, module) die de module in de maand voor het eerst voltooiden, van Σ result.duration van hun terminated-statements voor die module vóór b, in minuten. Op elk niveau berekend uit de paren zelf, nooit uit medianen van teams.",  # noqa: E501
           "Median, over the (staff member, module) pairs that first completed the module in the month, of Σ result.duration of their terminated statements for that module before b, in minutes. Computed from the pairs themselves at every level, never from team medians.",  # noqa: E501
           ("Kirkpatrick:L1", "Proctor:cost"), unit="minutes", direction="down", statistic="median"),
    _staff("CONF_GAIN", "Toename zelfvertrouwen", "Confidence gain",
           "Gemiddelde van (na - voor) op de Likert-schaal 1-5, gepaard per medewerker en item: voor = eerste antwoord op item 'pre-confidence-…', na = eerste antwoord op het bijbehorende item 'confidence-…'; het paar telt in de maand van het na-antwoord. Σ(na - voor) / aantal paren.",  # noqa: E501
           "Mean of (post - pre) on the 1-5 Likert scale, paired per staff member and item: pre = first answer to item 'pre-confidence-…', post = first answer to the matching item 'confidence-…'; the pair counts in the month of the post answer. Σ(post - pre) / number of pairs.",  # noqa: E501
           ("Kirkpatrick:L2",), unit="likert_points", direction="up", statistic="mean"),
    _staff("RELEVANCE", "Ervaren relevantie", "Perceived relevance",
           "Deel van de antwoorden op relevantie-items ('relevance-…') in de maand met Likert ≥ 4; per medewerker en item telt het laatste antwoord in de maand. |antwoorden ≥ 4| / |antwoorden|, u∈S(t,b).",  # noqa: E501
           "Share of the answers to relevance items ('relevance-…') in the month with Likert ≥ 4; per staff member and item the last answer in the month counts. |answers ≥ 4| / |answers|, u∈S(t,b).",  # noqa: E501
           ("Kirkpatrick:L1", "Proctor:acceptability"), unit="ratio", direction="up"),
    _staff("TT_FIRST_USE", "Van training naar eerste RPM-handeling", "Training to first RPM action",
           "Mediaan, in dagen, van (eerste RPM-handeling op of na de datum van opgeleid - datum van opgeleid) over medewerkers in S(t,b) van wie die eerste handeling in de maand valt; opgeleid = de dag waarop de laatste verplichte module klaar was.",  # noqa: E501
           "Median, in days, of (first RPM action on or after the date trained - date trained) over staff in S(t,b) whose first such action falls in the month; trained = the day the last required module was done.",  # noqa: E501
           ("Kirkpatrick:L3",), unit="days", direction="down", statistic="median", source="both"),
    _staff("STAFF_APPLIED", "Opgeleide medewerkers die RPM toepassen", "Trained staff applying RPM",
           "Van de opgeleide medewerkers in S(t,b) (zie TRN_COVERAGE): het deel met ≥ 1 RPM-handeling in de maand. |opgeleid met handeling in [a,b)| / |opgeleid|.",  # noqa: E501
           "Of the trained staff in S(t,b) (see TRN_COVERAGE), the share with ≥ 1 RPM action in the month. |trained with an action in [a,b)| / |trained|.",  # noqa: E501
           ("Kirkpatrick:L3", "Proctor:penetration"), unit="ratio", direction="up", source="both"),
)  # fmt: skip

PATIENT_METRICS = (
    _patient("PT_REACH", "Bereik onder patiënten", "Patient reach",
             "Ingeschreven patiënten in de maand / patiënten die in aanmerking kwamen (Enr / Elig). Ingeschreven = inschrijving vóór b en niet uitgeschreven vóór a; Elig = de telling van het programma die de maand dekt. Alleen per programma en hoger, want de telling heeft geen team.",  # noqa: E501
             "Patients enrolled in the month / patients eligible (Enr / Elig). Enrolled = enrolled before b and not disenrolled before a; Elig = the programme's count that covers the month. Programme level and up only: the count has no team.",  # noqa: E501
             ("RE-AIM:Reach", "Proctor:penetration"), unit="ratio", direction="up", team_scope=False),
    _patient("PT_UPTAKE", "Ingaan op het aanbod", "Uptake of offers",
             "Van de patiënten aan wie RPM in de maand werd aangeboden: het deel dat zich inschreef (Enr / Off).",
             "Of the patients offered RPM in the month, the share who enrolled (Enr / Off).",
             ("RE-AIM:Reach", "Proctor:acceptability"), unit="ratio", direction="up"),
    _patient("PT_ACTIVE", "Actief ingeschreven patiënten", "Active enrolled patients",
             "Van de patiënten die in de maand ingeschreven waren: het deel met ≥ 1 ontvangen meting in de maand (Act / Enr).",  # noqa: E501
             "Of the patients enrolled in the month, the share with ≥ 1 measurement received in the month (Act / Enr).",
             ("eHealth-monitor:gebruik",), unit="ratio", direction="up"),
    _patient("PT_ACTIVATION", "Eerste meting binnen 7 dagen", "First measurement within 7 days",
             "Van de patiënten ingeschreven in de maand: het deel met de eerste meting ≤ 7 dagen na inschrijving. |{i: eerste_meting(i) - ingeschreven(i) ≤ 7 d}| / |Enr|.",  # noqa: E501
             "Of the patients enrolled in the month, the share whose first measurement came ≤ 7 days after enrolment. |{i: first_meas(i) - enrolled(i) ≤ 7 d}| / |Enr|.",  # noqa: E501
             ("RE-AIM:Implementation",), unit="ratio", direction="up"),
    _patient("PT_ADHERENCE", "Meettrouw", "Measurement adherence",
             "Gepoold over patiënten: Σ MetDays / Σ ExpDays in de maand. ExpDays = dagen waarop het zorgplan een meting verwacht; MetDays = die dagen waarop de verwachte meting(en) binnenkwamen (alle dagelijkse typen van het schema, of bij een schema zonder dagelijkse typen minstens één type).",  # noqa: E501
             "Pooled over patients: Σ MetDays / Σ ExpDays in the month. ExpDays = days on which the care plan expects a measurement; MetDays = those days on which the expected measurement(s) arrived (every daily type of the schedule, or at least one type when the schedule has no daily type).",  # noqa: E501
             ("RE-AIM:Implementation", "Proctor:fidelity"), unit="ratio", direction="up"),
    _patient("PT_ADHERENCE_SHARE", "Patiënten met voldoende meettrouw", "Patients adherent (AD ≥ θ)",
             "Van de patiënten met ≥ 1 verwachte meetdag in de maand: het deel met AD = MetDays / ExpDays ≥ θ (θ = drempel van het programma, standaard 0,8).",  # noqa: E501
             "Of the patients with ≥ 1 expected measurement day in the month, the share with AD = MetDays / ExpDays ≥ θ (θ = the programme's threshold, default 0.8).",  # noqa: E501
             ("RE-AIM:Implementation", "Proctor:fidelity"), unit="ratio", direction="up"),
    _patient("PT_DROPOUT", "Uitval", "Drop-out rate",
             "|{i: uitgeschreven in [a,b) met reden patiëntkeuze, technisch of anders}| / |{i: ingeschreven op a}|. Overlijden, overplaatsing, gepland einde en klinisch afronden tellen niet.",  # noqa: E501
             "|{i: disenrolled in [a,b) for patient_choice, technical or other}| / |{i: enrolled at a}|. Death, transfer, planned end and clinical graduation do not count.",  # noqa: E501
             ("RE-AIM:Implementation", "RE-AIM:Maintenance"), unit="ratio", direction="down"),
    _patient("PT_RET180", "Behoud na 6 maanden", "6-month retention",
             "Van de patiënten van wie dag 180 na inschrijving in de maand valt: het deel met ≥ 1 meting op dag 150-180 na inschrijving. Opgeteld over alle maanden tot en met nu is dit |{i: actief op dag 150-180}| / |{i: ≥ 180 d geleden ingeschreven}|.",  # noqa: E501
             "Of the patients whose day 180 after enrolment falls in the month, the share with ≥ 1 measurement on days 150-180 after enrolment. Summed over all months up to now this is |{i: active on days 150-180}| / |{i: enrolled ≥ 180 d ago}|.",  # noqa: E501
             ("RE-AIM:Maintenance",), unit="ratio", direction="up"),
    _patient("ALERT_RATE", "Meldingen per 100 patiëntdagen", "Alerts per 100 patient-days",
             "Meldingen aangemaakt in de maand / (ingeschreven patiëntdagen in de maand / 100). Een patiëntdag telt van inschrijving tot (niet met) uitschrijving.",  # noqa: E501
             "Alerts created in the month / (enrolled patient-days in the month / 100). A patient-day counts from enrolment up to (not including) disenrolment.",  # noqa: E501
             ("NASSS:D2 technology", "NASSS:D5 organisation"), unit="per_100_patient_days", direction="down",
             per=100),
    _patient("ALERT_SLA", "Meldingen binnen de norm", "Alerts handled within SLA",
             "Van de meldingen aangemaakt in de maand met een norm voor hun ernst: het deel met een eerste actie binnen de norm. Met kantooruren van het programma telt alleen tijd binnen die uren (Europe/Amsterdam), anders de klok.",  # noqa: E501
             "Of the alerts created in the month whose severity has an SLA, the share with a first action within it. With programme business hours only time inside them counts (Europe/Amsterdam); otherwise wall-clock time.",  # noqa: E501
             ("RE-AIM:Implementation",), unit="ratio", direction="up"),
    _patient("ALERT_SLA_MEDIAN", "Mediane reactietijd op meldingen", "Median alert response time",
             "Mediaan van eerste actie - aanmaak, in minuten (kantooruren als bij ALERT_SLA), over meldingen uit de maand met een eerste actie. Op elk niveau uit de meldingen zelf berekend.",  # noqa: E501
             "Median of first action - creation, in minutes (business hours as for ALERT_SLA), over alerts of the month that have a first action. Computed from the alerts themselves at every level.",  # noqa: E501
             ("RE-AIM:Implementation",), unit="minutes", direction="down", statistic="median"),
    _patient("ALERT_SLA_P90", "Reactietijd op meldingen, 90e percentiel", "Alert response time, 90th percentile",
             "90e percentiel (nearest rank) van eerste actie - aanmaak, in minuten, over dezelfde meldingen als ALERT_SLA_MEDIAN.",  # noqa: E501
             "90th percentile (nearest rank) of first action - creation, in minutes, over the same alerts as ALERT_SLA_MEDIAN.",  # noqa: E501
             ("RE-AIM:Implementation",), unit="minutes", direction="down", statistic="p90"),
    _patient("ALERT_ACTIONABLE", "Meldingen die tot actie leidden", "Actionable alert share",
             "Meldingen aangemaakt in de maand met uitkomst contact of behandelwijziging / alle meldingen aangemaakt in de maand.",  # noqa: E501
             "Alerts created in the month with outcome contact or treatment change / all alerts created in the month.",
             ("RE-AIM:Effectiveness",), unit="ratio", direction="up"),
    _patient("ONBOARD_FIDELITY", "Patiëntvoorlichting vóór de start", "Patient education before start",
             "Van de patiënten ingeschreven in de maand: het deel van wie het gekoppelde account alle verplichte patiëntmodules (curriculum met rol 'patient') klaar had uiterlijk 7 dagen na inschrijving. Zonder gekoppeld account telt de patiënt als niet klaar.",  # noqa: E501
             "Of the patients enrolled in the month, the share whose linked account had done every required patient module (curriculum with role 'patient') no later than 7 days after enrolment. A patient without a linked account counts as not done.",  # noqa: E501
             ("RE-AIM:Implementation", "Proctor:fidelity"), unit="ratio", direction="up", source="both"),
    _patient("PT_CONFIDENCE", "Zelfvertrouwen van patiënten", "Patient-reported confidence",
             "Deel van de antwoorden van gekoppelde patiënten op zelfvertrouwen-items ('confidence-…', bijv. 'Ik weet wat ik moet doen als mijn meting afwijkt') in de maand met Likert ≥ 4; per patiënt en item telt het laatste antwoord in de maand. Alleen geaggregeerd.",  # noqa: E501
             "Share of the answers of linked patients to confidence items ('confidence-…', e.g. 'I know what to do when my measurement is off') in the month with Likert ≥ 4; per patient and item the last answer in the month counts. Aggregate only.",  # noqa: E501
             ("Kirkpatrick:L2", "eHealth-monitor:houding"), unit="ratio", direction="up", source="both"),
)  # fmt: skip

SETTING_METRICS = (
    MetricSpec("TEAM_ADOPT", 1, "Teams die RPM gebruiken", "Adopting teams",
               "Teams met ≥ 1 ingeschreven patiënt in de maand / teams die aan een programma deelnemen. Telt teams, geen personen, en wordt daarom niet onderdrukt.",  # noqa: E501
               "Teams with ≥ 1 enrolled patient in the month / teams taking part in a programme. Counts teams, not people, and so is never suppressed.",  # noqa: E501
               "rpm", ("RE-AIM:Adoption", "eHealth-monitor:aanbod"), "ratio", "up", "setting"),
    MetricSpec("PROG_SUSTAIN", 1, "Programma na einde financiering", "Programme sustained",
               "Maanden na het einde van de projectfinanciering van de omgeving (tot en met deze maand) met ≥ 1 actieve patiënt / maanden sinds dat einde. De teller is het aantal actieve maanden (vergelijk met ≥ 6 en ≥ 12).",  # noqa: E501
               "Months after the environment's project funding ended (up to and including this month) with ≥ 1 active patient / months since that end. The numerator is the number of active months (compare with ≥ 6 and ≥ 12).",  # noqa: E501
               "rpm", ("RE-AIM:Maintenance", "Proctor:sustainability"), "ratio", "up", "setting", team_scope=False),
)  # fmt: skip

DEFINITIONS: tuple[MetricSpec, ...] = STAFF_METRICS + PATIENT_METRICS + SETTING_METRICS
BY_CODE: dict[str, MetricSpec] = {spec.code: spec for spec in DEFINITIONS}


def _content(spec: MetricSpec) -> dict[str, object]:
    return {
        "name_nl": spec.name_nl,
        "name_en": spec.name_en,
        "formula_nl": spec.formula_nl,
        "formula_en": spec.formula_en,
        "source": spec.source,
        "frameworks": list(spec.frameworks),
        "unit": spec.unit,
        "direction": spec.direction,
        "min_cell": spec.min_cell,
        "patient_derived": spec.patient_derived,
    }


def _is_same(row: MetricDefinition, content: dict[str, object]) -> bool:
    return all(getattr(row, key) == value for key, value in content.items())


def sync_definitions() -> dict[str, int]:
    """Store the registry (a changed definition as a new version, old versions kept); return code → version."""
    newest = (
        select(MetricDefinition.code, func.max(MetricDefinition.version).label("version"))
        .group_by(MetricDefinition.code)
        .subquery()
    )
    on_newest = (MetricDefinition.code == newest.c.code) & (MetricDefinition.version == newest.c.version)
    latest = {row.code: row for row in db.session.scalars(select(MetricDefinition).join(newest, on_newest))}
    versions: dict[str, int] = {}
    for spec in DEFINITIONS:
        content, row = _content(spec), latest.get(spec.code)
        if row is not None and _is_same(row, content):
            versions[spec.code] = row.version
            continue
        version = spec.version if row is None else max(spec.version, row.version + 1)
        db.session.add(MetricDefinition(code=spec.code, version=version, **content))
        versions[spec.code] = version
    db.session.flush()
    return versions
