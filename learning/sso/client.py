"""The OpenID Connect client: Authlib runs the authorization-code flow with PKCE (S256), state and nonce, and
joserfc (Authlib's JOSE library) checks the ID token against the provider's published keys (JWKS).

Nothing here trusts the browser: the state, nonce and PKCE verifier stay in our signed session cookie, the code
is exchanged server to server with the client secret, and the ID token must be signed by a key of the issuer's
JWKS, issued by that issuer, for our client id, not expired, and carry the nonce of this very log-in.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import requests
from authlib.common.security import generate_token
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from joserfc import jwt
from joserfc.errors import BadSignatureError, ExpiredTokenError, InvalidClaimError, JoseError, MissingClaimError
from joserfc.jwk import KeySet

from learning.sso.models import OidcProvider

TIMEOUT = 5.0  # seconds for each call to the provider: a person waits on the other end
SCOPE = "openid email profile"
ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384"]  # never "none", never a shared-secret HMAC
LEEWAY = 60  # seconds of clock difference tolerated on exp, iat and nbf


class SsoRefused(Exception):
    """A log-in through the provider that we refuse; `reason` keys the message shown and the audit entry."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class Started:
    """Where to send the browser, and what the session keeps to check the answer."""

    url: str
    state: str
    nonce: str
    verifier: str


def discover(issuer: str) -> dict[str, Any]:
    """The provider's discovery document; it must name the same issuer (OpenID Connect Discovery 1.0, 4.3)."""
    try:
        answer = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=TIMEOUT)
        answer.raise_for_status()
        meta = answer.json()
    except (requests.RequestException, ValueError) as exc:
        raise SsoRefused("provider-down", f"discovery: {type(exc).__name__}") from exc
    needed = ("authorization_endpoint", "token_endpoint", "jwks_uri")
    if (
        not isinstance(meta, dict)
        or meta.get("issuer") != issuer
        or not all(isinstance(meta.get(k), str) for k in needed)
    ):
        raise SsoRefused("provider-down", "discovery document does not match the issuer")
    return meta


def start(provider: OidcProvider, redirect_uri: str, login_hint: str = "", again: bool = False) -> Started:
    """Build the authorization request: fresh state, nonce and PKCE verifier for this one log-in.

    again: the person is logged in and confirms it is them (before a sensitive action): `prompt=login` makes the
    provider ask them again instead of answering from its own session.
    """
    meta = discover(provider.issuer)
    verifier, nonce = generate_token(64), generate_token(32)
    client = OAuth2Session(provider.client_id, scope=SCOPE, redirect_uri=redirect_uri, code_challenge_method="S256")
    extra = {"login_hint": login_hint} if login_hint else {}
    if again:
        extra["prompt"] = "login"
    url, state = client.create_authorization_url(meta["authorization_endpoint"], code_verifier=verifier, nonce=nonce,
                                                 **extra)  # fmt: skip
    return Started(url, state, nonce, verifier)


def finish(
    provider: OidcProvider, client_secret: str, code: str, verifier: str, nonce: str, redirect_uri: str
) -> dict[str, Any]:
    """Exchange the code for tokens and return the checked claims of the ID token.

    :raises SsoRefused: provider-down, token-refused (the token endpoint said no), or id-token-* for a token
        that fails a check (audience, expiry, signature, issuer, nonce).
    """
    meta = discover(provider.issuer)
    client = OAuth2Session(provider.client_id, client_secret, scope=SCOPE, redirect_uri=redirect_uri,
                           code_challenge_method="S256")  # fmt: skip
    try:
        token = client.fetch_token(meta["token_endpoint"], grant_type="authorization_code", code=code,
                                   code_verifier=verifier, timeout=TIMEOUT)  # fmt: skip
    except OAuthError as exc:
        raise SsoRefused("token-refused", str(exc.error)) from exc
    except (requests.RequestException, ValueError) as exc:
        raise SsoRefused("provider-down", f"token: {type(exc).__name__}") from exc
    id_token = token.get("id_token")
    if not isinstance(id_token, str):
        raise SsoRefused("token-refused", "no id_token")
    return check_id_token(id_token, _keys(meta["jwks_uri"]), provider.issuer, provider.client_id, nonce)


def _keys(jwks_uri: str) -> KeySet:
    try:
        answer = requests.get(jwks_uri, timeout=TIMEOUT)
        answer.raise_for_status()
        return KeySet.import_key_set(answer.json())
    except (requests.RequestException, ValueError, JoseError) as exc:
        raise SsoRefused("provider-down", f"jwks: {type(exc).__name__}") from exc


def check_id_token(id_token: str, keys: KeySet, issuer: str, client_id: str, nonce: str,
                   now: int | None = None) -> dict[str, Any]:  # fmt: skip
    """The ID token's claims after every check of OpenID Connect Core 3.1.3.7 that applies to a web client."""
    try:
        token = jwt.decode(id_token, keys, algorithms=ALGORITHMS)
    except BadSignatureError as exc:
        raise SsoRefused("id-token-signature", str(exc)) from exc
    except JoseError as exc:  # no key of the JWKS matches, a malformed token, an algorithm we refuse
        raise SsoRefused("id-token-signature", f"{type(exc).__name__}: {exc}") from exc
    claims = dict(token.claims)
    registry = jwt.JWTClaimsRegistry(
        now=int(time.time()) if now is None else now,
        leeway=LEEWAY,
        iss={"essential": True, "value": issuer},
        aud={"essential": True, "value": client_id},
        exp={"essential": True},
        iat={"essential": True},
        sub={"essential": True},
        nonce={"essential": True, "value": nonce},
    )
    try:
        registry.validate(claims)
    except ExpiredTokenError as exc:
        raise SsoRefused("id-token-expired", str(exc)) from exc
    except (InvalidClaimError, MissingClaimError) as exc:
        claim = getattr(exc, "claim", "")
        reason = {"aud": "id-token-audience", "iss": "id-token-issuer", "nonce": "id-token-nonce"}.get(claim)
        raise SsoRefused(reason or "id-token-invalid", str(exc)) from exc
    except JoseError as exc:
        raise SsoRefused("id-token-invalid", str(exc)) from exc
    audience = claims["aud"]
    if isinstance(audience, list) and len(audience) > 1 and claims.get("azp") != client_id:
        raise SsoRefused("id-token-audience", "several audiences and azp is not our client")
    return claims
