"""Signed statements (xAPI Data 2.6): reject a statement whose JWS signature attachment is malformed.

A signature is an attachment with usageType ``.../attachments/signature`` whose data is a JWS (RFC 7515)
over the statement as it was before the signature was added. The spec makes the LRS check the form, not
the trust: decode the JWS, require an RS256/RS384/RS512 algorithm, require the payload to be a statement
logically equivalent to the received one, and - only when the header carries an X.509 chain (``x5c``) -
verify the RSA signature with the first certificate's key. Certificate validity, chains and revocation
are deliberately not checked: the spec calls the x5c step a way to catch mistakes, not a security measure.

"Logically equivalent" follows the Statement Comparison Requirements (Data 2.3.1): differences that the
immutability exceptions could have caused are ignored, every other difference is a mismatch. The rules
are spelt out on ``signed_statement_difference``.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from lrs.xapi.errors import BadRequest
from lrs.xapi.jsonload import load_json
from lrs.xapi.multipart import Attachment, parse_media_type
from lrs.xapi.timestamps import parse_timestamp

SIGNATURE_USAGE_TYPE = "http://adlnet.gov/expapi/attachments/signature"
SIGNATURE_CONTENT_TYPE = "application/octet-stream"

_HASHES: Mapping[str, Callable[[], hashes.HashAlgorithm]] = {
    "RS256": hashes.SHA256,
    "RS384": hashes.SHA384,
    "RS512": hashes.SHA512,
}
_BASE64URL = re.compile(r"[A-Za-z0-9_-]*")

# Data 2.3.1 exception 1: properties the LRS assigns. stored/authority/version it may overwrite at will;
# id/timestamp it only fills in when missing, so they may be absent from the signed original only.
_LRS_OWNED = frozenset({"stored", "authority", "version"})
_LRS_FILLED_IN = ("id", "timestamp")
# Registered JWT claims (RFC 7519 4.1) that JWT libraries add to payloads on their own. They are not statement
# properties (a received statement carrying one fails validation anyway), so they are not compared; ADL's
# reference LRS ignores them too.
_JWT_CLAIMS = frozenset({"iss", "sub", "aud", "exp", "nbf", "iat", "jti"})
_TIMESTAMP_PRECISION = timedelta(milliseconds=1)
_DURATION_BEYOND_HUNDREDTHS = re.compile(r"([.,][0-9]{2})[0-9]+S$")


@dataclass(frozen=True)
class _Signature:
    """One signature of a JWS: its header (protected and unprotected merged) and what it signs."""

    header: Mapping[str, Any]
    signing_input: bytes
    value: bytes


@dataclass(frozen=True)
class _Jws:
    payload: bytes
    signatures: tuple[_Signature, ...]


# ---------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------


def verify_signed_statement(
    statement: Mapping[str, Any], parts: Mapping[str, Attachment], *, path: str = "statement"
) -> None:
    """Check every signature attachment of a (validated) statement; unsigned statements pass untouched.

    A signature whose data was not sent but which has a ``fileUrl`` is accepted unchecked: the LRS must
    accept application/json batches whose attachments all have a fileUrl, and it does not fetch URLs.

    ``parts`` are the request's attachment parts by lower-case SHA-2, as ``parse_multipart_statements``
    returns them. ``path`` names the statement in error messages (e.g. ``statement[2]`` in a batch).
    Call it before the LRS fills in id, timestamp, stored, authority or version (for PUT, after taking
    the id from the statementId parameter).

    :raises BadRequest: when a signature is malformed in any way the spec's LRS requirements name.
    """
    for attachment_path, attachment in signature_attachments(statement, path):
        _verify_signature(statement, attachment, parts, attachment_path, statement_path=path)


def signature_attachments(
    statement: Mapping[str, Any], path: str = "statement"
) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Yield (JSON path, attachment object) for each signature attachment of the statement itself."""
    attachments = statement.get("attachments")
    if not isinstance(attachments, list):
        return
    for index, attachment in enumerate(attachments):
        if _is_signature(attachment):
            yield f"{path}.attachments[{index}]", attachment


def _is_signature(attachment: object) -> bool:
    return isinstance(attachment, Mapping) and attachment.get("usageType") == SIGNATURE_USAGE_TYPE


