"""What a person was doing when a sensitive action asked them to confirm it is them through their organisation.

The confirm page (learning/accounts/reauth.py) keeps a submitted form as hidden fields. A confirmation by password
posts them straight back; one through the organisation leaves for the provider and comes back with a GET, so the
form travels in our signed session cookie meanwhile, encrypted (it may hold a client secret or a person's name,
and a cookie is kept on disk). Back here, a page shows the form again with one button, "Continue": the action
runs only when the person presses it, never by itself.
A GET page (a download) needs no such page: the log-in simply ends there.
"""

from __future__ import annotations

import json
from typing import Any

from flask import current_app
from werkzeug.exceptions import HTTPException

from learning.accounts import login_flow, mfa
from learning.web import safe_next_url

PREFIX = "resume."  # the confirm page's hidden fields of the original form
MAX_STORED = 2000  # characters of encrypted form in the cookie (the whole cookie must stay under a browser's 4 kB)


def pack(action: str | None, form: Any) -> dict[str, str] | None:
    """The original form's address and encrypted fields, from the confirm page's POST; None when there is none,
    or it is too large for the cookie (then the log-in ends on page_of(action), and the person fills it in again)."""
    target = safe_next_url(action)
    if target is None:
        return None
    fields = [(k.removeprefix(PREFIX), v) for k, v in form.items(multi=True) if k.startswith(PREFIX)]
    sealed = mfa.encrypt(json.dumps(fields), login_flow.secret_keys())
    return {"action": target, "fields": sealed} if len(sealed) <= MAX_STORED else None


def unpack(stored: object) -> tuple[str, list[tuple[str, str]]] | None:
    """(address, fields) of a packed form; None when missing or unreadable (the secret key changed)."""
    if not isinstance(stored, dict) or safe_next_url(str(stored.get("action", ""))) is None:
        return None
    text = mfa.decrypt(str(stored.get("fields", "")), login_flow.secret_keys())
    if text is None:
        return None
    return str(stored["action"]), [(str(k), str(v)) for k, v in json.loads(text)]


def page_of(action: str | None) -> str | None:
    """The form's own page, when its address also answers a GET (most forms post to the page that shows them);
    None for a POST-only action, such as a "remove" button."""
    target = safe_next_url(action)
    if target is None:
        return None
    try:
        current_app.url_map.bind("localhost").match(target.split("?", 1)[0], method="GET")
    except HTTPException:  # 404, 405, or a redirect the router asks for
        return None
    return target
