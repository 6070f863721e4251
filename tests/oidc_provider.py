"""A real OpenID Connect provider on a loopback port, for the single sign-on tests (never a mock of our code).

It speaks the protocol over HTTP as Entra ID or SURFconext do: a discovery document, an authorization endpoint
with a log-in form, a token endpoint that checks the client secret (HTTP Basic), the code, its redirect address
and the PKCE verifier (S256), and a JWKS with the public key its ID tokens are signed with (RS256, joserfc).

A test sets what a provider could get wrong, to see our client refuse it: `audience` (a token for another client),
`lifetime` (negative: already expired), `forge` (signed with a key that is not in the JWKS), `email_of` (the
address the token names, e.g. one of another domain, or one the person edited at the provider).
"""

from __future__ import annotations

import base64
import functools
import hashlib
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

import requests
from flask import Flask, abort, jsonify, redirect, request
from joserfc import jwt
from joserfc.jwk import RSAKey
from markupsafe import escape
from werkzeug.serving import BaseWSGIServer, make_server

CLIENT_ID = "vtc-test-client"
CLIENT_SECRET = "test-client-secret-0123456789"
PASSWORD = "provider-password"


@functools.cache
def _key(name: str) -> RSAKey:
    """One RSA key per name for the whole run (making one takes a tenth of a second)."""
    return RSAKey.generate_key(2048, parameters={"kid": "k1"})


@dataclass
class Provider:
    """The provider's state and the faults a test sets; `issuer` is its base address."""

    issuer: str = ""
    key: RSAKey = field(default_factory=lambda: _key("signing"))
    other_key: RSAKey = field(default_factory=lambda: _key("forger"))  # same kid, not in the JWKS
    claims: dict[str, dict[str, Any]] = field(default_factory=dict)  # login name -> extra claims
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    audience: str | None = None
    lifetime: int = 300
    forge: bool = False
    email_of: dict[str, str] = field(default_factory=dict)

    def user(self, login: str, **claims: Any) -> None:
        """Add a person who can log in at the provider with PASSWORD; claims go into the ID token. The subject is
        derived from the login name, so a changed `email` claim keeps the same person (as at a real provider)."""
        self.claims[login] = {"email": login, "email_verified": True, "name": login.split("@")[0].title(), **claims}

    @staticmethod
    def subject_of(login: str) -> str:
        """The person's `sub`: the provider's own name for them, which never changes."""
        return hashlib.sha256(login.encode()).hexdigest()[:20]

    def id_token(self, login: str, nonce: str) -> str:
        now = int(time.time())
        claims = {"iss": self.issuer, "sub": self.subject_of(login),
                  "aud": self.audience or CLIENT_ID, "iat": now, "exp": now + self.lifetime, "nonce": nonce,
                  **self.claims[login]}  # fmt: skip
        if login in self.email_of:
            claims["email"] = self.email_of[login]
        key = self.other_key if self.forge else self.key
        return jwt.encode({"alg": "RS256", "kid": "k1"}, claims, key)


FORM = """<!doctype html><html lang="en"><head><title>Test provider</title></head><body><main>
<h1>Sign in to the test provider</h1><form method="post">{hidden}
<label for="login">User name</label><input id="login" name="login" value="{hint}">
<label for="password">Password</label><input id="password" name="password" type="password">
<button type="submit">Sign in</button></form></main></body></html>"""


def _app(provider: Provider) -> Flask:
    app = Flask("oidc_test_provider")

    @app.get("/.well-known/openid-configuration")
    def discovery() -> Any:
        base = provider.issuer
        return jsonify(
            issuer=base,
            authorization_endpoint=f"{base}/authorize",
            token_endpoint=f"{base}/token",
            jwks_uri=f"{base}/jwks",
            response_types_supported=["code"],
            subject_types_supported=["public"],
            id_token_signing_alg_values_supported=["RS256"],
            code_challenge_methods_supported=["S256"],
        )

    @app.get("/jwks")
    def jwks() -> Any:
        return jsonify(keys=[provider.key.as_dict(private=False)])

    @app.route("/authorize", methods=["GET", "POST"])
    def authorize() -> Any:
        args = request.values
        if args.get("client_id") != CLIENT_ID or args.get("response_type") != "code":
            abort(400)
        if args.get("code_challenge_method") != "S256" or not args.get("code_challenge") or not args.get("nonce"):
            abort(400)  # this provider, like a careful one, insists on PKCE and a nonce
        if request.method == "GET":
            keep = ("client_id", "response_type", "redirect_uri", "scope", "state", "nonce", "code_challenge",
                    "code_challenge_method")  # fmt: skip
            hidden = "".join(f'<input type="hidden" name="{k}" value="{escape(args.get(k, ""))}">' for k in keep)
            return FORM.format(hidden=hidden, hint=escape(args.get("login_hint", "")))
        login = request.form.get("login", "")
        if login not in provider.claims or request.form.get("password") != PASSWORD:
            return FORM.format(hidden="", hint=escape(login)), 401
        code = secrets.token_urlsafe(16)
        provider.codes[code] = {"login": login, "redirect_uri": args["redirect_uri"], "nonce": args["nonce"],
                                "challenge": args["code_challenge"]}  # fmt: skip
        return redirect(f"{args['redirect_uri']}?{urlencode({'code': code, 'state': args.get('state', '')})}")

    @app.post("/token")
    def token() -> Any:
        auth = request.authorization
        if auth is None or auth.username != CLIENT_ID or auth.password != CLIENT_SECRET:
            return jsonify(error="invalid_client"), 401
        grant = provider.codes.pop(request.form.get("code", ""), None)  # a code works once
        if grant is None or request.form.get("redirect_uri") != grant["redirect_uri"]:
            return jsonify(error="invalid_grant"), 400
        digest = hashlib.sha256(request.form.get("code_verifier", "").encode()).digest()
        if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != grant["challenge"]:
            return jsonify(error="invalid_grant", error_description="PKCE verifier does not match"), 400
        return jsonify(access_token=secrets.token_urlsafe(16), token_type="Bearer", expires_in=300,
                       id_token=provider.id_token(grant["login"], grant["nonce"]))  # fmt: skip

    return app


def start_provider() -> tuple[Provider, BaseWSGIServer, threading.Thread]:
    """Start a provider on a free loopback port in a daemon thread."""
    provider = Provider()
    server = make_server("127.0.0.1", 0, _app(provider), threaded=True)
    provider.issuer = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(
        target=lambda: server.serve_forever(poll_interval=0.02), name="oidc-provider", daemon=True
    )
    thread.start()
    return provider, server, thread


@functools.cache
def shared_provider() -> Provider:
    """One provider for a whole run (the access matrix asks it a few dozen times); it stops with the process."""
    return start_provider()[0]


def sign_in_at(authorize_url: str, login: str) -> str:
    """Sign in at the provider's own form over real HTTP, as a browser would; return the path and query of our
    callback it sends the browser back to."""
    form = requests.get(authorize_url, timeout=5)
    assert form.status_code == 200, form.text
    assert 'name="password"' in form.text
    back = requests.post(authorize_url, data={"login": login, "password": PASSWORD}, allow_redirects=False, timeout=5)
    assert back.status_code == 302, back.text
    parts = urlsplit(back.headers["Location"])
    return f"{parts.path}?{parts.query}"


@contextmanager
def running_provider() -> Iterator[Provider]:
    """Start the provider on a free loopback port in a thread; stop it afterwards."""
    provider, server, thread = start_provider()
    try:
        yield provider
    finally:
        server.shutdown()
        thread.join(timeout=10)
