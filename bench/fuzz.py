"""A longer fuzzing run than the test suite's: many generated requests to every JSON API and form of the real app,
counting 5xx answers and hangs (it reports, it does not stop at the first).

Targets: the RPM API (schemathesis, positive and negative cases from its OpenAPI document, with a real API key),
xAPI statements (POST random and statement-like JSON, GET random filters), xAPI documents (state, activity and
agent profiles: any method, parameters, content type and body), the 1.0.x alternate request syntax, and the LMS
forms (log-in, registration, language, player answers). The app runs in-process (WSGI) on a fresh database, with
TESTING off: an exception is a real 500.

    .venv/bin/python bench/fuzz.py [--cases 2000] [--database URL] [--seed N]
"""

from __future__ import annotations

import argparse
import base64
import json
import logging
import re
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import schemathesis
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import lrs  # noqa: E402
from app import create_app  # noqa: E402
from learning.accounts.models import Organisation, Role, Team  # noqa: E402
from learning.accounts.services import create_user  # noqa: E402
from learning.content.publishing import Approver  # noqa: E402
from learning.content.services import load_content  # noqa: E402
from learning.db import db  # noqa: E402
from learning.db import upgrade_database as upgrade_lms  # noqa: E402
from learning.environments.models import Condition, Environment, Programme  # noqa: E402
from learning.environments.models import Phase as EnvPhase  # noqa: E402

HANG_SECONDS = 5.0
PASSWORD = "correct-horse-battery"  # noqa: S105 - the fuzz database's own patient
CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


@dataclass
class Tally:
    """What one target's run found."""

    cases: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)  # the first few 5xx, for the report
    hangs: int = 0
    slowest: float = 0.0

    def note(self, status: int, took: float, what: str) -> None:
        self.cases += 1
        self.statuses[status] += 1
        self.slowest = max(self.slowest, took)
        if took > HANG_SECONDS:
            self.hangs += 1
        if status >= 500 and len(self.errors) < 5:
            self.errors.append(f"{status} {what}"[:300])

    @property
    def server_errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500)


class LastException(logging.Handler):
    """Remember the exception Flask logs for a 500, so the report names it."""

    def __init__(self) -> None:
        super().__init__()
        self.last = ""

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info and record.exc_info[1] is not None:
            self.last = f"{type(record.exc_info[1]).__name__}: {record.exc_info[1]}"[:200]