def _verify_signature(
    statement: Mapping[str, Any],
    attachment: Mapping[str, Any],
    parts: Mapping[str, Attachment],
    path: str,
    *,
    statement_path: str,
) -> None:
    """Run the spec's checks in its order: form of the attachment, JWS, algorithm, payload, x5c, equivalence."""
    _require_octet_stream(attachment.get("contentType"), f"{path}.contentType")
    sha2 = str(attachment.get("sha2", "")).lower()
    part = parts.get(sha2)
    if part is None and "fileUrl" in attachment:
        return  # Communication 1.5.1: JSON batches whose attachments all have a fileUrl MUST be accepted
    if part is None:
        raise BadRequest(
            f"{path}: a signature's JWS must be sent with the statement, as a multipart/mixed part "
            f"with X-Experience-API-Hash {sha2}"
        )
    _require_octet_stream(part.content_type, f"{path}: the Content-Type of its multipart part")
    jws = _parse_jws(part.content, path)
    for signature in jws.signatures:
        _check_header(signature.header, path)
    signed = _signed_statement(jws.payload, path)
    for signature in jws.signatures:
        _check_certificate_signature(signature, path)
    difference = signed_statement_difference(signed, statement, path=statement_path)
    if difference is not None:
        raise BadRequest(
            f"{path}: the statement signed in the JWS payload differs from the received statement at "
            f"{difference}; the payload must be the complete statement as it was before the signature "
            "was added (xAPI Data 2.6)"
        )


def _require_octet_stream(content_type: object, what: str) -> None:
    if not isinstance(content_type, str):
        raise BadRequest(f"{what}: a signature must have the content type {SIGNATURE_CONTENT_TYPE}")
    if parse_media_type(content_type, what)[0] != SIGNATURE_CONTENT_TYPE:
        raise BadRequest(
            f"{what}: a signature must have the content type {SIGNATURE_CONTENT_TYPE} (xAPI Data 2.6), "
            f"got {content_type[:80]!r}"
        )


# ---------------------------------------------------------------------------
# JWS decoding (RFC 7515)
# ---------------------------------------------------------------------------


def _parse_jws(data: bytes, path: str) -> _Jws:
    """Decode a JWS in compact serialization (``header.payload.signature``) or, since the spec only
    discourages it, in JSON serialization (general or flattened). Nothing is verified here."""
    try:
        text = data.decode("ascii").strip()
    except UnicodeDecodeError:
        raise BadRequest(f"{path}: the signature is not a JWS: it contains bytes that are not ASCII") from None
    if text.startswith("{"):
        return _parse_json_serialization(data, path)
    segments = text.split(".")
    if len(segments) != 3:
        raise BadRequest(
            f"{path}: the signature is not a JWS in compact serialization (three base64url parts joined "
            f"by '.'), it has {len(segments)} part(s)"
        )
    protected, payload, signature = segments
    header = _protected_header(protected, path)
    return _Jws(
        payload=_base64url(payload, f"{path}: the JWS payload"),
        signatures=(_signature(header, protected, payload, signature, path),),
    )


def _parse_json_serialization(data: bytes, path: str) -> _Jws:
    document = load_json(data, f"{path}: the JWS")
    if not isinstance(document, dict) or not isinstance(document.get("payload"), str):
        raise BadRequest(f"{path}: a JWS in JSON serialization must be an object with a base64url 'payload'")
    payload: str = document["payload"]
    entries = document.get("signatures", [document])
    if not isinstance(entries, list) or not entries or not all(isinstance(e, dict) for e in entries):
        raise BadRequest(f"{path}: the JWS 'signatures' must be a non-empty array of objects")
    signatures = tuple(_json_signature(entry, payload, path) for entry in entries)
    return _Jws(payload=_base64url(payload, f"{path}: the JWS payload"), signatures=signatures)


def _json_signature(entry: Mapping[str, Any], payload: str, path: str) -> _Signature:
    protected = entry.get("protected", "")
    unprotected = entry.get("header", {})
    signature = entry.get("signature")
    if not isinstance(protected, str) or not isinstance(unprotected, dict) or not isinstance(signature, str):
        raise BadRequest(
            f"{path}: each JWS signature needs a string 'signature', and 'protected' (string) and 'header' "
            "(object) when present"
        )
    header = _protected_header(protected, path) if protected else {}
    shared = header.keys() & unprotected.keys()
    if shared:
        raise BadRequest(f"{path}: JWS header parameter {sorted(shared)[0]!r} is both protected and unprotected")
    return _signature({**unprotected, **header}, protected, payload, signature, path)


def _signature(header: Mapping[str, Any], protected: str, payload: str, value: str, path: str) -> _Signature:
    _base64url(payload, f"{path}: the JWS payload")
    return _Signature(
        header=header,
        signing_input=f"{protected}.{payload}".encode("ascii"),
        value=_base64url(value, f"{path}: the JWS signature"),
    )


def _protected_header(segment: str, path: str) -> dict[str, Any]:
    header = load_json(_base64url(segment, f"{path}: the JWS header"), f"{path}: the JWS header")
    if not isinstance(header, dict):
        raise BadRequest(f"{path}: the JWS header must be a JSON object")
    return header


