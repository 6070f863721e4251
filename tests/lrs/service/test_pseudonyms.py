"""The LRS replaces a pseudonym only as a whole token, and refuses a mapping that could not be applied safely."""

from __future__ import annotations

import pytest

from lrs.store.pseudonyms import check_replacements, replace_tokens

OLD, NEW = "0df204ca-0fbc-8314-b7b3-3d88576699b8", "7a82a025-fa46-8856-b98c-197d31f3b71b"


def test_a_pseudonym_is_replaced_only_where_it_stands_whole() -> None:
    text = f'{{"homePage": "https://vtc.test/org/{OLD}", "name": "{OLD}", "other": "x{OLD}", "id": "{OLD}1"}}'
    assert replace_tokens(text, {OLD: NEW}) == (
        f'{{"homePage": "https://vtc.test/org/{NEW}", "name": "{NEW}", "other": "x{OLD}", "id": "{OLD}1"}}'
    )


@pytest.mark.parametrize("mapping", [{"a b": "c"}, {"a": "c/d"}, {OLD: NEW, NEW: "e"}])
def test_a_mapping_that_is_not_whole_tokens_or_chains_names_is_refused(mapping: dict[str, str]) -> None:
    with pytest.raises(ValueError, match="pseudonym"):
        check_replacements(mapping)
