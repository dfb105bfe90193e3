"""The suite's expectations evaluated on every row of a large file, vectorised.

A multi-gigabyte snapshot cannot go through Great Expectations' pandas engine row by
row in proportionate time (a GX run costs about three plain ``COPY``s of the same
rows). For such files the gate runs GX on a bounded sample, for the validation
record and Data Docs, and this module evaluates the *same* suite JSON on every row
with ``pyarrow.compute``, batch by batch, while the rows stream into the database.
Both must pass before the transaction commits.

The evaluator follows GX's semantics for the expectation types the suites use:
missing values are not checked by the value expectations and not counted in their
denominator, ``mostly`` is the share of checked values that must pass, regexes
*search* (Python ``re.search``) rather than match, and a compound-unique key counts
every row of a repeated key. Python's regex dialect is translated to RE2's (``\\d``
is any Unicode digit, ``\\s`` any Unicode space, ``$`` also matches before a final
newline); a pattern the translation does not cover is evaluated with Python's
``re`` instead. ``tests/unit/test_checks.py`` holds both engines to the same
answers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .validate import SAMPLE_ROWS, GateResult, RowFault, RuleOutcome, level_of, schema_problem

SUPPORTED = frozenset(
    {
        "expect_column_values_to_not_be_null",
        "expect_column_values_to_match_regex",
        "expect_column_values_to_be_in_set",
        "expect_compound_columns_to_be_unique",
        "expect_column_values_to_match_json_schema",
    }
)

_SPACE = r"\t\n\v\f\r\x1c-\x1f\x85\p{Z}"
_UNSUPPORTED = re.compile(r"\\[wWbBSDAZ]|\(\?[<=!#P]|\\[0-9]")


def to_re2(pattern: str) -> str | None:
    """``pattern`` (Python ``re`` syntax) in RE2 syntax with the same meaning, if it can be."""
    if _UNSUPPORTED.search(pattern):
        return None
    out: list[str] = []
    in_class = False
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            nxt = pattern[i + 1]
            if nxt == "d":
                out.append(r"\p{Nd}" if in_class else r"\p{Nd}")
            elif nxt == "s":
                out.append(_SPACE if in_class else f"[{_SPACE}]")
            else:
                out.append(pattern[i : i + 2])
            i += 2
            continue
        if in_class:
            if ch == "]" and not (out and out[-1] in ("[", "[^")):
                in_class = False
            out.append(ch)
        elif ch == "[":
            in_class = True
            if pattern[i + 1 : i + 2] == "^":
                out.append("[^")
                i += 2
                continue
            out.append(ch)
        elif ch == "$":
            out.append(r"(?:\n?\z)")
        else:
            out.append(ch)
        i += 1
    return "".join(out)


@dataclass
class _Rule:
    type: str
    kwargs: dict[str, Any]
    severity: str
    unexpected: int = 0
    checked: int = 0
    rows: list[int] = field(default_factory=list)
    values: list[Any] = field(default_factory=list)
    re2: str | None = None
    python: re.Pattern[str] | None = None
    key_hashes: list[np.ndarray] = field(default_factory=list)
    key_rows: list[np.ndarray] = field(default_factory=list)

    @property
    def column(self) -> str | None:
        return self.kwargs.get("column")

    def explain(self, value: Any) -> str:
        if self.type == "expect_column_values_to_match_json_schema":
            return schema_problem(self.kwargs["json_schema"], value)
        return ""

    def note(self, bad: pa.Array, column: pa.Array | None, numbers: pa.Array) -> None:
        """Count the rows where ``bad`` is true and keep the first few for the report."""
        hits = pc.sum(bad).as_py() or 0
        self.unexpected += hits
        room = SAMPLE_ROWS - len(self.rows)
        if hits and room > 0:
            where = pc.indices_nonzero(bad).slice(0, room)
            self.rows.extend(pc.take(numbers, where).to_pylist())
            if column is not None:
                self.values.extend(pc.take(column, where).to_pylist())


class FullFileCheck:
    """Accumulates one suite's outcome over the batches of one file."""

    def __init__(self, suite: dict[str, Any]) -> None:
        self.rules: list[_Rule] = []
        self.rows = 0
        for exp in suite["expectations"]:
            if exp["type"] not in SUPPORTED:
                raise ValueError(
                    f"{exp['type']} has no vectorised form: add it to ingest/checks.py "
                    "or keep the source's files under the full-GX size"
                )
            rule = _Rule(exp["type"], exp["kwargs"], level_of(exp))
            if rule.severity == "row" and rule.type == "expect_compound_columns_to_be_unique":
                raise ValueError(
                    "a key's uniqueness is judged over the whole file: level file or warning"
                )
            if rule.type == "expect_column_values_to_match_regex":
                rule.re2 = to_re2(rule.kwargs["regex"])
                if rule.re2 is None:
                    rule.python = re.compile(rule.kwargs["regex"])
            self.rules.append(rule)

    @property
    def refused(self) -> bool:
        """True once a file-level rule that tolerates nothing has failed: the file will be refused."""
        return any(
            r.unexpected
            for r in self.rules
            if r.severity == "file" and float(r.kwargs.get("mostly", 1.0)) >= 1.0
        )

    @property
    def tolerant(self) -> set[tuple[str, str | None]]:
        """(rule, column) of the rules with ``mostly``: they tolerate a share of bad values."""
        return {(r.type, r.column) for r in self.rules if "mostly" in r.kwargs}

    @staticmethod
    def covers(suite: dict[str, Any]) -> bool:
        return all(e["type"] in SUPPORTED for e in suite["expectations"])

    def update(self, batch: pa.RecordBatch) -> tuple[pa.Array | None, list[RowFault]]:
        """Check one batch; return the mask of its rows that row-level rules reject (None
        when there are none) and the faults of those rows."""
        numbers = batch.column(batch.schema.get_field_index("_row_number"))
        self.rows += batch.num_rows
        rejected: pa.Array | None = None
        faults: list[RowFault] = []
        for rule in self.rules:
            if rule.type == "expect_compound_columns_to_be_unique":
                self._keys(rule, batch, numbers)
                continue
            column = batch.column(batch.schema.get_field_index(rule.column))
            if rule.type == "expect_column_values_to_not_be_null":
                rule.checked += batch.num_rows
                bad = pc.is_null(column)
            else:
                bad = self._bad_values(rule, column)
            rule.note(bad, column, numbers)
            if rule.severity == "row" and pc.any(bad).as_py():
                where = pc.indices_nonzero(bad)
                faults.extend(
                    RowFault(n, rule.type, rule.column, v, rule.explain(v))
                    for n, v in zip(
                        pc.take(numbers, where).to_pylist(),
                        pc.take(column, where).to_pylist(),
                        strict=True,
                    )
                )
                rejected = bad if rejected is None else pc.or_(rejected, bad)
        return rejected, faults

    @staticmethod
    def _bad_values(rule: _Rule, column: pa.Array) -> pa.Array:
        present = pc.is_valid(column)
        rule.checked += pc.sum(present).as_py() or 0
        if rule.type == "expect_column_values_to_be_in_set":
            ok = pc.is_in(column, value_set=pa.array(rule.kwargs["value_set"], pa.string()))
        elif rule.type == "expect_column_values_to_match_json_schema":
            ok = pa.array(
                [
                    v is None or not schema_problem(rule.kwargs["json_schema"], v)
                    for v in column.to_pylist()
                ]
            )
        elif rule.re2 is not None:
            ok = pc.match_substring_regex(column, rule.re2)
        else:
            ok = pa.array(
                [v is None or rule.python.search(v) is not None for v in column.to_pylist()]
            )
        return pc.fill_null(pc.and_(present, pc.invert(ok)), False)

    @staticmethod
    def _keys(rule: _Rule, batch: pa.RecordBatch, numbers: pa.Array) -> None:
        import pandas as pd

        names = [c for c in rule.kwargs["column_list"] if c != "_file"]
        frame = pa.Table.from_batches([batch.select(names)]).to_pandas()
        rule.key_hashes.append(pd.util.hash_pandas_object(frame, index=False).to_numpy())
        rule.key_rows.append(numbers.to_numpy(zero_copy_only=False))
        rule.checked += batch.num_rows

    def result(self) -> GateResult:
        gate = GateResult(rows=self.rows)
        for rule in self.rules:
            if rule.type == "expect_compound_columns_to_be_unique":
                self._finish_keys(rule)
            if not rule.unexpected or rule.severity == "row":  # row faults: rejected rows
                continue
            mostly = float(rule.kwargs.get("mostly", 1.0))
            if rule.checked and rule.unexpected / rule.checked <= 1.0 - mostly:
                continue
            column = rule.column or ", ".join(
                c for c in rule.kwargs.get("column_list", []) if c != "_file"
            )
            outcome = RuleOutcome(
                rule=rule.type,
                column=column or None,
                severity=rule.severity,
                unexpected_count=rule.unexpected,
                element_count=self.rows,
                sample_rows=rule.rows,
                sample_values=rule.values,
                detail="checked on every row of the file",
            )
            (gate.failures if rule.severity == "file" else gate.warnings).append(outcome)
        return gate

    @staticmethod
    def _finish_keys(rule: _Rule) -> None:
        if not rule.key_hashes:
            return
        hashes = np.concatenate(rule.key_hashes)
        rows = np.concatenate(rule.key_rows)
        order = np.argsort(hashes, kind="stable")
        sorted_hashes = hashes[order]
        repeated = np.zeros(len(hashes), dtype=bool)
        same = sorted_hashes[1:] == sorted_hashes[:-1]
        repeated[1:] |= same
        repeated[:-1] |= same
        bad_rows = np.sort(rows[order][repeated])
        rule.unexpected = int(len(bad_rows))
        rule.rows = bad_rows[:SAMPLE_ROWS].tolist()
        rule.key_hashes, rule.key_rows = [], []
