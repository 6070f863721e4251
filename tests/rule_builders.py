"""Werkzeug's URL builders, compiled once per run instead of once per app.

Every test builds a new app, and Werkzeug compiles each of its ~160 URL rules into two builder functions (an AST
turned into code with `compile`): 46 ms of the 53.5 ms of CPU a `create_app` took (7.5 ms with the builders kept),
paid ~4,000 times a half. A builder is a
pure function of the rule's parts, its default names and `append_unknown`: it reaches the rule itself only through
its `.self` argument at call time (Werkzeug binds it with `__get__`). So one compiled function serves every app's
copy of the same rule. Rules whose defaults fill in a part of the URL (the builder then holds a converted constant)
are compiled as Werkzeug does. tests/test_rule_builders.py holds the kept functions to Werkzeug's own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from werkzeug.routing import Rule

werkzeug_compile_builder = Rule._compile_builder
_kept: dict[tuple[Any, ...], Callable[..., tuple[str, str]]] = {}


def builder_key(rule: Rule, append_unknown: bool) -> tuple[Any, ...] | None:
    """What a rule's builder is made of, or None when a default is compiled into it as a constant."""
    defaults = rule.defaults or {}
    if any(dynamic and part in defaults for dynamic, part in rule._trace):
        return None
    return rule.rule, tuple(rule._trace), tuple(defaults), append_unknown


def kept_builder(self: Rule, append_unknown: bool = True) -> Callable[..., tuple[str, str]]:
    """Rule._compile_builder for the run: the builder compiled for the first rule of this shape."""
    key = builder_key(self, append_unknown)
    if key is None:
        return werkzeug_compile_builder(self, append_unknown)
    builder = _kept.get(key)
    if builder is None:
        builder = _kept[key] = werkzeug_compile_builder(self, append_unknown)
    return builder


def install() -> None:
    """Replace Werkzeug's builder compilation in this process (tests only; the product is unchanged)."""
    if Rule._compile_builder is not kept_builder:  # twice would keep our own function as "Werkzeug's"
        Rule._compile_builder = kept_builder  # type: ignore[method-assign]
