"""The quality gate: Great Expectations suites from ``expectations/`` run on every batch.

Each expectation has a level (its ``severity`` in the suite JSON):

* ``file``: a failure refuses the whole file (it is quarantined with a report of which
  rows broke which rule), e.g. a key repeated within a snapshot;
* ``row``: the failing rows are rejected (``ops.rejected_rows``, with the rule, the
  column and the value) and the rest of the file loads; the file is refused only when
  its rejected rows pass the source's tolerance (see :class:`ingest.spec.EntitySpec`);
* ``warning``: recorded in the ledger, the rows load.

GX's unexpected-index lists name the rejected rows. GX is imported here only, never at
DAG parse time.
"""

from __future__ import annotations

import json
import logging
import os
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .spec import EntitySpec, SourceSpec

log = logging.getLogger(__name__)
SAMPLE_ROWS = 10  # failing rows and values shown per rule in reports
LEVELS = ("file", "row", "warning")
#: Great Expectations' severity for each level (a rejected row is a failed critical rule).
GX_SEVERITY = {"file": "critical", "row": "critical", "warning": "warning"}


def level_of(expectation: dict[str, Any]) -> str:
    level = str(expectation.get("severity", "file"))
    if level not in LEVELS:
        raise ValueError(
            f"{expectation.get('type')}: severity {level!r} is not one of {', '.join(LEVELS)}"
        )
    return level


@dataclass(frozen=True)
class RowFault:
    """Why one row was rejected: the rule, the column and the value it broke it with."""

    row_number: int
    rule: str
    column: str | None
    value: Any
    detail: str = ""  # why, where the rule can say (a JSON Schema's first error)

    def describe(self) -> str:
        why = f" ({self.detail})" if self.detail else ""
        return f"{self.rule} failed on column {self.column}{why}: {mask_ids(self.value)!r}"


def schema_problem(schema: dict[str, Any], value: Any) -> str:
    """The most telling reason a JSON Schema rejects ``value`` (a JSON text), in words."""
    import json

    import jsonschema

    try:
        document = json.loads(value) if isinstance(value, str) else value
    except json.JSONDecodeError as exc:
        return f"not JSON: {exc.msg}"
    error = jsonschema.exceptions.best_match(
        jsonschema.Draft7Validator(schema).iter_errors(document)
    )
    if error is None:
        return ""
    where = "/".join(str(p) for p in error.absolute_path)
    return f"{where}: {error.message}" if where else error.message


@dataclass
class RuleOutcome:
    rule: str
    column: str | None
    severity: str
    unexpected_count: int
    element_count: int
    sample_rows: list[int] = field(default_factory=list)
    sample_values: list[Any] = field(default_factory=list)
    detail: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "column": self.column,
            "severity": self.severity,
            "unexpected_count": self.unexpected_count,
            "element_count": self.element_count,
            "sample_rows": self.sample_rows,
            "sample_values": self.sample_values,
            "detail": self.detail,
        }

    def describe(self) -> str:
        where = f"column {self.column}: " if self.column else ""
        rows = f" (rows {', '.join(map(str, self.sample_rows))})" if self.sample_rows else ""
        values = (
            f"; e.g. {', '.join(repr(mask_ids(v)) for v in self.sample_values[:5])}"
            if self.sample_values
            else ""
        )
        return f"{where}{self.rule} failed for {self.unexpected_count} of {self.element_count} rows{rows}{values}"


@dataclass
class GateResult:
    failures: list[RuleOutcome] = field(default_factory=list)  # file level: refuse the file
    warnings: list[RuleOutcome] = field(default_factory=list)
    #: row level: the faults of each rejected row, by row number
    rejects: dict[int, list[RowFault]] = field(default_factory=dict)
    rows: int = 0

    @property
    def success(self) -> bool:
        return not self.failures

    def reject(self, fault: RowFault) -> None:
        self.rejects.setdefault(fault.row_number, []).append(fault)

    def merge(self, other: GateResult) -> None:
        self.failures.extend(other.failures)
        for faults in other.rejects.values():
            for fault in faults:
                self.reject(fault)
        self.rows += other.rows
        for w in other.warnings:
            same = next(
                (x for x in self.warnings if x.rule == w.rule and x.column == w.column), None
            )
            if same is None:
                self.warnings.append(w)
            else:
                same.unexpected_count += w.unexpected_count
                same.element_count += w.element_count


def suite_path(expectations_dir: Path, source: SourceSpec, entity: EntitySpec) -> Path:
    return expectations_dir / f"{source.table(entity)}.json"


def load_suite_config(
    expectations_dir: Path, source: SourceSpec, entity: EntitySpec
) -> dict[str, Any]:
    path = suite_path(expectations_dir, source, entity)
    if not path.exists():
        raise FileNotFoundError(f"no expectation suite for {source.table(entity)}: expected {path}")
    return json.loads(path.read_text(encoding="utf-8"))


_ID_LIKE = re.compile(r"(?<![0-9])([0-9]{6})[0-9]{5,8}([0-9]{3}[0-9Xx]?)(?![0-9])")


def mask_ids(value: Any) -> Any:
    """A sample value as messages and logs may show it: ID-like digit runs masked."""
    if not isinstance(value, str):
        return value
    return _ID_LIKE.sub(
        lambda m: m.group(1) + "*" * (len(m.group(0)) - 10) + m.group(0)[-4:], value
    )


def _plain(value: Any) -> Any:
    """A JSON-safe sample value (pandas' missing values become None)."""
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
        return None
    return value if isinstance(value, str | int | float | bool) else str(value)


