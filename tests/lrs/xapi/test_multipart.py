"""multipart/mixed statement requests and responses (xAPI Communication 1.5.2, Data 2.4.11).

Request bodies are built byte for byte the way ADL's conformance suite builds them
(test/v1_0_3/H.Communication1.5-ContentTypes.js, H.Communication2.1-StatementResource.js and
test/v2_0/4.1.3-Content-Types.js): CRLF line endings, 'Name: value' headers, JSON.stringify'd statements and
the suite's attachment files inline. Tests carry the suite's XAPI requirement ids where it gives one.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import json
import re
from collections.abc import Sequence
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lrs.xapi.errors import BadRequest
from lrs.xapi.multipart import (
    Attachment,
    build_multipart_response,
    check_attachments,
    multipart_boundary,
    parse_media_type,
    parse_multipart_statements,
)
from lrs.xapi.statement import validate_statements

# --- The suite's fixtures ----------------------------------------------------------------------------

BOUNDARY = "-------314159265358979323846"
HEADER = f"multipart/mixed; boundary={BOUNDARY}"
CRLF = "\r\n"
# test/v1_0_3/templates/attachments/simple_text{1,2,3}.txt
TEXT1 = b"here is a simple attachment"
TEXT2 = b"here is another simple attachment"
TEXT3 = b"here is a third attachment"
TEXT1_SHA = "495395e777cd98da653df9615d09c0fd6bb2f8d4788394cd53c56a3bfdcd848a"
TEXT2_SHA = hashlib.sha256(TEXT2).hexdigest()
TEXT3_SHA = hashlib.sha256(TEXT3).hexdigest()

# test/v1_0_3/templates/statements/attachment.json
ATTACHMENT_TEMPLATE: dict[str, Any] = {
    "actor": {"objectType": "Agent", "name": "xAPI account", "mbox": "mailto:xapi@adlnet.gov"},
    "verb": {"id": "http://adlnet.gov/expapi/verbs/attended", "display": {"en-GB": "attended", "en-US": "attended"}},
    "object": {"objectType": "Activity", "id": "http://www.example.com/meetings/occurances/34534"},
    "attachments": [],
}


def text_attachment(content: bytes, **extra: Any) -> dict[str, Any]:
    """The attachment object the suite's tests put in the statement for one of its text files."""
    return {
        "usageType": "http://example.com/attachment-usage/test",
        "display": {"en-US": "A test attachment"},
        "description": {"en-US": "A test attachment (description)"},
        "contentType": "text/plain",
        "length": len(content),
        "sha2": hashlib.sha256(content).hexdigest(),
        **extra,
    }


def statement_with(*attachments: dict[str, Any]) -> dict[str, Any]:
    data = copy.deepcopy(ATTACHMENT_TEMPLATE)
    data["attachments"] = list(attachments)
    return data


def stringify(value: Any) -> str:
    """JavaScript's JSON.stringify: no whitespace, non-ASCII left as it is."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def json_part(data: Any, content_type: str = "application/json") -> str:
    """`msg += dashes + boundary + crlf; msg += 'Content-Type: application/json' + crlf + crlf; ...`"""
    return f"--{BOUNDARY}{CRLF}Content-Type: {content_type}{CRLF}{CRLF}{stringify(data)}{CRLF}"


def text_part(content: bytes, sha2: str | None = None, encoding: str | None = "binary") -> str:
    head = f"--{BOUNDARY}{CRLF}Content-Type: text/plain{CRLF}"
    if encoding is not None:
        head += f"Content-Transfer-Encoding: {encoding}{CRLF}"
    if sha2 is not None:
        head += f"X-Experience-API-Hash: {sha2}{CRLF}"
    return f"{head}{CRLF}{content.decode()}{CRLF}"


CLOSE = f"--{BOUNDARY}--{CRLF}"
SHA1_OF_NOTHING = "da39a3ee5e6b4b0d3255bfef95601890afd80709"  # SHA-1 is not SHA-2


def receive(body: str | bytes, header: str = HEADER) -> tuple[list[dict[str, Any]], dict[str, Attachment]]:
    """What POST /statements does with a multipart body: parse, validate, match parts to attachments."""
    raw, parts = parse_multipart_statements(body.encode() if isinstance(body, str) else body, header)
    statements = validate_statements(raw)
    check_attachments(statements, parts)
    return statements, parts


def rejected(body: str | bytes, header: str = HEADER) -> str:
    with pytest.raises(BadRequest) as info:
        receive(body, header)
    return info.value.message


# --- The spec's own example (Communication 1.5.2) ------------------------------------------------------

SPEC_BOUNDARY = "abcABC0123'()+_,-./:=?"
SPEC_STATEMENT = """{
    "actor": {
        "mbox": "mailto:sample.agent@example.com",
        "name": "Sample Agent",
        "objectType": "Agent"
    },
    "verb": {
        "id": "http://adlnet.gov/expapi/verbs/answered",
        "display": {
            "en-US": "answered"
        }
    },
    "object": {
        "id": "http://www.example.com/tincan/activities/multipart",
        "objectType": "Activity",
        "definition": {
            "name": {
                "en-US": "Multi Part Activity"
            },
            "description": {
                "en-US": "Multi Part Activity Description"
            }
        }
    },
    "attachments": [
        {
            "usageType": "http://example.com/attachment-usage/test",
            "display": { "en-US": "A test attachment" },
            "description": { "en-US": "A test attachment (description)" },
            "contentType": "text/plain; charset=ascii",
            "length": 27,
            "sha2": "495395e777cd98da653df9615d09c0fd6bb2f8d4788394cd53c56a3bfdcd848a"
        }
    ]
}"""
SPEC_BODY = f"""
--{SPEC_BOUNDARY}
Content-Type:application/json

