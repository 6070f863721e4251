"""The HR roster of the region: staff pseudonyms, team memberships with turnover, accounts and line managers.

About 12 % of staff leave during the year and are replaced mid-month; some work in two teams. Seven in ten have
a VTC account, with a pseudonymous display name and an address under .invalid (RFC 2606) that can never receive
mail, and a password no one can type: these accounts exist to carry learning records, not to log in.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from learning.accounts.models import Role, User
from learning.demo.bulk import insert_all, insert_returning_ids
from learning.demo.clock import Window, local_moment, mid_month, new_uuid
from learning.demo.region import TEAMS
from learning.demo.structure import Region
from learning.environments.models import StaffMember, StaffMembership

TURNOVER = 0.12
ACCOUNT_SHARE = 0.7
SECOND_TEAM_SHARE = 0.06
ENGLISH_SHARE = 0.05
# argon2 cannot read this as a hash, so no password matches it: these accounts carry records, nobody logs in
UNUSABLE_PASSWORD = "!no-password: demo account"  # noqa: S105


@dataclass
class Membership:
    team: str
    role: str
    start: date
    end: date | None


@dataclass
class StaffPlan:
    number: int
    organisation: str
    pid: str
    memberships: list[Membership]
    has_account: bool
    language: str
    xapi_pid: str = ""
    user_id: int | None = None
    demo_login: bool = False  # the README's nurse@example.org: her records are hers to make

    @property
    def team(self) -> str:
        return self.memberships[0].team

    @property
    def left_on(self) -> date | None:
        return self.memberships[0].end


def apportion(total: int, weights: list[int]) -> list[int]:
    """Split `total` in proportion to `weights` (largest remainder), so every scale sums exactly."""
    whole = sum(weights)
    shares = [total * weight / whole for weight in weights]
    counts = [int(share) for share in shares]
    by_remainder = sorted(range(len(weights)), key=lambda i: (counts[i] - shares[i], i))
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _pid(rng: random.Random, taken: set[str]) -> str:
    while True:
        pid = f"mw-{rng.getrandbits(40):010x}"
        if pid not in taken:
            taken.add(pid)
            return pid


def _plan(rng: random.Random, taken: set[str], organisation: str, first: Membership) -> StaffPlan:
    has_account = rng.random() < ACCOUNT_SHARE
    return StaffPlan(
        number=0,
        organisation=organisation,
        pid=_pid(rng, taken),
        memberships=[first],
        has_account=has_account,
        language="en" if rng.random() < ENGLISH_SHARE else "nl",
        xapi_pid=new_uuid(rng) if has_account else "",
    )


def _replace_leavers(rng: random.Random, window: Window, plans: list[StaffPlan], joiners: int, taken: set[str]) -> None:
    """Let `joiners` members leave mid-month and a successor start in the same team and role weeks later."""
    months = len(list(window.months()))
    leavers = sorted(rng.sample(range(1, len(plans)), min(joiners, max(len(plans) - 1, 0))))
    latest_start = window.end - timedelta(days=14)
    for index in leavers:
        leaver = plans[index].memberships[0]
        leaver.end = min(mid_month(rng, window.month(rng.randrange(months - 1))), latest_start)
        start = min(leaver.end + timedelta(days=rng.randint(0, 45)), latest_start)
        if start.day == 1:
            start += timedelta(days=rng.randint(2, 9))
        successor = Membership(leaver.team, leaver.role, start, None)
        plans.append(_plan(rng, taken, plans[index].organisation, successor))
    for _ in range(joiners - len(leavers)):  # at tiny scales there are too few to replace: growth instead
        start = mid_month(rng, window.month(rng.randrange(months - 1)))
        plans.append(_plan(rng, taken, "zto", Membership("zto-hf", "hf_nurse", start, None)))


def _add_second_teams(rng: random.Random, window: Window, plans: list[StaffPlan]) -> None:
    """Give some staff a second team in their organisation, preferably one that has their role."""
    for plan in plans:
        if rng.random() >= SECOND_TEAM_SHARE:
            continue
        first = plan.memberships[0]
        others = [t for t in TEAMS if t.organisation == plan.organisation and t.key != first.team]
        if not others:
            continue
        same_role = [t for t in others if any(role == first.role for role, _ in t.staff)]
        team = rng.choice(same_role or others)
        start = max(first.start, mid_month(rng, window.month(rng.randrange(6))))
        if first.end is None or start < first.end:
            plan.memberships.append(Membership(team.key, first.role, start, first.end))


def plan_staff(rng: random.Random, window: Window, total: int) -> list[StaffPlan]:
    """Return the roster: `total` staff members, baseline plus successors of those who left."""
    slots = [(team.key, team.organisation, role, weight) for team in TEAMS for role, weight in team.staff]
    baseline = max(round(total / (1 + TURNOVER)), min(total, 1))
    counts = apportion(baseline - 1, [slot[3] for slot in slots]) if baseline else [0] * len(slots)
    if baseline:
        counts[0] += 1  # the first slot (ZTO heart-failure nurse) always exists: nurse@example.org takes it
    taken: set[str] = set()
    plans = []
    for (team, organisation, role, _), count in zip(slots, counts, strict=True):
        for _ in range(count):
            start = window.start - timedelta(days=rng.randint(30, 4000))
            plans.append(_plan(rng, taken, organisation, Membership(team, role, start, None)))
    _replace_leavers(rng, window, plans, total - baseline, taken)
    _add_second_teams(rng, window, plans)
    for number, plan in enumerate(plans, start=1):
        plan.number = number
    return plans


def _account_row(region: Region, plan: StaffPlan) -> dict[str, object]:
    first = plan.memberships[0]
    return {
        "email": f"staff-{plan.pid}@demo.invalid",
        "password_hash": UNUSABLE_PASSWORD,
        "display_name": f"Medewerker {plan.number}",
        "role": Role.PROFESSIONAL,
        "organisation_id": region.organisations[plan.organisation],
        "team_id": region.teams[plan.team].id,
        "locale": plan.language,
        "xapi_pid": plan.xapi_pid,
        "created_at": local_moment(max(first.start, region.window.start - timedelta(days=90)), 9),
        "is_active_account": plan.left_on is None,
    }


def _line_managers(rng: random.Random, region: Region, demo_manager_id: int) -> dict[str, int]:
    """One team leader per team; the README's manager@example.org leads the ZTO heart-failure clinic."""
    keys = [team.key for team in TEAMS if team.key != "zto-hf"]
    rows = [
        {
            "email": f"teamleider-{key}@demo.invalid",
            "password_hash": UNUSABLE_PASSWORD,
            "display_name": f"Teamleider {number}",
            "role": Role.MANAGER,
            "organisation_id": region.organisations[region.teams[key].organisation],
            "team_id": region.teams[key].id,
            "locale": "nl",
            "xapi_pid": new_uuid(rng),
            "created_at": local_moment(region.window.start, 9),
            "is_active_account": True,
        }
        for number, key in enumerate(keys, start=1)
    ]
    ids = insert_returning_ids(User.__table__, rows)  # type: ignore[arg-type]
    return {"zto-hf": demo_manager_id, **dict(zip(keys, ids, strict=True))}