def _base64url(segment: str, what: str) -> bytes:
    """RFC 7515 2: base64url with the '=' padding omitted; anything else is a malformed JWS."""
    if not _BASE64URL.fullmatch(segment) or len(segment) % 4 == 1:
        raise BadRequest(f"{what} is not base64url-encoded (RFC 7515: A-Z a-z 0-9 - _ and no '=' padding)")
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def _check_header(header: Mapping[str, Any], path: str) -> None:
    algorithm = header.get("alg")
    if not isinstance(algorithm, str) or algorithm not in _HASHES:
        got = "no 'alg'" if algorithm is None else f"alg {json.dumps(algorithm)[:40]}"
        raise BadRequest(f"{path}: the JWS header has {got}; xAPI signatures must use RS256, RS384 or RS512")
    if "crit" in header:
        raise BadRequest(f"{path}: the JWS header lists 'crit' extensions, which this LRS does not support")


def _signed_statement(payload: bytes, path: str) -> dict[str, Any]:
    signed = load_json(payload, f"{path}: the JWS payload")
    if not isinstance(signed, dict):
        raise BadRequest(f"{path}: the JWS payload must be the signed statement, a JSON object")
    return signed


# ---------------------------------------------------------------------------
# X.509 (x5c) verification
# ---------------------------------------------------------------------------


def _check_certificate_signature(signature: _Signature, path: str) -> None:
    """With an x5c chain, the signature must verify with the first (signing) certificate's RSA key."""
    chain = signature.header.get("x5c")
    if chain is None:
        return
    key = _first_certificate_key(chain, path)
    algorithm = _HASHES[signature.header["alg"]]()
    try:
        key.verify(signature.value, signature.signing_input, padding.PKCS1v15(), algorithm)
    except InvalidSignature:
        raise BadRequest(
            f"{path}: the JWS signature does not verify with the public key of the first x5c certificate "
            f"({signature.header['alg']}); sign with that certificate's private key, over the base64url "
            "header and payload exactly as sent"
        ) from None


def _first_certificate_key(chain: object, path: str) -> rsa.RSAPublicKey:
    if not isinstance(chain, list) or not chain or not isinstance(chain[0], str):
        raise BadRequest(f"{path}: the JWS header's x5c must be a non-empty array of base64 certificates")
    try:
        der = base64.b64decode(chain[0], validate=True)
        key = x509.load_der_x509_certificate(der).public_key()
    except (binascii.Error, ValueError, UnsupportedAlgorithm):
        raise BadRequest(f"{path}: x5c[0] is not a base64 (not base64url) DER X.509 certificate") from None
    if not isinstance(key, rsa.RSAPublicKey):
        raise BadRequest(f"{path}: the x5c[0] certificate's key is not an RSA key, as RS256/384/512 need")
    return key


# ---------------------------------------------------------------------------
# Statement comparison (Data 2.3.1)
# ---------------------------------------------------------------------------


def signed_statement_difference(
    signed: Mapping[str, Any], received: Mapping[str, Any], *, path: str = "statement"
) -> str | None:
    """Return the JSON path where the received statement first differs from the signed one, or None.

    Ignored, because an immutability exception (Data 2.3.1) could have caused them:
    - stored, authority and version entirely; id and timestamp when the signed statement lacks them;
    - signature attachments, on both sides (they are added after signing; several may sign one original);
      an attachments array left empty counts as absent;
    - Activity definitions (statement object, sub-statement object, contextActivities) and Verb display;
    - timestamp serialisation: timestamps compare as instants, to the millisecond;
    - the order of Group members;
    - case where it carries no meaning: UUIDs (id, registration, StatementRef ids), the mailto: scheme
      and domain of mbox, mbox_sha1sum and sha2 hex, language tags (context.language, attachment
      display/description keys);
    - a single contextActivities Activity versus an array of that one Activity;
    - Result duration beyond 0.01 s (Data 4.6; otherwise durations compare as strings, per 2.3.1);
    - registered JWT claims (iss, sub, aud, exp, nbf, iat, jti), which JWT libraries add to payloads.
    Everything else, extensions included, must be equal as JSON values (true is not 1).
    """
    original, actual = _comparable_pair(signed, received)
    return _first_difference(original, actual, path)


def _comparable_pair(signed: Mapping[str, Any], received: Mapping[str, Any]) -> tuple[Any, Any]:
    ignored = _LRS_OWNED | _JWT_CLAIMS
    original = {key: value for key, value in signed.items() if key not in ignored}
    actual = {key: value for key, value in received.items() if key not in ignored}
    for key in _LRS_FILLED_IN:
        if key not in original:
            actual.pop(key, None)
    return _statement(_without_signatures(original)), _statement(_without_signatures(actual))


def _without_signatures(statement: dict[str, Any]) -> dict[str, Any]:
    attachments = statement.get("attachments")
    if isinstance(attachments, list):
        kept = [attachment for attachment in attachments if not _is_signature(attachment)]
        statement = {key: value for key, value in statement.items() if key != "attachments"}
        if kept:
            statement["attachments"] = kept
    return statement


