"""The scope table (xAPI 1.0.3 Communication 4.2) as a pure function of scopes, method and resource."""

from __future__ import annotations

import pytest

from lrs.xapi.scopes import Access, Scope, UnknownScope, access, parse_scopes, resource_of, scopes_for


@pytest.mark.parametrize(
    ("path", "resource"),
    [
        ("/xapi/statements", "statements"),
        ("/xapi/activities/state", "activities/state"),
        ("/xapi/activities/profile", "activities/profile"),
        ("/xapi/agents/profile", "agents/profile"),
        ("/xapi/activities", "activities"),
        ("/xapi/agents", "agents"),
        ("/lrs/v1/xapi/about/", "about"),
        ("/xapi/unknown", None),
    ],
)
def test_resource_is_named_by_the_end_of_the_path_whatever_the_mount_point(path, resource):
    assert resource_of(path) == resource


@pytest.mark.parametrize("method", ["GET", "HEAD", "get"])
def test_read_methods_need_a_read_scope(method):
    assert access([Scope.STATE], method, "activities/state") is Access.FULL
    assert access([Scope.ALL_READ], method, "activities/state") is Access.FULL
    assert access([Scope.STATEMENTS_READ], method, "activities/state") is Access.DENIED


@pytest.mark.parametrize("method", ["PUT", "POST", "DELETE"])
def test_all_read_never_writes(method):
    assert access([Scope.ALL_READ], method, "activities/state") is Access.DENIED
    assert access([Scope.ALL_READ], method, "statements") is Access.DENIED


def test_read_mine_alone_gives_own_statements_and_nothing_else():
    assert access([Scope.STATEMENTS_READ_MINE], "GET", "statements") is Access.OWN
    assert access([Scope.STATEMENTS_READ_MINE], "POST", "statements") is Access.DENIED
    assert access([Scope.STATEMENTS_READ_MINE], "GET", "activities") is Access.DENIED


def test_a_broader_read_scope_lifts_the_read_mine_restriction():
    assert access([Scope.STATEMENTS_READ_MINE, Scope.STATEMENTS_READ], "GET", "statements") is Access.FULL
    assert access([Scope.STATEMENTS_READ_MINE, Scope.ALL_READ], "GET", "statements") is Access.FULL


def test_unknown_resource_needs_all():
    assert scopes_for("GET", None) == (Scope.ALL_READ, Scope.ALL)
    assert scopes_for("PUT", None) == (Scope.ALL,)


def test_stored_scope_names_that_this_lrs_does_not_know_grant_nothing():
    assert access(["admin", "statements/*"], "GET", "statements") is Access.DENIED


def test_scope_names_are_deduplicated_into_the_canonical_order():
    names = ["statements/read/mine", " statements/write ", "statements/read/mine"]
    assert parse_scopes(names) == (Scope.STATEMENTS_WRITE, Scope.STATEMENTS_READ_MINE)


def test_no_scope_names_is_no_scopes_not_all():
    assert parse_scopes([]) == ()
    assert parse_scopes(["", " "]) == ()


def test_unknown_scope_names_are_refused_listing_the_known_ones():
    with pytest.raises(UnknownScope, match=r"unknown scope\(s\): define, statements/\*; choose from: all, all/read"):
        parse_scopes(["statements/read", "statements/*", "define"])
