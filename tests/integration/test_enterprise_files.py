"""The dirt of the 精准营商 sources (SOURCES.md 14-17): which faults reject a row, which refuse
the file, and that nothing else is lost."""

from __future__ import annotations

import json

import numpy as np
import pytest

from cityops.synth.enterprises import ENTERPRISE_HEADERS, REQUEST_HEADERS, UNIT_HEADERS
from cityops.synth.writers import Delivery, write_csv, write_jsonl, write_xlsx

from .test_ingest import count, ledger, rejected, run

pytestmark = pytest.mark.integration
DAY = "2026-11-20"
CODE = "91310104MA1FL0000X"


def _delivery(headers: list[str]) -> Delivery:
    return Delivery(headers, np.random.default_rng(0), allow_dirt=False)


def _enterprise(i: int, **changes: object) -> dict[str, object]:
    from cityops import uscc

    row = {
        "统一社会信用代码": uscc.make("9", "1", "310104", f"{i:08d}"),
        "企业名称": f"上海某某{i}科技有限公司",
        "法定代表人": "王伟",
        "法定代表人身份证号": "310104198001010013",
        "注册地址": f"上海市徐汇区漕溪北路{i}号",
        "区": "徐汇区",
        "街道": "徐家汇街道",
        "行业代码": "I6510",
        "注册资本(万元)": "100",
        "成立日期": "2015-03-01",
        "登记状态": "存续",
        "资质": "高新技术企业;专精特新",
    }
    row.update(changes)
    return row


def test_register_row_faults_reject_the_row_and_a_repeated_code_refuses_the_file(
    fresh_url, tmp_path
) -> None:
    landing = tmp_path / "landing"
    rows = [_enterprise(i) for i in range(1, 61)]
    rows[2]["成立日期"] = "2015-02-30"  # no such day
    rows[4]["登记状态"] = "停业"  # not a stated status
    rows[6]["统一社会信用代码"] = "91310104ma1fl0000x"  # this file's codes are clean
    rows[8]["行业代码"] = "软件"  # not a GB/T 4754 class
    write_csv(
        landing / "enterprises" / DAY / "enterprises_20261120.csv",
        _delivery(ENTERPRISE_HEADERS),
        rows,
        encoding="utf-8",
    )
    summary = run(fresh_url, "enterprises", landing, tmp_path)
    assert not summary.refused, summary.as_dict()
    assert ledger(fresh_url, "enterprises")[0][2:] == ("loaded", 60, 56, 4)
    assert {c for _, _, c, _ in rejected(fresh_url)} == {
        "established_on",
        "status",
        "uscc",
        "industry_code",
    }
    rows = [_enterprise(i) for i in range(1, 21)]
    rows[3]["统一社会信用代码"] = rows[2]["统一社会信用代码"]
    write_csv(
        landing / "enterprises" / "2026-11-21" / "enterprises_20261121.csv",
        _delivery(ENTERPRISE_HEADERS),
        rows,
        encoding="utf-8",
    )
    summary = run(fresh_url, "enterprises", landing, tmp_path)
    assert len(summary.refused) == 1 and "unique" in summary.refused[0].error.lower()
    assert count(fresh_url, "select count(*) from raw.enterprises__register") == 56


def test_event_lines_cut_short_or_of_unknown_type_are_rejected_and_repeats_load_once(
    fresh_url, tmp_path
) -> None:
    landing = tmp_path / "landing"

    def line(i: int, **changes: object) -> str:
        event = {
            "event_id": f"EV{i:06d}",
            "uscc": CODE,
            "occurred_at": f"2026-10-{i % 28 + 1:02d} 10:00:00",
            "type": "legal_rep_change",
            "old": "甲",
            "new": "乙",
        }
        event.update(changes)
        return json.dumps(event, ensure_ascii=False)

    first = [line(i) for i in range(40)]
    first.insert(5, first[4][:30])  # a truncated line
    first.append(line(99, type="merger"))  # not a stated type
    first.append(line(98, occurred_at="yesterday"))
    write_jsonl(landing / "enterprise_events" / DAY / "events_20261120.jsonl", first)
    # the next delivery re-sends ten of them, and brings one that occurred earlier
    again = [line(i) for i in range(30, 40)] + [line(200, occurred_at="2026-01-05 09:00:00")]
    write_jsonl(landing / "enterprise_events" / "2026-11-21" / "events_20261121.jsonl", again)
    summary = run(fresh_url, "enterprise_events", landing, tmp_path)
    assert not summary.refused, summary.as_dict()
    assert [b[3:] for b in ledger(fresh_url, "enterprise_events")] == [(43, 40, 3), (11, 11, 0)]
    assert (
        count(fresh_url, "select count(distinct event_id) from raw.enterprise_events__events") == 41
    )


