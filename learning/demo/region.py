"""What the demo region of Twente looks like: environments, organisations, teams, roles and programmes.

The care roles' labels are the region's reference data (learning.environments.roles); only how much each role works
with RPM in the demo is made up here.

Plain data, no database. Every organisation name carries "(demo)" so nobody mistakes it for a real care provider;
the two organisations and four teams of the first demo (and its seven log-ins) keep their names.
"""

from __future__ import annotations

from dataclasses import dataclass

from learning.environments.models import Condition, Phase
from learning.environments.roles import CARE_ROLES

HOSPITAL = "Ziekenhuis Twente Oost (demo)"
HOME_CARE = "Thuiszorg Twente (demo)"
MARKER_ENVIRONMENT = "Hartfalen Twente"  # its presence means the region exists (see seed_demo)

PROFESSIONAL_MODULE = "rpm-meting-tot-melding"
PATIENT_MODULES = {Condition.HF: "elke-dag-wegen-hartfalen"}
CAREGIVER_MODULE = "naaste-helpen-thuismeten"


@dataclass(frozen=True)
class EnvironmentSpec:
    name: str
    condition: Condition
    phase: Phase
    start_months: int  # relative to the first month of the demo year (negative: before it)
    funding_end_months: int | None


@dataclass(frozen=True)
class TeamSpec:
    key: str
    organisation: str
    name: str
    kind: str
    staff: tuple[tuple[str, int], ...]  # (role code, relative head count)


@dataclass(frozen=True)
class ProgrammeSpec:
    key: str
    environment: str
    organisation: str
    name: str
    platform: str
    teams: tuple[str, ...]  # teams that enrol patients
    monitoring_centre: str | None
    start_months: int
    patient_share: float  # of the region's patients
    around_the_clock: bool  # a monitoring centre answers evenings and weekends too


ENVIRONMENTS = (
    EnvironmentSpec(MARKER_ENVIRONMENT, Condition.HF, Phase.SUMMATIVE_EVAL, -18, 6),
    EnvironmentSpec("Diabetes thuis Twente", Condition.T2DM, Phase.OPERATIONALISATION, -3, None),
    EnvironmentSpec("COPD op afstand Twente", Condition.COPD, Phase.DESIGN, 3, None),
)

ORGANISATIONS = (
    ("zto", HOSPITAL, "hospital"),
    ("mce", "Medisch Centrum Enschede (demo)", "hospital"),
    ("tzt", HOME_CARE, "home_care"),
    ("wno", "Wijkverpleging Noordoost Twente (demo)", "home_care"),
    ("hzg", "Huisartsenzorggroep Twente (demo)", "care_group"),
    ("fnt", "Fysio Netwerk Twente (demo)", "physio"),
)

TEAMS = (
    TeamSpec("zto-hf", "zto", "Hartfalenpoli", "outpatient_clinic", (("hf_nurse", 6), ("np", 2), ("cardiologist", 3))),
    TeamSpec("zto-msc", "zto", "Medisch Servicecentrum", "monitoring_centre", (("monitoring_nurse", 16),)),
    TeamSpec("zto-card", "zto", "Verpleegafdeling cardiologie", "ward", (("ward_nurse", 30), ("np", 1))),
    TeamSpec("zto-long", "zto", "Longpoli", "outpatient_clinic", (("lung_nurse", 5), ("pulmonologist", 3))),
    TeamSpec("zto-dm", "zto", "Diabetespoli", "outpatient_clinic", (("diabetes_nurse", 5), ("internist", 2))),
    TeamSpec("mce-hf", "mce", "Hartfalenpoli", "outpatient_clinic", (("hf_nurse", 7), ("np", 2), ("cardiologist", 4))),
    TeamSpec("mce-msc", "mce", "Medisch Service Centrum", "monitoring_centre", (("monitoring_nurse", 20),)),
    TeamSpec("mce-long", "mce", "Verpleegafdeling longziekten", "ward", (("ward_nurse", 32), ("lung_nurse", 3))),
    TeamSpec(
        "mce-dm", "mce", "Diabetespoli", "outpatient_clinic", (("diabetes_nurse", 6), ("np", 1), ("internist", 2))
    ),
    TeamSpec("tzt-hgl", "tzt", "Wijkteam Hengelo", "district_team", (("district_nurse", 28), ("casemanager_dem", 3))),
    TeamSpec("tzt-ens", "tzt", "Wijkteam Enschede", "district_team", (("district_nurse", 32), ("casemanager_dem", 3))),
    TeamSpec("tzt-alm", "tzt", "Wijkteam Almelo", "district_team", (("district_nurse", 24), ("casemanager_dem", 2))),
    TeamSpec("wno-old", "wno", "Wijkteam Oldenzaal", "district_team", (("district_nurse", 22), ("casemanager_dem", 2))),
    TeamSpec("wno-los", "wno", "Wijkteam Losser", "district_team", (("district_nurse", 18), ("casemanager_dem", 2))),
    TeamSpec("hzg-hgl", "hzg", "Huisartsenpraktijk Hengelo-Noord", "practice", (("gp", 5), ("poh", 4))),
    TeamSpec("hzg-ens", "hzg", "Huisartsenpraktijk Enschede-Zuid", "practice", (("gp", 6), ("poh", 5))),
    TeamSpec("hzg-brn", "hzg", "Huisartsenpraktijk Borne", "practice", (("gp", 3), ("poh", 3))),
    TeamSpec("fnt-ens", "fnt", "Fysiotherapie Enschede", "practice", (("physio", 10),)),
    TeamSpec("fnt-hgl", "fnt", "Fysiotherapie Hengelo", "practice", (("physio", 8),)),
    TeamSpec("fnt-alm", "fnt", "Fysiotherapie Almelo", "practice", (("physio", 6),)),
)

