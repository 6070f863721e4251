"""Attachments and signed statements through the real HTTP app (multipart/mixed in and out)."""

from __future__ import annotations

import base64
import hashlib
import json
import uuid

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from xapi_helpers import make_statement

from lrs.xapi.multipart import parse_multipart_statements

BOUNDARY = "abcABC0123'()+_,-./:=?"
TEXT = b"Certificate: heart failure module, passed.\r\n"
SIGNATURE_USAGE = "http://adlnet.gov/expapi/attachments/signature"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def with_attachment(content: bytes = TEXT, **extra) -> dict:
    attachment = {
        "usageType": "http://id.tincanapi.com/attachment/certificate",
        "display": {"en-US": "certificate"},
        "contentType": "text/plain",
        "length": len(content),
        "sha2": sha256(content),
    }
    return make_statement(id=str(uuid.uuid4()), attachments=[{**attachment, **extra}])


def multipart(statements, *parts: tuple[bytes, str, str | None]) -> tuple[bytes, str]:
    """Build a multipart/mixed body; each part is (content, content type, X-Experience-API-Hash or None)."""
    chunks = [f"--{BOUNDARY}\r\nContent-Type: application/json\r\n\r\n{json.dumps(statements)}\r\n".encode()]
    for content, content_type, sha2 in parts:
        headers = f"Content-Type: {content_type}\r\nContent-Transfer-Encoding: binary\r\n"
        if sha2 is not None:
            headers += f"X-Experience-API-Hash: {sha2}\r\n"
        chunks.append(f"--{BOUNDARY}\r\n{headers}\r\n".encode() + content + b"\r\n")
    chunks.append(f"--{BOUNDARY}--\r\n".encode())
    return b"".join(chunks), f'multipart/mixed; boundary="{BOUNDARY}"'


def post_raw(client, headers, body: bytes, content_type: str):
    return client.post("/xapi/statements", data=body, headers={**headers, "Content-Type": content_type})


def stored_ids(client, headers) -> list[str]:
    return [s["id"] for s in client.get("/xapi/statements", headers=headers).json["statements"]]


def test_xapi_00127_statement_with_raw_attachment_is_stored_with_its_data(client, lrs_auth):
    statement = with_attachment()
    body, content_type = multipart(statement, (TEXT, "text/plain", sha256(TEXT)))
    assert post_raw(client, lrs_auth, body, content_type).status_code == 200
    response = client.get(f"/xapi/statements?statementId={statement['id']}&attachments=true", headers=lrs_auth)
    assert response.mimetype == "multipart/mixed"
    returned, parts = parse_multipart_statements(response.get_data(), response.headers["Content-Type"])
    assert returned["id"] == statement["id"]
    assert parts[sha256(TEXT)].content == TEXT


def test_xapi_00167_query_with_attachments_true_answers_multipart(client, lrs_auth):
    statement = with_attachment()
    post_raw(client, lrs_auth, *multipart([statement], (TEXT, "text/plain", sha256(TEXT))))
    response = client.get("/xapi/statements?attachments=true", headers=lrs_auth)
    result, parts = parse_multipart_statements(response.get_data(), response.headers["Content-Type"])
    assert [s["id"] for s in result["statements"]] == [statement["id"]]
    assert list(parts) == [sha256(TEXT)]


def test_xapi_00161_attachments_false_answers_json_only(client, lrs_auth):
    post_raw(client, lrs_auth, *multipart(with_attachment(), (TEXT, "text/plain", sha256(TEXT))))
    response = client.get("/xapi/statements?attachments=false", headers=lrs_auth)
    assert response.mimetype == "application/json"
    assert TEXT.decode() not in response.get_data(as_text=True)


def test_xapi_00129_json_statement_whose_attachment_has_no_file_url_is_400(client, lrs_auth):
    response = post_raw(client, lrs_auth, json.dumps(with_attachment()).encode(), "application/json")
    assert response.status_code == 400
    assert "sha2" in response.json["error"]["message"] or "attachment" in response.json["error"]["message"]
    assert stored_ids(client, lrs_auth) == []


def test_file_url_attachment_needs_no_data(client, lrs_auth):
    statement = with_attachment(fileUrl="https://vtc.test/certificates/1.pdf")
    assert post_raw(client, lrs_auth, json.dumps(statement).encode(), "application/json").status_code == 200


@pytest.mark.parametrize(
    ("parts", "words"),
    [
        ([(TEXT, "text/plain", sha256(b"other"))], "X-Experience-API-Hash"),
        ([(TEXT, "text/plain", None)], "X-Experience-API-Hash"),
        ([(TEXT, "text/plain", sha256(TEXT)), (b"extra", "text/plain", sha256(b"extra"))], "not the data of any"),
        ([], "no fileUrl, so its data must be sent"),
    ],
    ids=["xapi_00132_hash_mismatch", "xapi_00132_hash_missing", "xapi_00128_excess_part", "xapi_00129_part_missing"],
)
def test_broken_multipart_requests_are_400_and_store_nothing(client, lrs_auth, parts, words):
    response = post_raw(client, lrs_auth, *multipart(with_attachment(), *parts))
    assert response.status_code == 400
    assert words.lower() in response.json["error"]["message"].lower()
    assert stored_ids(client, lrs_auth) == []


def test_xapi_00127_multipart_form_data_is_400(client, lrs_auth):
    body, _ = multipart(with_attachment(), (TEXT, "text/plain", sha256(TEXT)))
    response = post_raw(client, lrs_auth, body, f'multipart/form-data; boundary="{BOUNDARY}"')
    assert response.status_code == 400


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def signed_request(statement: dict, payload: dict, alg: str = "RS256") -> tuple[bytes, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    header = b64url(json.dumps({"alg": alg}).encode())
    body = b64url(json.dumps(payload).encode())
    digest = {"RS256": hashes.SHA256(), "RS384": hashes.SHA384(), "RS512": hashes.SHA512()}[alg]
    signature = key.sign(f"{header}.{body}".encode(), padding.PKCS1v15(), digest)
    jws = f"{header}.{body}.{b64url(signature)}".encode()
    statement = {
        **statement,
        "attachments": [
            {
                "usageType": SIGNATURE_USAGE,
                "display": {"en-US": "signature"},
                "contentType": "application/octet-stream",
                "length": len(jws),
                "sha2": sha256(jws),
            }
        ],
    }
    return multipart(statement, (jws, "application/octet-stream", sha256(jws)))


@pytest.mark.parametrize("alg", ["RS256", "RS384", "RS512"])
def test_xapi_00117_signed_statement_is_accepted(client, lrs_auth, alg):
    statement = make_statement(id=str(uuid.uuid4()))
    assert post_raw(client, lrs_auth, *signed_request(statement, statement, alg)).status_code == 200
    assert stored_ids(client, lrs_auth) == [statement["id"]]


def test_xapi_00116_signature_over_other_content_is_400(client, lrs_auth):
    statement = make_statement(id=str(uuid.uuid4()))
    tampered = {**statement, "verb": {"id": "http://adlnet.gov/expapi/verbs/passed"}}
    response = post_raw(client, lrs_auth, *signed_request(statement, tampered))
    assert response.status_code == 400
    assert "verb" in response.json["error"]["message"]
    assert stored_ids(client, lrs_auth) == []
