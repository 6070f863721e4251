"""Where a counted fact lands: base cells and the scopes (team, organisation, programme, environment, region) above.

Every computation produces contributions per *base cell*:
- (team, None) for staff-derived facts: a member of staff counts in each team where they have an active membership
  at the end of the period. The cell belongs to the team, the team's organisation, every programme the team takes
  part in (programme_team), the environments of those programmes (once each) and the region.
- (team, programme) for patient-derived facts: a patient counts for the team of their enrolment (Enrolment.team_id,
  or the programme's monitoring centre when the platform sent no team), an alert for Alert.team_id (same fallback).
  The cell belongs to that team, the team's organisation, the programme, its environment and the region.
- (None, programme) for facts with no team at all (eligibility counts, programme funding, or patients whose team is
  unknown): they belong to the programme's organisation, the programme, its environment and the region only.

Nested teams (Team.parent_team_id): a cell of a team also belongs to every ancestor team, so a parent team's cell
is its own facts plus those of all its sub-teams (a member of staff in a parent and in a sub-team counts twice, as an
organisation counts memberships; TEAM_ADOPT of a parent team is the share of adopting teams in its subtree). Only
the team scopes grow: organisation, programmes and environment of a cell stay those of its own team.

A scope's value is always computed from the union of its base cells' contributions (Σ numerators / Σ denominators,
or the statistic over all underlying events), never from its children's values.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from learning.accounts.models import Organisation, Team
from learning.db import db
from learning.environments.models import Environment, Programme, ProgrammeTeam

BaseCell = tuple[int | None, int | None]  # (team id, programme id)
Scope = tuple[str, int]  # (scope type, id); the region is ("region", 0)
SCOPE_TYPES = ("team", "organisation", "programme", "environment", "region")
REGION: Scope = ("region", 0)


@dataclass
class Structure:
    """The organisational frame of one run: who belongs to whom."""

    team_org: dict[int, int]
    programme_org: dict[int, int]
    programme_env: dict[int, int]
    team_programmes: dict[int, tuple[int, ...]]
    monitoring_centre: dict[int, int | None]
    funding_end: dict[int, date | None]  # per programme, from its environment
    adherence_threshold: dict[int, float]
    organisations: tuple[int, ...]
    environments: tuple[int, ...]
    team_parent: dict[int, int | None] = field(default_factory=dict)
    _scopes: dict[BaseCell, tuple[Scope, ...]] = field(default_factory=dict)

    @property
    def teams(self) -> tuple[int, ...]:
        return tuple(sorted(self.team_org))

    @property
    def programmes(self) -> tuple[int, ...]:
        return tuple(sorted(self.programme_org))

    def patient_cell(self, team_id: int | None, programme_id: int) -> BaseCell:
        """Return the base cell of a patient fact, falling back to the programme's monitoring centre."""
        team = team_id if team_id in self.team_org else self.monitoring_centre.get(programme_id)
        return (team, programme_id)

    def scopes_of(self, cell: BaseCell) -> tuple[Scope, ...]:
        """Return every scope a base cell counts in, each once."""
        if cell not in self._scopes:
            self._scopes[cell] = self._compute_scopes(cell)
        return self._scopes[cell]

    def _compute_scopes(self, cell: BaseCell) -> tuple[Scope, ...]:
        team, programme = cell
        programmes = self.team_programmes.get(team, ()) if programme is None and team is not None else (programme,)
        scopes: list[Scope] = []
        if team is not None:
            scopes += [("team", t) for t in self.ancestry(team)] + [("organisation", self.team_org[team])]
        elif programme is not None:
            scopes.append(("organisation", self.programme_org[programme]))
        scopes += [("programme", p) for p in programmes if p is not None]
        scopes += [("environment", e) for e in sorted({self.programme_env[p] for p in programmes if p is not None})]
        scopes.append(REGION)
        return tuple(scopes)

    def ancestry(self, team: int) -> list[int]:
        """Return the team and its ancestors, nearest first (a cycle of parents stops where it closes)."""
        chain = [team]
        parent = self.team_parent.get(team)
        while parent is not None and parent in self.team_org and parent not in chain:
            chain.append(parent)
            parent = self.team_parent.get(parent)
        return chain

    def universe(self, team_scope: bool) -> list[Scope]:
        """Return every scope that gets a cell each month, empty or not (an empty team shows 'no value')."""
        scopes: list[Scope] = [("team", t) for t in self.teams] if team_scope else []
        scopes += [("organisation", o) for o in self.organisations]
        scopes += [("programme", p) for p in self.programmes]
        scopes += [("environment", e) for e in self.environments]
        return [*scopes, REGION]


def load_structure() -> Structure:
    """Read teams, organisations, programmes and environments (hundreds of rows at most)."""
    teams = db.session.execute(select(Team.id, Team.organisation_id, Team.parent_team_id)).all()
    team_org = {team: org for team, org, _parent in teams}
    links: dict[int, list[int]] = defaultdict(list)
    for programme_id, team_id in db.session.execute(select(ProgrammeTeam.programme_id, ProgrammeTeam.team_id)):
        links[team_id].append(programme_id)
    rows = db.session.execute(
        select(
            Programme.id,
            Programme.organisation_id,
            Programme.environment_id,
            Programme.monitoring_centre_team_id,
            Programme.adherence_threshold,
            Environment.funding_end,
        ).join(Environment, Environment.id == Programme.environment_id)
    ).all()
    return Structure(
        team_org=team_org,
        programme_org={r.id: r.organisation_id for r in rows},
        programme_env={r.id: r.environment_id for r in rows},
        team_programmes={team: tuple(sorted(ps)) for team, ps in links.items()},
        monitoring_centre={r.id: r.monitoring_centre_team_id for r in rows},
        funding_end={r.id: r.funding_end for r in rows},
        adherence_threshold={r.id: r.adherence_threshold for r in rows},
        organisations=tuple(db.session.scalars(select(Organisation.id).order_by(Organisation.id))),
        environments=tuple(db.session.scalars(select(Environment.id).order_by(Environment.id))),
        team_parent={team: parent for team, _org, parent in teams if parent is not None},
    )