def test_request_workbooks(fresh_url, tmp_path) -> None:
    landing = tmp_path / "landing"

    def request(i: int, **changes: object) -> dict[str, object]:
        row = {
            "诉求编号": f"SQ{i:06d}",
            "统一社会信用代码": CODE,
            "受理日期": "2026-10-08",
            "诉求类型": "办公用房",
            "诉求内容": "需要更大的办公场地",
            "需求面积(平方米)": "300-500",
            "租金预算(元/平方米/天)": "8.5",
            "意向区域": "徐家汇街道",
            "承办部门": "街道营商办",
            "办理状态": "已受理",
            "办结日期": "",
            "满意度": "",
        }
        row.update(changes)
        return row

    rows = [request(i) for i in range(1, 41)]
    rows[1]["统一社会信用代码"] = "９１３１０１０４MA1FL0000X"  # dirty: loads, cleaned in staging
    rows[2]["需求面积(平方米)"] = "大约三百"  # does not parse: loads with a warning
    rows[3]["受理日期"] = ""  # blank required value
    rows[4]["满意度"] = "6"  # out of its range
    rows[5]["租金预算(元/平方米/天)"] = "八元"  # not a number
    write_xlsx(
        landing / "enterprise_requests" / DAY / "requests_202610.xlsx",
        "企业诉求",
        _delivery(REQUEST_HEADERS),
        rows,
    )
    write_xlsx(
        landing / "enterprise_requests" / "2026-11-21" / "requests_202611.xlsx",
        "Sheet1",  # not the stated sheet
        _delivery(REQUEST_HEADERS),
        rows,
    )
    summary = run(fresh_url, "enterprise_requests", landing, tmp_path)
    assert [f.status for f in summary.files] == ["loaded", "refused"]
    assert "企业诉求" in summary.refused[0].error
    assert ledger(fresh_url, "enterprise_requests")[0][3:] == (40, 37, 3)
    assert {c for _, _, c, _ in rejected(fresh_url)} == {
        "received_on",
        "satisfaction",
        "rent_budget",
    }


def test_units_without_a_building_code_load_and_a_missing_column_refuses_the_file(
    fresh_url, tmp_path
) -> None:
    landing = tmp_path / "landing"

    def unit(i: int, **changes: object) -> dict[str, object]:
        row = {
            "房源编号": f"FY{i:07d}",
            "楼宇名称": "漕溪大厦",
            "建筑编号": "" if i % 2 else "SH-310104-00001",
            "地址": "上海市徐汇区漕溪北路1号",
            "区": "徐汇区",
            "街道": "徐家汇街道",
            "楼层": str(i % 30 + 2),
            "面积(平方米)": "420.5",
            "租金(元/平方米/天)": "8.2",
            "楼宇等级": "甲级",
            "可入驻日期": "2026-12-01",
            "状态": "空置",
        }
        row.update(changes)
        return row

    rows = [unit(i) for i in range(1, 41)]
    rows[3]["面积(平方米)"] = "约400"  # not a number
    rows[5]["建筑编号"] = "310104-1"  # not the registry's form: loads with a warning
    write_csv(
        landing / "office_space" / DAY / "units_20261120.csv",
        _delivery(UNIT_HEADERS),
        rows,
        encoding="utf-8",
    )
    headers = [h for h in UNIT_HEADERS if h != "面积(平方米)"]
    write_csv(
        landing / "office_space" / "2026-11-21" / "units_20261121.csv",
        _delivery(headers),
        rows,
        encoding="utf-8",
    )
    summary = run(fresh_url, "office_space", landing, tmp_path)
    assert [f.status for f in summary.files] == ["loaded", "refused"]
    assert "面积" in summary.refused[0].error
    assert ledger(fresh_url, "office_space")[0][3:] == (40, 39, 1)
    assert (
        count(fresh_url, "select count(*) from raw.office_space__units where building_code = ''")
        + count(
            fresh_url, "select count(*) from raw.office_space__units where building_code is null"
        )
        >= 19
    )
