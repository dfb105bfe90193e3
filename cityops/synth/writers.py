"""File writers in the departments' formats (encodings, sheets, header dirt)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from .config import DIRT

EXTRA_COLUMN = "备注"


class Delivery:
    """Header dirt of one delivery: shuffled column order and/or an unknown extra column."""

    def __init__(
        self, headers: Sequence[str], rng: np.random.Generator, *, allow_dirt: bool = True
    ) -> None:
        self.headers = list(headers)
        self.extra = allow_dirt and rng.random() < DIRT.extra_column_deliveries
        if allow_dirt and rng.random() < DIRT.shuffled_column_deliveries:
            order = rng.permutation(len(self.headers)).tolist()
            self.headers = [self.headers[i] for i in order]
        if self.extra:
            self.headers.insert(int(rng.integers(0, len(self.headers) + 1)), EXTRA_COLUMN)

    def row(self, record: dict[str, object]) -> list[object]:
        return [record.get(h, "") if h != EXTRA_COLUMN else "" for h in self.headers]


def write_csv(
    path: Path, delivery: Delivery, records: Iterable[dict[str, object]], *, encoding: str
) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with path.open("w", encoding=encoding, newline="") as f:
        writer = csv.writer(f, lineterminator="\r\n" if encoding == "gbk" else "\n")
        writer.writerow(delivery.headers)
        for record in records:
            writer.writerow(["" if v is None else v for v in delivery.row(record)])
            n += 1
    return n


def write_xlsx(
    path: Path, sheet: str, delivery: Delivery, records: Iterable[dict[str, object]]
) -> int:
    from cityops.fileio import xlsx_bytes

    rows = [delivery.row(record) for record in records]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(xlsx_bytes(sheet, delivery.headers, rows))
    return len(rows)


def write_json(path: Path, payload: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(payload, ensure_ascii=False, separators=(",", ":")), encoding="utf-8"
    )


def write_jsonl(path: Path, lines: Iterable[str]) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with path.open("w", encoding="utf-8", newline="\n") as f:
        for line in lines:
            f.write(line + "\n")
            n += 1
    return n


def write_csv_columns(
    path: Path, delivery: Delivery, columns: dict[str, np.ndarray], *, append: bool
) -> int:
    """Fast path for the registry: write column arrays with pyarrow's CSV writer."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    n = len(next(iter(columns.values())))
    arrays = []
    for h in delivery.headers:
        arrays.append(pa.array(columns[h] if h in columns else np.full(n, ""), type=pa.string()))
    table = pa.table(arrays, names=delivery.headers)
    options = pacsv.WriteOptions(include_header=not append, quoting_style="needed")
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("ab" if append else "wb") as f:
        pacsv.write_csv(table, f, write_options=options)
    return n
