"""The run summary (terminal) and the run report (one HTML page per as-of date).

Charts are inline SVG: the page is a single file with no scripts and no network access,
so it opens anywhere (and in headless Chromium for the tests).
"""

from __future__ import annotations

import html
from pathlib import Path

import psycopg
from rich.console import Console
from rich.table import Table
from rich.text import Text

from .settings import get_settings
from .shops import evaluation_sentence

TIER_COLOURS = {"red": "#d62728", "orange": "#ff7f0e", "yellow": "#e6c229", "green": "#2ca02c"}
TIERS = ["red", "orange", "yellow", "green"]


def _query(url: str, sql: str, *args: object) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(sql, args).fetchall()


def _tiers_by_district(url: str) -> list[tuple]:
    return _query(
        url,
        "select district_name, risk_tier, count(*) from marts.mart_facade_risk group by 1, 2 order by 1, 2",
    )


def print_summary(console: Console, url: str, as_of: str) -> None:
    tiers = dict(_query(url, "select risk_tier, count(*) from marts.mart_facade_risk group by 1"))
    failed = _query(url, "select count(*) from ops.load_batches where status = 'refused'")[0][0]
    t = Table(title=f"facade risk tiers as of {as_of}")
    for tier in TIERS:
        t.add_column(tier, justify="right")
    t.add_row(*(f"{tiers.get(tier, 0):,}" for tier in TIERS))
    console.print(t)
    g = Table(title="graduates found for employment assistance")
    g.add_column("district")
    g.add_column("graduates", justify="right")
    rows = _query(
        url,
        "select coalesce(district_name, '?'), count(*) from marts.mart_graduate_assistance group by 1 order by 2 desc, 1",
    )
    for district, n in rows:
        g.add_row(district, f"{n:,}")
    g.add_row(Text("total", style="bold"), Text(f"{sum(n for _, n in rows):,}", style="bold"))
    console.print(g)
    alerts = _query(
        url, "select rule, count(*) from marts.mart_billboard_alerts group by 1 order by 1"
    )
    console.print("billboard alerts: " + (", ".join(f"{r} {n}" for r, n in alerts) or "none"))
    console.print(f"failed batches in the ledger (all time): {failed}")
    ties = _query(url, "select count(distinct mention_id) from marts.mart_person_review")[0][0]
    if ties:
        console.print(
            f"person records left as ties for a person to decide: {ties} (marts.mart_person_review)"
        )
    codes = dict(_query(url, "select colour, count(*) from marts.mart_shop_code group by 1"))
    if codes:
        console.print(
            "汇商码 shop codes: "
            + ", ".join(f"{c} {codes.get(c, 0):,}" for c in ("green", "yellow", "red", "grey"))
        )
        links = _query(
            url,
            "select link_status, count(*) from marts.fct_shop_mention group by 1 order by 1",
        )
        console.print("shop records: " + ", ".join(f"{s} {n:,}" for s, n in links))
        evaluation = evaluation_sentence(url)
        if evaluation:
            console.print(evaluation)
    for line in enterprise_lines(url):
        console.print(line)
    exports = get_settings().exports / as_of
    if exports.exists():
        console.print(f"exports: {exports}")


def enterprise_lines(url: str) -> list[str]:
    """精准营商 in a few lines: alerts by rule, requests to closure, office matching."""
    if _query(url, "select to_regclass('marts.mart_enterprise_alerts')")[0][0] is None:
        return []
    alerts = _query(
        url, "select rule, count(*) from marts.mart_enterprise_alerts group by 1 order by 1"
    )
    (requests, open_, overdue, closed, satisfaction, unlinked) = _query(
        url,
        "select count(*), count(*) filter (where is_open), count(*) filter (where is_overdue), "
        "count(*) filter (where not is_open), round(avg(satisfaction), 2), "
        "count(*) filter (where street_code is null) from marts.mart_enterprise_requests",
    )[0]
    links = dict(
        _query(url, "select building_link_status, count(*) from marts.dim_enterprise group by 1")
    )
    matched = _query(
        url,
        "select count(distinct request_id) from marts.mart_office_matches",
    )[0][0]
    return [
        "enterprise alerts: " + (", ".join(f"{r} {n:,}" for r, n in alerts) or "none"),
        f"enterprise requests: {requests:,} ({open_:,} open, {overdue:,} overdue, "
        f"{closed:,} closed, mean satisfaction {satisfaction or '-'}; "
        f"{unlinked:,} whose credit code links no enterprise)",
        "enterprise buildings: "
        + ", ".join(f"{k} {links.get(k, 0):,}" for k in ("linked", "ambiguous", "unlinked")),
        f"open office requests with candidate units: {matched:,} (marts.mart_office_matches)",
        *policy_lines(url),
    ]