{SPEC_STATEMENT}
--{SPEC_BOUNDARY}
Content-Type:text/plain
Content-Transfer-Encoding:binary
X-Experience-API-Hash:495395e777cd98da653df9615d09c0fd6bb2f8d4788394cd53c56a3bfdcd848a

here is a simple attachment
--{SPEC_BOUNDARY}--
"""
SPEC_HEADER = f'multipart/mixed; boundary="{SPEC_BOUNDARY}"'


@pytest.mark.parametrize("newline", ["\r\n", "\n"], ids=["crlf", "lf"])
def test_spec_example_request_is_accepted(newline: str) -> None:
    statements, parts = receive(SPEC_BODY.replace("\n", newline), SPEC_HEADER)
    assert statements[0]["verb"]["id"] == "http://adlnet.gov/expapi/verbs/answered"
    assert parts == {TEXT1_SHA: Attachment(TEXT1_SHA, "text/plain", TEXT1)}


# --- XAPI-00127: application/json or multipart/mixed ---------------------------------------------------


def test_xapi_00127_raw_data_as_multipart_mixed_is_accepted() -> None:
    # The suite sends its JPEG as a hex string (fs.readFileSync(..., 'hex')) hashed as such, while "length" is
    # the size of the file: so the LRS must match by hash and must not check length against the part.
    picture = bytes(range(256)) * 4
    picture_hex = picture.hex().encode()
    data = statement_with(
        {**text_attachment(picture_hex), "contentType": "image/jpeg", "length": len(picture)},
    )
    body = (
        json_part(data)
        + f"--{BOUNDARY}{CRLF}Content-Type: image/jpeg{CRLF}Content-Transfer-Encoding: binary{CRLF}"
        + f"X-Experience-API-Hash: {data['attachments'][0]['sha2']}{CRLF}{CRLF}"
        + picture_hex.decode()
        + CRLF
        + CLOSE
    )
    _, parts = receive(body)
    assert [part.content for part in parts.values()] == [picture_hex]
    assert next(iter(parts.values())).content_type == "image/jpeg"


def test_xapi_00127_file_url_attachments_need_no_parts_in_application_json() -> None:
    data = statement_with(text_attachment(TEXT1, fileUrl="http://over.there.com/file.txt"))
    check_attachments(validate_statements(data), {})


@pytest.mark.parametrize("media_type", ["multipart/form-data", "application/json", "text/plain"])
def test_xapi_00127_only_multipart_mixed_is_parsed_as_multipart(media_type: str) -> None:
    data = statement_with(text_attachment(TEXT1))
    body = json_part(data) + text_part(TEXT1, TEXT1_SHA) + CLOSE
    message = rejected(body, f"{media_type}; boundary={BOUNDARY}")
    assert "multipart/mixed" in message
    assert media_type in message


# --- XAPI-00128: no parts that are not attachments ------------------------------------------------------


def test_xapi_00128_excess_multipart_sections_are_rejected() -> None:
    data = statement_with(text_attachment(TEXT1), text_attachment(TEXT2))
    body = (
        json_part(data)
        + text_part(TEXT1, TEXT1_SHA)
        + text_part(TEXT2, TEXT2_SHA)
        + text_part(TEXT3, TEXT3_SHA)
        + CLOSE
    )
    message = rejected(body)
    assert TEXT3_SHA in message
    assert "not the data of any attachment" in message


# --- XAPI-00129: every attachment without fileUrl has its data -----------------------------------------


def test_xapi_00129_missing_part_for_an_attachment_is_rejected() -> None:
    data = statement_with(text_attachment(TEXT1), text_attachment(TEXT2))
    body = json_part(data) + text_part(TEXT1, TEXT1_SHA) + CLOSE
    message = rejected(body)
    assert message.startswith("statement.attachments[1]: has no fileUrl")
    assert TEXT2_SHA in message


def test_xapi_00129_application_json_with_attachment_lacking_file_url_is_rejected() -> None:
    statements = validate_statements(
        [
            statement_with(text_attachment(TEXT1, fileUrl="http://over.there.com/1.txt")),
            statement_with(text_attachment(TEXT2)),
        ]
    )
    with pytest.raises(BadRequest, match=r"^statement\[1\]\.attachments\[0\]: has no fileUrl.*multipart/mixed"):
        check_attachments(statements, {})


def test_a_part_for_a_file_url_attachment_is_kept_and_not_excess() -> None:
    # v2_0/4.1.6.1-Statement-Resource.js posts a fileUrl attachment together with its data, then expects it
    # back from GET ?attachments=true.
    data = statement_with(text_attachment(TEXT1, fileUrl="http://over.there.com/file.txt"))
    _, parts = receive(json_part(data) + text_part(TEXT1, TEXT1_SHA) + CLOSE)
    assert set(parts) == {TEXT1_SHA}


@pytest.mark.parametrize(
    "data",
    [statement_with(text_attachment(TEXT1, fileUrl="http://over.there.com/file.txt")), ATTACHMENT_TEMPLATE],
    ids=["file-url-only", "no-attachments"],
)
def test_multipart_without_attachment_parts_is_accepted(data: dict[str, Any]) -> None:
    # v2_0/4.1.3-Content-Types.js: a multipart/mixed body with only the statements part.
    statements, parts = receive(json_part(data) + CLOSE)
    assert parts == {}
    assert statements[0]["object"]["id"] == ATTACHMENT_TEMPLATE["object"]["id"]


def test_sub_statement_attachments_need_their_data_too() -> None:
    sub = {
        "objectType": "SubStatement",
        "actor": {"mbox": "mailto:sub@example.com"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/attended"},
        "object": {"id": "http://example.com/a"},
        "attachments": [text_attachment(TEXT2)],
    }
    data = {**statement_with(text_attachment(TEXT1)), "object": sub}
    message = rejected(json_part(data) + text_part(TEXT1, TEXT1_SHA) + CLOSE)
    assert message.startswith("statement.object.attachments[0]: has no fileUrl")
    _, parts = receive(json_part(data) + text_part(TEXT1, TEXT1_SHA) + text_part(TEXT2, TEXT2_SHA) + CLOSE)
    assert set(parts) == {TEXT1_SHA, TEXT2_SHA}


def test_attachment_sha2_matches_parts_case_insensitively() -> None:
    data = statement_with(text_attachment(TEXT1, sha2=TEXT1_SHA.upper()))
    _, parts = receive(json_part(data) + text_part(TEXT1, TEXT1_SHA.upper()) + CLOSE)
    assert set(parts) == {TEXT1_SHA}


def test_one_part_may_serve_attachments_of_several_statements_and_duplicates_are_kept_once() -> None:
    batch = [statement_with(text_attachment(TEXT1)), statement_with(text_attachment(TEXT1))]
    body = json_part(batch) + text_part(TEXT1, TEXT1_SHA) + text_part(TEXT1, TEXT1_SHA) + CLOSE
    statements, parts = receive(body)
    assert len(statements) == 2
    assert list(parts) == [TEXT1_SHA]


# --- XAPI-00130 / XAPI-00131: boundaries ---------------------------------------------------------------


def test_xapi_00131_boundary_missing_from_the_header_is_rejected() -> None:
    data = statement_with(text_attachment(TEXT1))
    body = json_part(data) + text_part(TEXT1, TEXT1_SHA) + CLOSE
    assert "no boundary parameter" in rejected(body, "multipart/mixed;")


def test_xapi_00131_boundary_missing_before_the_first_part_is_rejected() -> None:
    # The suite's body starts straight with the statements' headers: per RFC 2046 that is preamble, so the
    # first part is the text attachment, which is not the statements.
    data = statement_with(text_attachment(TEXT1))
    body = f"Content-Type: application/json{CRLF}{CRLF}{stringify(data)}{CRLF}" + text_part(TEXT1, TEXT1_SHA) + CLOSE
    assert "must hold the statements as application/json, not text/plain" in rejected(body)


def test_xapi_00130_boundary_missing_before_a_later_part_is_rejected() -> None:
    data = statement_with(text_attachment(TEXT1))
    attachment_without_boundary = text_part(TEXT1, TEXT1_SHA).removeprefix(f"--{BOUNDARY}{CRLF}")
    body = json_part(data) + attachment_without_boundary + CLOSE
    assert "is not valid JSON" in rejected(body)


def test_body_without_any_boundary_line_is_rejected() -> None:
    assert "no boundary line" in rejected(stringify(ATTACHMENT_TEMPLATE))


@pytest.mark.parametrize("ending", ["", f"--{BOUNDARY}", f"--{BOUNDARY}-", f"--{BOUNDARY}--garbage{CRLF}"])
def test_missing_closing_boundary_is_rejected(ending: str) -> None:
    body = json_part(ATTACHMENT_TEMPLATE) + ending
    assert "no closing boundary" in rejected(body)


def test_body_that_closes_before_any_part_is_rejected() -> None:
    assert "has no parts" in rejected(CLOSE)


@pytest.mark.parametrize(
    ("header", "boundary"),
    [
        (HEADER, BOUNDARY),
        (f'Multipart/Mixed; BOUNDARY="{BOUNDARY}"', BOUNDARY),
        (f'multipart/mixed;boundary="{BOUNDARY}"; charset=utf-8', BOUNDARY),
        (f"multipart/mixed ; boundary = {BOUNDARY} ;", BOUNDARY),
        (SPEC_HEADER, SPEC_BOUNDARY),
        ('multipart/mixed; boundary="with space"', "with space"),
        ('multipart/mixed; boundary="escaped\\.dot"', "escaped.dot"),
    ],
)
def test_boundary_parameter_forms(header: str, boundary: str) -> None:
    assert multipart_boundary(header) == boundary


@pytest.mark.parametrize(
    "header",
    [
        "multipart/mixed; boundary=",
        f"multipart/mixed; boundary={'x' * 71}",
        'multipart/mixed; boundary="ends with space "',
        'multipart/mixed; boundary="a\\"b"',
        "multipart/mixed; boundary=a b",
        'multipart/mixed; boundary="unterminated',
        "multipart/mixed boundary=abc",
        "multipart; boundary=abc",
        "",
    ],
)
def test_invalid_boundary_or_content_type_is_rejected(header: str) -> None:
    with pytest.raises(BadRequest):
        multipart_boundary(header)


def test_media_type_parameters_are_unquoted_and_names_lower_cased() -> None:
    assert parse_media_type('Text/Plain; Charset="us\\-ascii"; x=1', "it") == (
        "text/plain",
        {"charset": "us-ascii", "x": "1"},
    )


def test_preamble_epilogue_and_transport_padding_are_ignored() -> None:
    body = (
        f"This is the preamble.{CRLF}"
        + json_part(ATTACHMENT_TEMPLATE).replace(f"--{BOUNDARY}{CRLF}", f"--{BOUNDARY} \t{CRLF}", 1)
        + f"--{BOUNDARY}-- {CRLF}This is the epilogue.{CRLF}--{BOUNDARY}{CRLF}ignored"
    )
    statements, parts = receive(body)
    assert statements[0]["actor"]["mbox"] == "mailto:xapi@adlnet.gov"
    assert parts == {}


# --- XAPI-00133 / XAPI-00134: the statements part -----------------------------------------------------


def test_xapi_00134_first_part_not_application_json_is_rejected() -> None:
    data = statement_with(text_attachment(TEXT1))
    body = json_part(data, "text/plain") + text_part(TEXT1, TEXT1_SHA) + CLOSE
    assert (
        rejected(body)
        == "multipart part 1: the first part must hold the statements as application/json, not text/plain"
    )


def test_xapi_00134_first_part_without_content_type_is_rejected() -> None:
    body = f"--{BOUNDARY}{CRLF}{CRLF}{stringify(ATTACHMENT_TEMPLATE)}{CRLF}{CLOSE}"
    assert "must have 'Content-Type: application/json'" in rejected(body)


def test_xapi_00133_statements_split_over_two_parts_are_rejected() -> None:
    data = statement_with(text_attachment(TEXT1))
    body = json_part(data) + json_part(data) + text_part(TEXT1, TEXT1_SHA) + CLOSE
    message = rejected(body)
    assert message.startswith("multipart part 2: all statements must be in the first part")


def test_json_attachment_with_hash_header_is_an_attachment_not_statements() -> None:
    content = b'{"certificate": true}'
    sha2 = hashlib.sha256(content).hexdigest()
    data = statement_with({**text_attachment(content), "contentType": "application/json"})
    part = (
        f"--{BOUNDARY}{CRLF}Content-Type: application/json{CRLF}Content-Transfer-Encoding: binary{CRLF}"
        f"X-Experience-API-Hash: {sha2}{CRLF}{CRLF}{content.decode()}{CRLF}"
    )
    _, parts = receive(json_part(data) + part + CLOSE)
    assert parts[sha2].content == content


@pytest.mark.parametrize(
    ("part", "message"),
    [
        (json_part(ATTACHMENT_TEMPLATE, "application/json; charset=iso-8859-1"), "must be UTF-8"),
        (json_part(ATTACHMENT_TEMPLATE, "application/json; charset=UTF-8"), None),
        (f"--{BOUNDARY}{CRLF}Content-Type: application/json{CRLF}{CRLF}{{not json{CRLF}", "is not valid JSON"),
        (f"--{BOUNDARY}{CRLF}Content-Type: application/json{CRLF}{CRLF}[NaN]{CRLF}", "is not valid JSON"),
        (f"--{BOUNDARY}{CRLF}Content-Type: application/json{CRLF}{CRLF}{'[' * 65}{']' * 65}{CRLF}", "deeper than 64"),
        (
            f"--{BOUNDARY}{CRLF}Content-Type: application/json{CRLF}"
            f"Content-Transfer-Encoding: base64{CRLF}{CRLF}e30={CRLF}",
            "must not be transfer-encoded",
        ),
    ],
    ids=["latin-1", "utf-8-upper", "broken-json", "nan", "too-deep", "base64"],
)
def test_statements_part_must_be_plain_utf8_json(part: str, message: str | None) -> None:
    header_body = part + CLOSE
    if message is None:
        assert parse_multipart_statements(header_body.encode(), HEADER)[0] == ATTACHMENT_TEMPLATE
    else:
        with pytest.raises(BadRequest, match=re.escape(message)):
            parse_multipart_statements(header_body.encode(), HEADER)


def test_statements_part_that_is_not_utf8_is_rejected() -> None:
    body = f"--{BOUNDARY}{CRLF}Content-Type: application/json{CRLF}{CRLF}".encode() + b'"\xff"' + CRLF.encode()
    with pytest.raises(BadRequest, match="is not UTF-8 text"):
        parse_multipart_statements(body + CLOSE.encode(), HEADER)


def test_statements_part_keeps_non_ascii_text() -> None:
    data = {**ATTACHMENT_TEMPLATE, "verb": {"id": "http://example.com/v", "display": {"fr": "assisté ✓"}}}
    raw, _ = parse_multipart_statements((json_part(data) + CLOSE).encode(), HEADER)
    assert raw["verb"]["display"]["fr"] == "assisté ✓"


# --- XAPI-00132 / XAPI-00135: attachment part headers -------------------------------------------------


def test_xapi_00132_attachment_without_hash_header_is_rejected() -> None:
    data = statement_with(text_attachment(TEXT1))
    body = json_part(data) + text_part(TEXT1, sha2=None) + CLOSE
    assert rejected(body) == (
        "multipart part 2: attachment parts must have an X-Experience-API-Hash header (the SHA-2 of the content)"
    )


def test_xapi_00132_hash_header_must_match_sha2() -> None:
    data = statement_with(text_attachment(TEXT1))
    wrong = "b018994f8bbe0f08992a65c48c8c8c56f09e9baceaa6227ed85c90ae52b73c89"
    message = rejected(json_part(data) + text_part(TEXT1, wrong) + CLOSE)
    assert message.startswith(f"multipart part 2: X-Experience-API-Hash {wrong} does not match the content")
    assert TEXT1_SHA in message


@pytest.mark.parametrize("algorithm", ["sha224", "sha256", "sha384", "sha512"])
def test_xapi_00132_hash_header_is_checked_with_the_sha2_its_length_names(algorithm: str) -> None:
    sha2 = hashlib.new(algorithm, TEXT1).hexdigest()
    data = statement_with(text_attachment(TEXT1, sha2=sha2))
    _, parts = receive(json_part(data) + text_part(TEXT1, sha2) + CLOSE)
    assert parts[sha2].content == TEXT1
    other = hashlib.new(algorithm, TEXT2).hexdigest()
    assert "does not match the content" in rejected(json_part(data) + text_part(TEXT1, other) + CLOSE)


@pytest.mark.parametrize("value", ["", "abc", "z" * 64, TEXT1_SHA + "0", SHA1_OF_NOTHING])
def test_xapi_00132_hash_header_that_is_no_sha2_is_rejected(value: str) -> None:
    data = statement_with(text_attachment(TEXT1))
    assert "is not a hex SHA-2 digest" in rejected(json_part(data) + text_part(TEXT1, value) + CLOSE)


@pytest.mark.parametrize("encoding", ["base64", "quoted-printable", "8bit", None])
def test_xapi_00135_content_transfer_encoding_must_be_binary(encoding: str | None) -> None:
    data = statement_with(text_attachment(TEXT1))
    message = rejected(json_part(data) + text_part(TEXT1, TEXT1_SHA, encoding=encoding) + CLOSE)
    assert "must have 'Content-Transfer-Encoding: binary'" in message


def test_xapi_00135_binary_is_case_insensitive() -> None:
    data = statement_with(text_attachment(TEXT1))
    _, parts = receive(json_part(data) + text_part(TEXT1, TEXT1_SHA, encoding="BINARY") + CLOSE)
    assert set(parts) == {TEXT1_SHA}


def test_attachment_part_without_content_type_is_octet_stream() -> None:
    data = statement_with(text_attachment(TEXT1))
    part = f"--{BOUNDARY}{CRLF}content-transfer-encoding: binary{CRLF}x-experience-api-hash: {TEXT1_SHA}{CRLF}{CRLF}"
    _, parts = receive(json_part(data) + part + TEXT1.decode() + CRLF + CLOSE)
    assert parts[TEXT1_SHA].content_type == "application/octet-stream"


def test_header_names_are_case_insensitive_and_folded_lines_are_joined() -> None:
    data = statement_with(text_attachment(TEXT1))
    part = (
        f"--{BOUNDARY}{CRLF}CONTENT-TYPE: text/plain;{CRLF}\tcharset=ascii{CRLF}"
        f"content-transfer-encoding:binary{CRLF}X-EXPERIENCE-API-HASH : {TEXT1_SHA}{CRLF}{CRLF}"
    )
    _, parts = receive(json_part(data) + part + TEXT1.decode() + CRLF + CLOSE)
    assert parts[TEXT1_SHA].content_type == "text/plain; charset=ascii"


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        (f"Content-Type text/plain{CRLF}", "is not a 'Name: value' header line"),
        (f": no name{CRLF}", "is not a 'Name: value' header line"),
        (f" folded first{CRLF}", "is not a 'Name: value' header line"),
        (f"Bad Name: x{CRLF}", "is not a 'Name: value' header line"),
        (f"Content-Type: text/plain{CRLF}Content-Type: text/html{CRLF}", "appears twice"),
        (f"Content-Type: not a media type{CRLF}", "is not a media type"),
        ("X-Note: caf\u00e9" + CRLF, "must be US-ASCII"),
    ],
)
def test_malformed_part_headers_are_rejected(headers: str, message: str) -> None:
    data = statement_with(text_attachment(TEXT1))
    part = (
        f"--{BOUNDARY}{CRLF}{headers}Content-Transfer-Encoding: binary{CRLF}"
        f"X-Experience-API-Hash: {TEXT1_SHA}{CRLF}{CRLF}{TEXT1.decode()}{CRLF}"
    )
    assert message in rejected(json_part(data) + part + CLOSE)


def test_part_whose_headers_never_end_is_rejected() -> None:
    body = f"--{BOUNDARY}{CRLF}Content-Type: application/json{CRLF}--{BOUNDARY}--"
    assert "headers must be followed by an empty line" in rejected(body)


# --- Line endings and binary content -------------------------------------------------------------------


def test_bare_lf_line_endings_are_tolerated() -> None:
    data = statement_with(text_attachment(TEXT1), text_attachment(TEXT2))
    body = json_part(data) + text_part(TEXT1, TEXT1_SHA) + text_part(TEXT2, TEXT2_SHA) + CLOSE
    _, parts = receive(body.replace(CRLF, "\n"))
    assert {sha2: part.content for sha2, part in parts.items()} == {TEXT1_SHA: TEXT1, TEXT2_SHA: TEXT2}


def test_binary_content_is_kept_byte_for_byte() -> None:
    content = (
        bytes(range(256)) + b"\r\n\r\n--" + BOUNDARY.encode() + b"x\r\n-- \n" + bytes(range(255, -1, -1)) + b"\r\n"
    )
    sha2 = hashlib.sha512(content).hexdigest()
    data = statement_with({**text_attachment(content), "contentType": "application/octet-stream", "sha2": sha2})
    head = f"--{BOUNDARY}{CRLF}Content-Type: application/octet-stream{CRLF}Content-Transfer-Encoding: binary{CRLF}"
    head += f"X-Experience-API-Hash: {sha2}{CRLF}{CRLF}"
    body = json_part(data).encode() + head.encode() + content + CRLF.encode() + CLOSE.encode()
    _, parts = receive(body)
    assert parts[sha2].content == content


def test_empty_attachment_is_allowed() -> None:
    sha2 = hashlib.sha256(b"").hexdigest()
    data = statement_with(text_attachment(b""))
    _, parts = receive(json_part(data) + text_part(b"", sha2) + CLOSE)
    assert parts[sha2].content == b""


def test_signed_statement_body_built_like_the_suites_sign_statement_helper() -> None:
    # helper.js signStatement: leading CRLF, 'Name:value' without a space, and no CRLF after the close.
    signature = b"eyJhbGciOiJSUzI1NiJ9.e30.c2ln"
    sha2 = hashlib.sha256(signature).hexdigest()
    data = {
        **{k: v for k, v in ATTACHMENT_TEMPLATE.items() if k != "attachments"},
        "attachments": [
            {
                "usageType": "http://adlnet.gov/expapi/attachments/signature",
                "display": {"en-US": "Signed by the Test Suite"},
                "description": {"en-US": "Signed by the Test Suite"},
                "contentType": "application/octet-stream",
                "length": len(signature),
                "sha2": sha2,
            }
        ],
    }
    boundary = "-------------3735928559"
    body = (
        f"\r\n--{boundary}\r\nContent-Type:application/json\r\n\r\n".encode()
        + stringify(data).encode()
        + f"\r\n--{boundary}\r\nContent-Type:application/octet-stream\r\nContent-Transfer-Encoding:binary\r\n".encode()
        + f"X-Experience-API-Hash:{sha2}\r\n\r\n".encode()
        + signature
        + f"\r\n--{boundary}--".encode()
    )
    statements, parts = receive(body, f"multipart/mixed; boundary={boundary}")
    assert parts == {sha2: Attachment(sha2, "application/octet-stream", signature)}
    assert statements[0]["attachments"][0]["sha2"] == sha2


# --- XAPI-00167: GET ?attachments=true -----------------------------------------------------------------


def suite_boundary(content_type: str) -> str:
    """How H.Communication2.1 reads the boundary: split on ';', unquote or take what follows '='."""
    second = content_type.split(";")[1].strip()
    quoted = re.search(r'"([^"]+)"', second)
    return quoted[1] if quoted else second[second.index("=") + 1 :]


def test_xapi_00167_response_is_multipart_with_each_attachment_once() -> None:
    statement = {
        "id": "fd41c918-b88b-4b20-a0a5-a4c32391aaa0",
        **statement_with(text_attachment(TEXT1), text_attachment(TEXT2)),
    }
    attachments = [
        Attachment(TEXT1_SHA, "text/plain", TEXT1),
        Attachment(TEXT2_SHA, "text/plain", TEXT2),
        Attachment(TEXT1_SHA, "text/plain", TEXT1),
    ]
    body, content_type = build_multipart_response(stringify(statement), attachments)
    assert content_type.startswith("multipart/mixed; boundary=")
    boundary = suite_boundary(content_type)
    assert content_type == f"multipart/mixed; boundary={boundary}"  # v2_0 test: .replace(" boundary=", "")
    text = body.decode()
    first = text.split(boundary)[1]
    assert json.loads(first[first.index("{") : first.rindex("}") + 1])["id"] == statement["id"]
    # once in the statement's attachments, once as the part's X-Experience-API-Hash
    assert text.count(TEXT1_SHA) == 2
    assert text.count(TEXT2_SHA) == 2
    assert "here is a simple attachment" in text


def test_response_parts_are_the_wire_format_the_suite_parses() -> None:
    body, content_type = build_multipart_response(
        '{"statements":[],"more":""}', [Attachment(TEXT1_SHA, "text/plain", TEXT1)]
    )
    boundary = suite_boundary(content_type)
    assert (
        body
        == (
            f"--{boundary}\r\nContent-Type: application/json\r\n\r\n"
            '{"statements":[],"more":""}\r\n'
            f"--{boundary}\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: binary\r\n"
            f"X-Experience-API-Hash: {TEXT1_SHA}\r\n\r\n"
            "here is a simple attachment\r\n"
            f"--{boundary}--\r\n"
        ).encode()
    )


def test_response_boundary_is_random() -> None:
    first = build_multipart_response("{}", [])[1]
    second = build_multipart_response("{}", [])[1]
    assert first != second
    assert re.fullmatch(r"multipart/mixed; boundary=[0-9a-f]{32}", first)


def test_response_boundary_never_occurs_in_the_content(monkeypatch: pytest.MonkeyPatch) -> None:
    candidates = iter(["0" * 32, "1" * 32])
    monkeypatch.setattr("lrs.xapi.multipart.secrets.token_hex", lambda _n: next(candidates))
    content = b"data --" + b"0" * 32 + b" more"
    body, content_type = build_multipart_response(
        "{}", [Attachment(hashlib.sha256(content).hexdigest(), "a/b", content)]
    )
    assert content_type.endswith("1" * 32)
    assert body.count(b"--" + b"1" * 32) == 3


def test_response_content_type_that_cannot_be_a_header_falls_back_to_octet_stream() -> None:
    body, _ = build_multipart_response("{}", [Attachment(TEXT1_SHA, "text/plain\r\nX-Injected: 1", TEXT1)])
    assert b"X-Injected" not in body
    assert b"Content-Type: application/octet-stream\r\n" in body


def test_response_unicode_json_is_utf8() -> None:
    body, content_type = build_multipart_response('{"name":"Zoë"}', [])
    raw, parts = parse_multipart_statements(body, content_type)
    assert raw == {"name": "Zoë"}
    assert parts == {}


# --- Properties ---------------------------------------------------------------------------------------

ATTACHMENTS = st.lists(
    st.builds(
        lambda content, media: Attachment(hashlib.sha256(content).hexdigest(), media, content),
        st.binary(max_size=300),
        st.sampled_from(["text/plain", "image/png", "application/octet-stream", "text/plain; charset=utf-8"]),
    ),
    max_size=4,
)


@given(attachments=ATTACHMENTS)
def test_a_response_parses_back_into_the_same_attachments(attachments: list[Attachment]) -> None:
    body, content_type = build_multipart_response('{"statements":[]}', attachments)
    raw, parts = parse_multipart_statements(body, content_type)
    assert raw == {"statements": []}
    assert parts == {attachment.sha2: attachment for attachment in attachments}


@given(
    body=st.binary(max_size=2000),
    header=st.sampled_from([HEADER, SPEC_HEADER, "multipart/mixed; boundary=a"]) | st.text(),
)
def test_random_bytes_never_raise_anything_but_bad_request(body: bytes, header: str) -> None:
    with contextlib.suppress(BadRequest):
        parse_multipart_statements(body, header)


VALID_BODY = (
    json_part(statement_with(text_attachment(TEXT1), text_attachment(TEXT2)))
    + text_part(TEXT1, TEXT1_SHA)
    + text_part(TEXT2, TEXT2_SHA)
    + CLOSE
).encode()


def sha2_of(content: bytes, hex_length: int) -> str:
    names = {56: "sha224", 64: "sha256", 96: "sha384", 128: "sha512"}
    return hashlib.new(names[hex_length], content).hexdigest()


def mutate(body: bytes, edits: Sequence[tuple[int, int, bytes]]) -> bytes:
    for position, length, replacement in edits:
        start = position % (len(body) + 1)
        body = body[:start] + replacement + body[start + length :]
    return body


FRAGMENTS = st.sampled_from([b"\r\n", b"\n", b"--", BOUNDARY.encode(), b":", b" ", b"\r", b"{", b'"', b"\xff", b""])


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(
    edits=st.lists(
        st.tuples(st.integers(0, len(VALID_BODY)), st.integers(0, 8), FRAGMENTS | st.binary(max_size=8)),
        min_size=1,
        max_size=4,
    )
)
def test_damaged_bodies_are_accepted_or_rejected_with_bad_request(edits: list[tuple[int, int, bytes]]) -> None:
    body = mutate(VALID_BODY, edits)
    try:
        raw, parts = parse_multipart_statements(body, HEADER)
        check_attachments(validate_statements(raw), parts)
    except BadRequest:
        return
    for sha2, part in parts.items():
        assert sha2_of(part.content, len(sha2)) == sha2
