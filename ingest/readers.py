"""Readers: a delivered file's bytes to batches of text columns, keyed by the file's headers.

Every reader yields ``pyarrow.RecordBatch``es whose columns are the file's own headers
(all strings, blanks as nulls) plus ``_row_number`` (the record's position in the
file: sheet row for xlsx, line for CSV/JSONL, item number for JSON). Records a
reader cannot read at all (a truncated JSONL line, a ragged CSV row) are not
raised but collected in ``rejects`` so that the file still reconciles.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import numpy as np
import pyarrow as pa

from .errors import ContractError
from .spec import EntitySpec

BATCH_ROWS = 250_000
CSV_BLOCK_BYTES = 32 << 20


@dataclass
class Reject:
    row_number: int
    reason: str
    raw_text: str | None = None


@dataclass
class FileReader:
    path: Path
    entity: EntitySpec
    headers: list[str] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    rows_seen: int = 0  # records in the file: read + rejected

    def batches(self) -> Iterator[pa.RecordBatch]:  # pragma: no cover - abstract
        raise NotImplementedError


def _text(value: object) -> str | None:
    """A cell or JSON value as the text the department sent (None for blank)."""
    if value is None:
        return None
    if isinstance(value, str):
        return value if value.strip() != "" else None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def _batch(headers: list[str], rows: list[list[str | None]], numbers: list[int]) -> pa.RecordBatch:
    columns = [pa.array([r[i] for r in rows], type=pa.string()) for i in range(len(headers))]
    columns.append(pa.array(numbers, type=pa.int64()))
    return pa.RecordBatch.from_arrays(columns, names=[*headers, "_row_number"])


class CsvReader(FileReader):
    """CSV through pyarrow's streaming reader: bounded memory for multi-GB snapshots."""

    def _open(self):
        import pyarrow.csv as pacsv

        def on_invalid(row) -> str:
            line = row.number if row.number is not None else -1
            reason = f"expected {row.expected_columns} fields, found {row.actual_columns}"
            self.rejects.append(Reject(line, reason, row.text[:500]))
            return "skip"

        # pyarrow needs the column names up front: read the header line ourselves.
        try:
            names = [n.strip().lstrip("\ufeff") for n in next(csv.reader([self._header_line()]))]
        except csv.Error as exc:
            raise ContractError(f"the header row is not valid CSV: {exc}") from exc
        self.headers = names
        encoding = (
            "utf8" if self.entity.encoding in ("utf-8", "utf-8-sig") else self.entity.encoding
        )
        read = pacsv.ReadOptions(
            block_size=CSV_BLOCK_BYTES,
            encoding=encoding,
            use_threads=False,
            column_names=names,
            skip_rows=1,
        )
        parse = pacsv.ParseOptions(invalid_row_handler=on_invalid, newlines_in_values=False)
        convert = pacsv.ConvertOptions(
            column_types={n: pa.string() for n in names},
            strings_can_be_null=True,
            null_values=[""],
            quoted_strings_can_be_null=True,
        )
        return pacsv.open_csv(
            self.path, read_options=read, parse_options=parse, convert_options=convert
        )

    def _header_line(self) -> str:
        with self.path.open("rb") as f:
            raw = f.readline(1 << 20)
        if not raw.strip():
            raise ContractError("the file has no header row")
        codec = (
            "utf-8-sig" if self.entity.encoding in ("utf-8", "utf-8-sig") else self.entity.encoding
        )
        try:
            return raw.decode(codec).rstrip("\r\n")
        except UnicodeDecodeError as exc:
            raise ContractError(
                f"the header is not valid {self.entity.encoding.upper()} ({exc.reason} at byte {exc.start}); "
                f"the contract says this file is {self.entity.encoding.upper()}-encoded"
            ) from exc

    def batches(self) -> Iterator[pa.RecordBatch]:
        import pyarrow.lib

        try:
            stream = self._open()
        except (pyarrow.lib.ArrowInvalid, UnicodeDecodeError) as exc:
            raise ContractError(
                f"cannot read the file as {self.entity.encoding.upper()} CSV "
                f"(a header row, a line break, then one row per line): {exc}"
            ) from exc
        row = 1  # the header is line 1
        consumed = 0  # rejects already placed (pyarrow may parse a block while opening)
        read = 0
        while True:
            try:
                batch = stream.read_next_batch()
            except StopIteration:
                self.rows_seen = read + len(self.rejects)
                return
            except (pyarrow.lib.ArrowInvalid, UnicodeDecodeError) as exc:
                raise ContractError(
                    f"cannot decode the file as {self.entity.encoding.upper()} CSV: {exc}"
                ) from exc
            rejected = sorted(r.row_number for r in self.rejects[consumed:] if r.row_number > 0)
            consumed = len(self.rejects)
            n = batch.num_rows
            numbers = _line_numbers(row + 1, n, rejected)
            row = max(int(numbers[-1]) if n else row, rejected[-1] if rejected else 0)
            read += n
            self.rows_seen = read + len(self.rejects)
            yield batch.append_column("_row_number", pa.array(numbers, type=pa.int64()))


