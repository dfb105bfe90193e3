"""汇商码 for the public and for inspectors: a static profile page and a QR code per shop,
and the per-street inspection work list.

Everything here reads the marts as ``cityops_bi``, the role BI tools use: the marts carry no
operator ID number and no complainant, so neither can reach a page. Pages are plain HTML
with inline styles (no scripts, no requests elsewhere) and every value is escaped; the same
marts give the same bytes, so a republish changes only the pages of shops that changed.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

import psycopg
from psycopg.rows import dict_row

from .roles import role_url

COLOURS = {
    "green": ("#1a9850", "绿码", "经营规范"),
    "yellow": ("#f2b701", "黄码", "需要关注"),
    "red": ("#d73027", "红码", "存在严重问题"),
    "grey": ("#8c8c8c", "灰码", "暂无评级"),
}
DIMENSIONS = [
    ("licence", "许可证"),
    ("inspection", "监督检查"),
    ("rating", "行业评价"),
    ("feedback", "消费评价"),
]
KIND_LABELS = {"routine": "日常检查", "complaint": "投诉检查", "follow_up": "复查"}


@dataclass
class PublishResult:
    root: Path
    shops: int
    as_of: str


def check_base_url(base_url: str) -> str:
    """The base URL pages are published under: http(s), with a host; no query or fragment."""
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ValueError(f"--base-url must be an http(s) URL with a host, got {base_url!r}")
    return base_url.rstrip("/")


def _fetch(url: str) -> tuple[list[dict], dict[str, list[dict]], dict[str, list[dict]]]:
    with psycopg.connect(role_url(url, "bi"), row_factory=dict_row) as conn:
        if (
            conn.execute("select to_regclass('marts.mart_shop_code')").fetchone()["to_regclass"]
            is None
        ):
            raise LookupError("the shop marts have not been built yet: run the transform first")
        shops = conn.execute(
            "select c.*, d.road, d.house_no, d.opened_on from marts.mart_shop_code as c "
            "inner join marts.dim_shop as d using (shop_id) order by c.shop_id"
        ).fetchall()
        licences: dict[str, list[dict]] = {}
        for r in conn.execute(
            "select shop_id, licence_no, licence_type, issued_on, valid_until, status "
            "from marts.fct_shop_licence order by shop_id, licence_type, issued_on desc, licence_no"
        ):
            licences.setdefault(r["shop_id"], []).append(r)
        inspections: dict[str, list[dict]] = {}
        for r in conn.execute(
            "select shop_id, inspected_on, kind, points, critical_count, grade "
            "from marts.fct_shop_inspection order by shop_id, inspected_on desc, inspection_id desc"
        ):
            inspections.setdefault(r["shop_id"], []).append(r)
    return shops, licences, inspections


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value))


def profile_page(shop: dict, licences: list[dict], inspections: list[dict], as_of: str) -> str:
    """One shop's profile: its colour, the four dimensions with reasons, licences, inspections."""
    colour, label, meaning = COLOURS[shop["colour"]]
    dims = "".join(
        f'<tr><th>{title}</th><td class="grade">{_e(shop[key + "_grade"])}</td>'
        f"<td>{_e(shop[key + '_reason'])}</td></tr>"
        for key, title in DIMENSIONS
    )
    rule = (
        f'<p class="rule">判定规则: {_e(shop["overriding_rule"])}</p>'
        if shop["overriding_rule"]
        else ""
    )
    lic_rows = "".join(
        f"<tr><td>{_e(r['licence_type'])}</td><td>{_e(r['licence_no'])}</td>"
        f"<td>{_e(r['issued_on'])}</td><td>{_e(r['valid_until'] or '长期')}</td>"
        f"<td>{_e(r['status'])}</td></tr>"
        for r in licences
    )
    insp_rows = "".join(
        f"<tr><td>{_e(r['inspected_on'])}</td><td>{_e(KIND_LABELS.get(r['kind'], r['kind']))}</td>"
        f"<td>{_e(r['points'])}</td><td>{_e(r['critical_count'])}</td><td>{_e(r['grade'])}</td></tr>"
        for r in inspections
    )
    history = "".join(
        f'<span title="{_e(h["on"])}" style="background:{COLOURS[h["colour"]][0]}"></span>'
        for h in (shop["colour_history"] or [])
    )
    return f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>汇商码 {_e(shop["shop_name"])}</title>
