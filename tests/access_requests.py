"""How to request each route of the access matrix: real ids from the world (owned by X or by Y) and a harmless,
valid body, so an allowed request is really allowed (2xx/3xx) and a refused one is refused for access alone.

One builder per "METHOD rule"; a builder may first set something up (an open attempt, a credential to revoke, an
upload awaiting confirmation) before the test takes its snapshot of the database.
"""

from __future__ import annotations

import hashlib
import io
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from access_matrix import Cell
from access_world import INVITATION, SCOPES, World, basic, other_module, own_module
from flask import Flask
from flask.testing import FlaskClient
from helpers import PASSWORD, csrf_token
from oidc_provider import CLIENT_ID as SSO_CLIENT_ID
from oidc_provider import CLIENT_SECRET as SSO_CLIENT_SECRET
from oidc_provider import Provider, shared_provider, sign_in_at
from xapi_helpers import ACTIVITY, agent, make_statement

from app import ROOT
from learning.accounts.confirm import make_token as make_confirm_token
from learning.accounts.links import LinkMail, request_link
from learning.accounts.models import Invitation, Organisation, Role, Team, User
from learning.accounts.reset import make_token
from learning.accounts.services import create_user
from learning.admin.scope import Actor
from learning.caregivers.models import CareLink
from learning.content.document import Quiz
from learning.content.loader import load_module_folder
from learning.db import db, utcnow
from learning.environments.models import Condition, Curriculum, Environment, Phase, Programme, StaffRole
from learning.rpm.fields import Kind
from learning.rpm.uploads import Upload, new_upload_id, store_upload
from learning.sso import settings as sso_settings
from learning.tracking.profile import build_profile
from lrs.service.forwarding import set_forwarding
from lrs.service.statements import store_statements
from lrs.store.credentials import get_credential


@dataclass
class Request:
    path: str
    data: dict[str, Any] | None = None  # form fields; LMS POSTs get a CSRF token added
    json: Any = None
    query: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Ask:
    """What a builder may use: the cell, the world, the app and (LMS) the actor's logged-in client."""

    cell: Cell
    world: World
    app: Flask
    client: FlaskClient
    make_credential: Callable[[str], tuple[str, str]]

    @property
    def role(self) -> str:
        """The LMS role; anonymous requests use the patient's things (they are refused before any is read)."""
        return "patient" if self.cell.actor == "anonymous" else self.cell.actor

    @property
    def own(self) -> bool:
        return self.cell.row.target != "other"

    @property
    def slug(self) -> str:
        return own_module(self.role) if self.own else other_module(self.role)

    @property
    def org(self) -> int:
        return self.world.org_x if self.own else self.world.org_y


Builder = Callable[[Ask], Request]
LMS: dict[str, Builder] = {}
XAPI: dict[str, Builder] = {}
RPM_API: dict[str, Builder] = {}


def route(table: dict[str, Builder], *keys: str) -> Callable[[Builder], Builder]:
    def register(builder: Builder) -> Builder:
        for key in keys:
            table[key] = builder
        return builder

    return register


def _plain(path: str) -> Builder:
    return lambda ask: Request(path)


for _path, _rule in (("/", "/"), ("/help", "/help"), ("/login", "/login"), ("/register", "/register"),
                     ("/password/forgot", "/password/forgot"),
                     ("/account/password", "/account/password"), ("/progress", "/progress"),
                     ("/sharing", "/sharing"), ("/caregiving", "/caregiving"),
                     ("/account/data", "/account/data"), ("/account/data/my-data.json", "/account/data/my-data.json"),
                     ("/account/data/summary", "/account/data/summary"),
                     ("/dashboards/", "/dashboards/"),
                     ("/dashboards/metrics", "/dashboards/metrics"),
                     ("/dashboards/metrics/TRN_COVERAGE", "/dashboards/metrics/<code>"),
                     ("/dashboards/region", "/dashboards/region"),
                     ("/dashboards/region/values.csv", "/dashboards/region/values.csv"),
                     ("/dashboards/region/charts/environments.png", "/dashboards/region/charts/<key>.png"),
                     ("/dashboards/region/report.pdf", "/dashboards/region/report.pdf"),
                     ("/xapi/profiles/rpm", "/xapi/profiles/rpm"), ("/xapi/profiles/rpm/v1", "/xapi/profiles/rpm/v1"),
                     ("/admin/lrs/", "/admin/lrs/"), ("/admin/lrs/forwarding", "/admin/lrs/forwarding"),
                     ("/admin/outbox", "/admin/outbox"), ("/account/second-factor", "/account/second-factor"),
                     ("/account/second-factor/new-phone", "/account/second-factor/new-phone")):  # fmt: skip
    LMS[f"GET {_rule}"] = _plain(_path)


@route(LMS, "POST /login")
def _login(ask: Ask) -> Request:
    return Request("/login", {"email": ask.world.users[ask.role].email, "password": PASSWORD})


@route(LMS, "POST /account/second-factor/recovery-codes", "POST /account/second-factor/new-phone")
def _second_factor_change(ask: Ask) -> Request:
    return Request(ask.cell.row.rule, {})  # new codes; the new-phone page without a code only shows the new key


@route(LMS, "POST /logout")
def _logout(ask: Ask) -> Request:
    return Request("/logout", {})


@route(LMS, "POST /account/password")
def _change_password(ask: Ask) -> Request:
    # The same password again: a real change (which ends the user's other sessions), yet later log-ins still work.
    return Request("/account/password", {"current": PASSWORD, "password": PASSWORD, "confirm": PASSWORD})


@route(LMS, "POST /register")
def _register(ask: Ask) -> Request:
    email = f"nieuw-{uuid.uuid4().hex[:8]}@example.org"
    return Request("/register", {"code": INVITATION, "email": email, "password": PASSWORD, "confirm": PASSWORD})


@route(LMS, "POST /password/forgot")
def _forgot_password(ask: Ask) -> Request:
    return Request("/password/forgot", {"email": ask.world.users.get(ask.role, ask.world.manager_y).email})


@route(LMS, "GET /password/reset/<token>", "POST /password/reset/<token>")
def _reset_password(ask: Ask) -> Request:
    """A reset link of a person of its own (it logs the browser in as her), for her own new password."""
    with ask.app.app_context():
        person = create_user(f"vergeten-{uuid.uuid4().hex[:8]}@example.org", PASSWORD, Role.PATIENT)
        db.session.commit()
        path = f"/password/reset/{make_token(person, ask.app.secret_key or '')}"
    new = "een heel nieuw wachtwoord"
    return Request(path) if ask.cell.row.method == "GET" else Request(path, {"password": new, "confirm": new})


