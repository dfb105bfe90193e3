"""The dirt of the 政策通 sources (SOURCES.md 18-19): a policy whose conditions break the
contract is rejected with the reason and the rest of the catalogue loads; a document of the
wrong shape is refused; application rows with faults are rejected."""

from __future__ import annotations

import numpy as np
import pytest

from cityops.synth.policies import APPLICATION_HEADERS
from cityops.synth.writers import Delivery, write_csv, write_json

from .test_ingest import count, ledger, rejected, run

pytestmark = pytest.mark.integration
DAY = "2026-11-20"


def _policy(i: int, *conditions: dict) -> dict:
    return {
        "policy_id": f"ZC2026{i:04d}",
        "title": f"政策{i}",
        "issuer": "徐汇区商务委员会",
        "level": "区",
        "district": "徐汇区",
        "published_on": "2026-10-01",
        "valid_from": "2026-10-08",
        "valid_until": None,
        "mode": "申报",
        "benefit": {"kind": "补贴", "amount_wan": 20, "rule": "按规定"},
        "conditions": list(conditions) or [{"field": "employees", "op": ">=", "value": 10}],
        "text_url": None,
    }


def test_policies_with_forbidden_conditions_are_rejected_and_the_rest_loads(
    fresh_url, tmp_path
) -> None:
    landing = tmp_path / "landing"
    policies = [_policy(i) for i in range(1, 31)]
    policies[1] = _policy(2, {"field": "revenue_wan", "op": ">=", "value": 100})
    policies[2] = _policy(3, {"field": "employees", "op": "≈", "value": 10})
    policies[3] = _policy(4, {"field": "employees", "op": ">=", "value": "十人"})
    policies[4] = _policy(5, {"field": "in_building", "op": "=", "value": "是"})
    policies[5]["valid_from"] = "2026-13-01"  # no such month
    write_json(landing / "policies" / DAY / "policies_20261120.json", {"policies": policies})
    write_json(
        landing / "policies" / "2026-11-21" / "policies_20261121.json",
        {"items": policies},  # not the stated shape
    )
    summary = run(fresh_url, "policies", landing, tmp_path)
    assert [f.status for f in summary.files] == ["loaded", "refused"]
    assert "'policies'" in summary.refused[0].error
    assert ledger(fresh_url, "policies")[0][3:] == (30, 25, 5)
    reasons = {n: (rule, column, reason) for n, rule, column, reason in _reasons(fresh_url)}
    assert "'revenue_wan' is not one of" in reasons[2][2]
    assert "'≈' is not one of" in reasons[3][2]
    assert "'十人' is not of type 'number'" in reasons[4][2]
    assert "'是' is not of type 'boolean'" in reasons[5][2]
    assert reasons[6][1] == "valid_from"
    assert count(fresh_url, "select count(*) from raw.policies__policies") == 25


def test_a_catalogue_is_refused_only_when_a_quarter_of_its_policies_are_broken(
    fresh_url, tmp_path
) -> None:
    landing = tmp_path / "landing"
    bad = {"field": "revenue_wan", "op": ">=", "value": 100}
    slips = [_policy(i, bad) if i % 5 == 0 else _policy(i) for i in range(1, 41)]  # 8 of 40
    broken = [_policy(i, bad) if i % 3 == 0 else _policy(i) for i in range(41, 81)]  # 13 of 40
    write_json(landing / "policies" / DAY / "policies_20261120.json", {"policies": slips})
    write_json(landing / "policies" / "2026-11-21" / "policies_20261121.json", {"policies": broken})
    summary = run(fresh_url, "policies", landing, tmp_path)
    assert [f.status for f in summary.files] == ["loaded", "refused"]
    assert "25% of the rows" in summary.refused[0].error
    assert ledger(fresh_url, "policies")[0][3:] == (40, 32, 8)
    assert count(fresh_url, "select count(*) from raw.policies__policies") == 32


def _reasons(url: str) -> list[tuple]:
    import psycopg

    with psycopg.connect(url) as conn:
        return conn.execute(
            "select row_number, rule, column_name, reason from ops.rejected_rows order by row_number"
        ).fetchall()


def test_application_row_faults_reject_the_row(fresh_url, tmp_path) -> None:
    landing = tmp_path / "landing"
    rows = [
        {
            "申报编号": f"SB{i:06d}",
            "政策编号": "ZC20260001",
            "统一社会信用代码": "91310104MA1FL0000X",
            "申报日期": "2026-10-10",
            "状态": "通过",
            "核定金额(万元)": "20",
            "决定日期": "2026-10-30",
        }
        for i in range(40)
    ]
    rows[1]["状态"] = "待定"  # not a stated status
    rows[2]["申报日期"] = ""  # blank required value
    rows[3]["核定金额(万元)"] = "二十"  # not a number
    rows[4]["统一社会信用代码"] = "9131 0104ma1fl0000x"  # dirty: loads
    write_csv(
        landing / "policy_applications" / DAY / "applications_202610.csv",
        Delivery(APPLICATION_HEADERS, np.random.default_rng(0), allow_dirt=False),
        rows,
        encoding="utf-8",
    )
    summary = run(fresh_url, "policy_applications", landing, tmp_path)
    assert not summary.refused
    assert ledger(fresh_url, "policy_applications")[0][3:] == (40, 37, 3)
    assert {c for _, _, c, _ in rejected(fresh_url)} == {"status", "submitted_on", "granted_wan"}
