"""How a source declares itself: files, columns, types, keys, delivery and contract modes.

A source is data, not code: ``ingest/sources/<source>.py`` holds one :class:`SourceSpec`.
Everything downstream (readers, raw tables, DAGs, expectations) is driven by it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

Reader = Literal["csv", "xlsx", "json", "jsonl"]
Mode = Literal["snapshot", "increment"]
ColumnType = Literal["text", "int", "decimal", "date", "timestamp", "enum"]

#: Lineage columns every raw table carries, in order.
LINEAGE_COLUMNS = ("_batch_id", "_source_file", "_file_sha256", "_row_number", "_delivered_on")


@dataclass(frozen=True)
class Column:
    header: str  # as delivered (Chinese header, or JSON key)
    name: str  # English column name in raw
    type: ColumnType = "text"
    required: bool = True  # must be present as a column in every delivery
    description: str = ""


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

    def entities_for(self, file_name: str) -> list[EntitySpec]:
        return [e for e in self.entities if e.matches(file_name)]

    def table(self, entity: EntitySpec) -> str:
        return f"{self.name}__{entity.name}"

    @property
    def suite_name(self) -> str:
        return self.name
