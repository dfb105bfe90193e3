"""Scheduled matching exports: one file per street, for the people who act on them.

``exports/<as-of>/graduate_assistance/<district>/<street>.csv|.xlsx`` carries full ID
numbers (an authorised export: it runs as ``cityops_exporter``, reads the IDs through the
audited ``ops.graduate_ids()``, writes 0600 files and records every one in ``ops.exports``); ``exports/<as-of>/facade_risk/<district>/<street>.csv|.xlsx`` lists red
and orange buildings by score; ``shop_worklist/`` each street's inspection work list and
``shop_codes/`` its red and grey shops (汇商码); ``enterprise_requests/`` its overdue
enterprise requests and ``enterprise_alerts/`` its enterprises' abnormal-change alerts
(精准营商); ``policy_push/`` its enterprises eligible for a 申报 policy that have not
applied, and ``policy_grants/<issuer>.csv`` each issuer's 免申即享 grant list (政策通).
``manifest.json`` records rows and sha256 per file. The
same as-of date rewrites the same bytes.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from .fileio import csv_bytes, write_private, xlsx_bytes
from .roles import role_url
from .settings import get_settings

GRADUATE_COLUMNS = [
    ("district_name", "区"),
    ("street_name", "街道"),
    ("person_name", "姓名"),
    ("id_number", "身份证号"),
    ("gender", "性别"),
    ("university", "学校"),
    ("degree", "学历"),
    ("major", "专业"),
    ("expected_graduation_on", "预计毕业日期"),
    ("welfare_case_no", "救助证号"),
    ("welfare_link_path", "低保关联方式"),
    ("person_match_path", "身份匹配方式"),
    ("person_match_confidence", "匹配置信度"),
]
FACADE_COLUMNS = [
    ("district_name", "区"),
    ("street_name", "街道"),
    ("building_code", "建筑编号"),
    ("building_name", "建筑名称"),
    ("address", "地址"),
    ("risk_score", "风险评分"),
    ("risk_tier", "风险等级"),
    ("hard_rule", "强制规则"),
    ("top_factor_1", "主要因素1"),
    ("top_factor_2", "主要因素2"),
    ("top_factor_3", "主要因素3"),
    ("recommended_action", "建议措施"),
    ("action_due_on", "处置期限"),
]
WORKLIST_COLUMNS = [
    ("district_name", "区"),
    ("street_name", "街道"),
    ("street_rank", "排序"),
    ("shop_id", "店铺编号"),
    ("shop_name", "店铺名称"),
    ("address", "地址"),
    ("industry", "行业"),
    ("risk_score", "风险分"),
    ("reason_1", "主要原因1"),
    ("reason_2", "主要原因2"),
    ("reason_3", "主要原因3"),
    ("last_inspected_on", "上次检查日期"),
    ("colour", "汇商码"),
]
SHOP_CODE_COLUMNS = [
    ("district_name", "区"),
    ("street_name", "街道"),
    ("shop_id", "店铺编号"),
    ("shop_name", "店铺名称"),
    ("colour", "汇商码"),
    ("overriding_rule", "判定规则"),
    ("licence_reason", "许可证"),
    ("inspection_reason", "监督检查"),
    ("rating_reason", "行业评价"),
    ("feedback_reason", "消费评价"),
]
OVERDUE_REQUEST_COLUMNS = [
    ("district_name", "区"),
    ("street_name", "街道"),
    ("request_id", "诉求编号"),
    ("enterprise_name", "企业名称"),
    ("uscc", "统一社会信用代码"),
    ("category", "诉求类型"),
    ("owner", "承办部门"),
    ("status", "办理状态"),
    ("received_on", "受理日期"),
    ("working_days_age", "已用工作日"),
]
ALERT_COLUMNS = [
    ("district_name", "区"),
    ("street_name", "街道"),
    ("uscc", "统一社会信用代码"),
    ("enterprise_name", "企业名称"),
    ("rule_name", "异动类型"),
    ("first_held_on", "首次触发日期"),
    ("explanation", "说明"),
]
POLICY_PUSH_COLUMNS = [
    ("district_name", "区"),
    ("street_name", "街道"),
    ("uscc", "统一社会信用代码"),
    ("enterprise_name", "企业名称"),
    ("policy_id", "政策编号"),
    ("title", "政策名称"),
    ("issuer", "发布机构"),
    ("benefit_kind", "支持方式"),
    ("benefit_amount_wan", "金额(万元)"),
]
POLICY_GRANT_COLUMNS = [
    ("issuer", "发布机构"),
    ("policy_id", "政策编号"),
    ("title", "政策名称"),
    ("uscc", "统一社会信用代码"),
    ("enterprise_name", "企业名称"),
    ("benefit_kind", "支持方式"),
    ("benefit_amount_wan", "金额(万元)"),
]
COLOUR_LABELS = {"green": "绿码", "yellow": "黄码", "red": "红码", "grey": "灰码"}
TIER_LABELS = {"red": "红", "orange": "橙", "yellow": "黄", "green": "绿"}
LINK_LABELS = {"roll_member": "低保名册成员", "registry_household": "同户籍户"}
MATCH_LABELS = {
    "id_registry": "身份证号",
    "id_unregistered": "身份证号(非本市户籍)",
    "probabilistic": "概率匹配",
}


EXPORTS = (
    "graduate_assistance",
    "facade_risk",
    "shop_worklist",
    "shop_codes",
    "enterprise_requests",
    "enterprise_alerts",
    "policy_push",
    "policy_grants",
)


@dataclass
class ExportResult:
    as_of: str
    root: Path
    files: list[dict[str, object]] = field(default_factory=list)

    def rows(self, export: str) -> int:
        return sum(
            int(f["rows"])
            for f in self.files
            if f["export"] == export and str(f["file"]).endswith(".csv")
        )


class NoMartsYet(RuntimeError):
    """The marts have not been built (or are empty): there is nothing to export yet."""


def marts_as_of(url: str) -> str | None:
    """The as-of date the marts were last built for (None before the first transform)."""
    with psycopg.connect(url) as conn:
        if conn.execute("select to_regclass('marts.mart_facade_risk')").fetchone()[0] is None:
            return None
        row = conn.execute("select max(as_of_date) from marts.mart_facade_risk").fetchone()
    return row[0].isoformat() if row and row[0] else None


def _graduates(conn: psycopg.Connection, reason: str) -> list[dict[str, object]]:
    # Full IDs come only through ops.graduate_ids(), which audits the read in ops.audit_log.
    cur = conn.execute(
        """
        select g.district_name, g.street_name, g.person_name, i.id_number, g.gender,
               g.university, g.degree, g.major, g.expected_graduation_on, g.welfare_case_no,
               g.welfare_link_path, g.person_match_path, g.person_match_confidence
        from marts.mart_graduate_assistance as g
        inner join ops.graduate_ids(%s) as i on i.person_key = g.person_key
        order by g.district_name, g.street_name, g.person_name, i.id_number
        """,
        (reason,),
    )
    names = [c.name for c in cur.description]
    rows = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    for r in rows:
        r["welfare_link_path"] = LINK_LABELS.get(
            str(r["welfare_link_path"]), r["welfare_link_path"]
        )
        r["person_match_path"] = MATCH_LABELS.get(
            str(r["person_match_path"]), r["person_match_path"]
        )
    return rows


def _facades(conn: psycopg.Connection) -> list[dict[str, object]]:
    cur = conn.execute(
        """
        select r.district_name, r.street_name, r.building_code, b.building_name, b.address, r.risk_score,
               r.risk_tier, r.hard_rule, r.top_factor_1, r.top_factor_2, r.top_factor_3,
               r.recommended_action, r.action_due_on
        from marts.mart_facade_risk as r
        inner join marts.dim_building as b on b.building_code = r.building_code
        where r.risk_tier in ('red', 'orange')
        order by r.district_name, r.street_name, r.risk_score desc, r.building_code
        """
    )
    names = [c.name for c in cur.description]
    rows = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    for r in rows:
        r["risk_tier"] = TIER_LABELS.get(str(r["risk_tier"]), r["risk_tier"])
    return rows


def _rows(cur: psycopg.Cursor) -> list[dict[str, object]]:
    names = [c.name for c in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def _shop_rows(conn: psycopg.Connection, query: str) -> list[dict[str, object]]:
    rows = _rows(conn.execute(query))
    for r in rows:
        r["colour"] = COLOUR_LABELS.get(str(r["colour"]), r["colour"])
    return rows


def _shop_worklist(conn: psycopg.Connection) -> list[dict[str, object]]:
    return _shop_rows(
        conn,
        "select '徐汇区' as district_name, street_name, street_rank, shop_id, shop_name, address, "
        "industry, risk_score, reason_1, reason_2, reason_3, last_inspected_on, colour "
        "from marts.mart_shop_worklist order by street_name, street_rank",
    )


def _shop_codes(conn: psycopg.Connection) -> list[dict[str, object]]:
    """Red and grey shops: the ones a street office acts on (a fault, or no grade yet)."""
    return _shop_rows(
        conn,
        "select '徐汇区' as district_name, street_name, shop_id, shop_name, colour, overriding_rule, "
        "licence_reason, inspection_reason, rating_reason, feedback_reason "
        "from marts.mart_shop_code where colour in ('red', 'grey') "
        "order by street_name, colour desc, shop_id",
    )


def _overdue_requests(conn: psycopg.Connection) -> list[dict[str, object]]:
    """Open requests past their working-day limit, oldest first (requests whose credit
    code links no enterprise have no street and are counted in the run report instead)."""
    return _rows(
        conn.execute(
            "select d.district_name, r.street_name, r.request_id, r.enterprise_name, r.uscc, "
            "r.category, r.owner, r.status, r.received_on, r.working_days_age "
            "from marts.mart_enterprise_requests as r "
            "left join marts.dim_enterprise as d using (uscc) "
            "where r.is_overdue and r.street_code is not null "
            "order by r.street_code, r.working_days_age desc, r.request_id"
        )
    )


def _enterprise_alerts(conn: psycopg.Connection) -> list[dict[str, object]]:
    return _rows(
        conn.execute(
            "select d.district_name, a.street_name, a.uscc, a.enterprise_name, a.rule_name, "
            "a.first_held_on, a.explanation "
            "from marts.mart_enterprise_alerts as a "
            "inner join marts.dim_enterprise as d using (uscc) "
            "where a.street_code is not null "
            "order by a.street_code, a.first_held_on desc, a.uscc, a.rule"
        )
    )


def _policy_push(conn: psycopg.Connection) -> list[dict[str, object]]:
    return _rows(
        conn.execute(
            "select d.district_name, p.street_name, p.uscc, p.enterprise_name, p.policy_id, p.title, "
            "p.issuer, p.benefit_kind, p.benefit_amount_wan from marts.mart_policy_push as p "
            "inner join marts.dim_enterprise as d using (uscc) order by p.street_code, p.policy_id, p.uscc"
        )
    )


def _policy_grants(conn: psycopg.Connection) -> list[dict[str, object]]:
    """Grant lists go to their issuer: one file per issuer under policy_grants/政策通/."""
    rows = _rows(
        conn.execute(
            "select issuer, policy_id, title, uscc, enterprise_name, benefit_kind, benefit_amount_wan "
            "from marts.mart_policy_grants order by issuer, policy_id, uscc"
        )
    )
    for r in rows:
        r["district_name"], r["street_name"] = "政策通", r["issuer"]
    return rows


def _cell(value: object) -> object:
    if isinstance(value, dt.date):
        return value.isoformat()
    if value is None:
        return ""
    return value if isinstance(value, int | str) else str(value)


def _safe(name: object) -> str:
    text = str(name or "未知").replace("/", "_").replace("\\", "_").strip()
    return text or "未知"


def write_exports(
    url: str, exports_root: Path, as_of: str | None = None, *, actor: str | None = None
) -> ExportResult:
    """Write every per-street file for one as-of date, replace any earlier set, audit each file."""
    as_of = as_of or marts_as_of(url)
    if not as_of:
        raise NoMartsYet("the marts have not been built yet: run the transform before exporting")
    from ingest.discover import delivery_day

    if delivery_day(as_of) is None:  # it names a folder: nothing but a date gets there
        raise ValueError(f"as-of date {as_of!r} is not YYYY-MM-DD")
    actor = actor or get_settings().actor or "cityops_exporter"
    url = role_url(url, "exporter")
    target = exports_root / as_of
    exports_root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{as_of}-", dir=exports_root))
    result = ExportResult(as_of, target)
    try:
        _write(url, staging, target, result, as_of, actor)
    finally:
        shutil.rmtree(staging, ignore_errors=True)  # gone once published; a failure leaves nothing
    return result


def _publish(staging: Path, target: Path) -> None:
    """Swap the new set in; an earlier set for the same date is replaced whole."""
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}-old")
        shutil.rmtree(old, ignore_errors=True)
        target.rename(old)
    staging.rename(target)
    if old:
        shutil.rmtree(old, ignore_errors=True)
    target.chmod(0o700)


def _write(
    url: str, staging: Path, target: Path, result: ExportResult, as_of: str, actor: str
) -> None:
    with psycopg.connect(url) as conn:
        conn.execute("select set_config('cityops.actor', %s, false)", (actor,))
        graduates = _graduates(conn, f"scheduled matching export as of {as_of}")
        for export, rows, columns, full_ids in (
            ("graduate_assistance", graduates, GRADUATE_COLUMNS, True),
            ("facade_risk", _facades(conn), FACADE_COLUMNS, False),
            ("shop_worklist", _shop_worklist(conn), WORKLIST_COLUMNS, False),
            ("shop_codes", _shop_codes(conn), SHOP_CODE_COLUMNS, False),
            ("enterprise_requests", _overdue_requests(conn), OVERDUE_REQUEST_COLUMNS, False),
            ("enterprise_alerts", _enterprise_alerts(conn), ALERT_COLUMNS, False),
            ("policy_push", _policy_push(conn), POLICY_PUSH_COLUMNS, False),
            ("policy_grants", _policy_grants(conn), POLICY_GRANT_COLUMNS, False),
        ):
            groups: dict[tuple[str, str], list[dict[str, object]]] = {}
            for r in rows:
                groups.setdefault((_safe(r["district_name"]), _safe(r["street_name"])), []).append(
                    r
                )
            headers = [label for _, label in columns]
            for (district, street), members in sorted(groups.items()):
                table = [[_cell(m[key]) for key, _ in columns] for m in members]
                for suffix, data in (
                    ("csv", csv_bytes(headers, table)),
                    ("xlsx", xlsx_bytes("名单", headers, table)),
                ):
                    relative = Path(export) / district / f"{street}.{suffix}"
                    digest = write_private(staging / relative, data)
                    result.files.append(
                        {
                            "export": export,
                            "file": str(relative),
                            "rows": len(table),
                            "sha256": digest,
                            "has_full_ids": full_ids,
                        }
                    )
        manifest = {
            "as_of": as_of,
            "files": result.files,
            "totals": {e: result.rows(e) for e in EXPORTS},
        }
        write_private(
            staging / "manifest.json",
            (json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode(
                "utf-8"
            ),
        )
        # The audit rows (and the audited read of the IDs) commit before any file is
        # published: an export that cannot be recorded is never seen.
        for f in result.files:
            conn.execute(
                "insert into ops.exports (export_name, as_of, file_path, row_count, file_sha256, has_full_ids, "
                "exported_by) values (%s, %s, %s, %s, %s, %s, %s)",
                (
                    f["export"],
                    as_of,
                    str(target / str(f["file"])),
                    f["rows"],
                    f["sha256"],
                    f["has_full_ids"],
                    actor,
                ),
            )
        conn.commit()
    _publish(staging, target)


def graduate_list(
    url: str,
    *,
    street_code: str | None = None,
    full_ids: bool = False,
    reason: str | None = None,
    actor: str | None = None,
) -> tuple[list[str], list[list[object]]]:
    """The graduate assistance list (one street or all) for a person at a terminal.

    By default as ``cityops_bi`` with masked ID numbers. ``full_ids`` reads through
    ``ops.graduate_ids()`` as ``cityops_exporter``: it needs a ``reason`` and the read is
    recorded in ``ops.audit_log`` (who, why, which street, how many rows).
    """
    if full_ids and not (reason and reason.strip()):
        raise ValueError("reading full ID numbers needs a reason (--reason)")
    columns = [c for c in GRADUATE_COLUMNS if c[0] != "id_number"]
    select = ", ".join(f"g.{key}" for key, _ in columns)
    if full_ids:
        query = (
            f"select i.id_number, {select} from marts.mart_graduate_assistance as g "
            "inner join ops.graduate_ids(%(reason)s, %(street)s) as i on i.person_key = g.person_key "
        )
        role = "exporter"
    else:
        query = (
            f"select p.id_number_masked, {select} from marts.mart_graduate_assistance as g "
            "left join marts.dim_person as p on p.person_key = g.person_key "
        )
        role = "bi"
    query += (
        "where %(street)s::text is null or g.street_code = %(street)s "
        "order by g.district_name, g.street_name, g.person_name"
    )
    with psycopg.connect(role_url(url, role)) as conn:
        conn.execute(
            "select set_config('cityops.actor', %s, false)",
            (actor or get_settings().actor or os.environ.get("USER") or "unknown",),
        )
        rows = [list(r) for r in conn.execute(query, {"reason": reason, "street": street_code})]
    headers = ["身份证号" if full_ids else "身份证号(脱敏)", *(label for _, label in columns)]
    return headers, rows
