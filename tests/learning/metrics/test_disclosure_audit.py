"""The disclosure audit: the interval an attacker can derive for every hidden cell, by linear programming.

The hand-made regions are built in memory (an Accumulator and a Structure, as a recompute builds them), so each
case is exact and fast; the demo region's audit runs in tests/learning/test_demo.py on the seeded region.
"""

from __future__ import annotations

import random
from datetime import date

import pytest

from learning.metrics.disclosure_audit import audit_month
from learning.metrics.rollup import Accumulator
from learning.metrics.scopes import Structure
from learning.metrics.services import build_month

ORG, PROGRAMME, ENVIRONMENT = 1, 10, 100


def region(teams: list[int], programmes: dict[int, tuple[int, ...]] | None = None) -> Structure:
    """One organisation, environment and (by default) one programme that all the teams take part in."""
    programmes = programmes or {PROGRAMME: tuple(teams)}
    team_programmes: dict[int, list[int]] = {}
    for programme, members in programmes.items():
        for team in members:
            team_programmes.setdefault(team, []).append(programme)
    return Structure(
        team_org=dict.fromkeys(teams, ORG),
        programme_org=dict.fromkeys(programmes, ORG),
        programme_env=dict.fromkeys(programmes, ENVIRONMENT),
        team_programmes={t: tuple(ps) for t, ps in team_programmes.items()},
        monitoring_centre=dict.fromkeys(programmes),
        funding_end=dict.fromkeys(programmes, date(2030, 1, 1)),
        adherence_threshold=dict.fromkeys(programmes, 0.8),
        organisations=(ORG,),
        environments=(ENVIRONMENT,),
    )


def coverage(acc: Accumulator, team: int, trained: int, staff: int) -> None:
    """Count `staff` members of a team in TRN_COVERAGE, `trained` of whom are fully trained."""
    for i in range(staff):
        acc.count("TRN_COVERAGE", (team, None), float(i < trained), 1.0, who=("staff", team * 1000 + i))


def test_todays_rule_lets_two_untrained_teams_be_read_as_zero_from_the_total():
    # Three teams: 10 of 20 trained, 0 of 3, 0 of 4. The two small teams are hidden; the sum rule sees two unknowns
    # in organisation = Σ teams and adds no complement. But the organisation shows 10 trained, which the first team
    # shows too: 0 + 0 = 0 with counts ≥ 0 pins both hidden teams to 0.
    acc, structure = Accumulator(), region([1, 2, 3])
    coverage(acc, 1, 10, 20)
    coverage(acc, 2, 0, 3)
    coverage(acc, 3, 0, 4)
    month = build_month(acc, structure, {}, audit=False)
    cells = month["TRN_COVERAGE"].cells
    assert [cells[("team", t)].suppressed for t in (1, 2, 3)] == [False, True, True]

    report = audit_month({"TRN_COVERAGE": month["TRN_COVERAGE"]}, structure)

    leaked = {(f.scope, f.side, f.low, f.high) for f in report.recoverable}
    assert leaked == {(("team", 2), "numerator", 0.0, 0.0), (("team", 3), "numerator", 0.0, 0.0)}


def test_a_small_team_hidden_with_a_large_complement_is_safe():
    # a team of 4 is small; hiding a team of 9 (6 trained) beside it leaves 8 trained and 13 staff to share
    acc, structure = Accumulator(), region([1, 2, 3])
    coverage(acc, 1, 10, 20)
    coverage(acc, 2, 2, 4)
    coverage(acc, 3, 6, 9)
    month = {"TRN_COVERAGE": build_month(acc, structure, {}, audit=False)["TRN_COVERAGE"]}
    assert month["TRN_COVERAGE"].cells[("team", 3)].suppressed  # the smallest shown sibling

    report = audit_month(month, structure)

    assert report.sensitive == 1
    assert not report.recoverable
    [numerator] = [f for f in report.findings if f.side == "numerator"]
    assert numerator.high == 8.0  # 8 trained between the two hidden teams: anything from 0 to 8


def test_a_linked_metric_that_shows_the_shared_count_gives_a_hidden_cell_away():
    # TRN_REACH and TRN_COVERAGE share their denominator (the team's staff). A team of 4 hidden in coverage but
    # shown in reach is read off the reach cell.
    acc, structure = Accumulator(), region([1, 2])
    coverage(acc, 1, 10, 20)
    coverage(acc, 2, 4, 4)
    for team, staff in ((1, 20), (2, 4)):
        for i in range(staff):
            acc.count("TRN_REACH", (team, None), 1.0, 1.0, who=("staff", team * 1000 + i))
    month = build_month(acc, structure, {}, audit=False)
    picked = {code: month[code] for code in ("TRN_COVERAGE", "TRN_REACH")}
    for cell in picked["TRN_REACH"].cells.values():
        cell.suppressed = False  # as if the linked rule were missing

    report = audit_month(picked, structure)

    assert ("TRN_COVERAGE", ("team", 2), "denominator") in {(f.metric, f.scope, f.side) for f in report.recoverable}


def test_an_empty_hidden_cell_needs_no_protection():
    acc, structure = Accumulator(), region([1, 2])
    coverage(acc, 1, 10, 20)  # team 2 has nobody: 0 of 0
    month = build_month(acc, structure, {})

    report = audit_month({"TRN_COVERAGE": month["TRN_COVERAGE"]}, structure)

    assert report.hidden == 1
    assert report.sensitive == 0


