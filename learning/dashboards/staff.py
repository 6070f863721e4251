"""Which of a line manager's own staff still have to complete their curriculum in an environment.

The works-council rule (privacy.md, WOR art. 27): individual training status — done or not done for mandatory
training, nothing else — goes to the learner and their own line manager only. So this list is built only for the
manager named as `line_manager_user_id` on the roster; every other viewer sees the team's coverage figure, which is
aggregated and suppressed like every metric. The list reads the same training events the metrics read
(TrainingEvent, synced from the LRS through xAPI): a module never done is what keeps someone out of TRN_COVERAGE.
A refresher that has lapsed (the curriculum's refresher interval since the last time the module was done) is listed
apart, with its own due date: TRN_COVERAGE counts training once done (docs/metrics.md), the refresher is the line
manager's reminder.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, or_, select

from learning.accounts.models import Team, User
from learning.content.models import Module, ModuleText
from learning.db import db
from learning.environments import roles
from learning.environments.models import Curriculum, Programme, ProgrammeTeam, StaffMember, StaffMembership, StaffRole
from learning.metrics.models import TrainingEvent
from learning.metrics.training import DONE_VERBS


@dataclass(frozen=True)
class StaffStatus:
    """One person who has not yet done every module their role requires in this environment."""

    name: str
    team: str
    role: str
    missing: tuple[str, ...]  # never done
    refresh: tuple[str, ...]  # done, but the refresher interval has passed since the last time
    required: int
    due: date  # the earliest: start + due days for a missing module, last done + interval for a refresher
    overdue: bool
    has_account: bool


@dataclass
class _Need:
    """What a (team, role) must complete: per module the strictest refresher interval and every obligation."""

    modules: dict[str, int | None]  # module -> refresher months (the strictest of the curricula naming it)
    obligations: dict[str, list[tuple[date, int]]]  # module -> (programme start, due days) of each curriculum


def _stricter(a: int | None, b: int | None) -> int | None:
    return b if a is None else a if b is None else min(a, b)


def first_due(joined: date, obligations: list[tuple[date, int]]) -> date:
    """Return when a module is first due: `due_days` after the later of joining and the programme's start.

    Training cannot be due before the programme that asks for it exists: a nurse who joined in 2018 has until the
    programme's start plus its due days, not 2018 plus its due days. With several programmes the earliest counts.
    """
    return min(max(joined, start) + timedelta(days=days) for start, days in obligations)


def _needs(environment_ids: list[int] | None = None, team_ids: set[int] | None = None) -> dict[tuple[int, str], _Need]:
    """Return what each (team, role) must complete, over all programmes of the environments (or the teams)."""
    query = (
        select(ProgrammeTeam.team_id, Curriculum.role_code, Curriculum.module_slugs, Curriculum.due_days,
               Curriculum.refresher_months, Programme.start)
        .join(Programme, Programme.id == ProgrammeTeam.programme_id)
        .join(Curriculum, Curriculum.programme_id == Programme.id)
    )  # fmt: skip
    if environment_ids is not None:
        query = query.where(Programme.environment_id.in_(environment_ids))
    if team_ids is not None:
        query = query.where(ProgrammeTeam.team_id.in_(team_ids))
    needs: dict[tuple[int, str], _Need] = {}
    for team_id, role, modules, due_days, refresher, programme_start in db.session.execute(query):
        need = needs.setdefault((team_id, role), _Need({}, defaultdict(list)))
        for module in modules:
            need.modules[module] = _stricter(need.modules[module], refresher) if module in need.modules else refresher
            need.obligations[module].append((programme_start, due_days))
    return needs


def _last_done(actors: list[str], modules: set[str]) -> dict[tuple[str, str], datetime]:
    """Return the newest done moment per (actor, module): a refresher interval counts from the last time."""
    if not actors or not modules:
        return {}
    rows = db.session.execute(
        select(TrainingEvent.actor_pid, TrainingEvent.module_slug, func.max(TrainingEvent.timestamp))
        .where(
            TrainingEvent.actor_pid.in_(actors),
            TrainingEvent.module_slug.in_(modules),
            TrainingEvent.verb.in_(DONE_VERBS),
            TrainingEvent.voided.is_(False),
        )
        .group_by(TrainingEvent.actor_pid, TrainingEvent.module_slug)
    )
    return {(actor, module or ""): moment for actor, module, moment in rows}


def _titles(slugs: set[str], locale: str) -> dict[str, str]:
    rows = db.session.execute(
        select(Module.slug, ModuleText.language, ModuleText.title)
        .join(ModuleText, (ModuleText.module_id == Module.id) & (ModuleText.version == Module.current_version))
        .where(Module.slug.in_(slugs))
    )
    titles: dict[str, dict[str, str]] = defaultdict(dict)
    for slug, language, title in rows:
        titles[slug][language] = title
    return {slug: titles[slug].get(locale) or next(iter(titles[slug].values()), slug) for slug in slugs}


def _refresh_due(done: datetime, refresher_months: int | None) -> date | None:
    """Return when a done module must be done again, or None when it never expires."""
    if refresher_months is None:
        return None
    return (done + timedelta(days=round(refresher_months * 30.44))).date()


def staff_to_complete(manager: User, environment_id: int, today: date, locale: str) -> list[StaffStatus]:
    """Return the manager's own reports in the environment's teams who miss a required module, most overdue first."""
    needs = _needs([environment_id])
    if not needs:
        return []
    rows = db.session.execute(
        select(StaffMember.pid, User.xapi_pid, User.display_name, Team.id, Team.name, StaffMembership.role_code,
               StaffMembership.start, StaffRole)
        .join(StaffMembership, StaffMembership.staff_id == StaffMember.id)
        .join(Team, Team.id == StaffMembership.team_id)
        .join(StaffRole, StaffRole.code == StaffMembership.role_code)
        .outerjoin(User, User.id == StaffMember.user_id)
        .where(
            StaffMember.line_manager_user_id == manager.id,
            StaffMembership.start <= today,
            or_(StaffMembership.end.is_(None), StaffMembership.end >= today),  # the end day is worked
            Team.id.in_({team for team, _role in needs}),
        )
    ).all()  # fmt: skip
    relevant = [row for row in rows if (row.id, row.role_code) in needs]
    all_modules = {module for r in relevant for module in needs[(r.id, r.role_code)].modules}
    done = _last_done([r.xapi_pid for r in relevant if r.xapi_pid], all_modules)
    titles = _titles(all_modules, locale)
    result = []
    for row in relevant:
        need = needs[(row.id, row.role_code)]
        missing = sorted(m for m in need.modules if (row.xapi_pid, m) not in done)
        refresh = {m: _refresh_due(done[(row.xapi_pid, m)], months) for m, months in need.modules.items()
                   if (row.xapi_pid, m) in done}  # fmt: skip
        lapsed = sorted(m for m, due in refresh.items() if due is not None and due <= today)
        if not missing and not lapsed:
            continue
        dues = [first_due(row.start, need.obligations[m]) for m in missing]
        dues += [due for m, due in refresh.items() if m in lapsed and due is not None]
        result.append(
            StaffStatus(
                name=row.display_name or row.pid,
                team=row.name,
                role=roles.label(row.StaffRole, locale),
                missing=tuple(titles[m] for m in missing),
                refresh=tuple(titles[m] for m in lapsed),
                required=len(need.modules),
                due=min(dues),
                overdue=min(dues) < today,
                has_account=row.xapi_pid is not None,
            )
        )
    return sorted(result, key=lambda s: (s.due, s.team, s.name))


@dataclass(frozen=True)
class OwnModule:
    """One module the learner's role requires: due when, and done or not (what her line manager sees too)."""

    slug: str
    title: str
    due: date  # not done: first due; done with a refresher: when it must be done again; done for good: the first due
    done: bool  # done, and no refresher has lapsed
    overdue: bool
    again: bool  # done before, but the refresher interval has passed