# code: (chance of RPM work on a working day once trained, core role: trains sooner); labels in environments.roles
_ROLE_WORK: dict[str, tuple[float, bool]] = {
    "hf_nurse": (0.55, True),
    "np": (0.30, True),
    "cardiologist": (0.08, False),
    "monitoring_nurse": (0.60, True),
    "ward_nurse": (0.05, False),
    "lung_nurse": (0.40, True),
    "pulmonologist": (0.08, False),
    "diabetes_nurse": (0.45, True),
    "internist": (0.06, False),
    "district_nurse": (0.15, False),
    "casemanager_dem": (0.0, False),
    "gp": (0.06, False),
    "poh": (0.35, True),
    "physio": (0.20, False),
}
# code: (Dutch label, English label, chance of RPM work on a working day once trained, core role: trains sooner)
ROLES: dict[str, tuple[str, str, float, bool]] = {
    code: (CARE_ROLES[code][0], CARE_ROLES[code][1], rate, core) for code, (rate, core) in _ROLE_WORK.items()
}
UNTARGETED_ROLES = frozenset({"casemanager_dem"})  # no dementia programme in the region yet

PROGRAMMES = (
    ProgrammeSpec("hf-zto", MARKER_ENVIRONMENT, "zto", "Thuismonitoring hartfalen ZTO", "Thuismonitor (demo)",
                  ("zto-hf", "zto-card"), "zto-msc", 0, 0.22, True),
    ProgrammeSpec("hf-mce", MARKER_ENVIRONMENT, "mce", "Hartfalen op afstand MCE", "Thuismonitor (demo)",
                  ("mce-hf",), "mce-msc", 0, 0.22, True),
    ProgrammeSpec("hf-tzt", MARKER_ENVIRONMENT, "tzt", "Hartfalen thuis in de wijk", "MeetMaatje (demo)",
                  ("tzt-hgl", "tzt-ens", "tzt-alm"), None, 2, 0.10, False),
    ProgrammeSpec("hf-hzg", MARKER_ENVIRONMENT, "hzg", "Hartfalen in de huisartsenpraktijk", "MeetMaatje (demo)",
                  ("hzg-hgl", "hzg-ens", "hzg-brn"), None, 4, 0.06, False),
    ProgrammeSpec("dm-hzg", "Diabetes thuis Twente", "hzg", "Diabetes thuis in de praktijk", "MeetMaatje (demo)",
                  ("hzg-hgl", "hzg-ens", "hzg-brn"), None, 1, 0.14, False),
    ProgrammeSpec("dm-zto", "Diabetes thuis Twente", "zto", "Diabetes op afstand ZTO", "Thuismonitor (demo)",
                  ("zto-dm",), None, 1, 0.06, False),
    ProgrammeSpec("dm-mce", "Diabetes thuis Twente", "mce", "Diabetes op afstand MCE", "Thuismonitor (demo)",
                  ("mce-dm",), None, 2, 0.06, False),
    ProgrammeSpec("dm-wno", "Diabetes thuis Twente", "wno", "Diabetes thuis in de wijk", "MeetMaatje (demo)",
                  ("wno-old", "wno-los"), None, 3, 0.04, False),
    ProgrammeSpec("copd-zto", "COPD op afstand Twente", "zto", "COPD op afstand ZTO", "Thuismonitor (demo)",
                  ("zto-long",), "zto-msc", 5, 0.05, True),
    ProgrammeSpec("copd-mce", "COPD op afstand Twente", "mce", "COPD op afstand MCE", "Thuismonitor (demo)",
                  ("mce-long",), "mce-msc", 6, 0.03, True),
    ProgrammeSpec("copd-fnt", "COPD op afstand Twente", "fnt", "Beweegmonitor COPD", "MeetMaatje (demo)",
                  ("fnt-ens", "fnt-hgl", "fnt-alm"), None, 6, 0.02, False),
)  # fmt: skip

SCHEDULES: dict[Condition, dict[str, str]] = {
    Condition.HF: {"weight": "daily", "bp": "daily"},
    Condition.T2DM: {"glucose": "3/wk", "weight": "1/wk"},
    Condition.COPD: {"spo2": "daily", "symptoms": "3/wk"},
}
ALERT_SLA_MINUTES: dict[Condition, dict[str, int]] = {
    Condition.HF: {"red": 60, "orange": 240, "yellow": 1440},
    Condition.T2DM: {"red": 120, "orange": 480, "yellow": 2880},
    Condition.COPD: {"red": 60, "orange": 240, "yellow": 1440},
}
ALERTS_PER_100_DAYS = {Condition.HF: 2.6, Condition.T2DM: 1.2, Condition.COPD: 2.0}
WEEKDAYS_8_TO_17: dict[str, object] = {"start": "08:00", "end": "17:00", "days": [0, 1, 2, 3, 4]}
DAILY_8_TO_22: dict[str, object] = {"start": "08:00", "end": "22:00", "days": [0, 1, 2, 3, 4, 5, 6]}
