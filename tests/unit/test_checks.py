"""The vectorised full-file check speaks Python's regex dialect and GX's counting rules."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.checks import FullFileCheck, to_re2

EXPECTATIONS = Path(__file__).resolve().parents[2] / "expectations"
SUITE_REGEXES = sorted(
    {
        e["kwargs"]["regex"]
        for path in EXPECTATIONS.glob("*.json")
        for e in json.loads(path.read_text(encoding="utf-8"))["expectations"]
        if "regex" in e["kwargs"]
    }
)
EXTRA = [r"^\s*\d+\s*$", r"[^\d\s]", r"^[\d-]+$", r"a$", r"^\d{2}(?:[.]\d+)?$"]
# digits and spaces of several scripts, line breaks, and what the contracts contain
ALPHABET = st.sampled_from(
    list("0123456789０１２３４５６７８９٣७-:/. TXxＸ\n\t\u3000\u00a0拆除围封警示;SHA上海市号")
)


def _same(pattern: str, value: str) -> None:
    python = re.search(pattern, value) is not None
    re2 = pc.match_substring_regex(pa.array([value]), to_re2(pattern))[0].as_py()
    assert python == re2, (pattern, value, to_re2(pattern))


@pytest.mark.parametrize("pattern", SUITE_REGEXES + EXTRA)
@settings(  # 150 examples a pattern (a pattern's examples cost ~50 ms); the fast tier draws 30
    max_examples=30 if os.environ.get("CITYOPS_TEST_NO_WAREHOUSE") == "1" else 150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(data=st.data())
def test_translated_regex_matches_what_python_matches(pattern: str, data) -> None:
    valid = st.from_regex(pattern)
    value = data.draw(
        st.one_of(
            valid,
            valid.map(lambda s: s + "\n"),
            valid.map(lambda s: s + "\n\n"),
            st.tuples(valid, ALPHABET, st.integers(0, 40)).map(
                lambda t: t[0][: t[2]] + t[1] + t[0][t[2] :]
            ),
            st.text(ALPHABET, max_size=24),
        )
    )
    _same(pattern, value)


def test_patterns_outside_the_translation_fall_back_to_python() -> None:
    assert to_re2(r"^\w+$") is None
    check = FullFileCheck(
        {
            "expectations": [
                {
                    "type": "expect_column_values_to_match_regex",
                    "kwargs": {"column": "a", "regex": r"^\w+$"},
                }
            ]
        }
    )
    check.update(_batch(a=["ok", "not ok", None, "é"]))
    (failure,) = check.result().failures
    assert (failure.unexpected_count, failure.sample_rows) == (1, [3])


def _batch(**columns: list[str | None]) -> pa.RecordBatch:
    n = len(next(iter(columns.values())))
    arrays = [pa.array(v, pa.string()) for v in columns.values()]
    arrays.append(pa.array(range(2, n + 2), pa.int64()))
    return pa.RecordBatch.from_arrays(arrays, names=[*columns, "_row_number"])


SUITE = {
    "expectations": [
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "id"}},
        {
            "type": "expect_column_values_to_be_in_set",
            "kwargs": {"column": "sex", "value_set": ["男", "女"]},
        },
        {
            "type": "expect_column_values_to_match_regex",
            "kwargs": {"column": "day", "regex": r"^\d{4}-\d{2}-\d{2}$", "mostly": 0.5},
            "severity": "warning",
        },
        {
            "type": "expect_compound_columns_to_be_unique",
            "kwargs": {"column_list": ["_file", "id", "day"]},
        },
    ]
}


def test_counts_follow_gx_rules_across_batches() -> None:
    check = FullFileCheck(SUITE)
    check.update(
        _batch(id=["a", None, "c"], sex=["男", "x", None], day=["2026-01-01", "bad", None])
    )
    check.update(_batch(id=["a", "d", "e"], sex=["女", "女", "?"], day=["2026-01-01", "x", "y"]))
    result = check.result()
    assert result.rows == 6
    by_rule = {(f.rule, f.column): f for f in result.failures}
    assert by_rule[("expect_column_values_to_not_be_null", "id")].unexpected_count == 1
    in_set = by_rule[("expect_column_values_to_be_in_set", "sex")]
    assert (in_set.unexpected_count, in_set.sample_values) == (2, ["x", "?"])  # nulls not checked
    unique = by_rule[("expect_compound_columns_to_be_unique", "id, day")]
    assert unique.unexpected_count == 2  # both rows of the repeated key, across batches
    # 3 of 5 dates are bad: above the warning's 50% tolerance
    (warning,) = result.warnings
    assert warning.unexpected_count == 3


def test_mostly_tolerates_a_share_of_bad_values() -> None:
    check = FullFileCheck(SUITE)
    check.update(
        _batch(id=["a", "b", "c"], sex=["男", "女", "男"], day=["2026-01-01", "2026-01-02", "x"])
    )
    result = check.result()
    assert result.success and not result.warnings


def test_unknown_expectation_types_are_refused_up_front() -> None:
    suite = {"expectations": [{"type": "expect_column_mean_to_be_between", "kwargs": {}}]}
    assert not FullFileCheck.covers(suite)
    with pytest.raises(ValueError, match="no vectorised form"):
        FullFileCheck(suite)


def test_row_level_rules_name_every_rejected_row_with_its_value() -> None:
    suite = {
        "expectations": [
            {
                "type": "expect_column_values_to_not_be_null",
                "kwargs": {"column": "id"},
                "severity": "row",
            },
            {
                "type": "expect_column_values_to_match_regex",
                "kwargs": {"column": "day", "regex": r"^\d{4}-\d{2}-\d{2}$"},
                "severity": "row",
            },
        ]
    }
    check = FullFileCheck(suite)
    mask, faults = check.update(
        _batch(id=["a", None, "c", None], day=["2026-01-01", "x", "y", None])
    )
    assert mask.to_pylist() == [False, True, True, True]
    assert sorted((f.row_number, f.column, f.value) for f in faults) == [
        (3, "day", "x"),
        (3, "id", None),
        (4, "day", "y"),
        (5, "id", None),
    ]
    assert check.result().success, "row faults reject rows; they do not refuse the file"
    assert not check.refused