@route(LMS, "POST /login/link")
def _ask_sign_in_link(ask: Ask) -> Request:
    return Request("/login/link", {"email": ask.world.users.get(ask.role, ask.world.manager_y).email})


@route(LMS, "GET /login/link/<token>", "POST /login/link/<token>")
def _sign_in_link(ask: Ask) -> Request:
    """A sign-in link of a confirmed patient of its own (a click on it logs the browser in as her)."""
    with ask.app.app_context():
        person = create_user(f"link-{uuid.uuid4().hex[:8]}@example.org", PASSWORD, Role.PATIENT,
                             email_confirmed_at=utcnow())  # fmt: skip
        db.session.commit()
        mail = request_link(person.email, "192.0.2.1", ask.app.secret_key or "")
        assert isinstance(mail, LinkMail)
    return Request(f"/login/link/{mail.token}", None if ask.cell.row.method == "GET" else {})


@route(LMS, "GET /email/confirm/<token>", "POST /email/confirm/<token>")
def _confirm_email(ask: Ask) -> Request:
    """A confirmation link of a person of its own, whose address is not confirmed yet."""
    with ask.app.app_context():
        person = create_user(f"bevestig-{uuid.uuid4().hex[:8]}@example.org", PASSWORD, Role.PATIENT)
        db.session.commit()
        path = f"/email/confirm/{make_confirm_token(person, ask.app.secret_key or '')}"
    return Request(path, None if ask.cell.row.method == "GET" else {})


@route(LMS, "POST /account/email/confirm")
def _send_confirmation(ask: Ask) -> Request:
    return Request("/account/email/confirm", {"next": "/"})


@route(LMS, "POST /language/<code>")
def _language(ask: Ask) -> Request:
    return Request("/language/nl", {})


@route(LMS, "POST /settings")
def _settings(ask: Ask) -> Request:
    return Request("/settings", {"language": "nl", "text_size": "large", "contrast": "auto", "speech_rate": "0.9"})


@route(LMS, "POST /settings/large-text")
def _large_text(ask: Ask) -> Request:
    return Request("/settings/large-text", {"next": "/help"})


@route(LMS, "GET /xapi/profiles/rpm/<path:name>")
def _concept(ask: Ask) -> Request:
    base = ask.app.config["XAPI_BASE_IRI"]
    concept = build_profile(base)["concepts"][0]["id"]
    return Request("/xapi/profiles/rpm/" + concept.split("/xapi/profiles/rpm/", 1)[1])


# --- the module player: a module of the actor's audience (own) or of another audience (other)


@route(LMS, "GET /modules/<slug>/")
def _detail(ask: Ask) -> Request:
    return Request(f"/modules/{ask.slug}/")


@route(LMS, "GET /modules/<slug>/media/<path:filename>")
def _media(ask: Ask) -> Request:
    picture = min(p.name for p in (ROOT / "modules_content" / ask.slug).glob("*.svg"))
    return Request(f"/modules/{ask.slug}/media/{picture}")


@route(LMS, "GET /speech/<slug>/<version>/<language>/<int:number>.ogg")
def _speech(ask: Ask) -> Request:
    version = load_module_folder(ROOT / "modules_content" / ask.slug)["nl"].version
    return Request(f"/speech/{ask.slug}/{version}/nl/1.ogg")


@route(LMS, "POST /modules/<slug>/start", "POST /modules/<slug>/again")
def _module_post(ask: Ask) -> Request:
    action = ask.cell.row.rule.rsplit("/", 1)[1]
    return Request(f"/modules/{ask.slug}/{action}", {})


def _open_attempt(ask: Ask) -> None:
    """Start (or resume) the actor's attempt first, where the actor may: the request then has one to work on."""
    token = csrf_token(ask.client, "/login")
    ask.client.post(f"/modules/{ask.slug}/start", data={"csrf_token": token})


@route(LMS, "GET /modules/<slug>/step/<int(max=999):number>")
def _step(ask: Ask) -> Request:
    _open_attempt(ask)
    return Request(f"/modules/{ask.slug}/step/1")


@route(LMS, "POST /modules/<slug>/item/<item_id>")
def _answer(ask: Ask) -> Request:
    _open_attempt(ask)
    document = load_module_folder(ROOT / "modules_content" / ask.slug)["nl"]
    item = next(item for step in document.steps for item in step.items)
    choice = [str(i) for i in item.correct_indexes] if isinstance(item, Quiz) else ["4"]
    return Request(f"/modules/{ask.slug}/item/{item.id}", {"choice": choice})


@route(LMS, "POST /modules/<slug>/seen/<int(max=999):number>")
def _seen(ask: Ask) -> Request:
    """A step read offline, as offline.js sends it from its queue."""
    _open_attempt(ask)
    return Request(f"/modules/{ask.slug}/seen/2", {"seen_id": str(uuid.uuid4()), "seen_at": "2026-01-01T10:00:00Z"})


@route(LMS, "POST /modules/<slug>/finish")
def _finish(ask: Ask) -> Request:
    _open_attempt(ask)
    return Request(f"/modules/{ask.slug}/finish", {})


@route(LMS, "GET /modules/<slug>/result/<int:attempt_id>")
def _result(ask: Ask) -> Request:
    slug = own_module(ask.role)
    attempt = ask.world.own_attempts[ask.role] if ask.own else ask.world.bystander_attempts[slug]
    return Request(f"/modules/{slug}/result/{attempt}")


@route(LMS, "GET /modules/<slug>/read-again/<int:attempt_id>/step/<int(max=999):number>")
def _read_again(ask: Ask) -> Request:
    slug = own_module(ask.role)
    attempt = ask.world.own_attempts[ask.role] if ask.own else ask.world.bystander_attempts[slug]
    return Request(f"/modules/{slug}/read-again/{attempt}/step/1")


# --- dashboards and assessments: X's environment/programme (own) or Y's (other)


def _environment(suffix: str) -> Builder:
    def build(ask: Ask) -> Request:
        environment = ask.world.environment_x if ask.own else ask.world.environment_y
        return Request(f"/dashboards/environments/{environment}{suffix}")

    return build


for _suffix in ("", "/values.csv", "/charts/readiness.png", "/report.pdf"):
    _rule_suffix = "/charts/<key>.png" if _suffix.endswith(".png") else _suffix
    LMS[f"GET /dashboards/environments/<int:environment_id>{_rule_suffix}"] = _environment(_suffix)

