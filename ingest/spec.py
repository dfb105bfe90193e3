"""How a source declares itself: files, columns, types, value rules, keys, delivery modes.

A source is data, not code: ``ingest/sources/<source>.py`` holds one :class:`SourceSpec`,
the one declaration of its contract. Readers, raw tables and DAGs are driven by it, and
``cityops.contracts`` renders from it the Great Expectations suites (``expectations/``),
dbt's source definitions and the contract pages (``docs/sources/``); a unit test fails
when a rendered copy drifts.

A column's value rules (:class:`Check`) are written with :func:`required`, :func:`one_of`,
:func:`pattern`, :func:`parses` and :func:`unique_in_file`; each has a level: ``file``
(breaking it refuses the file), ``row`` (rejects the row) or ``warning`` (recorded).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

Reader = Literal["csv", "xlsx", "json", "jsonl"]
Mode = Literal["snapshot", "increment"]
ColumnType = Literal["text", "int", "decimal", "date", "timestamp", "enum"]
Level = Literal["file", "row", "warning"]


def _calendar_date(sep: str) -> str:
    """A regular expression of the calendar's dates only (29 February in leap years)."""
    s = re.escape(sep)
    return (
        rf"(?:\d{{4}}{s}(?:(?:0[13578]|1[02]){s}(?:0[1-9]|[12]\d|3[01])"
        rf"|(?:0[469]|11){s}(?:0[1-9]|[12]\d|30)|02{s}(?:0[1-9]|1\d|2[0-8]))"
        rf"|(?:\d\d(?:0[48]|[2468][048]|[13579][26])|(?:[02468][048]|[13579][26])00){s}02{s}29)"
    )


#: How a value of each type and format is written when it parses.
FORMATS = {
    "int": r"^-?\d+$",
    "decimal": r"^-?\d+(\.\d+)?$",
    "year": r"^\d{4}$",
    "YYYYMM": r"^\d{4}(0[1-9]|1[0-2])$",
    "YYYYMMDD": f"^{_calendar_date('')}$",
    "YYYY-MM-DD": f"^{_calendar_date('-')}$",
    "YYYY/MM/DD": f"^{_calendar_date('/')}$",
    "YYYY-MM-DD hh:mm[:ss][+hh:mm]": (
        f"^{_calendar_date('-')}"
        r"[ T](?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d)?(?:[+-]\d{2}:\d{2})?$"
    ),
}


SUITE_NOTES = (
    "file: a failure refuses the whole file (quarantine); row: the failing rows are rejected "
    "into ops.rejected_rows and the rest loads; warning: recorded, loads"
)


@dataclass(frozen=True)
class Check:
    """One value rule of a column: a Great Expectations expectation and its level."""

    expectation: str  # the GX expectation type
    level: Level
    terms: tuple[tuple[str, object], ...] = ()  # the expectation's kwargs besides the column
    mostly: float | None = None  # the share of values that must pass (GX ``mostly``)
    why: str = ""

    def expectation_config(self, column: str) -> dict[str, object]:
        if self.expectation == "expect_compound_columns_to_be_unique":
            kwargs: dict[str, object] = {"column_list": ["_file", column]}
        else:
            kwargs = {"column": column}
        kwargs.update((k, list(v) if isinstance(v, tuple) else v) for k, v in self.terms)
        if self.mostly is not None:
            kwargs["mostly"] = self.mostly
        meta: dict[str, str] = {"why": self.why} if self.why else {}
        if self.expectation == "expect_compound_columns_to_be_unique":
            meta["notes"] = (
                "unique within one delivered file (_file numbers the files validated together)"
            )
        return {"type": self.expectation, "kwargs": kwargs, "severity": self.level, "meta": meta}


def required(level: Level = "row", *, mostly: float | None = None, why: str = "") -> Check:
    """The value may not be blank."""
    return Check("expect_column_values_to_not_be_null", level, mostly=mostly, why=why)


def one_of(*values: str, level: Level = "row", why: str = "") -> Check:
    """A non-blank value is one of ``values``."""
    return Check("expect_column_values_to_be_in_set", level, (("value_set", values),), why=why)


def pattern(
    regex: str, level: Level = "row", *, mostly: float | None = None, why: str = ""
) -> Check:
    """A non-blank value matches ``regex``."""
    return Check(
        "expect_column_values_to_match_regex", level, (("regex", regex),), mostly=mostly, why=why
    )


def parses(written: str, level: Level = "row", *, also: str | None = None, why: str = "") -> Check:
    """A non-blank value is written as ``written`` (a key of :data:`FORMATS`), or matches
    the regular expression ``also``."""
    regex = FORMATS[written] + (f"|{also}" if also else "")
    return pattern(regex, level, why=why)