def _link_demo_nurse(plans: list[StaffPlan], nurse_id: int, nurse_pid: str) -> None:
    plan = next((p for p in plans if p.team == "zto-hf" and p.memberships[0].role == "hf_nurse"), None)
    if plan is not None:
        plan.has_account, plan.user_id, plan.xapi_pid, plan.demo_login = True, nurse_id, nurse_pid, True
        plan.memberships[0].end = None


def write_staff(
    rng: random.Random, region: Region, plans: list[StaffPlan], demo_ids: dict[str, int], nurse_pid: str
) -> None:
    """Insert accounts, roster and memberships; fill in each plan's user id."""
    managers = _line_managers(rng, region, demo_ids["manager@example.org"])
    _link_demo_nurse(plans, demo_ids["nurse@example.org"], nurse_pid)
    new_accounts = [plan for plan in plans if plan.has_account and plan.user_id is None]
    user_ids = insert_returning_ids(User.__table__, [_account_row(region, p) for p in new_accounts])  # type: ignore[arg-type]
    for plan, user_id in zip(new_accounts, user_ids, strict=True):
        plan.user_id = user_id
    member_rows = [
        {
            "organisation_id": region.organisations[plan.organisation],
            "pid": plan.pid,
            "user_id": plan.user_id,
            "line_manager_user_id": managers[plan.team],
        }
        for plan in plans
    ]
    member_ids = insert_returning_ids(StaffMember.__table__, member_rows)  # type: ignore[arg-type]
    membership_rows = [
        {"staff_id": member_id, "team_id": region.teams[m.team].id, "role_code": m.role, "start": m.start, "end": m.end}
        for plan, member_id in zip(plans, member_ids, strict=True)
        for m in plan.memberships
    ]
    insert_all(StaffMembership, membership_rows)