class _Instant:
    """A parsed timestamp; equal to another within the millisecond an LRS may truncate or round to."""

    __slots__ = ("moment",)

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, _Instant):
            return NotImplemented
        return abs(self.moment - other.moment) < _TIMESTAMP_PRECISION

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"_Instant({self.moment.isoformat()})"


def _same(value: Any) -> Any:
    return value


def _lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def _instant(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return _Instant(parse_timestamp(value))
    except BadRequest:
        return value


def _duration(value: Any) -> Any:
    return _DURATION_BEYOND_HUNDREDTHS.sub(r"\1S", value) if isinstance(value, str) else value


def _mbox(value: Any) -> Any:
    if not isinstance(value, str) or value[:7].lower() != "mailto:" or "@" not in value:
        return value
    local, _, domain = value[7:].rpartition("@")
    return f"mailto:{local}@{domain.lower()}"


def _rewrite(value: Any, rules: Mapping[str, Callable[[Any], Any]], drop: frozenset[str] = frozenset()) -> Any:
    """Apply per-property rules to a JSON object; anything that is not an object is compared as it is."""
    if not isinstance(value, Mapping):
        return value
    return {key: rules.get(key, _same)(item) for key, item in value.items() if key not in drop}


def _each(rule: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda value: [rule(item) for item in value] if isinstance(value, list) else value


def _agent(value: Any) -> Any:
    return _rewrite(value, {"mbox": _mbox, "mbox_sha1sum": _lower, "member": _members})


def _members(value: Any) -> Any:
    if not isinstance(value, list):
        return value
    return sorted((_agent(member) for member in value), key=lambda member: json.dumps(member, sort_keys=True))


def _verb(value: Any) -> Any:
    return _rewrite(value, {}, drop=frozenset({"display"}))


def _activity(value: Any) -> Any:
    return _rewrite(value, {}, drop=frozenset({"definition"}))


def _statement_ref(value: Any) -> Any:
    return _rewrite(value, {"id": _lower})


def _object(value: Any) -> Any:
    if not isinstance(value, Mapping):
        return value
    kind = value.get("objectType", "Activity")
    if kind == "Activity":
        return _activity(value)
    if kind in ("Agent", "Group"):
        return _agent(value)
    if kind == "StatementRef":
        return _statement_ref(value)
    if kind == "SubStatement":
        return _statement(value)
    return value


def _context_activities(value: Any) -> Any:
    if not isinstance(value, Mapping):
        return value
    return {key: _each(_activity)([item] if isinstance(item, Mapping) else item) for key, item in value.items()}


def _language_map(value: Any) -> Any:
    return {_lower(key): item for key, item in value.items()} if isinstance(value, Mapping) else value


_ATTACHMENT_RULES: Mapping[str, Callable[[Any], Any]] = {
    "sha2": _lower,
    "display": _language_map,
    "description": _language_map,
}
_CONTEXT_RULES: Mapping[str, Callable[[Any], Any]] = {
    "registration": _lower,
    "instructor": _agent,
    "team": _agent,
    "contextActivities": _context_activities,
    "language": _lower,
    "statement": _statement_ref,
    "contextAgents": _each(lambda entry: _rewrite(entry, {"agent": _agent})),
    "contextGroups": _each(lambda entry: _rewrite(entry, {"group": _agent})),
}
_STATEMENT_RULES: Mapping[str, Callable[[Any], Any]] = {
    "id": _lower,
    "actor": _agent,
    "verb": _verb,
    "object": _object,
    "result": lambda result: _rewrite(result, {"duration": _duration}),
    "context": lambda context: _rewrite(context, _CONTEXT_RULES),
    "timestamp": _instant,
    "attachments": _each(lambda attachment: _rewrite(attachment, _ATTACHMENT_RULES)),
}


def _statement(value: Any) -> Any:
    return _rewrite(value, _STATEMENT_RULES)


def _first_difference(original: Any, actual: Any, path: str) -> str | None:
    """Depth-first search for the first differing JSON path, so the client is told where to look."""
    if isinstance(original, dict) and isinstance(actual, dict):
        for key in sorted(original.keys() | actual.keys()):
            where = f"{path}.{key}"
            if key not in original or key not in actual:
                return where
            found = _first_difference(original[key], actual[key], where)
            if found is not None:
                return found
        return None
    if isinstance(original, list) and isinstance(actual, list):
        if len(original) != len(actual):
            return path
        for index, (left, right) in enumerate(zip(original, actual, strict=True)):
            found = _first_difference(left, right, f"{path}[{index}]")
            if found is not None:
                return found
        return None
    if isinstance(original, bool) != isinstance(actual, bool) or original != actual:
        return path
    return None
