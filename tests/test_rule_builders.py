"""The URL builders kept for the run (tests/rule_builders.py) are the functions Werkzeug compiles itself."""

from __future__ import annotations

from types import CodeType

from flask import Flask, url_for
from rule_builders import builder_key, kept_builder, werkzeug_compile_builder
from werkzeug.routing import Rule


def _shape(code: CodeType) -> tuple[object, ...]:
    return (code.co_code, code.co_consts, code.co_names, code.co_varnames, code.co_argcount, code.co_flags)


def test_every_rule_of_the_app_gets_the_builder_werkzeug_compiles(app: Flask) -> None:
    assert Rule._compile_builder is kept_builder  # installed by conftest.py for the whole run
    rules = list(app.url_map.iter_rules())
    assert len(rules) > 100
    for rule in rules:
        for append_unknown in (False, True):
            kept, own = kept_builder(rule, append_unknown), werkzeug_compile_builder(rule, append_unknown)
            assert _shape(kept.__code__) == _shape(own.__code__), rule.rule
            assert kept.__defaults__ == own.__defaults__, rule.rule


def test_a_second_app_reuses_the_first_apps_builders(app: Flask, make_app) -> None:
    other = make_app()
    pairs = zip(sorted(app.url_map.iter_rules(), key=str), sorted(other.url_map.iter_rules(), key=str), strict=True)
    shared = [
        one._build.__func__ is two._build.__func__ and one._build_unknown.__func__ is two._build_unknown.__func__
        for one, two in pairs
        if builder_key(one, True) is not None
    ]
    assert len(shared) > 100
    assert all(shared), f"{shared.count(False)} of {len(shared)} rules compiled again"


def test_a_rule_whose_default_fills_a_part_builds_its_own_default_in_each_app() -> None:
    def first_page(first: int) -> Flask:
        app = Flask(__name__)
        view = lambda number: ""  # noqa: E731
        app.add_url_rule("/page/<int:number>", "page", view, defaults={"number": first})
        app.add_url_rule("/page/<int:number>", "page", view)
        return app

    built = []
    for app in (first_page(1), first_page(2)):
        with app.test_request_context():
            built.append((url_for("page"), url_for("page", number=7), url_for("page", number=7, q="x")))
    assert built == [("/page/1", "/page/7", "/page/7?q=x"), ("/page/2", "/page/7", "/page/7?q=x")]