def policy_lines(url: str) -> list[str]:
    """政策通: matches, reach, uptake, grants and the false-push rate."""
    if _query(url, "select to_regclass('marts.mart_policy_metrics')")[0][0] is None:
        return []
    (policies, eligible, pushed, applied, grants, granted, false_pushes) = _query(
        url,
        "select count(*), coalesce(sum(eligible), 0), coalesce(sum(pushed), 0), "
        "coalesce(sum(applied_eligible), 0), coalesce(sum(grants), 0), "
        "coalesce(sum(granted_wan), 0), coalesce(sum(false_pushes), 0) "
        "from marts.mart_policy_metrics",
    )[0]
    apply_eligible = _query(
        url, "select coalesce(sum(eligible), 0) from marts.mart_policy_metrics where mode = '申报'"
    )[0][0]
    grant_lists = _query(url, "select count(*) from marts.mart_policy_grants")[0][0]
    near = _query(url, "select count(*) from marts.mart_policy_near_misses")[0][0]
    reach = (pushed + applied) / apply_eligible if apply_eligible else 0
    uptake = applied / apply_eligible if apply_eligible else 0
    return [
        f"policies in force: {policies:,}; eligible (enterprise, policy) pairs {eligible:,}, "
        f"near misses {near:,}",
        f"申报 policies: reach {reach:.1%} (pushed {pushed:,} + applied {applied:,} of "
        f"{apply_eligible:,} eligible), uptake {uptake:.1%}, grants {grants:,} ({granted:,} 万元); "
        f"免申即享 grant list {grant_lists:,}; false pushes {false_pushes:,}",
    ]


