"""The chain rule on its own: hashes are stable and canonical, and walk() names the first broken row and why."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

from audit_helpers import fields

from learning.audit.chain import CHANGED, GAP, GENESIS, LINK, Link, row_hash, walk


def chain(n: int) -> list[Link]:
    links, previous = [], GENESIS
    for i in range(1, n + 1):
        link = Link(i, fields(i), previous, row_hash(i, fields(i), previous))
        links.append(link)
        previous = link.hash
    return links


def test_an_untouched_chain_is_intact_and_reports_its_head() -> None:
    links = chain(5)
    verdict = walk(links)
    assert verdict.intact
    assert (verdict.checked, verdict.head_id, verdict.head_hash) == (5, 5, links[-1].hash)


def test_an_empty_log_is_intact() -> None:
    assert walk([]).intact
    assert walk([]).checked == 0


def test_the_hash_does_not_depend_on_the_time_zone_the_driver_returns() -> None:
    at = fields(1).at
    amsterdam = at.astimezone(timezone(timedelta(hours=1)))
    assert row_hash(1, fields(1), GENESIS) == row_hash(1, replace(fields(1), at=amsterdam), GENESIS)
    later = replace(fields(1), at=at + timedelta(microseconds=1))
    assert row_hash(1, fields(1), GENESIS) != row_hash(1, later, GENESIS)


def test_every_field_and_the_id_are_hashed() -> None:
    base = row_hash(1, fields(1), GENESIS)
    for name in ("actor", "actor_role", "action", "subject", "purpose", "path"):
        assert row_hash(1, replace(fields(1), **{name: "x"}), GENESIS) != base, name
    assert row_hash(2, fields(1), GENESIS) != base
    assert row_hash(1, fields(1), "1" * 64) != base


def test_an_edited_row_is_named() -> None:
    links = chain(5)
    links[2] = replace(links[2], fields=replace(links[2].fields, subject="environment:99"))
    verdict = walk(links)
    assert (verdict.broken_id, verdict.reason, verdict.checked) == (3, CHANGED, 2)


def test_a_deleted_middle_row_is_named_by_the_row_after_it() -> None:
    links = chain(5)
    del links[2]
    assert (walk(links).broken_id, walk(links).reason) == (4, GAP)


def test_a_deleted_first_row_breaks_the_link_to_the_start() -> None:
    assert (walk(chain(3)[1:]).broken_id, walk(chain(3)[1:]).reason) == (2, LINK)


def test_a_row_slipped_in_with_a_forged_hash_breaks_the_next_link() -> None:
    links = chain(3)
    forged_fields = replace(fields(7, actor="user:666"), at=datetime(2026, 1, 1, tzinfo=UTC))
    forged = Link(3, forged_fields, links[1].hash, row_hash(3, forged_fields, links[1].hash))
    renumbered = replace(links[2], id=4)  # the original row 3 moved to make room
    verdict = walk([*links[:2], forged, renumbered])
    assert verdict.broken_id == 4