def _line_numbers(first: int, n: int, skipped: list[int]) -> np.ndarray:
    """The file lines of ``n`` parsed rows from line ``first`` on, past the ``skipped`` lines."""
    numbers = np.arange(first, first + n + len(skipped), dtype=np.int64)
    if skipped:
        numbers = numbers[~np.isin(numbers, skipped)]
    return numbers[:n]


#: Workbooks up to this size are read whole with calamine (Rust, ~10x openpyxl's speed);
#: larger ones stream through openpyxl's read-only mode in bounded memory.
XLSX_IN_MEMORY_BYTES = 64 << 20


class XlsxReader(FileReader):
    """xlsx: read with calamine, or streamed with openpyxl's read-only mode when large."""

    #: "calamine", "openpyxl" or None (by file size)
    engine: str | None = None

    def _engine(self) -> str:
        if self.engine:
            return self.engine
        return "calamine" if self.path.stat().st_size <= XLSX_IN_MEMORY_BYTES else "openpyxl"

    def _sheet_rows(self) -> Iterator[tuple[int, list[object]]]:
        """(sheet row number, cell values) of the contract's sheet, blanks as None."""
        if not zipfile.is_zipfile(self.path):
            raise ContractError("the file is not a valid xlsx workbook (not a zip archive)")
        if self._engine() == "calamine":
            yield from self._calamine_rows()
        else:
            yield from self._openpyxl_rows()

    def _missing_sheet(self, names: list[str]) -> ContractError:
        return ContractError(
            f"the workbook has no sheet {self.entity.sheet!r} (sheets: {', '.join(names)})"
        )

    def _calamine_rows(self) -> Iterator[tuple[int, list[object]]]:
        from python_calamine import CalamineWorkbook

        try:
            wb = CalamineWorkbook.from_path(str(self.path))
        except Exception as exc:  # calamine raises its own kinds for corrupt workbooks
            raise ContractError(f"the xlsx workbook cannot be opened: {exc}") from exc
        try:
            if self.entity.sheet not in wb.sheet_names:
                raise self._missing_sheet(wb.sheet_names)
            try:
                sheet = wb.get_sheet_by_name(self.entity.sheet)
            except Exception as exc:
                raise ContractError(f"sheet {self.entity.sheet!r} cannot be read: {exc}") from exc
            # calamine's rows start at the sheet's first row, its columns at the first used one
            pad = [None] * (sheet.start or (0, 0))[1]
            for number, values in enumerate(sheet.iter_rows(), start=1):
                yield number, pad + [None if v == "" else v for v in values]
        finally:
            wb.close()

    def _openpyxl_rows(self) -> Iterator[tuple[int, list[object]]]:
        from openpyxl import load_workbook

        try:
            wb = load_workbook(self.path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for corrupt workbooks
            raise ContractError(f"the xlsx workbook cannot be opened: {exc}") from exc
        try:
            if self.entity.sheet not in wb.sheetnames:
                raise self._missing_sheet(wb.sheetnames)
            for number, values in enumerate(
                wb[self.entity.sheet].iter_rows(values_only=True), start=1
            ):
                yield number, list(values)
        finally:
            wb.close()

    def batches(self) -> Iterator[pa.RecordBatch]:
        rows = self._sheet_rows()
        # the header is the first row with a value (openpyxl starts at row 1, calamine at the
        # first used row: both land on the same header)
        header_row = next(((n, v) for n, v in rows if any(c is not None for c in v)), None)
        if header_row is None:
            raise ContractError(f"sheet {self.entity.sheet!r} has no header row")
        header = header_row[1]
        width = max(i for i, v in enumerate(header) if v is not None) + 1
        self.headers = [
            str(v).strip() if v is not None else f"_blank_{i + 1}"
            for i, v in enumerate(header[:width])
        ]
        buffer: list[list[str | None]] = []
        numbers: list[int] = []
        for number, values in rows:
            cells = [_text(v) for v in values[:width]]
            if all(c is None for c in cells):
                continue  # formatting-only rows are not records
            cells += [None] * (width - len(cells))
            buffer.append(cells)
            numbers.append(number)
            self.rows_seen += 1
            if len(buffer) >= BATCH_ROWS:
                yield _batch(self.headers, buffer, numbers)
                buffer, numbers = [], []
        if buffer or not numbers:
            yield _batch(self.headers, buffer, numbers)


def _records_headers(records: list[dict[str, object]], expected: list[str]) -> list[str]:
    seen = dict.fromkeys(expected)
    for r in records:
        for key in r:
            seen.setdefault(key, None)
    present = {k for r in records for k in r}
    return [h for h in seen if h in present]


class JsonReader(FileReader):
    """A JSON document holding lists of records (the weather feed)."""

    def batches(self) -> Iterator[pa.RecordBatch]:
        try:
            doc = json.loads(self.path.read_bytes().decode("utf-8"))
        except UnicodeDecodeError as exc:
            raise ContractError(
                f"the file is not valid UTF-8 ({exc.reason} at byte {exc.start})"
            ) from exc
        except json.JSONDecodeError as exc:
            raise ContractError(
                f"the file is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
            ) from exc
        if not isinstance(doc, dict):
            raise ContractError(f"the JSON document must be an object, found {type(doc).__name__}")
        key = self.entity.json_path
        if key not in doc:
            raise ContractError(f"the JSON document has no {key!r} list (keys: {', '.join(doc)})")
        records = doc[key]
        if not isinstance(records, list):
            raise ContractError(f"{key!r} must be a list, found {type(records).__name__}")
        good: list[dict[str, object]] = []
        numbers: list[int] = []
        for i, r in enumerate(records, start=1):
            if isinstance(r, dict):
                good.append(r)
                numbers.append(i)
            else:
                self.rejects.append(
                    Reject(
                        i, f"{key}[{i}] is not an object", json.dumps(r, ensure_ascii=False)[:500]
                    )
                )
        self.rows_seen = len(records)
        self.headers = _records_headers(good, [c.header for c in self.entity.columns])
        rows = [[_text(r.get(h)) for h in self.headers] for r in good]
        yield _batch(self.headers, rows, numbers)


class JsonlReader(FileReader):
    """One JSON object a line; a truncated or invalid line is rejected, the rest loads."""

    def batches(self) -> Iterator[pa.RecordBatch]:
        good: list[dict[str, object]] = []
        numbers: list[int] = []
        with self.path.open("rb") as f:
            for number, raw in enumerate(f, start=1):
                if not raw.strip():
                    continue
                self.rows_seen += 1
                try:
                    record = json.loads(raw.decode("utf-8"))
                except UnicodeDecodeError:
                    self.rejects.append(
                        Reject(
                            number, "line is not valid UTF-8", raw[:500].decode("utf-8", "replace")
                        )
                    )
                    continue
                except json.JSONDecodeError as exc:
                    self.rejects.append(
                        Reject(
                            number,
                            f"truncated or invalid JSON ({exc.msg})",
                            raw[:500].decode("utf-8").rstrip(),
                        )
                    )
                    continue
                if not isinstance(record, dict):
                    self.rejects.append(
                        Reject(
                            number, "line is not a JSON object", raw[:500].decode("utf-8").rstrip()
                        )
                    )
                    continue
                good.append(record)
                numbers.append(number)
        self.headers = _records_headers(good, [c.header for c in self.entity.columns])
        if not good:
            self.headers = [c.header for c in self.entity.columns]
        for start in range(0, max(len(good), 1), BATCH_ROWS):
            part = good[start : start + BATCH_ROWS]
            yield _batch(
                self.headers,
                [[_text(r.get(h)) for h in self.headers] for r in part],
                numbers[start : start + BATCH_ROWS],
            )


READERS: dict[str, type[FileReader]] = {
    "csv": CsvReader,
    "xlsx": XlsxReader,
    "json": JsonReader,
    "jsonl": JsonlReader,
}


def open_reader(entity: EntitySpec, path: Path) -> FileReader:
    if path.stat().st_size == 0:
        raise ContractError("the file is empty (0 bytes)")
    return READERS[entity.reader](path, entity)
