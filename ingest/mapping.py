"""The contract check: a file's headers to the spec's columns.

Column order may differ between deliveries; unknown extra columns are kept (as
JSON in ``_extra``) and reported, never fatal; a missing required column is.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pyarrow as pa

from .errors import ContractError
from .spec import EntitySpec


@dataclass
class ColumnMapping:
    entity: EntitySpec
    by_header: dict[str, str]  # file header -> column name
    extras: list[str] = field(default_factory=list)
    absent: list[str] = field(default_factory=list)  # optional columns not delivered

    def apply(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        """The batch with the spec's columns in spec order, then ``_extra`` and ``_row_number``."""
        n = batch.num_rows
        index = {name: i for i, name in enumerate(batch.schema.names)}
        reverse = {column: header for header, column in self.by_header.items()}
        arrays, names = [], []
        for column in self.entity.columns:
            header = reverse.get(column.name)
            arrays.append(
                batch.column(index[header]) if header is not None else pa.nulls(n, pa.string())
            )
            names.append(column.name)
        if self.extras:
            extra_cols = [batch.column(index[h]).to_pylist() for h in self.extras]
            extra = [
                json.dumps(
                    {h: v for h, v in zip(self.extras, values, strict=True) if v is not None},
                    ensure_ascii=False,
                )
                for values in zip(*extra_cols, strict=True)
            ]
            arrays.append(pa.array(extra, type=pa.string()))
        else:
            arrays.append(pa.nulls(n, pa.string()))
        names.append("_extra")
        arrays.append(batch.column(index["_row_number"]))
        names.append("_row_number")
        return pa.RecordBatch.from_arrays(arrays, names=names)


def plan_mapping(entity: EntitySpec, headers: list[str]) -> ColumnMapping:
    """Match headers to columns; raise :class:`ContractError` if a required one is missing."""
    expected = entity.header_map()
    seen: set[str] = set()
    duplicates = sorted({h for h in headers if h in seen or seen.add(h)})  # type: ignore[func-returns-value]
    if duplicates:
        raise ContractError(f"duplicate column headers: {', '.join(duplicates)}")
    by_header = {h: expected[h].name for h in headers if h in expected}
    extras = [h for h in headers if h not in expected]
    missing = [c for c in entity.columns if c.header not in by_header]
    required_missing = [c for c in missing if c.required]
    if required_missing:
        wanted = ", ".join(f"{c.header} ({c.name})" for c in required_missing)
        found = ", ".join(headers) or "no headers"
        hint = ""
        if entity.reader == "csv" and headers and not any(h in expected for h in headers):
            hint = (
                f" None of the expected headers were found: if the headers above look garbled, "
                f"the file is probably not {entity.encoding.upper()}-encoded as the contract says."
            )
        raise ContractError(f"missing required column(s): {wanted}. Found: {found}.{hint}")
    return ColumnMapping(entity, by_header, extras, [c.name for c in missing])
