"""The access log's page (/audit/): for privacy officers and administrators, newest first, filtered and paged."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from learning.accounts.models import Role
from learning.audit import chain, queries
from learning.audit.recording import record_read
from learning.audit.service import verify_newest

bp = Blueprint("audit", __name__, url_prefix="/audit")
PAGE_VERIFY_WINDOW = 5_000
"""Entries the page checks on every view (about 0.1 s); the whole log is `flask audit verify`'s job."""
READERS = frozenset({Role.PRIVACY_OFFICER, Role.ADMIN})
ACTIONS = {
    "dashboard.read": _l("Dashboard viewed"),
    "dashboard.export": _l("Dashboard exported"),
    "progress.view": _l("Own progress viewed"),
    "result.view": _l("Own result viewed"),
    "result.reread": _l("Own finished module read again"),
    "assessments.view": _l("Assessments viewed"),
    "xapi.statements.read": _l("Statements read over xAPI"),
    "audit.read": _l("Access log viewed"),
    "personal_data.export": _l("Own data downloaded"),
    "personal_data.summary": _l("Own data read on a page"),
    # administration (learning/admin): changes, logged with who and when like the reads
    "admin.organisation.create": _l("Organisation added"),
    "admin.organisation.update": _l("Organisation changed"),
    "admin.team.create": _l("Team added"),
    "admin.team.update": _l("Team changed"),
    "admin.person.create": _l("Person added"),
    "admin.person.update": _l("Person changed"),
    "admin.person.end": _l("Membership ended"),
    "admin.person.restore": _l("Membership restored"),
    "admin.person.mfa_reset": _l("Authenticator app reset"),
    "admin.line_manager.set": _l("Line manager set"),
    "admin.invitation.create": _l("Invitation code made"),
    "admin.invitation.revoke": _l("Invitation code revoked"),
    "admin.import.staff": _l("Staff imported"),
    "admin.import.patients": _l("Patients imported"),
    "admin.environment.create": _l("Implementation environment created"),
    "admin.environment.update": _l("Implementation environment changed"),
    "admin.programme.create": _l("RPM programme added"),
    "admin.programme.update": _l("RPM programme changed"),
    "admin.programme.end": _l("RPM programme ended"),
    "admin.programme.norms": _l("Alert norms or measurement schedule changed"),
    "admin.curriculum.set": _l("Curriculum set"),
    "admin.curriculum.remove": _l("Curriculum removed"),
    "admin.role.create": _l("Care role added"),
    "admin.role.update": _l("Care role renamed"),
    "admin.role.remove": _l("Care role removed"),
    "admin.organisation.sso": _l("Single sign-on set"),
    "admin.organisation.sso_remove": _l("Single sign-on removed"),
    "sso.login": _l("Logged in through the organisation"),
    "sso.account_made": _l("Account made at a log-in through the organisation"),
    "sso.linked": _l("Account linked to a work account at a log-in through the organisation"),
    "admin.person.sso_unlink": _l("Account unlinked from its work account"),
    "sso.refused": _l("Log-in through the organisation refused"),
    "privacy.review": _l("Account looked up for erasure"),
    "privacy.erase": _l("Account erased on request"),
    "privacy.erase.self": _l("Account erased by its owner"),
}
REASONS = {
    chain.GAP: _l("The entries just before it are missing: they were deleted."),
    chain.LINK: _l("It does not point to the entry before it: an entry was deleted, or this one was added later."),
    chain.CHANGED: _l("Its contents do not match its hash: the entry was changed after it was written."),
    chain.UNDECLARED: _l("More entries were made anonymous than the erasures in the log account for."),
}


@bp.get("/")
@login_required
def index() -> str:
    """List the log with the chain's state; this read is itself logged first, so it appears at the top."""
    if current_user.role not in READERS:
        abort(403)
    filters, bad_fields = queries.parse_filters(request.args)
    record_read("audit.read", filters.summary())
    return render_template(
        "audit/index.html",
        page=queries.entries_page(filters),
        filters=filters,
        bad_fields=bad_fields,
        verdict=verify_newest(int(current_app.config.get("AUDIT_PAGE_VERIFY_WINDOW", PAGE_VERIFY_WINDOW))),
        actions=ACTIONS,
        reasons=REASONS,
    )