ASSESSMENT = {"framework": "NASSS", "domain": "2 technology", "rating": "complicated",
              "rationale": "Koppeling met het EPD is nog handmatig.", "assessed_by_role": "hf_nurse",
              "assessed_on": "2025-01-15"}  # fmt: skip


@route(LMS, "GET /programmes/<int:programme_id>/assessments", "GET /programmes/<int:programme_id>/assessments/new",
       "POST /programmes/<int:programme_id>/assessments/new")  # fmt: skip
def _assessments(ask: Ask) -> Request:
    programmes = {"own": ask.world.programme_x, "other": ask.world.programme_y, "partner": ask.world.programme_partner}
    programme = programmes[ask.cell.row.target]
    path = ask.cell.row.rule.replace("<int:programme_id>", str(programme))
    return Request(path, dict(ASSESSMENT) if ask.cell.row.method == "POST" else None)


# --- RPM uploads: X's organisation (own) or Y's (other)


def _enrolments_csv(ask: Ask, organisation: int) -> bytes:
    """A clean file of two enrolments in the organisation's own programme."""
    programme = ask.world.programme_x if organisation == ask.world.org_x else ask.world.programme_y
    header = "programme;patient_pid;team;offered_at;enrolled_at;first_measurement_at;disenrolled_at;disenrol_reason"
    rows = (f"{programme};P-0001;;2025-02-20;2025-03-01;2025-03-02;;", f"{programme};P-0002;;2025-02-21;;;;")
    return ("\ufeff" + "\r\n".join([header, *rows]) + "\r\n").encode()


@route(LMS, "GET /rpm/upload")
def _upload_form(ask: Ask) -> Request:
    return Request("/rpm/upload", query={"organisation": ask.org})


@route(LMS, "GET /rpm/upload/<kind>/template.csv")
def _template(ask: Ask) -> Request:
    return Request("/rpm/upload/enrolments/template.csv", query={"organisation": ask.org})


@route(LMS, "POST /rpm/upload")
def _preview(ask: Ask) -> Request:
    data = _enrolments_csv(ask, ask.org)
    return Request("/rpm/upload", {"organisation": ask.org, "kind": "enrolments", "file": (io.BytesIO(data), "e.csv")})


@route(LMS, "POST /rpm/upload/confirm")
def _confirm(ask: Ask) -> Request:
    """Own: a clean upload of the actor for X, awaiting confirmation. Other: one of Y's manager for Y."""
    owner, organisation = (
        (ask.world.users[ask.role], ask.world.org_x) if ask.own else (ask.world.manager_y, ask.world.org_y)
    )
    data = _enrolments_csv(ask, organisation)
    with ask.app.app_context():
        token = store_upload(data, Upload(new_upload_id(), owner.id, organisation, Kind.ENROLMENTS, "e.csv"))
    return Request("/rpm/upload/confirm", {"token": token})


# --- the module editor (authors, reviewers, admins): it stores nothing, so an allowed request changes no table


@route(LMS, "GET /editor/try")
def _editor_try(ask: Ask) -> Request:
    return Request("/editor/try", query={"slug": ask.slug})


@route(LMS, "POST /editor/preview")
def _editor_preview(ask: Ask) -> Request:
    source = (ROOT / "modules_content" / ask.slug / "nl.md").read_text(encoding="utf-8")
    return Request("/editor/preview", {"slug": ask.slug, "language": "nl", "source": source, "width": "phone"})


@route(LMS, "POST /editor/upload-check")
def _editor_upload_check(ask: Ask) -> Request:
    vtt = b"WEBVTT\n\n00:00:00.000 --> 00:00:02.000\nHallo\n"
    return Request("/editor/upload-check", {"kind": "captions", "file": (io.BytesIO(vtt), "hallo.nl.vtt")})


# --- the LRS administration (admins only)


def _tenant_home(ask: Ask) -> str:
    """The learner homePage of X (own) or Y (other): what an LRS credential of that organisation is confined to."""
    with ask.app.app_context():
        organisation = db.session.get(Organisation, ask.org)
        assert organisation is not None
        return f"{ask.app.config['XAPI_BASE_IRI']}/org/{organisation.pseudonym}"


@route(LMS, "POST /admin/lrs/")
def _create_credential(ask: Ask) -> Request:
    return Request("/admin/lrs/", {"name": "matrix client", "scope": "statements/read", "reach": _tenant_home(ask)})


@route(LMS, "POST /admin/lrs/<key>/rotate", "POST /admin/lrs/<key>/revoke", "GET /admin/lrs/<key>/revoke")
def _credential_action(ask: Ask) -> Request:
    key, _secret = ask.make_credential("statements/write of " + ("X" if ask.own else "Y"))
    path = ask.cell.row.rule.replace("<key>", key)
    return Request(path) if ask.cell.row.method == "GET" else Request(path, {"confirm": "yes"})


def _forwarded_credential(ask: Ask) -> str:
    key, _secret = ask.make_credential("statements/write")
    forwarder = ask.app.extensions["lrs"].forwarder
    set_forwarding(forwarder.engine, forwarder.settings, key, "https://lrs.example.test/xapi", "vtc", "geheim")
    return key


@route(LMS, "POST /admin/lrs/forwarding")
def _save_forwarding(ask: Ask) -> Request:
    key, _secret = ask.make_credential("statements/write")
    form = {"credential": key, "endpoint": "https://lrs.example.test/xapi", "username": "vtc", "secret": "geheim",
            "version": "1.0.3"}  # fmt: skip
    return Request("/admin/lrs/forwarding", form)


@route(LMS, "POST /admin/lrs/forwarding/<key>/active", "POST /admin/lrs/forwarding/<key>/retry-dead")
def _forwarding_action(ask: Ask) -> Request:
    return Request(ask.cell.row.rule.replace("<key>", _forwarded_credential(ask)), {"active": "0"})


@route(LMS, "POST /admin/outbox/retry")
def _outbox_retry(ask: Ask) -> Request:
    return Request("/admin/outbox/retry", {})  # all set-aside statements (there are none): changes nothing


# --- xAPI: headers of a credential with only the actor's scope


def xapi_headers(world: World, actor: str) -> dict[str, str]:
    headers = {"X-Experience-API-Version": "1.0.3"}
    if actor in SCOPES:
        headers["Authorization"] = basic(*world.lrs_keys[actor])
    return headers


LEARNER = json.dumps(agent("matrix-learner"))


