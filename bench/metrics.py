"""Metrics benchmark: a full recompute and an incremental one after a day's data, at N times the demo region.

At --scale 10 (the issue's target): 4,000 staff, 20,000 patients, ~10M statements in training_event and ~7M
rpm_daily rows over 2025, written straight into the LMS tables (the demo generator goes through the LRS and is far
slower at this size). Targets on two cores: full <= 60 s, incremental <= 2 s. Beside each time the script prints a
plain full scan of training_event in the same run, as the machine's yardstick, and the ratio to it.

Because the rows bypass the importers, the script does what they do: after generating it builds the summaries
that runs over recent months read (`flask metrics rebuild` does the same), and after writing the last day it
hands that day's rows to learning/metrics/arrivals.py as the xAPI sync and RPM ingestion do (timed apart, as
"upkeep"), then drains the queue as `flask metrics recompute --pending` does.

    python bench/metrics.py --scale 10 --database sqlite:////tmp/metrics10.db          # generate and measure
    python bench/metrics.py --scale 10 --database sqlite:////tmp/metrics10.db --reuse  # measure again
    python bench/metrics.py --scale 1 --database postgresql+psycopg://vtc@127.0.0.1:5432/vtc_bench
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path[:0] = [str(Path(__file__).resolve().parent.parent)]

from sqlalchemy import func, select, text  # noqa: E402

from app import create_app  # noqa: E402
from bench.server import durability  # noqa: E402
from learning.db import db, upgrade_database  # noqa: E402

YEAR = date(2025, 1, 1)
DAYS = 365
MODULES = ("mod-a", "mod-b")
PATIENT_MODULES = ("pat-1", "pat-2", "pat-3")
SCHEDULE = {"weight": "daily", "bp": "3/wk"}


def moment(day: date, seconds: int) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(seconds=seconds)


class Writer:
    """Bulk-load rows: executemany of tuples on SQLite, COPY on PostgreSQL."""

    def __init__(self) -> None:
        self.raw = db.engine.raw_connection()
        self.postgres = db.engine.dialect.name == "postgresql"

    def write(self, table: str, columns: tuple[str, ...], rows: Iterable[tuple[Any, ...]]) -> int:
        cursor, count = self.raw.cursor(), 0
        names = ", ".join(f'"{c}"' for c in columns)
        if self.postgres:
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:  # type: ignore[attr-defined]
                for row in rows:
                    copy.write_row([json.dumps(v) if isinstance(v, dict | list) else v for v in row])
                    count += 1
        else:
            marks = ", ".join("?" for _ in columns)
            batch: list[tuple[Any, ...]] = []
            for row in rows:
                batch.append(tuple(_sqlite(v) for v in row))
                if len(batch) == 50_000:
                    cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", batch)
                    count, batch = count + len(batch), []
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", batch)
            count += len(batch)
        self.raw.commit()
        return count


def _sqlite(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value)
    return value


def structure(w: Writer) -> dict[str, Any]:
    """6 organisations, 20 teams, 3 environments, 11 programmes, curricula: the demo's shape."""
    w.write("organisation", ("id", "name", "kind", "pseudonym"),
            ((o, f"Org {o}", "hospital", f"org-{o}") for o in range(1, 7)))  # fmt: skip
    w.write("team", ("id", "organisation_id", "name", "kind", "pseudonym"),
            ((t, (t - 1) % 6 + 1, f"Team {t}", "ward", f"team-{t}") for t in range(1, 21)))  # fmt: skip
    w.write("environment", ("id", "name", "condition", "region", "phase", "start", "funding_end"),
            ((e, f"Env {e}", "HF", "Twente", "DESIGN", date(2024, 1, 1), date(2025, 6, 1) if e == 1 else None)
             for e in range(1, 4)))  # fmt: skip
    hours = {"start": "08:00", "end": "17:00", "days": [0, 1, 2, 3, 4]}
    w.write("rpm_programme", ("id", "environment_id", "organisation_id", "name", "condition", "platform_name",
                              "measurement_schedule", "alert_sla_minutes", "business_hours", "adherence_threshold",
                              "start", "status"),
            ((p, (p - 1) % 3 + 1, (p - 1) % 6 + 1, f"Programme {p}", "HF", "Bench", SCHEDULE,
              {"red": 60, "orange": 240}, hours if p % 2 else None, 0.8, date(2024, 6, 1), "active")
             for p in range(1, 12)))  # fmt: skip
    links = {(p, t) for p in range(1, 12) for t in (p, (p + 8) % 20 + 1)}
    w.write("programme_team", ("programme_id", "team_id"), sorted(links))
    w.write("staff_role", ("code", "label_nl", "label_en"), [(r, r, r) for r in ("nurse", "doctor", "patient")])
    curricula = [(p, "nurse", list(MODULES)) for p in range(1, 12)] + [(p, "doctor", ["mod-a"]) for p in range(1, 12)]
    curricula += [(p, "patient", ["pat-1"]) for p in range(1, 12)]
    w.write("curriculum", ("programme_id", "role_code", "module_slugs", "due_days"),
            ((p, r, m, 30) for p, r, m in curricula))  # fmt: skip
    teams_of = {p: sorted(t for q, t in links if q == p) for p in range(1, 12)}
    return {"teams_of": teams_of}


