"""Key rotation of the pseudonyms (docs/privacy.md, "Pseudonyms"): every pseudonym re-derived under a new key, the
same in the LMS and the LRS, and the old key gone.

Order, because the LMS and the LRS commit separately (they may be two databases) and the key is a file:
1. the new key is written beside the current one (`<file>.next`, mode 0600); if one is there already, an earlier
   rotation was interrupted and this one finishes it with that key;
2. the mapping old -> new is computed from the values the LMS keeps (so it also converts pseudonyms that were
   drawn at random before they were keyed, and repairs a lost key file);
3. the LRS rewrites its statements, agent links, documents and tenants through its own service (idempotent);
4. the access-log entries that named an old pseudonym are made anonymous (the rotation's entry declares them), then
   the LMS rewrites its rows in one transaction;
5. the new key replaces the old file (an atomic rename), so the old key exists nowhere any more.
A crash between any two steps leaves a state that running the command again completes.
"""

from __future__ import annotations

import json
import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from flask import current_app
from sqlalchemy import CursorResult, select, update

from learning.accounts.pseudonyms import COLUMNS, DOMAINS, EXTENSION, KEY_BYTES, Pseudonymiser, write_key_file
from learning.audit.chain import ROTATION_ACTION, Fields
from learning.audit.service import redact_pseudonyms
from learning.db import db, utcnow
from learning.metrics.models import TrainingEvent, TrainingFirstAnswer, TrainingProgress
from learning.tracking.models import OutboxStatement

TOKEN = re.compile(r"[A-Za-z0-9-]+")
ACTOR_COPIES = (TrainingEvent, TrainingProgress, TrainingFirstAnswer)  # the LMS's copies of statements' actors


@dataclass(frozen=True)
class Rotation:
    """What a rotation changed, for the operator's report."""

    accounts: int
    organisations: int
    teams: int
    lms_rows: int
    access_log: int
    lrs: Any = None  # lrs.Rewritten; None when the LRS is remote
    mapping_file: str = ""  # where the mapping for a remote LRS was written
    resumed: bool = False
    fingerprint: str = ""


def key_paths() -> tuple[Path, Path]:
    path = Path(current_app.config["PSEUDONYM_KEY_FILE"])
    return path, path.with_name(path.name + ".next")


def _pending_key(pending: Path) -> tuple[bytes, bool]:
    if pending.exists():
        return bytes.fromhex(pending.read_text().strip()), True
    secret = secrets.token_bytes(KEY_BYTES)
    write_key_file(pending, secret)
    return secret, False


def _replacements(new: Pseudonymiser) -> tuple[dict[str, str], dict[str, list[tuple[int, str]]]]:
    """old -> new for every row whose stored pseudonym is not the one `new` derives, and the new value per row."""
    replacements: dict[str, str] = {}
    rows: dict[str, list[tuple[int, str]]] = {}
    for domain, model in DOMAINS.items():
        rows[domain] = []
        for row_id, old in db.session.execute(select(model.id, getattr(model, COLUMNS[domain]))).all():
            value = new.derive(domain, row_id)
            if old != value:
                replacements[old] = value
                rows[domain].append((row_id, value))
    return replacements, rows


def replace_tokens(text: str, replacements: Mapping[str, str]) -> str:
    return TOKEN.sub(lambda m: replacements.get(m.group(0), m.group(0)), text)


def _rewrite_lms(replacements: Mapping[str, str], rows: Mapping[str, list[tuple[int, str]]]) -> int:
    """Give every row its new pseudonym and rewrite the LMS's copies of statements, in the session's transaction."""
    changed = 0
    for domain, values in rows.items():
        model = DOMAINS[domain]
        for row_id, value in values:
            db.session.execute(update(model).where(model.id == row_id).values({COLUMNS[domain]: value}))
    for model in ACTOR_COPIES:
        for old, new in replacements.items():
            result = db.session.execute(update(model).where(model.actor_pid == old).values(actor_pid=new))
            changed += cast(CursorResult[Any], result).rowcount
    for outbox_id, payload in db.session.execute(select(OutboxStatement.id, OutboxStatement.payload)).all():
        rewritten = replace_tokens(payload, replacements)
        if rewritten != payload:
            db.session.execute(update(OutboxStatement).where(OutboxStatement.id == outbox_id).values(payload=rewritten))
            changed += 1
    return changed


def _write_mapping(replacements: Mapping[str, str], path: Path) -> str:
    target = path.with_name(path.name + ".mapping.json")
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        json.dump(dict(replacements), file)
    return str(target)


def rotate_pseudonyms(actor: str, role: str, path: str) -> Rotation:
    """Re-derive every pseudonym under a new key in the LRS and the LMS, then retire the old key (see above)."""
    key_file, pending = key_paths()
    secret, resumed = _pending_key(pending)
    new = Pseudonymiser(secret)
    replacements, rows = _replacements(new)
    db.session.commit()  # end the read: the access log below writes on a connection of its own
    rewrite = current_app.extensions.get("vtc.lrs_rewriter")
    lrs_done = rewrite(replacements) if rewrite is not None else None
    mapping_file = "" if rewrite is not None or not replacements else _write_mapping(replacements, key_file)
    # Before the LMS commits: once it has, the old names are known nowhere, and a run that finishes an interrupted
    # one could no longer find them in the log.
    subject = "every pseudonym re-derived under a new key"
    retired = redact_pseudonyms(replacements, Fields(utcnow(), actor, role, ROTATION_ACTION, subject, "privacy", path))
    changed = _rewrite_lms(replacements, rows)
    db.session.commit()
    os.replace(pending, key_file)
    current_app.extensions[EXTENSION] = new
    return Rotation(
        accounts=len(rows["xapi-actor"]),
        organisations=len(rows["organisation"]),
        teams=len(rows["team"]),
        lms_rows=changed,
        access_log=retired,
        lrs=lrs_done,
        mapping_file=mapping_file,
        resumed=resumed,
        fingerprint=new.fingerprint,
    )