def _store_statement(ask: Ask, scope: str) -> str:
    """Store a statement as the credential of `scope` would have stored it; return its id."""
    key = ask.world.lrs_keys[scope][0]
    authority = {"objectType": "Agent", "name": scope, "account": {"homePage": "http://localhost/xapi", "name": key}}
    return store_statements(ask.app.extensions["lrs"].engine, [make_statement()], authority=authority,
                            stored_by=key, tenant=_tenant_of(ask, key))[0]  # fmt: skip


def _tenant_of(ask: Ask, key: str) -> str | None:
    with ask.app.extensions["lrs"].engine.connect() as conn:
        found = get_credential(conn, key)
    return found.tenant if found else None


def _learner_statement(ask: Ask, organisation_id: int) -> str:
    """Store, as the platform does (in-process, no credential), a statement about a learner of the organisation."""
    with ask.app.app_context():
        pseudonym = db.session.get(Organisation, organisation_id).pseudonym
    home = f"{ask.app.config['XAPI_BASE_IRI']}/org/{pseudonym}"
    statement = make_statement(actor={"objectType": "Agent", "account": {"homePage": home, "name": "matrix-pid"}})
    platform = {"objectType": "Agent", "account": {"homePage": ask.app.config["XAPI_BASE_IRI"], "name": "vtc-lms"}}
    return store_statements(ask.app.extensions["lrs"].engine, [statement], authority=platform)[0]


def _owner(ask: Ask) -> str:
    """The credential whose statement the target names: the actor's own, or another one's."""
    actor = ask.cell.actor if ask.cell.actor in SCOPES else "all"
    return actor if ask.own else ("statements/write" if actor == "all" else "all")


@route(XAPI, "GET /xapi/statements")
def _get_statements(ask: Ask) -> Request:
    target = ask.cell.row.target
    if target == "-":
        return Request("/xapi/statements", query={"limit": 5})
    if target in {"x-learner", "y-learner"}:
        organisation = ask.world.org_x if target == "x-learner" else ask.world.org_y
        return Request("/xapi/statements", query={"statementId": _learner_statement(ask, organisation)})
    return Request("/xapi/statements", query={"statementId": _store_statement(ask, _owner(ask))})


@route(XAPI, "POST /xapi/statements")
def _post_statements(ask: Ask) -> Request:
    if ask.cell.row.target == "-":
        return Request("/xapi/statements", json=make_statement())
    voiding = make_statement(
        verb={"id": "http://adlnet.gov/expapi/verbs/voided", "display": {"en-US": "voided"}},
        object={"objectType": "StatementRef", "id": _store_statement(ask, _owner(ask))},
    )
    return Request("/xapi/statements", json=voiding)


@route(XAPI, "PUT /xapi/statements")
def _put_statement(ask: Ask) -> Request:
    return Request("/xapi/statements", json=make_statement(), query={"statementId": str(uuid.uuid4())})


XAPI["GET /xapi/about"] = _plain("/xapi/about")
XAPI["GET /xapi/activities"] = lambda ask: Request("/xapi/activities", query={"activityId": ACTIVITY})
XAPI["GET /xapi/agents"] = lambda ask: Request("/xapi/agents", query={"agent": LEARNER})
DOCUMENT_WHERE = {
    "/xapi/activities/state": ({"activityId": ACTIVITY, "agent": LEARNER}, "stateId"),
    "/xapi/activities/profile": ({"activityId": ACTIVITY}, "profileId"),
    "/xapi/agents/profile": ({"agent": LEARNER}, "profileId"),
}


def _document(ask: Ask) -> Request:
    """A new document each time (PUT asks If-None-Match: *), the list of ids for GET."""
    where, id_param = DOCUMENT_WHERE[ask.cell.row.rule]
    if ask.cell.row.method == "GET":
        return Request(ask.cell.row.rule, query=dict(where))
    query = {**where, id_param: f"matrix-{uuid.uuid4().hex[:8]}"}
    headers = {"If-None-Match": "*"} if ask.cell.row.method == "PUT" else {}
    body = None if ask.cell.row.method == "DELETE" else {"seen": True}
    return Request(ask.cell.row.rule, json=body, query=query, headers=headers)


for _rule in DOCUMENT_WHERE:
    for _method in ("GET", "PUT", "POST", "DELETE"):
        XAPI[f"{_method} {_rule}"] = _document


# --- the RPM JSON API: a batch for X's programme, sent with X's key, Y's key or none


def rpm_headers(world: World, actor: str) -> dict[str, str]:
    keys = {"key of X": "X", "key of Y": "Y"}
    return {"Authorization": basic(*world.rpm_keys[keys[actor]])} if actor in keys else {}


def _records(kind: str, programme: int) -> list[dict[str, Any]]:
    return {
        "enrolments": [{"programme": programme, "patient_pid": "P-0001", "offered_at": "2025-02-20",
                        "enrolled_at": "2025-03-01", "first_measurement_at": "2025-03-02"}],
        "daily": [{"programme": programme, "patient_pid": "P-0001", "day": "2025-03-02", "expected": True,
                   "received": {"weight": 1}}],
        "alerts": [{"programme": programme, "external_id": "A-1", "patient_pid": "P-0001", "severity": "red",
                    "created_at": "2025-03-02T09:15:00Z"}],
        "staff-activity": [{"programme": programme, "staff_pid": "S-0042", "day": "2025-03-02",
                            "actions": {"enrolments": 1, "reviews": 6, "alerts_handled": 0}}],
        "eligible-counts": [{"programme": programme, "period": "2025-03", "count": 140, "source": "ehr"}],
    }[kind]  # fmt: skip


RPM_API["GET /api/rpm/openapi.json"] = _plain("/api/rpm/openapi.json")
for _kind in Kind:
    RPM_API[f"POST /api/rpm/v1/{_kind.value}"] = lambda ask, kind=_kind.value: Request(
        ask.cell.row.rule, json={"records": _records(kind, ask.world.programme_x)}
    )


# --- sharing progress with a caregiver: a link of the actor's own (X's patient with X's caregiver) or of others