def attempt(rng: random.Random, actor: str, module: str, day: date, n: int) -> Iterator[tuple[Any, ...]]:
    """One attempt at a module: ~45 statements, the platform's verbs, in time order."""
    registration, t = f"r{actor}{module}{n}", rng.randrange(8 * 3600, 20 * 3600)
    step = 0

    def row(verb: str, item: str | None = None, **kw: Any) -> tuple[Any, ...]:
        nonlocal step
        step += 1
        return (f"{actor}-{module}-{n}-{step}", actor, verb, module, item, registration, moment(day, t + step * 40),
                kw.get("success"), kw.get("scaled"), kw.get("duration"), kw.get("response"), False)  # fmt: skip

    yield row("launched")
    yield row("initialized")
    yield row("answered", "pre-confidence-x", response=str(rng.randint(1, 4)))
    for i in range(30):
        yield row("experienced")
        yield row("answered", f"q{i}", success=rng.random() < 0.8)
    finished = rng.random() < 0.8
    if finished:
        yield row("answered", "relevance-useful", response=str(rng.randint(2, 5)))
        yield row("answered", "confidence-x", response=str(rng.randint(3, 5)))
        yield row("completed", duration=rng.randint(300, 900))
        passed = rng.random() < 0.7
        yield row("passed" if passed else "failed", success=passed, scaled=0.8 if passed else 0.5)
    yield row("terminated", duration=rng.randint(300, 900))


def people(w: Writer, rng: random.Random, scale: float, teams_of: dict[int, list[int]]) -> dict[str, Any]:
    """Staff with memberships and accounts, patients with enrolments and links; returns what the facts need."""
    n_staff, n_patients = round(400 * scale), round(2000 * scale)
    users, staff, memberships, links, enrolments = [], [], [], [], []
    actors: list[tuple[str, date, tuple[str, ...]]] = []
    for s in range(1, n_staff + 1):
        team = rng.randrange(1, 21)
        role = "nurse" if rng.random() < 0.7 else "doctor"
        start = YEAR + timedelta(days=rng.randrange(-200, 300))
        end = start + timedelta(days=rng.randrange(60, 400)) if rng.random() < 0.1 else None
        has_account = rng.random() < 0.9
        if has_account:
            users.append((s, f"s{s}@bench.test", "x", "", "professional", "nl", f"staff-{s}", moment(YEAR, 0), True))
            actors.append((f"staff-{s}", max(start, YEAR), MODULES if role == "nurse" else MODULES[:1]))
        staff.append((s, (team - 1) % 6 + 1, f"sp{s}", s if has_account else None))
        memberships.append((s, team, role, start, end))
    patients = []
    for i in range(1, n_patients + 1):
        programme = rng.randrange(1, 12)
        team = rng.choice(teams_of[programme])
        offered = YEAR + timedelta(days=rng.randrange(-420, 60))
        enrolled = offered + timedelta(days=rng.randrange(0, 10)) if rng.random() < 0.95 else None
        left = enrolled + timedelta(days=rng.randrange(30, 300)) if enrolled and rng.random() < 0.1 else None
        reason = rng.choice(["patient_choice", "technical", "death", "planned_end"]) if left else None
        first = enrolled + timedelta(days=rng.randrange(0, 12)) if enrolled else None
        enrolments.append((programme, f"pp{i}", team, offered, enrolled, first, left, reason, moment(YEAR, 0)))
        if enrolled:
            patients.append((programme, f"pp{i}", team, enrolled, left))
        uid = n_staff + i
        users.append((uid, f"p{i}@bench.test", "x", "", "patient", "nl", f"patient-{i}", moment(YEAR, 0), True))
        actors.append((f"patient-{i}", max(offered, YEAR), PATIENT_MODULES))
        if rng.random() < 0.6:
            links.append((programme, f"pp{i}", uid, moment(YEAR, 0)))
    w.write("user_account", ("id", "email", "password_hash", "display_name", "role", "locale", "xapi_pid",
                             "created_at", "is_active_account"), users)  # fmt: skip
    w.write("staff_member", ("id", "organisation_id", "pid", "user_id"), staff)
    w.write("staff_membership", ("staff_id", "team_id", "role_code", "start", "end"), memberships)
    w.write("patient_link", ("programme_id", "patient_pid", "user_id", "consented_at"), links)
    w.write("rpm_enrolment", ("programme_id", "patient_pid", "team_id", "offered_at", "enrolled_at",
                              "first_measurement_at", "disenrolled_at", "disenrol_reason", "updated_at"),
            enrolments)  # fmt: skip
    return {"actors": actors, "patients": patients, "n_staff": n_staff}