class Gate:
    """A Great Expectations file context under ``CITYOPS_HOME/gx`` and the project's suites."""

    DATASOURCE = "cityops_batches"

    def __init__(self, gx_home: Path, expectations_dir: Path) -> None:
        os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
        # GX's pandas regex metrics warn about string dtypes on every run under pandas 3.
        warnings.filterwarnings("ignore", category=UserWarning, module="great_expectations")
        warnings.filterwarnings("ignore", category=FutureWarning, module="great_expectations")
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

        self._gx = gx
        gx_home.mkdir(parents=True, exist_ok=True)
        self.context = gx.get_context(mode="file", project_root_dir=str(gx_home))
        self.context.variables.progress_bars = ProgressBarsConfig(globally=False)
        self.expectations_dir = expectations_dir
        self._definitions: dict[str, Any] = {}
        self.datasource = self.context.data_sources.add_or_update_pandas(self.DATASOURCE)

    def _definition(self, source: SourceSpec, entity: EntitySpec):
        name = source.table(entity)
        if name in self._definitions:
            return self._definitions[name]
        gx = self._gx
        from great_expectations.core.expectation_suite import ExpectationSuite
        from great_expectations.expectations.expectation_configuration import (
            ExpectationConfiguration,
        )

        config = load_suite_config(self.expectations_dir, source, entity)
        suite = ExpectationSuite(name=name, meta=config.get("meta", {}))
        for exp in config["expectations"]:
            level = level_of(exp)
            suite.add_expectation_configuration(
                ExpectationConfiguration(
                    type=exp["type"],
                    kwargs=exp["kwargs"],
                    meta={**exp.get("meta", {}), "level": level},
                    severity=GX_SEVERITY[level],
                )
            )
        suite = self.context.suites.add_or_update(suite)
        try:
            asset = self.datasource.get_asset(name)
        except LookupError:
            asset = self.datasource.add_dataframe_asset(name)
        try:
            batch_definition = asset.get_batch_definition("whole_batch")
        except KeyError:
            batch_definition = asset.add_batch_definition_whole_dataframe("whole_batch")
        definition = self.context.validation_definitions.add_or_update(
            gx.ValidationDefinition(name=name, data=batch_definition, suite=suite)
        )
        self._definitions[name] = definition
        return definition

    def validate(
        self, source: SourceSpec, entity: EntitySpec, frame: pd.DataFrame, *, files: int = 1
    ) -> dict[int, GateResult]:
        """Validate a frame holding ``files`` files (numbered in ``_file``); results per file.

        Many small files are validated in one run (a GX run has a fixed cost of a few
        hundred milliseconds); failing rows are then attributed to their file, so a
        bad file is refused alone, and a row-level rule's failing rows are rejected
        (GX's complete unexpected-index list names every one of them).
        """
        definition = self._definition(source, entity)
        result = definition.run(
            batch_parameters={"dataframe": frame},
            result_format={
                "result_format": "COMPLETE",
                "partial_unexpected_count": SAMPLE_ROWS,
                "unexpected_index_column_names": ["_file", "_row_number"],
            },
        )
        counts = frame["_file"].value_counts().to_dict() if len(frame) else {}
        gates = {i: GateResult(rows=int(counts.get(i, 0))) for i in range(files)}
        for r in result.results:
            if r.success:
                continue
            config = r.expectation_config
            details = r.result or {}
            severity = str((config.meta or {}).get("level") or "file")
            column = config.kwargs.get("column") or ", ".join(
                c for c in config.kwargs.get("column_list", []) if c != "_file"
            )
            detail = ""
            if r.exception_info and r.exception_info.get("raised_exception"):
                detail = str(r.exception_info.get("exception_message") or "")
            by_file: dict[int, list[tuple[int, Any]]] = {}
            for entry in details.get("unexpected_index_list") or []:
                if isinstance(entry, dict):
                    value = (
                        entry.get(column)
                        if column in entry
                        else next(
                            (v for k, v in entry.items() if k not in ("_file", "_row_number")), None
                        )
                    )
                    by_file.setdefault(int(entry.get("_file", 0)), []).append(
                        (int(entry["_row_number"]), _plain(value))
                    )
            if by_file:
                hits = by_file
                totals = {f: len(v) for f, v in by_file.items()}
            else:  # a failure GX could not attribute to rows (e.g. an exception): every file fails it
                hits = {f: [] for f in gates}
                totals = {f: int(details.get("unexpected_count") or 0) for f in gates}
                severity = "file" if severity == "row" else severity
            for f, entries in hits.items():
                if severity == "row":
                    for row, value in entries:
                        why = (
                            schema_problem(config.kwargs["json_schema"], value)
                            if config.type == "expect_column_values_to_match_json_schema"
                            else ""
                        )
                        gates[f].reject(RowFault(row, config.type, column or None, value, why))
                    continue
                outcome = RuleOutcome(
                    rule=config.type,
                    column=column or None,
                    severity=severity,
                    unexpected_count=totals[f],
                    element_count=gates[f].rows,
                    sample_rows=[row for row, _ in entries[:SAMPLE_ROWS]],
                    sample_values=[value for _, value in entries[:SAMPLE_ROWS]],
                    detail=detail,
                )
                (gates[f].failures if severity == "file" else gates[f].warnings).append(outcome)
        return gates

    def build_docs(self) -> Path | None:
        try:
            self.context.build_data_docs()
        except Exception as exc:  # docs are a convenience, never a reason to fail a load
            log.warning("could not build GX Data Docs: %s", exc)
            return None
        return (
            Path(self.context.root_directory)
            / "uncommitted"
            / "data_docs"
            / "local_site"
            / "index.html"
        )
