"""engine.inputs: the shape, size, numbers and text of what users send, without a database."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.errors import InvalidInput
from engine.inputs import MAX_DEPTH, MAX_NODES, MAX_NUMBER, MAX_TEXT, clean_json, clean_opening, in_id_range


def nested(depth: int) -> Any:
    value: Any = "x"
    for _ in range(depth):
        value = {"a": value}
    return value


def code_of(value: Any, **kw: Any) -> str:
    with pytest.raises(InvalidInput) as caught:
        clean_json(value, "data", **kw)
    return caught.value.code


def test_depth_up_to_the_limit_passes_and_beyond_is_refused() -> None:
    assert clean_json(nested(MAX_DEPTH)) == nested(MAX_DEPTH)
    assert code_of(nested(MAX_DEPTH + 1)) == "DATA_TOO_DEEP"


def test_a_depth_beyond_the_stack_is_refused_without_recursion() -> None:
    deep: Any = []
    for _ in range(100_000):
        deep = [deep]
    assert code_of(deep) == "DATA_TOO_DEEP"


def test_too_many_values_are_refused() -> None:
    assert code_of(list(range(MAX_NODES + 1))) == "DATA_TOO_LARGE"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (float("nan"), "NUMBER_NOT_FINITE"),
        (float("inf"), "NUMBER_NOT_FINITE"),
        (1e308, "NUMBER_OUT_OF_RANGE"),
        (-(MAX_NUMBER + 1), "NUMBER_OUT_OF_RANGE"),
        (2**64, "NUMBER_OUT_OF_RANGE"),
        ("x" * (MAX_TEXT + 1), "TEXT_TOO_LONG"),
        ("\ud800", "TEXT_FORBIDDEN_CHARACTER"),
        ("a\x00b", "TEXT_FORBIDDEN_CHARACTER"),
        ("abc\u202etxt.exe", "TEXT_FORBIDDEN_CHARACTER"),
        ("\u2067x", "TEXT_FORBIDDEN_CHARACTER"),
        ({"k\x07": 1}, "TEXT_FORBIDDEN_CHARACTER"),
        ({"k" * 101: 1}, "KEY_TOO_LONG"),
        (object(), "DATA_INVALID"),
    ],
)
def test_refusals(value: Any, code: str) -> None:
    assert code_of({"field": value}) == code


def test_the_refusal_names_the_place_and_is_chinese() -> None:
    with pytest.raises(InvalidInput) as caught:
        clean_json({"items": [{"name": "ok"}, {"name": "坏\u202e"}]}, "data")
    assert caught.value.detail["field"] == "data.items[1].name"
    assert "文字方向控制字符" in caught.value.message


def test_a_bad_key_is_escaped_in_the_detail() -> None:
    with pytest.raises(InvalidInput) as caught:
        clean_json({"\ud800": 1}, "data")
    assert caught.value.detail["field"].encode("utf-8")  # no lone surrogate reaches the response


def test_line_breaks_only_where_several_lines_are_allowed() -> None:
    assert clean_json({"report": "一\n二\t三"}) == {"report": "一\n二\t三"}
    with pytest.raises(InvalidInput):
        clean_opening({"name": "某\n药房"}, [], {})


def test_text_is_normalised_to_nfc() -> None:
    party, officers, data = clean_opening({"name": "Cafe\u0301"}, [{"name": "Ä"}], {"x": ["e\u0301"]})
    assert party == {"name": "Café"} and officers == [{"name": "Ä"}] and data == {"x": ["é"]}


def test_ids() -> None:
    assert in_id_range(1) and in_id_range(2**31 - 1)
    assert not in_id_range(0) and not in_id_range(2**31) and not in_id_range(2**64)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-MAX_NUMBER, MAX_NUMBER) | st.floats(-1e12, 1e12)
    | st.text(st.characters(blacklist_categories=("Cc", "Cs", "Cf")), max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(st.characters(
        blacklist_categories=("Cc", "Cs", "Cf")), max_size=8), inner, max_size=4),
    max_leaves=30,
)


@given(JSON)
def test_clean_data_passes_unchanged_up_to_normalisation(value: Any) -> None:
    once = clean_json(value)
    assert clean_json(once) == once  # idempotent


def test_the_scan_finds_exactly_the_characters_refused_one_by_one() -> None:
    """``clean_text`` scans with a regular expression; it must find every code point ``_forbidden``
    names, and no other, in text of one line and of several."""
    from engine.inputs import _SUSPECT_IN_LINES, _SUSPECT_IN_ONE_LINE, _forbidden

    for multiline, scan in ((True, _SUSPECT_IN_LINES), (False, _SUSPECT_IN_ONE_LINE)):
        found = {c for c in scan.findall("".join(map(chr, range(0x110000))))}
        refused = {chr(c) for c in range(0x110000) if _forbidden(chr(c), multiline)}
        assert found == refused