def make_app(database_url: str) -> tuple[Any, dict[str, str], dict[str, str], int]:
    """A fresh app with an organisation, a programme, an API key, an LRS credential, the modules and a patient."""
    upgrade_lms(database_url)
    lrs.upgrade_database(database_url)
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": "fuzz",
            "LRS_FORWARD_BACKGROUND": False,
            "SESSION_COOKIE_SECURE": False,
            "RPM_UPLOAD_DIR": tempfile.mkdtemp(),
        }
    )
    with app.app_context():
        org = Organisation(name="Fuzz Ziekenhuis", kind="hospital")
        team = Team(organisation=org, name="Hartfalenpoli", kind="outpatient_clinic")
        env = Environment(
            name="Fuzz", condition=Condition.HF, phase=EnvPhase.OPERATIONALISATION, start=date(2024, 1, 1)
        )
        programme = Programme(
            environment=env,
            organisation=org,
            name="Hartfalen thuis",
            condition=Condition.HF,
            platform_name="Luscii",
            measurement_schedule={"weight": "daily"},
            alert_sla_minutes={"red": 60},
            start=date(2024, 6, 1),
            teams=[team],
        )
        db.session.add_all([org, team, env, programme])
        db.session.commit()
        create_user("patient@example.test", PASSWORD, Role.PATIENT, organisation=org)
        db.session.commit()
        load_content(Path(app.config["CONTENT_DIR"]), Approver(None, "bench", clinical=False))
        org_id, programme_id = org.id, programme.id
        db.session.remove()
    runner = app.test_cli_runner()
    key = runner.invoke(args=["rpm", "create-api-key", str(org_id), "fuzz"]).output.strip().splitlines()[-1]
    # confined to the organisation: its reads and writes take the tenant paths (the regional ones are the default)
    made = runner.invoke(args=["lrs", "create-credential", "fuzz", "--organisation", "Fuzz Ziekenhuis"])
    lrs_key = made.output.strip().splitlines()[-1]
    api = {"Authorization": "Basic " + base64.b64encode(key.encode()).decode()}
    xapi = {
        "Authorization": "Basic " + base64.b64encode(lrs_key.encode()).decode(),
        "X-Experience-API-Version": "1.0.3",
    }
    return app, api, xapi, programme_id


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=40,
)
iri = st.one_of(
    st.just("http://x.test/a"), st.text(max_size=15).map(lambda t: f"http://x.test/{t}"), st.text(max_size=15)
)
agent = st.one_of(
    st.just({"mbox": "mailto:a@example.test"}),
    st.fixed_dictionaries({"account": st.fixed_dictionaries({"homePage": iri, "name": st.text(max_size=10)})}),
    st.dictionaries(st.sampled_from(["mbox", "objectType", "name", "openid", "member"]), json_values, max_size=3),
)
moment = st.one_of(
    st.datetimes().map(lambda d: d.isoformat() + "Z"),
    st.sampled_from(["0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "0001-01-01T00:00:00+01:00", "2024-02-30T00:00Z"]),
    st.text(max_size=25),
)
extension_object = st.fixed_dictionaries(
    {"id": iri, "definition": st.fixed_dictionaries({"extensions": st.dictionaries(iri, json_values, max_size=2)})}
)
statement = st.fixed_dictionaries(
    {
        "actor": agent,
        "verb": st.fixed_dictionaries({"id": iri}),
        "object": st.one_of(st.fixed_dictionaries({"id": iri}), extension_object),
    },
    optional={"timestamp": moment, "result": json_values, "context": json_values, "id": st.uuids().map(str)},
)
deep = st.integers(min_value=1, max_value=1200).map(lambda n: "[" * n + "]" * n)


def run(
    name: str, strategy: st.SearchStrategy[Any], send: Callable[[Any], tuple[int, str]], cases: int, rng: int
) -> Tally:
    """Send `cases` generated examples (no shrinking: a 5xx is counted, not minimised) and tally the answers."""
    tally = Tally()

    @seed(rng)
    @settings(
        max_examples=cases,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(example=strategy)
    def one(example: Any) -> None:
        start = time.perf_counter()
        status, what = send(example)
        tally.note(status, time.perf_counter() - start, what)

    one()
    return tally


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=2000, help="examples per target")
    parser.add_argument("--database", help="a database URL (default: a fresh SQLite file)")
    parser.add_argument("--seed", type=int, default=20261205)
    args = parser.parse_args()
    database_url = args.database or f"sqlite:///{tempfile.mkdtemp()}/fuzz.db"
    app, api, xapi, programme_id = make_app(database_url)
    last = LastException()
    app.logger.addHandler(last)
    app.logger.propagate = False
    client = app.test_client()

    def answer(response: Any, what: str) -> tuple[int, str]:
        status = response.status_code
        return status, f"{what} -> {last.last or response.get_data(as_text=True)[:120]}" if status >= 500 else what

    schema = schemathesis.openapi.from_wsgi("/api/rpm/openapi.json", app)
    positive = schema.as_strategy(GenerationMode.POSITIVE, headers=api)
    negative = schema.as_strategy(GenerationMode.NEGATIVE, headers=api)

    def own(case: Any) -> Any:
        for record in (case.body or {}).get("records", []) if isinstance(case.body, dict) else []:
            if isinstance(record, dict):
                record["programme"] = programme_id
        return case

    def rpm(case: Any) -> tuple[int, str]:
        response = case.call()
        return response.status_code, f"{case.method} {case.path} {case.body!r:.150} -> {response.text[:120]}"

    def post_statements(body: Any) -> tuple[int, str]:
        data = body if isinstance(body, str) else json.dumps(body)
        return answer(
            client.post("/xapi/statements", data=data, headers=xapi, content_type="application/json"),
            f"POST /xapi/statements {data[:150]}",
        )

    def get_statements(params: dict[str, str]) -> tuple[int, str]:
        return answer(
            client.get("/xapi/statements", query_string=params, headers=xapi), f"GET /xapi/statements {params}"
        )

    def documents(example: tuple[str, str, dict[str, str], str, bytes]) -> tuple[int, str]:
        method, resource, params, content_type, body = example
        response = client.open(
            f"/xapi/{resource}",
            method=method,
            query_string=params,
            data=body,
            headers={**xapi, "Content-Type": content_type},
        )
        return answer(response, f"{method} /xapi/{resource} {params} {content_type} {body[:80]!r}")

    def alternate(example: tuple[str, str, dict[str, str]]) -> tuple[int, str]:
        method, resource, form = example
        form = {"Authorization": xapi["Authorization"], "X-Experience-API-Version": "1.0.3", **form}
        response = client.post(f"/xapi/{resource}", query_string={"method": method}, data=form)
        return answer(response, f"POST /xapi/{resource}?method={method} {form}")

    def forms(example: tuple[str, dict[str, Any]]) -> tuple[int, str]:
        path, data = example
        page = client.get("/login").get_data(as_text=True)
        token = CSRF.search(page)
        data = {**data, "csrf_token": token.group(1) if token else ""}
        return answer(client.post(path, data=data), f"POST {path} {data}")

    any_params = st.dictionaries(
        st.sampled_from(["activityId", "agent", "stateId", "profileId", "registration", "since"]),
        st.one_of(iri, st.just('{"mbox":"mailto:a@example.test"}'), agent.map(json.dumps), st.text(max_size=20)),
        max_size=5,
    )
    ids = st.one_of(st.just("s"), st.text(max_size=12))
    good_agent = st.one_of(st.just('{"mbox":"mailto:a@example.test"}'), agent.map(json.dumps))
    doc_params = st.one_of(  # mostly the parameters each resource needs (so writes and reads happen), else any
        st.fixed_dictionaries({"activityId": iri, "agent": good_agent, "stateId": ids}),
        st.fixed_dictionaries({"activityId": iri, "profileId": ids}),
        st.fixed_dictionaries({"agent": good_agent, "profileId": ids}),
        any_params,
    )
    doc_bodies = st.one_of(
        json_values.map(lambda v: json.dumps(v).encode()), st.binary(max_size=200), deep.map(str.encode)
    )
    texts = st.one_of(st.text(max_size=40), st.sampled_from(["", "\x00", "patient@example.test", PASSWORD, "nl", "0"]))
    form_paths = st.sampled_from(
        ["/login", "/register", "/language/nl", "/language/xx", "/modules/elke-dag-wegen-hartfalen/item/when-to-weigh"]
    )
    targets = {
        "rpm api (schemathesis)": (positive | positive.map(own) | negative, rpm),
        "xapi POST statements": (
            st.one_of(statement, st.lists(statement, max_size=5), json_values, deep),
            post_statements,
        ),
        "xapi GET statements": (
            st.dictionaries(
                st.sampled_from(
                    [
                        "agent",
                        "verb",
                        "activity",
                        "registration",
                        "since",
                        "until",
                        "limit",
                        "ascending",
                        "format",
                        "related_agents",
                        "statementId",
                        "more",
                    ]
                ),
                st.one_of(st.text(max_size=40), moment, agent.map(json.dumps)),
                max_size=4,
            ),
            get_statements,
        ),
        "xapi documents": (
            st.tuples(
                st.sampled_from(["GET", "PUT", "POST", "DELETE"]),
                st.sampled_from(["activities/state", "activities/profile", "agents/profile", "activities", "agents"]),
                doc_params,
                st.sampled_from(["application/json", "text/plain", "application/octet-stream", ""]),
                doc_bodies,
            ),
            documents,
        ),
        "xapi alternate syntax": (
            st.tuples(
                st.one_of(st.sampled_from(["GET", "PUT", "POST", "DELETE", "HEAD"]), st.text(max_size=8)),
                st.sampled_from(["statements", "activities/state", "activities/profile", "agents/profile"]),
                st.dictionaries(
                    st.one_of(
                        st.sampled_from(["content", "Content-Type", "statementId", "activityId", "agent", "stateId"]),
                        st.text(max_size=8),
                    ),
                    st.one_of(st.text(max_size=40), json_values.map(json.dumps), statement.map(json.dumps)),
                    max_size=6,
                ),
            ),
            alternate,
        ),
        "lms forms": (
            st.tuples(
                form_paths,
                st.dictionaries(
                    st.sampled_from(["email", "password", "code", "confirm", "display_name", "choice", "next"]),
                    texts,
                    max_size=5,
                ),
            ),
            forms,
        ),
    }
    started = time.perf_counter()
    total = Tally()
    print(f"{'target':<26} {'cases':>6} {'5xx':>5} {'hangs':>5} {'slowest':>8}  statuses")
    for name, (strategy, send) in targets.items():
        tally = run(name, strategy, send, args.cases, args.seed)
        total.cases += tally.cases
        total.statuses.update(tally.statuses)
        total.hangs += tally.hangs
        statuses = " ".join(f"{code}:{n}" for code, n in sorted(tally.statuses.items()))
        print(
            f"{name:<26} {tally.cases:>6} {tally.server_errors:>5} {tally.hangs:>5} {tally.slowest:>7.2f}s  {statuses}"
        )
        for error in tally.errors:
            print(f"    5xx: {error}")
    print(
        f"{'total':<26} {total.cases:>6} {total.server_errors:>5} {total.hangs:>5}   "
        f"({time.perf_counter() - started:.0f} s; a hang is an answer slower than {HANG_SECONDS:.0f} s)"
    )
    sys.exit(1 if total.server_errors or total.hangs else 0)


if __name__ == "__main__":
    main()
