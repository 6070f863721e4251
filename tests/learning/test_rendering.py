"""The template helpers kept per request and per worker (learning/rendering.py) give what Flask's own give."""

from __future__ import annotations

from flask import render_template_string, url_for
from flask_babel import force_locale


def test_translations_follow_a_locale_forced_in_the_same_request(app):
    template = "{{ _('Log in') }} {{ current_locale() }}"
    with app.test_request_context("/", headers={"Accept-Language": "nl"}):
        assert render_template_string(template) == "Inloggen nl"
        with force_locale("de"):
            assert render_template_string(template) == "Anmelden de"
        assert render_template_string(template) == "Inloggen nl"


def test_a_kept_url_is_the_one_flask_builds_under_each_script_root(app):
    template = "{{ url_for('player.step', slug='a', number=2) }} {{ url_for('static', filename='css/app.css') }}"
    for root in ("", "/vtc", ""):
        with app.test_request_context("/", base_url=f"http://localhost{root}/"):
            expected = f"{url_for('player.step', slug='a', number=2)} {url_for('static', filename='css/app.css')}"
            assert expected.startswith(f"{root}/modules/a/step/2")
            assert render_template_string(template) == expected
