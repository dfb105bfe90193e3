"""The files people open: xlsx content reads back as written, and equal content gives equal bytes."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from cityops.fileio import csv_bytes, xlsx_bytes

HEADERS = ["区", "姓名", "身份证号", "人数", "备注"]
ROWS = [
    ["徐汇区", "张三", "31010419900307001X", 3, ""],
    [
        "浦东新区",
        '=HYPERLINK("http://example.invalid")',
        "310115200001010011",
        0,
        "http://x.invalid",
    ],
]


def test_xlsx_reads_back_as_text_numbers_and_blanks() -> None:
    sheet = load_workbook(io.BytesIO(xlsx_bytes("名单", HEADERS, ROWS)))["名单"]
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert values[0] == HEADERS
    assert values[1] == ["徐汇区", "张三", "31010419900307001X", 3, None]
    # a department's text never becomes a formula or a link, and an ID stays text
    assert values[2][1] == ROWS[1][1] and values[2][2] == "310115200001010011"
    assert sheet.cell(3, 2).data_type == "s" and sheet.cell(3, 5).hyperlink is None


def test_xlsx_and_csv_bytes_are_reproducible() -> None:
    assert xlsx_bytes("名单", HEADERS, ROWS) == xlsx_bytes("名单", HEADERS, ROWS)
    assert xlsx_bytes("名单", HEADERS, ROWS) != xlsx_bytes("名单", HEADERS, ROWS[:1])
    assert csv_bytes(HEADERS, ROWS) == csv_bytes(HEADERS, ROWS)
    assert csv_bytes(HEADERS, ROWS).startswith("\ufeff".encode())
