"""multipart/mixed statement requests and responses (xAPI Communication 1.5.2, Data 2.4.11).

Attachment payloads travel as extra parts of a multipart/mixed body, matched to the statements' attachment
objects by SHA-2 only (the spec forbids matching them any other way). Parsing is hand-written over bytes
rather than delegated to the stdlib ``email`` package: that package decodes text parts, normalises line
endings and silently repairs broken messages, so the hash of what it hands back is not always the hash of
what the client sent, and it cannot report *why* a body is malformed. Every rejection here is a BadRequest
whose message tells the client developer which part and which rule.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from lrs.xapi.errors import BadRequest
from lrs.xapi.jsonload import load_json

HASH_HEADER = "X-Experience-API-Hash"
"""Deeper JSON than any real statement is refused before the parser recurses (same limit as plain JSON bodies)."""

_TCHARS = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
_MEDIA_RANGE = re.compile(rf"[ \t]*({_TCHARS})/({_TCHARS})[ \t]*")
_PARAMETER = re.compile(rf';[ \t]*({_TCHARS})[ \t]*=[ \t]*(?:"((?:[^"\\\r\n]|\\[^\r\n])*)"|([^;"\s]*))[ \t]*')
_EMPTY_PARAMETERS = re.compile(r"[;\s]*")
# RFC 2046 section 5.1.1: 1 to 70 "bchars", the last one not a space.
_BOUNDARY = re.compile(r"[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]")
_DELIMITER_TAIL = re.compile(rb"(?P<close>--)?[ \t]*(?P<eol>\r?\n|\Z)")
_LF = ord("\n")
_BLANK_LINE = re.compile(rb"\n\r?\n")
_HEADER_NAME = re.compile(rb"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_HEX = re.compile(r"[0-9a-f]+")
_SHA2_BY_HEX_LENGTH: Mapping[int, Callable[[bytes], Any]] = {
    56: hashlib.sha224,
    64: hashlib.sha256,
    96: hashlib.sha384,
    128: hashlib.sha512,
}
_IDENTITY_ENCODINGS = frozenset({"7bit", "8bit", "binary"})
_OCTET_STREAM = "application/octet-stream"


@dataclass(frozen=True)
class Attachment:
    """One attachment payload: what the LRS stores per SHA-2 and serves back for ``attachments=true``.

    ``sha2`` is lower-case hex, so lookups do not depend on the case a client chose for the hash.
    ``content_type`` is the part's Content-Type as sent, or application/octet-stream when it had none.
    """

    sha2: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class _Part:
    """A body part split into headers (names lower-cased, since MIME header names are case-insensitive) and body."""

    number: int
    headers: Mapping[str, str]
    body: bytes

    @property
    def label(self) -> str:
        return f"multipart part {self.number}"


# ---------------------------------------------------------------------------
# Requests
# ---------------------------------------------------------------------------


def parse_multipart_statements(body: bytes, content_type_header: str) -> tuple[Any, dict[str, Attachment]]:
    """Split a multipart/mixed statements request into the statements JSON and its attachments by SHA-2.

    The JSON is returned parsed but not validated: statement validation, and matching the parts against
    the statements' attachment objects (``check_attachments``), are separate steps.
    Identical parts sent twice are kept once, as the spec allows a client to send shared data only once.

    :raises BadRequest: for any violation of RFC 2046 or of the xAPI rules for multipart statement requests.
    """
    boundary = multipart_boundary(content_type_header)
    first, *rest = _parse_parts(body, boundary)
    statements = _statements_json(first)
    attachments: dict[str, Attachment] = {}
    for part in rest:
        attachment = _attachment(part)
        attachments.setdefault(attachment.sha2, attachment)
    return statements, attachments


def multipart_boundary(content_type_header: str) -> str:
    """Return the boundary of a ``multipart/mixed`` Content-Type header, rejecting any other media type."""
    media_type, params = parse_media_type(content_type_header, "the request's Content-Type")
    if media_type != "multipart/mixed":
        raise BadRequest(f"statements with attachments must be sent as multipart/mixed, not {media_type}")
    boundary = params.get("boundary")
    if boundary is None:
        raise BadRequest("the multipart/mixed Content-Type header has no boundary parameter (RFC 2046 5.1.1)")
    if not _BOUNDARY.fullmatch(boundary):
        raise BadRequest(
            f"the multipart boundary {boundary!r} is invalid: RFC 2046 allows 1 to 70 characters from "
            "letters, digits and '()+_,-./:=? and space, not ending in a space"
        )
    return boundary


def parse_media_type(header: str, what: str) -> tuple[str, dict[str, str]]:
    """Parse ``type/subtype; name=value; ...`` into a lower-case media type and its parameters.

    Parameter names are lower-cased (they are case-insensitive); values keep their case, with quotes
    and backslash escapes removed, because a boundary is case-sensitive.
    """
    match = _MEDIA_RANGE.match(header)
    if match is None:
        raise BadRequest(f"{what} {header!r} is not a media type such as 'application/json'")
    media_type = f"{match[1]}/{match[2]}".lower()
    params: dict[str, str] = {}
    position = match.end()
    while not _EMPTY_PARAMETERS.fullmatch(header, position):
        param = _PARAMETER.match(header, position)
        if param is None:
            raise BadRequest(f"{what} {header!r} has malformed parameters after {header[:position]!r}")
        quoted = param[2]
        params[param[1].lower()] = re.sub(r"\\(.)", r"\1", quoted) if quoted is not None else param[3]
        position = param.end()
    return media_type, params


def _parse_parts(body: bytes, boundary: str) -> list[_Part]:
    """Find the body parts between the boundary delimiter lines; the preamble and epilogue are ignored.

    RFC 2046 delimiters are CRLF-based; bare LF line endings are tolerated too, as some clients send them.
    """
    raw_parts = _split_body(body, boundary)
    if not raw_parts:
        raise BadRequest("the multipart body has no parts: the first part must hold the statements")
    return [_parse_part(raw, number) for number, raw in enumerate(raw_parts, start=1)]


def _split_body(body: bytes, boundary: str) -> list[bytes]:
    parts: list[bytes] = []
    start: int | None = None
    for line_start, line_end, closing in _delimiter_lines(body, f"--{boundary}".encode("ascii")):
        if start is not None:
            parts.append(_without_line_end(body[start:line_start]))
        if closing:
            return parts
        start = line_end
    if start is None:
        raise BadRequest(f"the multipart body has no boundary line '--{boundary}' (it must precede every part)")
    raise BadRequest(f"the multipart body has no closing boundary line '--{boundary}--' after its last part")


def _delimiter_lines(body: bytes, dash_boundary: bytes) -> Iterator[tuple[int, int, bool]]:
    """Yield (start, end, is closing) for each line that is ``--boundary`` or ``--boundary--``.

    Such a line may carry trailing blanks (RFC 2046 "transport padding"); a line that merely starts with
    the boundary is content. ``bytes.find`` keeps this fast on multi-megabyte attachments.
    """
    position = body.find(dash_boundary)
    while position != -1:
        if position == 0 or body[position - 1] == _LF:
            tail = _DELIMITER_TAIL.match(body, position + len(dash_boundary))
            if tail is not None:
                yield position, tail.end(), tail["close"] is not None
        position = body.find(dash_boundary, position + 1)


def _without_line_end(raw: bytes) -> bytes:
    """The line break before a delimiter belongs to the delimiter, not to the part (RFC 2046 5.1.1)."""
    if raw.endswith(b"\r\n"):
        return raw[:-2]
    if raw.endswith(b"\n"):
        return raw[:-1]
    return raw


def _parse_part(raw: bytes, number: int) -> _Part:
    label = f"multipart part {number}"
    header_lines, body = _header_block(raw, label)
    headers: dict[str, str] = {}
    last_name: str | None = None
    for line in header_lines:
        if line[:1] in (b" ", b"\t") and last_name is not None:
            headers[last_name] += " " + _header_text(line, label).strip()
            continue
        name, value = _header_field(line, label)
        if name in headers:
            raise BadRequest(f"{label}: the header {name!r} appears twice")
        headers[name] = value
        last_name = name
    return _Part(number=number, headers=headers, body=body)


def _header_block(raw: bytes, label: str) -> tuple[list[bytes], bytes]:
    """Split a part at its first empty line; a part whose headers never end is malformed."""
    for blank in (b"\r\n", b"\n"):
        if raw.startswith(blank):
            return [], raw[len(blank) :]
    end = _BLANK_LINE.search(raw)
    if end is None:
        raise BadRequest(f"{label}: the headers must be followed by an empty line before the content")
    lines = [line.removesuffix(b"\r") for line in raw[: end.start()].split(b"\n")]
    return lines, raw[end.end() :]


def _header_field(line: bytes, label: str) -> tuple[str, str]:
    name, colon, value = line.partition(b":")
    name = name.rstrip(b" \t")
    if not colon or not _HEADER_NAME.fullmatch(name):
        raise BadRequest(f"{label}: {_header_text(line, label)[:60]!r} is not a 'Name: value' header line")
    return name.decode("ascii").lower(), _header_text(value, label).strip()


def _header_text(raw: bytes, label: str) -> str:
    try:
        return raw.decode("ascii")
    except UnicodeDecodeError:
        raise BadRequest(f"{label}: header lines must be US-ASCII (RFC 2045)") from None


def _statements_json(part: _Part) -> Any:
    """The first part holds all the statements, as UTF-8 application/json."""
    content_type = part.headers.get("content-type")
    if content_type is None:
        raise BadRequest(f"{part.label}: the first part must have 'Content-Type: application/json' (the statements)")
    media_type, params = parse_media_type(content_type, f"{part.label}: Content-Type")
    if media_type != "application/json":
        raise BadRequest(f"{part.label}: the first part must hold the statements as application/json, not {media_type}")
    charset = params.get("charset", "utf-8").lower()
    if charset not in ("utf-8", "utf8"):
        raise BadRequest(f"{part.label}: statements must be UTF-8 (xAPI Communication 1.4), not charset={charset}")
    encoding = part.headers.get("content-transfer-encoding", "binary").lower()
    if encoding not in _IDENTITY_ENCODINGS:
        raise BadRequest(f"{part.label}: the statements part must not be transfer-encoded ({encoding})")
    return load_json(part.body, f"{part.label} (the statements)")


def _attachment(part: _Part) -> Attachment:
    """Every part after the first is raw attachment data, binary, labelled with the SHA-2 of its content."""
    declared = part.headers.get("x-experience-api-hash")
    content_type = part.headers.get("content-type")
    media_type = parse_media_type(content_type, f"{part.label}: Content-Type")[0] if content_type else None
    if declared is None and media_type == "application/json":
        raise BadRequest(
            f"{part.label}: all statements must be in the first part; a later application/json part is only "
            f"allowed as an attachment, with an {HASH_HEADER} header"
        )
    encoding = part.headers.get("content-transfer-encoding")
    if encoding is None or encoding.lower() != "binary":
        got = "none" if encoding is None else repr(encoding)
        raise BadRequest(f"{part.label}: attachment parts must have 'Content-Transfer-Encoding: binary', got {got}")
    if declared is None:
        raise BadRequest(f"{part.label}: attachment parts must have an {HASH_HEADER} header (the SHA-2 of the content)")
    sha2 = _verified_sha2(declared, part)
    return Attachment(sha2=sha2, content_type=content_type or _OCTET_STREAM, content=part.body)


def _verified_sha2(declared: str, part: _Part) -> str:
    sha2 = declared.lower()
    algorithm = _SHA2_BY_HEX_LENGTH.get(len(sha2))
    if algorithm is None or not _HEX.fullmatch(sha2):
        raise BadRequest(
            f"{part.label}: {HASH_HEADER} {declared[:140]!r} is not a hex SHA-2 digest "
            "(SHA-224, SHA-256, SHA-384 or SHA-512)"
        )
    actual = str(algorithm(part.body).hexdigest())
    if actual != sha2:
        raise BadRequest(
            f"{part.label}: {HASH_HEADER} {declared} does not match the content, whose SHA-2 is {actual}; "
            "the header must be the hash of the raw bytes between the part's empty line and the next boundary"
        )
    return sha2


# ---------------------------------------------------------------------------
# Matching parts to attachment objects
# ---------------------------------------------------------------------------


def check_attachments(statements: Sequence[Mapping[str, Any]], parts: Mapping[str, Attachment]) -> None:
    """Check that attachment objects and received parts match one to one by SHA-2 (Communication 1.5.2).

    Every attachment object without a ``fileUrl`` needs a part (sub-statement attachments included: the LRS
    must be able to hand the data on), and every part must be some attachment's data (a part with a
    ``fileUrl`` attachment is fine). For an application/json request pass ``parts={}``: then attachments
    must all have a fileUrl. ``statements`` must already be valid statements.

    :raises BadRequest: naming the first attachment without data, or the first part nobody refers to.
    """
    referenced: set[str] = set()
    for path, attachment in _attachment_objects(statements):
        sha2 = str(attachment.get("sha2", "")).lower()
        referenced.add(sha2)
        if "fileUrl" not in attachment and sha2 not in parts:
            raise BadRequest(_missing_data_message(path, sha2, multipart=bool(parts)))
    for sha2 in parts:
        if sha2 not in referenced:
            raise BadRequest(
                f"the multipart part with {HASH_HEADER} {sha2} is not the data of any attachment: every part "
                "after the first must match the sha2 of an attachment in the statements"
            )


def _missing_data_message(path: str, sha2: str, *, multipart: bool) -> str:
    if multipart:
        return f"{path}: has no fileUrl and no multipart part carries its data ({HASH_HEADER}: {sha2})"
    return (
        f"{path}: has no fileUrl, so its data must be sent: use multipart/mixed with a part whose "
        f"{HASH_HEADER} is {sha2}, or give the attachment a fileUrl"
    )


def _attachment_objects(statements: Sequence[Mapping[str, Any]]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Yield (JSON path, attachment object) for the statements and their sub-statements."""
    for index, statement in enumerate(statements):
        path = "statement" if len(statements) == 1 else f"statement[{index}]"
        yield from _own_attachments(statement, path)
        obj = statement.get("object")
        if isinstance(obj, Mapping) and obj.get("objectType") == "SubStatement":
            yield from _own_attachments(obj, f"{path}.object")


