"""The dirt of the 汇商码 sources (SOURCES.md 9-13): which faults reject a row, which refuse
the file, and that nothing else is lost."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from cityops.synth.shops import LICENCE_HEADERS, RATING_HEADERS, SHOP_HEADERS
from cityops.synth.writers import Delivery, write_csv, write_json, write_jsonl, write_xlsx

from .test_ingest import count, ledger, rejected, run

pytestmark = pytest.mark.integration
DAY = "2026-11-20"


def _shop(i: int, **changes: object) -> dict[str, object]:
    row = {
        "店铺编号": f"HS-310104-{i:06d}",
        "店铺名称": f"老王面馆{i}",
        "统一社会信用代码": "91310104MA1FL0000X",
        "经营者姓名": "王伟",
        "经营者身份证号": "310104198001010013",
        "路名": "漕溪路",
        "门牌号": f"{i}号",
        "街道": "徐家汇街道",
        "行业": "餐饮",
        "经营状态": "营业",
        "开业日期": "2020/01/15",
        "经度": "121.43",
        "纬度": "31.18",
    }
    row.update(changes)
    return row


def _delivery(headers: list[str]) -> Delivery:
    return Delivery(headers, np.random.default_rng(0), allow_dirt=False)


def _register(landing: Path, rows: list[dict[str, object]], encoding: str = "gbk") -> Path:
    path = landing / "shops" / DAY / "shops_20261120.csv"
    write_csv(path, _delivery(SHOP_HEADERS), rows, encoding=encoding)
    return path


def test_register_row_faults_reject_the_row_and_keep_the_file(fresh_url, tmp_path) -> None:
    rows = [_shop(i) for i in range(1, 41)]
    rows[3]["店铺名称"] = ""  # blank required value
    rows[7]["开业日期"] = "2026/02/30"  # no such day
    rows[9]["经营状态"] = "停业整顿"  # not one of the stated values
    rows[11]["统一社会信用代码"] = "9131 0104ma1fl0000x"  # dirty but loads (a warning)
    _register(tmp_path / "landing", rows)
    summary = run(fresh_url, "shops", tmp_path / "landing", tmp_path)
    assert not summary.refused, summary.as_dict()
    assert ledger(fresh_url, "shops") == [("shops_20261120.csv", "register", "loaded", 40, 37, 3)]
    found = {(rule, column) for _, rule, column, _ in rejected(fresh_url)}
    assert found == {
        ("expect_column_values_to_not_be_null", "shop_name"),
        ("expect_column_values_to_match_regex", "opened_on"),
        ("expect_column_values_to_be_in_set", "status"),
    }


@pytest.mark.parametrize(
    "fault, expected",
    [
        ("utf8", "GBK"),
        ("no_shop_id_column", "店铺编号"),
        ("repeated_shop_id", "unique"),
    ],
)
def test_register_file_faults_refuse_the_file(fault, expected, fresh_url, tmp_path) -> None:
    rows = [_shop(i) for i in range(1, 21)]
    landing = tmp_path / "landing"
    if fault == "utf8":
        _register(landing, rows, encoding="utf-8")
    elif fault == "no_shop_id_column":
        for r in rows:
            del r["店铺编号"]
        path = landing / "shops" / DAY / "shops_20261120.csv"
        write_csv(path, _delivery(SHOP_HEADERS[1:]), rows, encoding="gbk")
    else:
        rows[5]["店铺编号"] = rows[4]["店铺编号"]
        _register(landing, rows)
    summary = run(fresh_url, "shops", landing, tmp_path)
    assert len(summary.refused) == 1
    assert expected.lower() in summary.refused[0].error.lower(), summary.refused[0].error
    assert count(fresh_url, "select count(*) from raw.shops__register") == 0
    assert summary.refused[0].quarantined_as


def test_a_licence_workbook_without_its_sheet_is_refused(fresh_url, tmp_path) -> None:
    path = tmp_path / "landing" / "shop_licences" / DAY / "licences_20261120.xlsx"
    row = dict.fromkeys(LICENCE_HEADERS, "x") | {"发证日期": "2026-01-01", "状态": "有效"}
    write_xlsx(path, "Sheet1", _delivery(LICENCE_HEADERS), [row])
    summary = run(fresh_url, "shop_licences", tmp_path / "landing", tmp_path)
    assert len(summary.refused) == 1 and "许可证" in summary.refused[0].error


def test_inspection_documents_and_their_rows(fresh_url, tmp_path) -> None:
    landing = tmp_path / "landing"

    def inspection(i: int, **changes: object) -> dict[str, object]:
        record: dict[str, object] = {
            "inspection_id": f"JC{i}",
            "shop_id": None,
            "uscc": None,
            "shop_name": "老王面馆",
            "address": "漕溪路1号",
            "inspected_on": "2026-11-02",
            "kind": "routine",
            "team": "徐汇所一组",
            "violations": [{"code": "F01", "severity": "critical", "points": 9, "note": ""}],
        }
        record.update(changes)
        return record

    good = [inspection(i) for i in range(30)]
    good[2]["violations"] = "none"  # not a list
    good[4]["kind"] = "audit"  # not a stated kind
    good[6]["inspected_on"] = "14/10/2026"  # not the stated date form
    write_json(
        landing / "shop_inspections" / DAY / "inspections_20261120.json", {"inspections": good}
    )
    write_json(
        landing / "shop_inspections" / "2026-11-21" / "inspections_20261121.json",
        {"records": good},  # not the stated shape
    )
    summary = run(fresh_url, "shop_inspections", landing, tmp_path)
    assert [f.status for f in summary.files] == ["loaded", "refused"]
    assert "'inspections'" in summary.refused[0].error
    assert ledger(fresh_url, "shop_inspections")[0][3:] == (30, 27, 3)


def test_feedback_lines_cut_short_are_rejected_and_repeats_load_once(fresh_url, tmp_path) -> None:
    lines = [
        json.dumps(
            {
                "feedback_id": f"FB{i}",
                "channel": "hotline",
                "kind": "complaint",
                "shop_name": "老王面馆(徐家汇店)",
                "address": "漕溪路1号",
                "shop_id": None,
                "received_at": "2026-11-02T09:12:00+08:00",
                "category": "食品安全",
                "text": "",
                "closed_at": None,
            },
            ensure_ascii=False,
        )
        for i in range(40)
    ]
    lines[10] = lines[10][:37]  # truncated in transfer
    lines.append(lines[5])  # the same feedback twice
    lines[20] = lines[20].replace('"complaint"', '"praise"')
    write_jsonl(tmp_path / "landing" / "consumer_feedback" / DAY / "feedback_20261120.jsonl", lines)
    summary = run(fresh_url, "consumer_feedback", tmp_path / "landing", tmp_path)
    assert not summary.refused, summary.as_dict()
    assert ledger(fresh_url, "consumer_feedback")[0][3:] == (41, 39, 2)
    reasons = {rule for _, rule, _, _ in rejected(fresh_url)}
    assert "unreadable_row" in reasons and "expect_column_values_to_be_in_set" in reasons
    # the repeated line is one business key: staging keeps one row of it
    assert (
        count(fresh_url, "select count(distinct feedback_id) from raw.consumer_feedback__feedback")
        == 38
    )


def test_a_rating_outside_a_to_d_is_rejected(fresh_url, tmp_path) -> None:
    rows = [
        {
            "店铺编号": "",
            "统一社会信用代码": "",
            "店铺名称": f"老王面馆{i}",
            "评价机构": "徐汇区餐饮行业协会",
            "评价等级": "E" if i == 3 else "A",
            "评价日期": "2026-09-20",
        }
        for i in range(20)
    ]
    path = tmp_path / "landing" / "shop_ratings" / DAY / "ratings_2026Q3.csv"
    write_csv(path, _delivery(RATING_HEADERS), rows, encoding="utf-8-sig")
    summary = run(fresh_url, "shop_ratings", tmp_path / "landing", tmp_path)
    assert not summary.refused
    assert ledger(fresh_url, "shop_ratings")[0][3:] == (20, 19, 1)
