"""Recognising names, e-mail addresses, BSNs, dates of birth and measurement values (hand-checked examples)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from learning.rpm.personal import forbidden_field, is_bsn, is_date_like, looks_like_name, pseudonym_problem


# 111222333: 9*1+8*1+7*1+6*2+5*2+4*2+3*3+2*3-1*3 = 66 = 6*11.  123456782: 154 = 14*11.
# 12345672 is 012345672 with its leading zero dropped: 8+14+18+20+20+18+14-2 = 110 = 10*11.
@pytest.mark.parametrize("value", ["111222333", "123456782", "1234.56.782", "12345672"])
def test_numbers_passing_the_eleven_test_are_bsns(value):
    assert is_bsn(value)


# 123456789: 9+16+21+24+25+24+21+16-9 = 147 = 13*11 + 4.
@pytest.mark.parametrize("value", ["123456789", "1234567", "1112223334", "P-111222333", "000000000"])
def test_other_numbers_are_not_bsns(value):
    assert not is_bsn(value)


@pytest.mark.parametrize("value", ["Jan de Vries", "Vries, J.", "Jansen", "Anne-Marie", "jan jansen"])
def test_names_are_recognised(value):
    assert looks_like_name(value)


@pytest.mark.parametrize("value", ["1950-03-12", "12-03-1950", "12/3/1950", "19500312", "12031950"])
def test_whole_dates_are_recognised(value):
    assert is_date_like(value)


@pytest.mark.parametrize("value", ["P-000123", "a1b2c3", "5f2b7c1e-0c1d-4e8f-9a3b-2d6c7e8f9a0b", "HF:0042", "x"])
def test_pseudonyms_pass(value):
    assert pseudonym_problem(value) is None


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("jan@example.nl", "e-mail address"),
        ("111222333", "BSN"),
        ("1950-03-12", "date (of birth?)"),
        ("Jan de Vries", "looks like a name"),
        ("P 001", "no spaces"),
        ("x" * 65, "at most 64"),
    ],
)
def test_pseudonym_problems_say_what_the_value_looks_like(value, fragment):
    problem = pseudonym_problem(value)
    assert problem is not None
    assert fragment in problem


@pytest.mark.parametrize(
    ("column", "fragment"),
    [
        ("weight_kg", "Measurement values"),
        ("Systolic", "Measurement values"),
        ("heart-rate", "Measurement values"),
        ("first_name", "Names"),
        ("achternaam", "Names"),
        ("E-mail", "E-mail addresses"),
        ("BSN", "BSNs"),
        ("date_of_birth", "Dates of birth"),
        ("geboortedatum", "Dates of birth"),
        ("postcode", "Addresses"),
        ("diagnosis", "Diagnoses"),
    ],
)
def test_forbidden_columns_are_named_for_what_they_hold(column, fragment):
    reason = forbidden_field(column)
    assert reason is not None
    assert fragment in reason


@pytest.mark.parametrize("column", ["notes", "received_count", "team_code", "page"])
def test_harmless_column_names_are_not_forbidden(column):
    assert forbidden_field(column) is None


@given(value=st.text(max_size=80))
def test_any_text_gets_an_answer_not_a_crash(value):
    assert isinstance(pseudonym_problem(value), str | None)
    assert isinstance(forbidden_field(value), str | None)