def _own_attachments(statement: Mapping[str, Any], path: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
    attachments = statement.get("attachments")
    if not isinstance(attachments, list):
        return
    for index, attachment in enumerate(attachments):
        if isinstance(attachment, Mapping):
            yield f"{path}.attachments[{index}]", attachment


# ---------------------------------------------------------------------------
# Responses
# ---------------------------------------------------------------------------


def build_multipart_response(statement_result_json: str, attachments: Sequence[Attachment]) -> tuple[bytes, str]:
    """Build a GET ``attachments=true`` response: the JSON first, then each attachment's data once.

    ``statement_result_json`` is the body the request would get without attachments: the StatementResult,
    or the statement itself for a statementId/voidedStatementId request. Returns (body, Content-Type
    header). The boundary is random and checked against the content, so no payload can end a part early;
    it is plain hex, so clients that parse the header naively still cope.
    """
    unique = list({attachment.sha2: attachment for attachment in attachments}.values())
    payloads = [statement_result_json.encode("utf-8"), *(attachment.content for attachment in unique)]
    boundary = _fresh_boundary(payloads)
    chunks = [_response_part(boundary, {"Content-Type": "application/json"}, payloads[0])]
    for attachment in unique:
        headers = {
            "Content-Type": _header_safe(attachment.content_type),
            "Content-Transfer-Encoding": "binary",
            HASH_HEADER: attachment.sha2,
        }
        chunks.append(_response_part(boundary, headers, attachment.content))
    chunks.append(f"--{boundary}--\r\n".encode("ascii"))
    return b"".join(chunks), f"multipart/mixed; boundary={boundary}"


def _header_safe(content_type: str) -> str:
    """A stored content type that cannot be a header value (non-ASCII, line breaks) is served as octets."""
    if content_type.isascii() and content_type.isprintable() and content_type.strip():
        return content_type
    return _OCTET_STREAM


def _fresh_boundary(payloads: Sequence[bytes]) -> str:
    while True:
        boundary = secrets.token_hex(16)
        marker = f"--{boundary}".encode("ascii")
        if not any(marker in payload for payload in payloads):
            return boundary


def _response_part(boundary: str, headers: Mapping[str, str], content: bytes) -> bytes:
    head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    return f"--{boundary}\r\n{head}\r\n".encode("ascii") + content + b"\r\n"