def statements(rng: random.Random, actors: list[tuple[str, date, tuple[str, ...]]], last: date) -> Iterator[Any]:
    """Every learner takes each of their modules up to three times, the first attempt soon after starting."""
    for actor, first_day, modules in actors:
        for module in modules:
            day = first_day + timedelta(days=rng.randrange(0, 40))
            for n in range(rng.choice((1, 2, 3, 3))):
                if day > last:
                    break
                yield from attempt(rng, actor, module, day, n)
                day += timedelta(days=rng.randrange(1, 60))


def daily(rng: random.Random, patients: list[tuple[Any, ...]], first: date, last: date) -> Iterator[Any]:
    for programme, pid, _team, enrolled, left in patients:
        day = max(enrolled, first)
        stop = min(left or last + timedelta(days=1), last + timedelta(days=1))
        keen = rng.random()
        while day < stop:
            got = rng.random() < 0.5 + keen / 2
            counts = {"weight": 1, "bp": 1} if got and day.weekday() in (0, 2, 4) else {"weight": 1} if got else {}
            yield (programme, pid, day, True, counts, {})
            day += timedelta(days=1)


def alerts(rng: random.Random, patients: list[tuple[Any, ...]], first: date, last: date, tag: str) -> Iterator[Any]:
    n = 0
    for programme, pid, team, enrolled, left in patients:
        start, stop = max(enrolled, first), min(left or last + timedelta(days=1), last + timedelta(days=1))
        days = max((stop - start).days, 0)
        for _ in range(days * 26 // 1000 + (rng.random() < days * 26 % 1000 / 1000)):
            n += 1
            created = moment(start + timedelta(days=rng.randrange(max(days, 1))), rng.randrange(86400))
            acted = created + timedelta(minutes=rng.randrange(5, 600)) if rng.random() < 0.95 else None
            outcome = rng.choice(["no_action", "contact", "treatment_change"])
            yield (programme, f"{tag}{n}", pid, team, rng.choice(["red", "orange"]), created, acted, "contacted",
                   outcome)  # fmt: skip


def activity(rng: random.Random, n_staff: int, first: date, last: date) -> Iterator[Any]:
    for s in range(1, n_staff + 1):
        if rng.random() < 0.6:
            day = first + timedelta(days=rng.randrange(0, 120))
            while day <= last:
                yield ((s - 1) % 11 + 1, f"sp{s}", day, {"reviews": 1})
                day += timedelta(days=rng.randrange(1, 5))


EVENT = ("statement_id", "actor_pid", "verb", "module_slug", "item_id", "registration", "timestamp", "success",
         "scaled", "duration_seconds", "response", "voided")  # fmt: skip
DAILY = ("programme_id", "patient_pid", "day", "expected", "received_counts", "manual_counts")
ALERT = ("programme_id", "external_id", "patient_pid", "team_id", "severity", "created_at", "first_action_at",
         "action_type", "outcome")  # fmt: skip
ACTIVITY = ("programme_id", "staff_pid", "day", "actions")


def generate(scale: float) -> dict[str, Any]:
    rng, w = random.Random(7), Writer()
    frame = structure(w)
    made = people(w, rng, scale, frame["teams_of"])
    last = YEAR + timedelta(days=DAYS - 2)  # the last day is left for the incremental run
    started = time.perf_counter()
    counts = {
        "training_event": w.write("training_event", EVENT, statements(rng, made["actors"], last)),
        "rpm_daily": w.write("rpm_daily", DAILY, daily(rng, made["patients"], YEAR, last)),
        "rpm_alert": w.write("rpm_alert", ALERT, alerts(rng, made["patients"], YEAR, last, "a")),
        "staff_rpm_activity": w.write("staff_rpm_activity", ACTIVITY, activity(rng, made["n_staff"], YEAR, last)),
    }
    print(f"generated {counts} in {time.perf_counter() - started:.0f} s", flush=True)
    return made


def add_one_day(scale: float) -> tuple[dict[str, int], float]:
    """Write the last day of the year (statements, daily rows, alerts, staff activity) and tell the metrics.

    Returns the row counts and the seconds the importers' upkeep took (arrivals.py: learner summaries refreshed,
    daily rows folded into their patient-months, months queued).
    """
    from learning.metrics.arrivals import note_rpm_rows, note_statements
    from learning.rpm.models import Alert, DailyMeasurement, StaffActivity

    rng, w = random.Random(8), Writer()
    day = YEAR + timedelta(days=DAYS - 1)
    patients = [(p, pid, t, e, left) for p, pid, t, e, left in _enrolled(day)]
    learners: list[tuple[str, date, tuple[str, ...]]] = [
        (f"staff-{s}", day, MODULES) for s in range(1, round(400 * scale) + 1, 7)
    ]
    learners += [(f"patient-{i}", day, PATIENT_MODULES[:1]) for i in range(1, round(2000 * scale) + 1, 40)]
    events = [r for actor, d, modules in learners for m in modules for r in attempt(rng, actor, m, d, 9)]
    days, late = list(daily(rng, patients, day, day)), list(alerts(rng, patients, day, day, "late"))
    actions = [(s % 11 + 1, f"sp{s}", day, {"reviews": 1}) for s in range(1, 400, 3)]
    counts = {
        "training_event": w.write("training_event", EVENT, events),
        "rpm_daily": w.write("rpm_daily", DAILY, days),
        "rpm_alert": w.write("rpm_alert", ALERT, late),
        "staff_rpm_activity": w.write("staff_rpm_activity", ACTIVITY, actions),
    }
    started = time.perf_counter()
    note_statements((row[1], row[3], row[6]) for row in events)
    for model, columns, rows in (
        (DailyMeasurement, DAILY, days),
        (Alert, ALERT, late),
        (StaffActivity, ACTIVITY, actions),
    ):
        note_rpm_rows(model, [(None, dict(zip(columns, row, strict=True))) for row in rows])
    db.session.commit()
    return counts, time.perf_counter() - started  # fmt: skip


def build_summaries() -> float:
    """Build the learner and patient-month summaries of rows written around the importers (`flask metrics rebuild`)."""
    from learning.metrics import patient_months
    from learning.metrics.learner_state import rebuild_learners

    started = time.perf_counter()
    learners, months = rebuild_learners(), patient_months.rebuild_all()
    db.session.commit()
    seconds = time.perf_counter() - started
    print(f"summaries built: {learners:,} learner x module, {months:,} patient-months in {seconds:.1f} s", flush=True)
    return seconds


def _enrolled(day: date) -> list[tuple[Any, ...]]:
    query = text(
        "SELECT programme_id, patient_pid, team_id, enrolled_at, disenrolled_at FROM rpm_enrolment "
        "WHERE enrolled_at <= :day AND (disenrolled_at IS NULL OR disenrolled_at > :day)"
    )
    return [
        (p, pid, t, _day(e), None if left is None else _day(left))
        for p, pid, t, e, left in db.session.execute(query, {"day": day})
    ]


def _day(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def yardstick() -> float:
    """Return the faster of two plain counts over training_event (the first one often reads a cold cache)."""
    times = []
    for _ in range(2):
        started = time.perf_counter()
        db.session.execute(select(func.count()).select_from(text("training_event")).where(text("voided = false")))
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=10.0)
    parser.add_argument("--database", default="sqlite:////tmp/vtc_metrics_bench.db")
    parser.add_argument("--reuse", action="store_true", help="measure on data generated by an earlier run")
    args = parser.parse_args()
    upgrade_database(args.database)
    app = create_app({"SQLALCHEMY_DATABASE_URI": args.database, "LRS_DATABASE_URI": args.database,
                      "SECRET_KEY": "bench", "TESTING": True})  # fmt: skip
    from learning.metrics.arrivals import queue_months
    from learning.metrics.models import TrainingProgress
    from learning.metrics.services import recompute_all, recompute_pending

    with app.app_context():
        if not args.reuse:
            generate(args.scale)
            _analyse()
        if not args.reuse or db.session.scalar(select(func.count()).select_from(TrainingProgress)) == 0:
            build_summaries()
            _analyse()
        print(f"database {args.database.split(':')[0]}, {durability(args.database)}", flush=True)
        scan = yardstick()
        print(f"yardstick: one full count over training_event {scan:.1f} s", flush=True)
        full = recompute_all()
        print(f"full recompute: {len(full.periods)} months, {full.values:,} values in {full.seconds:.1f} s "
              f"= {full.seconds / scan:.1f} x yardstick", flush=True)  # fmt: skip
        if not args.reuse:
            counts, upkeep = add_one_day(args.scale)
            print(f"one more day: {counts}; importers' upkeep {upkeep:.2f} s", flush=True)
        else:
            queue_months([(None, YEAR + timedelta(days=DAYS - 1))])  # as the importers queued that day's month
            db.session.commit()
        incremental = recompute_pending()
        print(f"incremental: {len(incremental.periods)} month(s), {incremental.values:,} values in "
              f"{incremental.seconds:.2f} s = {incremental.seconds / scan:.2f} x yardstick = "
              f"{incremental.seconds / full.seconds:.1%} of the full run", flush=True)  # fmt: skip


def _analyse() -> None:
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")


if __name__ == "__main__":
    main()