def test_the_audit_driven_complement_protects_the_two_zeros():
    acc, structure = Accumulator(), region([1, 2, 3])
    coverage(acc, 1, 10, 20)
    coverage(acc, 2, 0, 3)
    coverage(acc, 3, 0, 4)

    month = build_month(acc, structure, {})

    cells = month["TRN_COVERAGE"].cells
    assert not audit_month(month, structure).recoverable
    # the sum rules left all five totals and team 1 shown; one complement closes the leak: the four totals say the
    # same (10 of 27), so no single total helps and team 1 is the one cell that does
    assert [s for s, c in cells.items() if c.suppressed] == [("team", 1), ("team", 2), ("team", 3)]


def test_a_banded_cell_that_the_sums_make_solvable_fails_the_audit():
    # 0 of 8 and 0 of 9 trained: the groups are large enough, so both teams show "fewer than 5" (a band, 0 to 4).
    # The organisation shows 10 of 37 and team 1 shows 10 of 20: the two bands add up to 0, so both are 0.
    acc, structure = Accumulator(), region([1, 2, 3])
    coverage(acc, 1, 10, 20)
    coverage(acc, 2, 0, 8)
    coverage(acc, 3, 0, 9)
    month = build_month(acc, structure, {}, audit=False)
    assert not any(c.suppressed for c in month["TRN_COVERAGE"].cells.values())  # the sum rules see no unknown

    report = audit_month({"TRN_COVERAGE": month["TRN_COVERAGE"]}, structure)

    assert report.banded == 2
    leaked = {(f.scope, f.side, f.low, f.high) for f in report.recoverable}
    assert leaked == {(("team", 2), "numerator", 0.0, 0.0), (("team", 3), "numerator", 0.0, 0.0)}


def test_a_complement_keeps_the_bands_whole_and_hides_one_team_instead_of_three():
    acc, structure = Accumulator(), region([1, 2, 3])
    coverage(acc, 1, 10, 20)
    coverage(acc, 2, 0, 8)
    coverage(acc, 3, 0, 9)

    month = build_month(acc, structure, {})

    cells = month["TRN_COVERAGE"].cells
    report = audit_month(month, structure)
    assert not report.recoverable
    # the four totals all say 10 of 37, so only team 1 hidden leaves 0-4 possible for each band (the old rule hid
    # all three teams)
    assert [s for s, c in cells.items() if c.suppressed] == [("team", 1)]
    bands = {f.scope: (f.low, f.high) for f in report.findings}
    assert bands == {("team", 2): (0.0, 4.0), ("team", 3): (0.0, 4.0)}


def test_two_bands_that_the_sums_leave_open_need_no_complement():
    # 2 of 8 and 2 of 9: the total says the two bands hold 4 together, so each can still be anything from 0 to 4
    acc, structure = Accumulator(), region([1, 2, 3])
    coverage(acc, 1, 10, 20)
    coverage(acc, 2, 2, 8)
    coverage(acc, 3, 2, 9)

    month = build_month(acc, structure, {})

    report = audit_month(month, structure)
    assert not any(c.suppressed for c in month["TRN_COVERAGE"].cells.values())
    assert report.banded == 2
    assert not report.recoverable


def test_a_band_next_to_an_exact_sibling_is_solvable_until_a_complement_is_hidden():
    # 3 of 8 banded, 7 of 9 shown, 10 of 20 shown, total 20 of 37: 20 - 10 - 7 = 3
    acc, structure = Accumulator(), region([1, 2, 3])
    coverage(acc, 1, 10, 20)
    coverage(acc, 2, 3, 8)
    coverage(acc, 3, 7, 9)
    before = build_month(acc, structure, {}, audit=False)
    [leak] = audit_month({"TRN_COVERAGE": before["TRN_COVERAGE"]}, structure).recoverable
    assert (leak.scope, leak.low, leak.high) == (("team", 2), 3.0, 3.0)

    after = build_month(acc, structure, {})

    assert not audit_month(after, structure).recoverable
    assert not after["TRN_COVERAGE"].cells[("team", 2)].suppressed  # the band itself stays shown


def random_region(rng: random.Random) -> tuple[Accumulator, Structure]:
    """2-7 teams in 1-2 organisations and 1-3 programmes (teams may share programmes), with staff and patients."""
    teams = list(range(1, rng.randint(2, 7) + 1))
    orgs = {t: rng.choice((1, 2)) for t in teams}
    programmes = {
        10 + p: tuple(sorted(rng.sample(teams, rng.randint(1, len(teams))))) for p in range(rng.randint(1, 3))
    }
    structure = region(teams, programmes)
    structure.team_org = orgs
    structure.organisations = tuple(sorted(set(orgs.values())))
    structure.programme_org = {p: orgs[members[0]] for p, members in programmes.items()}
    acc = Accumulator()
    for team in teams:
        staff = rng.choice((rng.randint(1, 6), rng.randint(5, 30)))
        trained = rng.randint(0, staff)
        launched = rng.randint(trained, staff)
        coverage(acc, team, trained, staff)
        for i in range(staff):
            who = ("staff", team * 1000 + i)
            acc.count("TRN_REACH", (team, None), float(i < launched), 1.0, who=who)
            if i < trained:
                acc.count("STAFF_APPLIED", (team, None), float(rng.random() < 0.6), 1.0, who=who)
    for programme, members in programmes.items():
        for team in members:
            for i in range(rng.choice((rng.randint(0, 12), rng.randint(8, 60)))):
                who = ("patient", programme, f"{team}-{i}")
                acc.count("PT_ACTIVE", (team, programme), float(rng.random() < 0.8), 1.0, who=who)
    return acc, structure


@pytest.mark.parametrize("seed", range(12))
def test_no_cell_is_recoverable_in_randomised_regions(seed):
    acc, structure = random_region(random.Random(seed))

    month = build_month(acc, structure, {})

    report = audit_month(month, structure)
    assert report.sensitive > 0  # every seed makes small cells (and the sum rules alone leak in seeds 6 and 11)
    assert not report.recoverable, report.recoverable