def _care_link(ask: Ask, *, accepted: bool = True) -> tuple[int, str]:
    """A link, made directly in the tables; returns its id and its code (the code only matters while pending)."""
    code = uuid.uuid4().hex[:8].upper()
    with ask.app.app_context():
        if ask.own and accepted:
            patient_id, caregiver_id = ask.world.users["patient"].id, ask.world.users["caregiver"].id
        else:
            org = db.session.get(Organisation, ask.world.org_x)
            label = uuid.uuid4().hex[:8]
            patient = create_user(f"sharer-{label}@matrix.test", PASSWORD, Role.PATIENT, organisation=org)
            caregiver = create_user(f"helper-{label}@matrix.test", PASSWORD, Role.CAREGIVER, organisation=org)
            db.session.flush()
            patient_id, caregiver_id = patient.id, caregiver.id if accepted else None
        link = CareLink(
            patient_id=patient_id,
            caregiver_id=caregiver_id,
            code_hash=hashlib.sha256(code.encode()).hexdigest(),
            code_expires_at=utcnow() + timedelta(days=7),
            accepted_at=utcnow() if accepted else None,
        )
        db.session.add(link)
        db.session.commit()
        return link.id, code


@route(LMS, "POST /sharing")
def _share(ask: Ask) -> Request:
    return Request("/sharing", {})


@route(LMS, "POST /sharing/<int:link_id>/end")
def _end_sharing(ask: Ask) -> Request:
    link_id, _code = _care_link(ask)
    return Request(f"/sharing/{link_id}/end", {})


@route(LMS, "POST /caregiving")
def _accept_code(ask: Ask) -> Request:
    _link_id, code = _care_link(ask, accepted=False)
    return Request("/caregiving", {"code": code})


@route(LMS, "GET /caregiving/<int:link_id>")
def _patient_progress(ask: Ask) -> Request:
    link_id, _code = _care_link(ask)
    return Request(f"/caregiving/{link_id}")


# --- authoring and review: drafts are the region's (no owner); each request gets a fresh draft in the state it needs

DRAFTED = "zorgtechnologie-dementie-thuis"  # no other cell reads this module: publishing it disturbs none


def _draft(ask: Ask, state: str = "editing") -> int:
    """A draft of DRAFTED by the world's author: 'editing', 'submitted' or 'approved' (by the world's reviewer)."""
    from learning.accounts.models import User
    from learning.authoring import workflow
    from learning.authoring.services import create_from_published

    with ask.app.app_context():
        author = db.session.get(User, ask.world.users["author"].id)
        draft = create_from_published(DRAFTED, author)
        if state in {"submitted", "approved"}:
            workflow.submit(draft, author)
        if state == "approved":
            workflow.approve(draft, db.session.get(User, ask.world.users["reviewer"].id))
        return draft.id


for _path, _rule in (("/author/", "/author/"), ("/review/", "/review/"),
                     (f"/author/modules/{DRAFTED}/", "/author/modules/<slug>/")):  # fmt: skip
    LMS[f"GET {_rule}"] = _plain(_path)


@route(LMS, "POST /author/drafts")
def _new_draft(ask: Ask) -> Request:
    return Request("/author/drafts", {"slug": f"matrix-{uuid.uuid4().hex[:8]}", "audience": "patient"})


@route(LMS, "POST /author/modules/<slug>/draft")
def _draft_of_module(ask: Ask) -> Request:
    return Request(f"/author/modules/{DRAFTED}/draft", {})


@route(LMS, "POST /author/import")
def _import(ask: Ask) -> Request:
    from learning.authoring.archive import to_zip
    from learning.content.publishing import folder_files

    archive = to_zip(DRAFTED, folder_files(ROOT / "modules_content" / DRAFTED))
    return Request("/author/import", {"archive": (io.BytesIO(archive), f"{DRAFTED}.zip")})


@route(LMS, "GET /author/drafts/<int:draft_id>/<language>")
def _editor(ask: Ask) -> Request:
    return Request(f"/author/drafts/{_draft(ask)}/nl")


@route(LMS, "POST /author/drafts/<int:draft_id>/<language>")
def _save(ask: Ask) -> Request:
    source = (ROOT / "modules_content" / DRAFTED / "nl.md").read_text(encoding="utf-8")
    return Request(f"/author/drafts/{_draft(ask)}/nl", {"source": source, "revision": "1"})


@route(LMS, "POST /author/drafts/<int:draft_id>/submit")
def _submit(ask: Ask) -> Request:
    return Request(f"/author/drafts/{_draft(ask)}/submit", {})


@route(LMS, "POST /author/drafts/<int:draft_id>/publish")
def _publish(ask: Ask) -> Request:
    return Request(f"/author/drafts/{_draft(ask, 'approved')}/publish", {})


@route(LMS, "GET /author/drafts/<int:draft_id>/media/<path:path>")
def _draft_media(ask: Ask) -> Request:
    picture = min(p.name for p in (ROOT / "modules_content" / DRAFTED).glob("*.svg"))
    return Request(f"/author/drafts/{_draft(ask)}/media/{picture}")


@route(LMS, "POST /author/drafts/<int:draft_id>/files")
def _draft_upload(ask: Ask) -> Request:
    vtt = b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nHallo\n"
    data = {"kind": "captions", "revision": "1", "file": (io.BytesIO(vtt), "hallo.nl.vtt")}
    return Request(f"/author/drafts/{_draft(ask)}/files", data)