# -- SVG charts ----------------------------------------------------------------------------
def _stacked_bars(rows: list[tuple], width: int = 760) -> str:
    by_district: dict[str, dict[str, int]] = {}
    for district, tier, n in rows:
        by_district.setdefault(district or "?", {})[tier] = n
    if not by_district:
        return "<p>No buildings.</p>"
    peak = max(sum(v.values()) for v in by_district.values())
    bar_h, left = 22, 90
    height = bar_h * len(by_district) + 30
    parts = [f'<svg viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img">']
    for i, (district, counts) in enumerate(
        sorted(by_district.items(), key=lambda kv: -sum(kv[1].values()))
    ):
        y, x = i * bar_h + 5, left
        parts.append(
            f'<text x="{left - 6}" y="{y + 15}" text-anchor="end" font-size="12">{html.escape(district)}</text>'
        )
        for tier in TIERS:
            n = counts.get(tier, 0)
            w = (width - left - 60) * n / peak
            if n:
                parts.append(
                    f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_h - 6}" fill="{TIER_COLOURS[tier]}">'
                    f"<title>{html.escape(district)} {tier}: {n}</title></rect>"
                )
            x += w
        parts.append(
            f'<text x="{x + 4:.1f}" y="{y + 15}" font-size="11">{sum(counts.values())}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _histogram(scores: list[float], width: int = 760, height: int = 220) -> str:
    if not scores:
        return "<p>No scores.</p>"
    bins = [0] * 20
    for s in scores:
        bins[min(int(s // 5), 19)] += 1
    peak = max(bins) or 1
    bw = (width - 40) / 20
    parts = [f'<svg viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img">']
    for i, n in enumerate(bins):
        h = (height - 40) * n / peak
        parts.append(
            f'<rect x="{30 + i * bw:.1f}" y="{height - 25 - h:.1f}" width="{bw - 2:.1f}" height="{h:.1f}" '
            f'fill="#4c78a8"><title>{i * 5}-{i * 5 + 5}: {n}</title></rect>'
        )
        if i % 2 == 0:
            parts.append(
                f'<text x="{30 + i * bw:.1f}" y="{height - 8}" font-size="10">{i * 5}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


def _scatter(points: list[tuple], width: int = 760, height: int = 560) -> str:
    located = [(lon, lat, tier) for lon, lat, tier in points if lon is not None and lat is not None]
    if not located:
        return "<p>No coordinates.</p>"
    lons = [p[0] for p in located]
    lats = [p[1] for p in located]
    x0, x1, y0, y1 = min(lons), max(lons), min(lats), max(lats)
    sx = (width - 20) / ((x1 - x0) or 1)
    sy = (height - 20) / ((y1 - y0) or 1)
    parts = [
        f'<svg viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'style="background:#f7f7f7">'
    ]
    for tier in reversed(TIERS):
        for lon, lat, t in located:
            if t == tier:
                r = 5 if tier in ("red", "orange") else 3
                parts.append(
                    f'<circle cx="{10 + (lon - x0) * sx:.1f}" cy="{height - 10 - (lat - y0) * sy:.1f}" r="{r}" '
                    f'fill="{TIER_COLOURS[tier]}" fill-opacity="0.8"/>'
                )
    parts.append("</svg>")
    return "".join(parts)


def _table(headers: list[str], rows: list[tuple]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in r) + "</tr>" for r in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _rule_names(text: object) -> str:
    """GX rule names as a person reads them (not_null for expect_column_values_to_not_be_null)."""
    return str(text or "").replace("expect_column_values_to_", "").replace("expect_", "")


def write_report(url: str, as_of: str) -> Path:
    """Write ``CITYOPS_HOME/reports/<as-of>/index.html``; return its path."""
    tiers = _tiers_by_district(url)
    scores = [float(r[0]) for r in _query(url, "select risk_score from marts.mart_facade_risk")]
    points = _query(
        url,
        "select b.lon, b.lat, r.risk_tier from marts.mart_facade_risk r "
        "join marts.dim_building b using (building_code)",
    )
    sla = _query(
        url,
        "select district_name, sum(cases_opened), sum(cases_closed_within_24h), "
        "round(100.0 * sum(cases_closed_within_24h) / nullif(sum(cases_opened), 0), 1), "
        "sum(cases_open_over_24h) from marts.mart_case_sla group by 1 order by 4 nulls last",
    )
    quality = _query(
        url,
        """
        select source_name || '.' || entity_name, sum(files_loaded), sum(files_refused),
               sum(files_duplicate), sum(rows_loaded), sum(rows_rejected),
               (select string_agg(key || ' ' || total, ', ' order by key) from (
                   select key, sum(value::bigint) as total
                   from marts.mart_data_quality as inner_q, jsonb_each_text(inner_q.rejected_by_rule)
                   where inner_q.source_name = q.source_name and inner_q.entity_name = q.entity_name
                   group by key) as by_rule),
               max(days_since_delivery), bool_or(is_overdue)
        from marts.mart_data_quality as q group by source_name, entity_name order by 1""",
    )
    refusals = _query(
        url,
        "select source_name, delivered_on, unnest(refusals) from marts.mart_data_quality "
        "where files_refused > 0 order by 1, 2",
    )
    graduates = _query(
        url,
        "select district_name, count(*) from marts.mart_graduate_assistance group by 1 order by 2 desc",
    )
    alerts = _query(
        url, "select rule, count(*) from marts.mart_billboard_alerts group by 1 order by 1"
    )
    shop_codes = _query(
        url,
        "select street_name, count(*) filter (where colour = 'green'), "
        "count(*) filter (where colour = 'yellow'), count(*) filter (where colour = 'red'), "
        "count(*) filter (where colour = 'grey') from marts.mart_shop_code group by 1 order by 1",
    )
    shop_links = _query(
        url,
        "select source, link_status, coalesce(link_path, ''), count(*) "
        "from marts.fct_shop_mention group by 1, 2, 3 order by 1, 2, 3",
    )
    worklist_note = evaluation_sentence(url) or "no critical findings after the split date yet"
    sla_bars = "".join(
        f'<div class="bar"><span>{html.escape(str(d))}</span><div style="width:{(p or 0) * 5:.0f}px;background:'
        f'{"#2ca02c" if (p or 0) >= 90 else "#ff7f0e"}"></div><b>{p}%</b> ({c}/{o}, open &gt; 24 h: {late})</div>'
        for d, o, c, p, late in sla
    )
    page = f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>CityOps run report {as_of}</title>
<style>
body {{ font-family: system-ui, "Noto Sans CJK SC", sans-serif; margin: 2rem auto; max-width: 900px; color: #222; }}
h1 {{ margin-bottom: 0 }} section {{ margin: 2rem 0 }} table {{ border-collapse: collapse; }}
td, th {{ border-bottom: 1px solid #ddd; padding: 4px 10px; text-align: right }} td:first-child, th:first-child {{ text-align: left }}
.legend span {{ display: inline-block; padding: 2px 8px; margin-right: 6px; color: white; border-radius: 3px }}
.bar {{ display: flex; align-items: center; gap: 8px; margin: 3px 0; font-size: 13px }}
.bar span {{ width: 80px; text-align: right }} .bar div {{ height: 14px }}
</style></head><body>
<h1>CityOps run report</h1><p>As of <b>{as_of}</b></p>
<section id="tiers"><h2>Facade risk tiers by district</h2>
<p class="legend">{"".join(f'<span style="background:{TIER_COLOURS[t]}">{t}</span>' for t in TIERS)}</p>
{_stacked_bars(tiers)}</section>
<section id="scores"><h2>Risk score distribution</h2>{_histogram(scores)}</section>
<section id="map"><h2>Buildings by tier</h2>{_scatter(points)}</section>
<section id="sla"><h2>Cases closed within 24 hours, by district</h2>{sla_bars or "<p>No cases.</p>"}</section>
<section id="graduates"><h2>Graduates found for employment assistance</h2>{_table(["district", "graduates"], graduates)}</section>
<section id="alerts"><h2>Billboard alerts</h2>{_table(["rule", "devices"], alerts)}</section>
<section id="shops"><h2>汇商码 shop codes by street</h2>
{_table(["street", "green", "yellow", "red", "grey"], shop_codes)}
<p id="worklist-evaluation">{html.escape(worklist_note)}</p>
<h3>Shop records linked to the register</h3>{_table(["source", "status", "path", "records"], shop_links)}</section>
<section id="quality"><h2>Data quality per source</h2>
{_table(["source", "files loaded", "refused", "duplicates", "rows loaded", "rows rejected", "rejected by rule", "days since delivery", "overdue"], [tuple(_rule_names(v) if i == 6 else ("" if v is None else v) for i, v in enumerate(r)) for r in quality])}
<h3>Refused files</h3>{_table(["source", "delivered", "file and reason"], refusals) if refusals else "<p>None.</p>"}</section>
</body></html>
"""
    path = get_settings().reports / as_of / "index.html"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")
    return path
