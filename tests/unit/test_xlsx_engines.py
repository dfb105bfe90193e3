"""The two xlsx engines read a workbook alike: calamine (whole sheet, fast) and openpyxl's
read-only mode (streams, for very large workbooks)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import Workbook

from ingest.errors import ContractError
from ingest.readers import XlsxReader
from ingest.sources import get_source

WELFARE = get_source("welfare").entities[0]


def _read(path: Path, engine: str):
    reader = XlsxReader(path, WELFARE)
    reader.engine = engine
    batches = list(reader.batches())
    return reader.headers, [b.to_pylist() for b in batches], reader.rows_seen


def _workbook(
    path: Path, rows: list[list[object]], *, sheet: str = WELFARE.sheet, skip: int = 0
) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    for _ in range(skip):
        ws.append([])
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


ROWS = [
    ["救助证号", "户主姓名", "月保障金额", "保障起始日期", "在保", None, "备注"],
    ["DB001", "张三", 2726, dt.date(2025, 7, 1), True, None, "  "],
    ["DB002", "李四", 2726.5, dt.datetime(2025, 7, 1, 8, 30), False, None, "x"],
    [None, None, None, None, None, None, None],  # formatting-only row: not a record
    ["DB003", "王五", "0012", "2025/7/1", None, None, dt.time(8, 30)],
    ["DB004", "赵六", -1e-7, None, None, None, 12345678901234],
]


@pytest.mark.parametrize("skip", [0, 2])
def test_both_engines_read_the_same_records(tmp_path: Path, skip: int) -> None:
    path = _workbook(tmp_path / "w.xlsx", ROWS, skip=skip)
    calamine = _read(path, "calamine")
    openpyxl = _read(path, "openpyxl")
    assert calamine == openpyxl
    headers, batches, seen = calamine
    assert headers == [
        "救助证号",
        "户主姓名",
        "月保障金额",
        "保障起始日期",
        "在保",
        "_blank_6",
        "备注",
    ]
    records = [r for b in batches for r in b]
    assert seen == 4 and [r["_row_number"] for r in records] == [n + skip for n in (2, 3, 5, 6)]
    assert records[0]["月保障金额"] == "2726" and records[1]["月保障金额"] == "2726.5"
    assert records[0]["保障起始日期"] == "2025-07-01"
    assert records[1]["保障起始日期"] == "2025-07-01 08:30:00"
    assert records[0]["备注"] is None and records[2]["备注"] == "08:30:00"
    assert records[2]["月保障金额"] == "0012"  # text stays text


@pytest.mark.parametrize("engine", ["calamine", "openpyxl"])
def test_a_missing_sheet_or_a_broken_file_is_a_contract_error(tmp_path: Path, engine: str) -> None:
    path = _workbook(tmp_path / "w.xlsx", ROWS, sheet="Sheet9")
    with pytest.raises(ContractError, match="has no sheet"):
        _read(path, engine)
    broken = tmp_path / "b.xlsx"
    broken.write_bytes(path.read_bytes()[:2000])
    with pytest.raises(ContractError):
        _read(broken, engine)


@pytest.mark.parametrize("engine", ["calamine", "openpyxl"])
def test_an_empty_sheet_has_no_header(tmp_path: Path, engine: str) -> None:
    path = _workbook(tmp_path / "w.xlsx", [])
    with pytest.raises(ContractError, match="no header row"):
        _read(path, engine)


def test_large_workbooks_stream(tmp_path: Path, monkeypatch) -> None:
    import ingest.readers as readers

    path = _workbook(tmp_path / "w.xlsx", ROWS)
    reader = XlsxReader(path, WELFARE)
    assert reader._engine() == "calamine"
    monkeypatch.setattr(readers, "XLSX_IN_MEMORY_BYTES", path.stat().st_size - 1)
    assert reader._engine() == "openpyxl"