@route(LMS, "POST /author/drafts/<int:draft_id>/files/remove")
def _draft_remove(ask: Ask) -> Request:
    from learning.accounts.models import User
    from learning.authoring.services import get_draft, save_file

    draft_id = _draft(ask)
    with ask.app.app_context():
        draft = get_draft(draft_id)
        author = db.session.get(User, ask.world.users["author"].id)
        save_file(draft, "ongebruikt.vtt", b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nx\n", 1, author)
    return Request(f"/author/drafts/{draft_id}/files/remove", {"path": "ongebruikt.vtt", "revision": "2"})


@route(LMS, "POST /author/drafts/<int:draft_id>/preview")
def _draft_preview(ask: Ask) -> Request:
    source = (ROOT / "modules_content" / DRAFTED / "nl.md").read_text(encoding="utf-8")
    return Request(f"/author/drafts/{_draft(ask)}/preview", {"language": "nl", "source": source, "width": "phone"})


@route(LMS, "GET /author/drafts/<int:draft_id>/side-by-side")
def _side_by_side(ask: Ask) -> Request:
    return Request(f"/author/drafts/{_draft(ask)}/side-by-side")


@route(LMS, "GET /author/drafts/<int:draft_id>.zip")
def _draft_zip(ask: Ask) -> Request:
    return Request(f"/author/drafts/{_draft(ask)}.zip")


@route(LMS, "GET /author/modules/<slug>/diff")
def _diff(ask: Ask) -> Request:
    version = load_module_folder(ROOT / "modules_content" / DRAFTED)["nl"].version
    return Request(f"/author/modules/{DRAFTED}/diff", query={"a": f"v{version}", "b": f"d{_draft(ask)}"})


@route(LMS, "GET /author/modules/<slug>/<version>.zip")
def _version_zip(ask: Ask) -> Request:
    version = load_module_folder(ROOT / "modules_content" / DRAFTED)["nl"].version
    return Request(f"/author/modules/{DRAFTED}/{version}.zip")


@route(LMS, "GET /author/modules/<slug>/analysis")
def _analysis(ask: Ask) -> Request:
    return Request(f"/author/modules/{DRAFTED}/analysis")


@route(LMS, "POST /author/modules/<slug>/analysis/edit")
def _analysis_edit(ask: Ask) -> Request:
    return Request(f"/author/modules/{DRAFTED}/analysis/edit", {"target": "step-1"})


@route(LMS, "GET /review/drafts/<int:draft_id>/<language>/<int:number>")
def _review_step(ask: Ask) -> Request:
    return Request(f"/review/drafts/{_draft(ask, 'submitted')}/nl/1")


@route(LMS, "POST /review/drafts/<int:draft_id>/<language>/<int:number>/comment")
def _comment(ask: Ask) -> Request:
    return Request(f"/review/drafts/{_draft(ask, 'submitted')}/nl/1/comment", {"message": "Korter, graag."})


@route(LMS, "POST /review/drafts/<int:draft_id>/decision")
def _decision(ask: Ask) -> Request:
    return Request(f"/review/drafts/{_draft(ask, 'submitted')}/decision", {"decision": "approve"})


# --- the administration of organisations (issue 12): X's things (own) or Y's (other)


def _admin_path(ask: Ask, **ids: int) -> str:
    path = ask.cell.row.rule.replace("<int:organisation_id>", str(ask.org))
    for name, value in ids.items():
        path = path.replace(f"<int:{name}>", str(value))
    return path


def _admin_team(ask: Ask) -> int:
    """A fresh team of the target organisation (renaming it changes nothing another cell relies on)."""
    with ask.app.app_context():
        team = Team(organisation_id=ask.org, name=f"Team {uuid.uuid4().hex[:8]}", kind="ward")
        db.session.add(team)
        db.session.commit()
        return team.id


def _admin_person(ask: Ask, *, active: bool = True) -> int:
    """A fresh person of the target organisation; the hash is no argon2 hash (nobody logs in as them, and hashing
    for each of these cells would cost a second apiece)."""
    with ask.app.app_context():
        user = User(email=f"admin-{uuid.uuid4().hex[:8]}@matrix.test", password_hash="!", role=Role.PROFESSIONAL,
                    organisation_id=ask.org, display_name="Matrix Person", is_active_account=active)  # fmt: skip
        db.session.add(user)
        db.session.commit()
        return user.id


def _admin_invitation(ask: Ask) -> int:
    with ask.app.app_context():
        invitation = Invitation(code=f"MX-{uuid.uuid4().hex[:8].upper()}", organisation_id=ask.org, role=Role.PATIENT,
                                max_uses=1, expires_at=utcnow() + timedelta(days=7))  # fmt: skip
        db.session.add(invitation)
        db.session.commit()
        return invitation.id


@route(LMS, "POST /admin/organisations/")
def _admin_create_organisation(ask: Ask) -> Request:
    return Request("/admin/organisations/", {"name": f"Org {uuid.uuid4().hex[:8]}", "kind": "physio", "agb_code": ""})


@route(LMS, "GET /admin/organisations/<int:organisation_id>", "GET /admin/organisations/<int:organisation_id>/people",
       "GET /admin/organisations/<int:organisation_id>/invitations",
       "GET /admin/organisations/<int:organisation_id>/import")  # fmt: skip
def _admin_page(ask: Ask) -> Request:
    return Request(_admin_path(ask))


@route(LMS, "POST /admin/organisations/<int:organisation_id>")
def _admin_update_organisation(ask: Ask) -> Request:
    with ask.app.app_context():
        organisation = db.session.get(Organisation, ask.org)
        assert organisation is not None
        form = {"name": organisation.name, "kind": organisation.kind, "agb_code": organisation.agb_code or ""}
    return Request(_admin_path(ask), form)


@route(LMS, "POST /admin/organisations/<int:organisation_id>/teams")
def _admin_create_team(ask: Ask) -> Request:
    return Request(_admin_path(ask), {"name": f"Team {uuid.uuid4().hex[:8]}", "kind": "ward", "parent_id": ""})


@route(LMS, "GET /admin/organisations/<int:organisation_id>/teams/<int:team_id>",
       "POST /admin/organisations/<int:organisation_id>/teams/<int:team_id>")  # fmt: skip
def _admin_team_page(ask: Ask) -> Request:
    team = _admin_team(ask)
    form = {"name": f"Team {uuid.uuid4().hex[:8]}", "kind": "ward", "parent_id": ""}
    return Request(_admin_path(ask, team_id=team), form if ask.cell.row.method == "POST" else None)


@route(LMS, "POST /admin/organisations/<int:organisation_id>/people")
def _admin_create_person(ask: Ask) -> Request:
    form = {"display_name": "Nieuwe Collega", "email": f"new-{uuid.uuid4().hex[:8]}@matrix.test",
            "role": "professional", "team_id": ""}  # fmt: skip
    return Request(_admin_path(ask), form)


@route(LMS, "GET /admin/organisations/<int:organisation_id>/people/<int:user_id>",
       "POST /admin/organisations/<int:organisation_id>/people/<int:user_id>",
       "POST /admin/organisations/<int:organisation_id>/people/<int:user_id>/end",
       "GET /admin/organisations/<int:organisation_id>/people/<int:user_id>/end")  # fmt: skip
def _admin_person_page(ask: Ask) -> Request:
    person = _admin_person(ask)
    if ask.cell.row.method == "GET":
        return Request(_admin_path(ask, user_id=person))
    form = {"display_name": "Matrix Persoon", "email": f"moved-{uuid.uuid4().hex[:8]}@matrix.test",
            "role": "author", "team_id": "", "line_manager_id": ""}  # fmt: skip
    return Request(_admin_path(ask, user_id=person), {"confirm": "yes"} if ask.cell.row.rule.endswith("/end") else form)


@route(LMS, "POST /admin/organisations/<int:organisation_id>/people/<int:user_id>/second-factor/reset")
def _admin_reset_second_factor(ask: Ask) -> Request:
    """A fresh author of the target organisation (with a second factor set up: tests/conftest.py)."""
    with ask.app.app_context():
        user = User(email=f"mfa-{uuid.uuid4().hex[:8]}@matrix.test", password_hash="!", role=Role.AUTHOR,
                    organisation_id=ask.org, display_name="Matrix Author")  # fmt: skip
        db.session.add(user)
        db.session.commit()
        person = user.id
    return Request(_admin_path(ask, user_id=person), {})


@route(LMS, "POST /admin/organisations/<int:organisation_id>/people/<int:user_id>/restore")
def _admin_restore(ask: Ask) -> Request:
    return Request(_admin_path(ask, user_id=_admin_person(ask, active=False)), {})


@route(LMS, "POST /admin/organisations/<int:organisation_id>/invitations")
def _admin_create_invitation(ask: Ask) -> Request:
    form = {"role": "patient", "team_id": "", "max_uses": "1", "expires_on": "", "label": "matrix"}
    return Request(_admin_path(ask), form)


@route(
    LMS,
    "POST /admin/organisations/<int:organisation_id>/invitations/<int:invitation_id>/revoke",
    "GET /admin/organisations/<int:organisation_id>/invitations/<int:invitation_id>/revoke",
)
def _admin_revoke(ask: Ask) -> Request:
    path = _admin_path(ask, invitation_id=_admin_invitation(ask))
    return Request(path) if ask.cell.row.method == "GET" else Request(path, {"confirm": "yes"})


@route(LMS, "GET /admin/organisations/<int:organisation_id>/invitations/letters")
def _admin_letters(ask: Ask) -> Request:
    return Request(_admin_path(ask), query={"ids": str(_admin_invitation(ask)), "lang": "nl"})


ADMIN_STAFF_CSV = "personnel_number;email;display_name\r\nHR-{n};staff-{n}@matrix.test;Matrix Staff\r\n"


@route(LMS, "POST /admin/organisations/<int:organisation_id>/import")
def _admin_import_preview(ask: Ask) -> Request:
    data = ADMIN_STAFF_CSV.format(n=uuid.uuid4().hex[:8]).encode()
    return Request(_admin_path(ask), {"kind": "staff", "file": (io.BytesIO(data), "staff.csv")})


@route(LMS, "POST /admin/organisations/<int:organisation_id>/import/confirm")
def _admin_import_confirm(ask: Ask) -> Request:
    return Request(_admin_path(ask), {"kind": "staff", "csv": ADMIN_STAFF_CSV.format(n=uuid.uuid4().hex[:8])})


@route(LMS, "GET /admin/organisations/<int:organisation_id>/import/<kind>/template.csv")
def _admin_import_template(ask: Ask) -> Request:
    return Request(_admin_path(ask).replace("<kind>", "patients"))


# --- implementation environments (the region's) and an organisation's RPM programmes


def _fresh_environment(ask: Ask) -> int:
    """A fresh environment: changing it changes nothing another cell relies on."""
    with ask.app.app_context():
        environment = Environment(name=f"Omgeving {uuid.uuid4().hex[:8]}", condition=Condition.HF,
                                  phase=Phase.DESIGN, start=date(2024, 1, 1))  # fmt: skip
        db.session.add(environment)
        db.session.commit()
        return environment.id


def _environment_form() -> dict[str, str]:
    return {"name": f"Omgeving {uuid.uuid4().hex[:8]}", "condition": "HF", "phase": "design", "start": "2024-01-01",
            "end": "", "funding_end": ""}  # fmt: skip


@route(LMS, "POST /admin/environments/")
def _admin_create_environment(ask: Ask) -> Request:
    return Request("/admin/environments/", _environment_form())


@route(LMS, "GET /admin/environments/<int:environment_id>", "POST /admin/environments/<int:environment_id>")
def _admin_environment_page(ask: Ask) -> Request:
    path = f"/admin/environments/{_fresh_environment(ask)}"
    return Request(path, _environment_form() if ask.cell.row.method == "POST" else None)


def _role_form() -> dict[str, str]:
    suffix = uuid.uuid4().hex[:8]
    return {"code": f"role_{suffix}", "label_nl": f"Functie {suffix}", "label_en": f"Role {suffix}",
            "label_de": f"Funktion {suffix}"}  # fmt: skip


@route(LMS, "POST /admin/roles/")
def _admin_add_role(ask: Ask) -> Request:
    return Request("/admin/roles/", _role_form())


@route(LMS, "GET /admin/roles/<code>", "POST /admin/roles/<code>", "GET /admin/roles/<code>/remove",
       "POST /admin/roles/<code>/remove")  # fmt: skip
def _admin_role(ask: Ask) -> Request:
    """A fresh care role nothing uses: renaming or removing it touches no other cell."""
    form = _role_form()
    with ask.app.app_context():
        db.session.add(StaffRole(code=form["code"], label_nl=form["label_nl"], label_en=form["label_en"],
                                 label_de=form["label_de"]))  # fmt: skip
        db.session.commit()
    path = f"/admin/roles/{form['code']}{'/remove' if ask.cell.row.rule.endswith('/remove') else ''}"
    if ask.cell.row.method == "GET":
        return Request(path)
    return Request(
        path, {"confirm": "yes"} if path.endswith("/remove") else {**form, "label_nl": f"Nieuwe {form['label_nl']}"}
    )


def _programme_form(ask: Ask, team: int) -> dict[str, Any]:
    environment = ask.world.environment_x if ask.own else ask.world.environment_y
    return {"environment_id": str(environment), "name": f"Programma {uuid.uuid4().hex[:8]}", "condition": "",
            "platform_name": "Luscii", "start": "2024-06-01", "adherence": "80", "team_ids": [str(team)],
            "monitoring_centre_team_id": "", "hours": "weekdays"}  # fmt: skip


def _admin_programme(ask: Ask, team: int) -> int:
    """A fresh programme of the target organisation in its environment (editing or ending it touches no other)."""
    with ask.app.app_context():
        environment = ask.world.environment_x if ask.own else ask.world.environment_y
        programme = Programme(environment_id=environment, organisation_id=ask.org, name=f"P {uuid.uuid4().hex[:8]}",
                              condition=Condition.HF, platform_name="Luscii", start=date(2024, 6, 1),
                              teams=[db.session.get(Team, team)])  # fmt: skip
        db.session.add(programme)
        db.session.commit()
        return programme.id


@route(LMS, "POST /admin/organisations/<int:organisation_id>/programmes")
def _admin_create_programme(ask: Ask) -> Request:
    return Request(_admin_path(ask), _programme_form(ask, _admin_team(ask)))


@route(LMS, "GET /admin/organisations/<int:organisation_id>/programmes/<int:programme_id>",
       "POST /admin/organisations/<int:organisation_id>/programmes/<int:programme_id>",
       "GET /admin/organisations/<int:organisation_id>/programmes/<int:programme_id>/end",
       "POST /admin/organisations/<int:organisation_id>/programmes/<int:programme_id>/end")  # fmt: skip
def _admin_programme_page(ask: Ask) -> Request:
    team = _admin_team(ask)
    path = _admin_path(ask, programme_id=_admin_programme(ask, team))
    if ask.cell.row.method == "GET":
        return Request(path)
    return Request(path, {"end": "2025-01-31"} if path.endswith("/end") else _programme_form(ask, team))


@route(LMS, "POST /admin/organisations/<int:organisation_id>/programmes/<int:programme_id>/norms")
def _admin_programme_norms(ask: Ask) -> Request:
    path = _admin_path(ask, programme_id=_admin_programme(ask, _admin_team(ask)))
    return Request(path, {"sla_red": "60", "sla_orange": "240", "schedule_weight": "daily", "new_kind": "bp",
                          "new_frequency": "3/wk"})  # fmt: skip


CURRICULA = "/admin/organisations/<int:organisation_id>/programmes/<int:programme_id>/curricula"


@route(LMS, f"GET {CURRICULA}/new", f"GET {CURRICULA}/<role_code>", f"POST {CURRICULA}/<role_code>",
       f"GET {CURRICULA}/<role_code>/remove", f"POST {CURRICULA}/<role_code>/remove")  # fmt: skip
def _admin_curriculum(ask: Ask) -> Request:
    """A fresh programme of the target organisation whose hf_nurse curriculum exists (so removing it has one)."""
    programme = _admin_programme(ask, _admin_team(ask))
    with ask.app.app_context():
        db.session.add(Curriculum(programme_id=programme, role_code="hf_nurse", module_slugs=["rpm-meting-tot-melding"],
                                  due_days=30))  # fmt: skip
        db.session.commit()
    path = _admin_path(ask, programme_id=programme).replace("<role_code>", "hf_nurse")
    if path.endswith("/new"):
        return Request(path, query={"role": "hf_nurse"})
    if ask.cell.row.method == "GET":
        return Request(path)
    if path.endswith("/remove"):
        return Request(path, {"confirm": "yes"})
    return Request(path, {"module_slugs": ["rpm-meting-tot-melding", "veilig-werken-patientgegevens"],
                          "due_days": "60", "refresher_months": "12"})  # fmt: skip


def _throwaway(ask: Ask, role: Role, login: bool) -> int:
    """A fresh account of X for a route that erases one (the world's own accounts must stay); returns its id."""
    email = f"erase-{uuid.uuid4().hex[:8]}@example.test"
    with ask.app.app_context():
        org = db.session.get(Organisation, ask.world.org_x)
        user = create_user(email, PASSWORD, role, organisation=org)
        db.session.commit()
        user_id = user.id
    if login:
        ask.client.post("/logout", data={"csrf_token": csrf_token(ask.client, "/")})
        form = {"email": email, "password": PASSWORD, "csrf_token": csrf_token(ask.client)}
        assert ask.client.post("/login", data=form).status_code == 302
    return user_id


@route(LMS, "POST /account/erase")
def _erase_self(ask: Ask) -> Request:
    if ask.cell.expected == "ok":  # a patient or caregiver really erases: a throwaway account, not the world's
        _throwaway(ask, Role(ask.role), login=True)
    return Request("/account/erase", {"understood": "y", "password": PASSWORD})


@route(LMS, "POST /privacy/erasure")
def _lookup_for_erasure(ask: Ask) -> Request:
    return Request("/privacy/erasure", {"who": ask.world.users["patient"].email})


@route(LMS, "POST /privacy/erasure/<int:user_id>")
def _erase_other(ask: Ask) -> Request:
    person = _throwaway(ask, Role.PATIENT, login=False)
    return Request(f"/privacy/erasure/{person}", {"understood": "y", "password": PASSWORD})


# --- single sign-on (issue 12): a real provider on a loopback port, set for organisation X (or Y)

SSO_DOMAIN = "sso.matrix.test"
SSO_LOGIN = f"matrix-sso@{SSO_DOMAIN}"


def _sso_set(ask: Ask, organisation_id: int) -> Provider:
    """The run's provider as the organisation's single sign-on (again, when a remove cell took it away)."""
    provider = shared_provider()
    provider.user(SSO_LOGIN)
    with ask.app.app_context():
        stored = sso_settings.provider_of(organisation_id)
        if stored is None or stored.issuer != provider.issuer:
            data = sso_settings.SsoData(provider.issuer, SSO_CLIENT_ID, SSO_CLIENT_SECRET, SSO_DOMAIN)
            sso_settings.save(Actor.shell(), organisation_id, data, [ask.app.secret_key or ""])
    return provider


@route(LMS, "POST /login/sso")
def _sso_begin(ask: Ask) -> Request:
    _sso_set(ask, ask.world.org_x)
    return Request("/login/sso", {"email": SSO_LOGIN})


@route(LMS, "GET /login/sso/callback")
def _sso_callback(ask: Ask) -> Request:
    """A real answer of the provider to a log-in this client started (in a fresh session: it logs in)."""
    _sso_set(ask, ask.world.org_x)
    started = ask.client.post(
        "/login/sso", data={"email": SSO_LOGIN, "csrf_token": csrf_token(ask.client, "/login/sso")}
    )
    back = urlsplit(sign_in_at(started.headers["Location"], SSO_LOGIN))
    return Request(back.path, query=dict(parse_qsl(back.query)))


@route(LMS, "GET /login/sso/continue")
def _sso_continue(ask: Ask) -> Request:
    """Without a confirmation through the organisation of its own, a session has no form to continue."""
    return Request("/login/sso/continue")


@route(LMS, "GET /admin/organisations/<int:organisation_id>/sso", "POST /admin/organisations/<int:organisation_id>/sso",
       "POST /admin/organisations/<int:organisation_id>/sso/remove")  # fmt: skip
def _sso_settings(ask: Ask) -> Request:
    provider = _sso_set(ask, ask.org)  # the page shows, and remove removes, a provider that is there
    form = {"issuer": provider.issuer, "client_id": SSO_CLIENT_ID, "client_secret": "", "domains": SSO_DOMAIN,
            "role_claim": "roles", "default_role": "professional", "enabled": "1"}  # fmt: skip
    return Request(_admin_path(ask), form if ask.cell.row.method == "POST" else None)
