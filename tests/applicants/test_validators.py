"""Properties of the edge checks: whatever JSON arrives, they answer with errors, never raise."""

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from applicants.facts import facts_errors
from applicants.services import _clean_member
from applicants.validators import has_unsafe_text, json_unsafe_text

scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text()
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=300)
@given(st.dictionaries(st.sampled_from(["assets", "supporter", "hardship", "x"]), json_values))
def test_facts_errors_never_raise(data):
    errors = facts_errors(data)
    assert isinstance(errors, dict)


@settings(max_examples=300)
@given(
    st.fixed_dictionaries(
        {},
        optional={
            k: json_values
            for k in (
                "relation",
                "name",
                "id_number",
                "phone",
                "self_care",
                "serious_illness",
                "monthly_income",
                "disability_grade",
                "bank_account",
            )
        },
    )
)
def test_a_member_is_cleaned_or_refused_never_raises(raw):
    data, errors = _clean_member(raw, dt.date(2026, 1, 1))
    if not errors:  # what passes fits the household file's columns
        assert len(data.get("name", "")) <= 50
        assert data.get("serious_illness", False) in (True, False)
        assert data["monthly_income"] <= 9999999999


def _unsafe_anywhere(value):
    if isinstance(value, str):
        return has_unsafe_text(value)
    if isinstance(value, dict):
        return any(_unsafe_anywhere(k) or _unsafe_anywhere(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_unsafe_anywhere(v) for v in value)
    return False


@given(json_values)
def test_json_unsafe_text_finds_a_nul_or_surrogate_at_any_depth(value):
    assert json_unsafe_text(value) == _unsafe_anywhere(value)


def test_deep_json_is_walked_without_recursion():
    value = "\x00"
    for _ in range(100_000):
        value = [value]
    assert json_unsafe_text(value)
