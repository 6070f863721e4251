"""Agents and Groups (xAPI Data 2.4.2), their identity keys, and the "agent" query parameter."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lrs.xapi.agent import ifi_key, parse_agent_param, validate_actor, validate_iri
from lrs.xapi.errors import BadRequest

MBOX = {"mbox": "mailto:andrew@example.com"}
SHA1 = {"mbox_sha1sum": "ebd31e95054c018b10727ccffd2ef2ec3a016ee9"}
OPENID = {"openid": "http://toby.openid.example.org/"}
ACCOUNT = {"account": {"homePage": "http://www.example.com", "name": "13936749"}}
IFIS = [MBOX, SHA1, OPENID, ACCOUNT]


def rejects(value: Any, path: str) -> str:
    """Assert rejection with a message that starts at the JSON path of the problem."""
    with pytest.raises(BadRequest) as info:
        validate_actor(value, "actor")
    assert re.match(re.escape(path) + r"[.\[:]", info.value.message), info.value.message
    return info.value.message


def accepts(value: Any) -> None:
    """validate_actor returns nothing; acceptance means no exception and no mutation of the input."""
    before = json.dumps(value, sort_keys=True)
    validate_actor(value, "actor")
    assert json.dumps(value, sort_keys=True) == before


# --- Agents ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("ifi", IFIS, ids=["mbox", "mbox_sha1sum", "openid", "account"])
def test_agent_identified_by_any_single_ifi_is_valid(ifi: dict[str, Any]) -> None:
    accepts({**ifi, "name": "Someone"})
    accepts({**ifi, "objectType": "Agent"})


def test_agent_without_an_ifi_is_rejected() -> None:
    assert "exactly one" in rejects({"name": "Nobody"}, "actor")


def test_agent_with_two_ifis_is_rejected() -> None:
    assert "mbox, openid" in rejects({**MBOX, **OPENID}, "actor")


@pytest.mark.parametrize("mbox", ["andrew@example.com", "http://should.fail.com", "mailto:should.fail.com", ""])
def test_mbox_must_be_a_mailto_iri_with_an_address(mbox: str) -> None:
    assert "'mailto:' IRI" in rejects({"mbox": mbox}, "actor.mbox")


@pytest.mark.parametrize("sha1", ["ebd31e95", "zzd31e95054c018b10727ccffd2ef2ec3a016ee9", 123])
def test_mbox_sha1sum_must_be_40_hex_digits(sha1: Any) -> None:
    rejects({"mbox_sha1sum": sha1}, "actor.mbox_sha1sum")


def test_openid_must_be_an_absolute_uri() -> None:
    rejects({"openid": "open.id.com/testUser"}, "actor.openid")


@pytest.mark.parametrize(
    ("account", "path"),
    [
        ({"name": "13936749"}, "actor.account.homePage"),
        ({"homePage": "http://www.example.com"}, "actor.account.name"),
        ({"homePage": "homePage.com/testUser", "name": "1"}, "actor.account.homePage"),
        ({"homePage": "http://www.example.com", "name": {"key": "x"}}, "actor.account.name"),
        ({"homePage": "http://www.example.com", "name": "1", "extra": 1}, "actor.account.extra"),
        ("13936749", "actor.account"),
    ],
)
def test_account_needs_exactly_home_page_and_name(account: Any, path: str) -> None:
    rejects({"account": account}, path)


@pytest.mark.parametrize("object_type", ["agent", "Person", 123, None])
def test_agent_object_type_must_be_exactly_agent_or_group(object_type: Any) -> None:
    rejects({**MBOX, "objectType": object_type}, "actor.objectType")


@pytest.mark.parametrize("name", [123, None, {"en": "x"}])
def test_agent_name_must_be_a_string(name: Any) -> None:
    rejects({**MBOX, "name": name}, "actor.name")


def test_agent_with_members_is_rejected() -> None:
    assert "unknown property" in rejects({**MBOX, "member": [OPENID]}, "actor.member")


@pytest.mark.parametrize("value", [None, "agent", 1, [MBOX]])
def test_actor_must_be_an_object(value: Any) -> None:
    assert "must be an object" in rejects(value, "actor")


# --- Groups ----------------------------------------------------------------------------------------


def test_anonymous_group_with_members_is_valid() -> None:
    accepts({"objectType": "Group", "name": "Ad hoc", "member": [MBOX, {**OPENID, "objectType": "Agent"}]})


@pytest.mark.parametrize("ifi", IFIS, ids=["mbox", "mbox_sha1sum", "openid", "account"])
def test_identified_group_needs_no_members(ifi: dict[str, Any]) -> None:
    accepts({"objectType": "Group", **ifi})
    accepts({"objectType": "Group", **ifi, "member": []})


def test_anonymous_group_requires_members() -> None:
    rejects({"objectType": "Group", "name": "Nobody"}, "actor.member")
    rejects({"objectType": "Group", "member": []}, "actor.member")


def test_identified_group_with_two_ifis_is_rejected() -> None:
    assert "exactly one" in rejects({"objectType": "Group", **MBOX, **ACCOUNT}, "actor")


def test_group_members_cannot_be_groups() -> None:
    inner = {"objectType": "Group", **SHA1}
    assert "not Groups" in rejects({"objectType": "Group", **MBOX, "member": [OPENID, inner]}, "actor.member[1]")


def test_group_members_are_validated_as_agents() -> None:
    rejects({"objectType": "Group", "member": [MBOX, {"mbox": "nope"}]}, "actor.member[1].mbox")


def test_group_member_must_be_an_array() -> None:
    rejects({"objectType": "Group", "member": MBOX}, "actor.member")


# --- Identity keys ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("agent", "key"),
    [
        (MBOX, "mbox:mailto:andrew@example.com"),
        (SHA1, "mbox_sha1sum:ebd31e95054c018b10727ccffd2ef2ec3a016ee9"),
        (OPENID, "openid:http://toby.openid.example.org/"),
        (ACCOUNT, "account:http://www.example.com|13936749"),
    ],
)
def test_ifi_key_names_the_identifier_kind_and_value(agent: dict[str, Any], key: str) -> None:
    assert ifi_key(agent) == key


def test_ifi_key_ignores_key_order_name_and_object_type() -> None:
    first = {"objectType": "Agent", "name": "A", "account": {"homePage": "http://x.org", "name": "u1"}}
    second = {"account": {"name": "u1", "homePage": "http://x.org"}}
    assert ifi_key(first) == ifi_key(second) == "account:http://x.org|u1"


def test_ifi_key_folds_case_only_where_the_spec_says_it_is_insensitive() -> None:
    assert ifi_key({"mbox": "mailto:Andrew@EXAMPLE.com"}) == "mbox:mailto:Andrew@example.com"
    assert ifi_key({"mbox_sha1sum": "EBD31E95054C018B10727CCFFD2EF2EC3A016EE9"}) == ifi_key(SHA1)
    assert ifi_key({"openid": "http://X.org/"}) != ifi_key({"openid": "http://x.org/"})


def test_ifi_key_of_an_anonymous_group_is_none() -> None:
    assert ifi_key({"objectType": "Group", "member": [MBOX]}) is None


def test_ifi_key_of_identified_group_ignores_members() -> None:
    assert ifi_key({"objectType": "Group", **ACCOUNT, "member": [MBOX]}) == ifi_key(ACCOUNT)


@given(
    home=st.text(max_size=8),
    name=st.text(max_size=8),
    other_home=st.text(max_size=8),
    other=st.text(max_size=8),
)
def test_account_keys_collide_only_for_identical_accounts(home: str, name: str, other_home: str, other: str) -> None:
    first = ifi_key({"account": {"homePage": home, "name": name}})
    second = ifi_key({"account": {"homePage": other_home, "name": other}})
    assert (first == second) == ((home, name) == (other_home, other))


# --- The "agent" query parameter -------------------------------------------------------------------


def test_agent_param_is_parsed_into_a_dict() -> None:
    assert parse_agent_param('{"mbox": "mailto:a@example.com"}') == {"mbox": "mailto:a@example.com"}


def test_agent_param_may_be_a_group() -> None:
    text = json.dumps({"objectType": "Group", "member": [MBOX]})
    assert ifi_key(parse_agent_param(text)) is None


@pytest.mark.parametrize("text", ["", "mailto:a@example.com", "{'mbox': 'mailto:a@example.com'}", "{"])
def test_agent_param_must_be_json(text: str) -> None:
    with pytest.raises(BadRequest, match=r"^agent: must be an Agent or Group as JSON"):
        parse_agent_param(text)


@pytest.mark.parametrize(
    ("text", "path"),
    [
        ('["mailto:a@example.com"]', "agent:"),
        ('{"mbox": "a@example.com"}', "agent.mbox:"),
        ('{"name": "nobody"}', "agent:"),
        ('{"mbox": "mailto:a@example.com", "extra": 1}', "agent.extra:"),
    ],
)
def test_agent_param_is_validated_like_an_actor(text: str, path: str) -> None:
    with pytest.raises(BadRequest, match="^" + re.escape(path)):
        parse_agent_param(text)


def test_agent_param_errors_use_the_given_parameter_name() -> None:
    with pytest.raises(BadRequest, match=re.escape("instructor.mbox:")):
        parse_agent_param('{"mbox": "x"}', name="instructor")


# --- IRIs ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "iri", ["http://example.com/a?b=c#d", "urn:uuid:6690e6c9-3ef0-4ed3", "mailto:a@b.c", "tag:x.org,2024:a"]
)
def test_absolute_iris_are_accepted(iri: str) -> None:
    assert validate_iri(iri, "iri") == iri


@pytest.mark.parametrize("iri", ["example.com/a", "://x", "1http://x", "http://a b", "http:", 'http://x/"y"', ""])
def test_iris_without_a_scheme_or_with_spaces_are_rejected(iri: str) -> None:
    with pytest.raises(BadRequest, match=r"^iri: "):
        validate_iri(iri, "iri")