<style>
body {{ font-family: system-ui, "Noto Sans CJK SC", sans-serif; margin: 1rem auto; max-width: 640px; color: #222; padding: 0 1rem }}
.code {{ background: {colour}; color: white; border-radius: 8px; padding: 1rem; text-align: center }}
.code b {{ font-size: 2rem; display: block }}
table {{ border-collapse: collapse; width: 100%; margin: .5rem 0 }} td, th {{ border-bottom: 1px solid #ddd; padding: 4px 6px; text-align: left; font-size: 14px }}
.grade {{ font-weight: bold; width: 4rem }} .rule {{ color: #a50026; font-weight: bold }}
.history span {{ display: inline-block; width: 18px; height: 18px; margin-right: 2px; border-radius: 3px }}
</style></head><body>
<h1>{_e(shop["shop_name"])}</h1>
<p>{_e(shop["street_name"])} · {_e(shop["road"])}{_e(shop["house_no"])} · {_e(shop["industry"])} · {_e(shop["status"])}</p>
<div class="code" id="colour" data-colour="{_e(shop["colour"])}"><b>{label}</b>{meaning}</div>
{rule}
<h2>四个维度</h2><table id="dimensions">{dims}</table>
<h2>近12个月</h2><p class="history" id="history">{history}</p>
<h2>许可证</h2><table id="licences"><tr><th>类型</th><th>编号</th><th>发证日期</th><th>有效期至</th><th>状态</th></tr>{lic_rows}</table>
<h2>检查记录</h2><table id="inspections"><tr><th>日期</th><th>类型</th><th>扣分</th><th>严重问题</th><th>等级</th></tr>{insp_rows or '<tr><td colspan="5">尚无检查记录</td></tr>'}</table>
<p><small>店铺编号 {_e(shop["shop_id"])} · 数据截至 {_e(as_of)}</small></p>
</body></html>
"""


def publish(url: str, out: Path, base_url: str) -> PublishResult:
    """Write ``out/<shop_id>/index.html`` and ``out/<shop_id>/qr.png`` (opening that page's URL
    under ``base_url``) for every shop, and ``out/index.html``; replaces an earlier set whole."""
    import segno

    base = check_base_url(base_url)
    shops, licences, inspections = _fetch(url)
    as_of = shops[0]["as_of_date"].isoformat() if shops else dt.date.today().isoformat()
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
        rows = []
        for shop in shops:
            folder = staging / shop["shop_id"]
            folder.mkdir()
            page = profile_page(
                shop, licences.get(shop["shop_id"], []), inspections.get(shop["shop_id"], []), as_of
            )
            (folder / "index.html").write_text(page, encoding="utf-8")
            link = f"{base}/{quote(shop['shop_id'])}/"
            segno.make(link, error="m").save(folder / "qr.png", scale=6, border=2)
            rows.append(
                f'<tr><td><a href="{quote(shop["shop_id"])}/index.html">{_e(shop["shop_name"])}</a></td>'
                f"<td>{_e(shop['street_name'])}</td>"
                f'<td style="color:{COLOURS[shop["colour"]][0]}">{COLOURS[shop["colour"]][1]}</td></tr>'
            )
        (staging / "index.html").write_text(
            '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>汇商码</title></head>'
            f"<body><h1>汇商码 · {len(shops)} 家店铺 · {_e(as_of)}</h1><table>{''.join(rows)}</table>"
            "</body></html>\n",
            encoding="utf-8",
        )
        (staging / "manifest.json").write_text(
            json.dumps({"as_of": as_of, "base_url": base, "shops": len(shops)}, indent=2) + "\n",
            encoding="utf-8",
        )
        old = out.with_name(f".{out.name}-old")
        shutil.rmtree(old, ignore_errors=True)
        if out.exists():
            out.rename(old)
        staging.rename(out)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return PublishResult(out, len(shops), as_of)


def worklist(url: str, street_code: str | None = None, limit: int = 20) -> list[dict]:
    """The inspection work list (one street, or every street), as ``cityops_bi`` reads it."""
    with psycopg.connect(role_url(url, "bi"), row_factory=dict_row) as conn:
        if (
            conn.execute("select to_regclass('marts.mart_shop_worklist') as t").fetchone()["t"]
            is None
        ):
            raise LookupError("the shop marts have not been built yet: run the transform first")
        return conn.execute(
            "select street_name, street_rank, shop_id, shop_name, address, risk_score, "
            "concat_ws('; ', reason_1, reason_2, reason_3) as reasons, last_inspected_on, colour "
            "from marts.mart_shop_worklist "
            "where (%(street)s::text is null or street_code = %(street)s) and street_rank <= %(limit)s "
            "order by street_code, street_rank",
            {"street": street_code, "limit": limit},
        ).fetchall()


def evaluation(url: str) -> dict | None:
    """The work list's time-split evaluation, or None before the shop marts exist."""
    with psycopg.connect(role_url(url, "bi"), row_factory=dict_row) as conn:
        if (
            conn.execute(
                "select to_regclass('marts.mart_shop_worklist_evaluation') as t"
            ).fetchone()["t"]
            is None
        ):
            return None
        return conn.execute("select * from marts.mart_shop_worklist_evaluation").fetchone()


def evaluation_sentence(url: str) -> str | None:
    """The work list's time-split evaluation in one sentence (None before any finding)."""
    e = evaluation(url)
    if not e or not e["critical_findings"]:
        return None
    return (
        f"shop work list held out from {e['split_date']}: its top {e['top_n']} of "
        f"{e['shops_ranked']} shops held {e['held_by_worklist']} of {e['critical_findings']} "
        f"critical findings since ({float(e['worklist_share']):.0%}); oldest inspection first "
        f"held {e['held_by_oldest_first']} ({float(e['oldest_first_share'] or 0):.0%})"
    )