def own_required_training(
    user: User, today: date, locale: str, done_here: AbstractSet[str] = frozenset()
) -> list[OwnModule]:
    """Return the modules the learner's current roles require, with due dates, by the same rule as the manager's list.

    `done_here` holds modules the learner has just finished in this app (her own attempts), so her page agrees with
    what she did a moment ago even before the training records are read into the metrics.
    """
    memberships = db.session.execute(
        select(StaffMembership.team_id, StaffMembership.role_code, StaffMembership.start)
        .join(StaffMember, StaffMember.id == StaffMembership.staff_id)
        .where(
            StaffMember.user_id == user.id,
            StaffMembership.start <= today,
            or_(StaffMembership.end.is_(None), StaffMembership.end >= today),
        )
    ).all()
    needs = _needs(team_ids={m.team_id for m in memberships}) if memberships else {}
    first: dict[str, date] = {}
    refresher: dict[str, int | None] = {}
    for team_id, role, joined in memberships:
        need = needs.get((team_id, role))
        if need is None:
            continue  # a role no curriculum of the team's programmes targets
        for module, months in need.modules.items():
            due = first_due(joined, need.obligations[module])
            first[module] = min(due, first.get(module, due))
            refresher[module] = _stricter(refresher[module], months) if module in refresher else months
    done = _last_done([user.xapi_pid], set(first))
    titles = _titles(set(first), locale)
    result = []
    for module, due in first.items():
        last = done.get((user.xapi_pid, module))
        again_on = _refresh_due(last, refresher[module]) if last else None
        lapsed = again_on is not None and again_on <= today
        is_done = (last is not None and not lapsed) or module in done_here
        shown_due = again_on if (last is not None and again_on is not None) else due
        result.append(OwnModule(module, titles[module], shown_due, is_done, not is_done and shown_due < today,
                                lapsed and module not in done_here))  # fmt: skip
    return sorted(result, key=lambda m: (m.done, m.due, m.title))