#: An ID number as departments other than the registry write it: 15 or 18 digits, with
#: spaces, full-width digits or a lowercase x that staging normalises. Most of a file's IDs
#: look so and are present; the rest are recorded, and linkage decides without them.
DIRTY_ID_NUMBER = (
    pattern(
        r"^\s*[0-9０-９]{15}\s*$|^\s*[0-9０-９\s]{17,20}[0-9０-９XxＸ]\s*$", "warning", mostly=0.95
    ),
    required("warning", mostly=0.95),
)


#: A 统一社会信用代码 as departments write it: 18 characters of the code alphabet, with
#: spaces, lowercase or full-width forms that staging cleans (staging.uscc_normalised);
#: a code that fails its check after cleaning is not evidence for linkage, so the row loads.
DIRTY_USCC = (
    pattern(
        r"^[\s0-9A-Za-z０-９Ａ-Ｚａ-ｚ]{18,22}$",
        "warning",
        mostly=0.9,
        why="dirty codes load; linkage uses a code only when it passes both check characters",
    ),
)


def matches_json_schema(schema: dict[str, object], level: Level = "row", why: str = "") -> Check:
    """A non-blank value is a JSON document that ``schema`` (JSON Schema) accepts; a
    rejected row says which part of the schema it broke."""
    return Check(
        "expect_column_values_to_match_json_schema", level, (("json_schema", schema),), why=why
    )


def unique_in_file(level: Level = "file", why: str = "") -> Check:
    """No value repeats within one file."""
    return Check("expect_compound_columns_to_be_unique", level, why=why)


@dataclass(frozen=True)
class Column:
    header: str  # as delivered (Chinese header, or JSON key)
    name: str  # English column name in raw
    type: ColumnType = "text"
    required: bool = True  # must be present as a column in every delivery
    description: str = ""
    checks: tuple[Check, ...] = ()


@dataclass(frozen=True)
class EntitySpec:
    """One raw table fed by one kind of file (a JSON file may feed several entities)."""

    name: str
    file_pattern: str  # regular expression on the file name
    reader: Reader
    columns: tuple[Column, ...]
    business_key: tuple[str, ...]
    mode: Mode
    encoding: str = "utf-8"
    sheet: str | None = None
    json_path: str | None = None  # key of the record list in a JSON document
    #: How many rejected rows (row faults and unreadable lines) a file may have before it
    #: is refused whole: it is refused when it has more than ``max_reject_share`` of its
    #: rows *and* more than ``max_reject_rows`` rejected (the contracts' defaults, docs/sources/).
    max_reject_share: float = 0.02
    max_reject_rows: int = 5
    description: str = ""

    def tolerates(self, rejected: int, rows: int) -> bool:
        """Whether a file with ``rejected`` of ``rows`` rows rejected still loads."""
        return rejected <= self.max_reject_share * rows or rejected <= self.max_reject_rows

    @property
    def tolerance(self) -> str:
        return f"{self.max_reject_share:.0%} of the rows or {self.max_reject_rows} rows"

    def matches(self, file_name: str) -> bool:
        # ASCII: a contract's digits are 0-9, never full-width or other scripts' digits
        return re.fullmatch(self.file_pattern, file_name, re.ASCII) is not None

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def header_map(self) -> dict[str, Column]:
        return {c.header: c for c in self.columns}


@dataclass(frozen=True)
class SourceSpec:
    name: str
    department: str
    description: str
    entities: tuple[EntitySpec, ...] = field(default_factory=tuple)
    #: A delivery is expected at least this often (days): dbt's source freshness warns
    #: after it, and marts.mart_data_quality marks the source overdue.
    expected_every_days: int = 1
    #: Past this many days without a delivery dbt's source freshness is an error.
    stale_after_days: int = 3

    def entities_for(self, file_name: str) -> list[EntitySpec]:
        return [e for e in self.entities if e.matches(file_name)]

    def table(self, entity: EntitySpec) -> str:
        return f"{self.name}__{entity.name}"

    def suite(self, entity: EntitySpec) -> dict[str, object]:
        """The entity's Great Expectations suite, as ``expectations/<table>.json`` holds it."""
        return {
            "name": self.table(entity),
            "meta": {
                "source": self.name,
                "entity": entity.name,
                "rendered_from": f"ingest/sources/{self.name}.py by python -m cityops.contracts",
                "notes": SUITE_NOTES,
            },
            "expectations": [
                check.expectation_config(column.name)
                for column in entity.columns
                for check in column.checks
            ],
        }
