"""Properties of the 汇商码 colour, through the real ingest and the real dbt models.

A world of random shops is delivered with, for each shop, three twins that differ in one
thing only: one more violation at its latest inspection, one more food-safety complaint, or
a worse industry rating. No twin may have a better colour than its shop. Shops opened less
than 90 days ago with no inspection must be grey whatever else they have.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path

import numpy as np
import psycopg
import pytest

from cityops.dbt import run_dbt
from cityops.synth.shops import LICENCE_HEADERS, RATING_HEADERS, SHOP_HEADERS
from cityops.synth.writers import Delivery, write_csv, write_json, write_jsonl, write_xlsx
from ingest.direct import ingest_landing

pytestmark = [pytest.mark.integration, pytest.mark.slow]
AS_OF = dt.date(2026, 11, 24)
WORSE = {"green": 0, "yellow": 1, "red": 2}
CODES = {"critical": ("F01", 9), "major": ("M01", 6), "minor": ("N03", 4)}


def _random_shop(rng: random.Random, new: bool) -> dict:
    industry = rng.choice(["餐饮", "食品零售", "美容美发", "零售"])
    opened = AS_OF - dt.timedelta(days=rng.randint(5, 80) if new else rng.randint(400, 3000))
    inspections = []
    if not new:
        day = AS_OF - dt.timedelta(days=rng.randint(250, 330))
        for _ in range(rng.randint(1, 4)):
            kind = rng.choice(["routine", "routine", "complaint", "follow_up"])
            violations = [rng.choice(list(CODES)) for _ in range(rng.randint(0, 4))]
            inspections.append((day, kind, violations))
            day += dt.timedelta(days=rng.randint(10, 70))
    licence = rng.choice(["valid", "valid", "valid", "missing", "expired"])
    rating = rng.choice([None, "A", "B", "C", "D"])
    complaints = [
        rng.choice(["食品安全", "服务", "卫生", "价格"]) for _ in range(rng.randint(0, 4))
    ]
    reviews = [rng.randint(1, 5) for _ in range(rng.randint(0, 6))]
    return dict(
        industry=industry,
        opened=opened,
        inspections=inspections,
        licence=licence,
        rating=rating,
        complaints=complaints,
        reviews=reviews,
    )


def _variants(base: dict) -> dict[str, dict]:
    out = {}
    if base["inspections"]:
        day, kind, violations = base["inspections"][-1]
        more = dict(
            base, inspections=[*base["inspections"][:-1], (day, kind, [*violations, "minor"])]
        )
        out["violation"] = more
    out["complaint"] = dict(base, complaints=[*base["complaints"], "食品安全"])
    if base["rating"] != "D":
        out["rating"] = dict(
            base, rating="ABCD"["ABCD".index(base["rating"] or "A") + (1 if base["rating"] else 2)]
        )
    return out


def _deliver(landing: Path, shops: dict[str, dict]) -> None:
    delivery = Delivery(SHOP_HEADERS, np.random.default_rng(0), allow_dirt=False)
    day = (AS_OF - dt.timedelta(days=1)).isoformat()
    register, licences, inspections, ratings, feedback = [], [], [], [], []
    for n, (shop_id, s) in enumerate(shops.items(), start=1):
        register.append(
            dict.fromkeys(SHOP_HEADERS, "")
            | {
                "店铺编号": shop_id,
                "店铺名称": f"测试店{n}",
                "路名": "漕溪路",
                "门牌号": f"{n}号",
                "街道": "徐家汇街道",
                "行业": s["industry"],
                "经营状态": "营业",
                "开业日期": f"{s['opened']:%Y/%m/%d}",
            }
        )
        kind = {
            "餐饮": "食品经营许可证",
            "食品零售": "食品经营许可证",
            "美容美发": "卫生许可证",
        }.get(s["industry"])
        if kind and s["licence"] != "missing":
            until = (
                AS_OF + dt.timedelta(days=400)
                if s["licence"] == "valid"
                else AS_OF - dt.timedelta(days=20)
            )
            licences.append(
                dict.fromkeys(LICENCE_HEADERS, "")
                | {
                    "许可证编号": f"XK-{shop_id}",
                    "店铺编号": shop_id,
                    "许可类型": kind,
                    "发证日期": s["opened"].isoformat(),
                    "有效期至": until.isoformat(),
                    "状态": "有效",
                }
            )
        for i, (on, k, violations) in enumerate(s["inspections"]):
            inspections.append(
                {
                    "inspection_id": f"JC-{shop_id}-{i}",
                    "shop_id": shop_id,
                    "inspected_on": on.isoformat(),
                    "kind": k,
                    "violations": [
                        {"code": CODES[v][0], "severity": v, "points": CODES[v][1]}
                        for v in violations
                    ],
                }
            )
        if s["rating"]:
            ratings.append(
                dict.fromkeys(RATING_HEADERS, "")
                | {
                    "店铺编号": shop_id,
                    "店铺名称": f"测试店{n}",
                    "评价机构": "徐汇区餐饮行业协会",
                    "评价等级": s["rating"],
                    "评价日期": (AS_OF - dt.timedelta(days=30)).isoformat(),
                }
            )
        for i, category in enumerate(s["complaints"]):
            received = AS_OF - dt.timedelta(days=5 + 7 * i)
            feedback.append(
                {
                    "feedback_id": f"C-{shop_id}-{i}",
                    "kind": "complaint",
                    "shop_id": shop_id,
                    "received_at": f"{received}T10:00:00+08:00",
                    "category": category,
                }
            )
        for i, stars in enumerate(s["reviews"]):
            received = AS_OF - dt.timedelta(days=3 + 11 * i)
            feedback.append(
                {
                    "feedback_id": f"R-{shop_id}-{i}",
                    "kind": "review",
                    "shop_id": shop_id,
                    "received_at": f"{received}T12:00:00+08:00",
                    "stars": stars,
                    "category": "服务",
                }
            )
    write_csv(landing / "shops" / day / "shops_20261123.csv", delivery, register, encoding="gbk")
    write_xlsx(
        landing / "shop_licences" / day / "licences_20261123.xlsx",
        "许可证",
        Delivery(LICENCE_HEADERS, np.random.default_rng(0), allow_dirt=False),
        licences,
    )
    write_json(
        landing / "shop_inspections" / day / "inspections_20261123.json",
        {"inspections": inspections},
    )
    write_csv(
        landing / "shop_ratings" / day / "ratings_2026Q4.csv",
        Delivery(RATING_HEADERS, np.random.default_rng(0), allow_dirt=False),
        ratings,
        encoding="utf-8-sig",
    )
    write_jsonl(
        landing / "consumer_feedback" / day / "feedback_20261123.jsonl",
        (json.dumps(f, ensure_ascii=False) for f in feedback),
    )


def test_worse_facts_never_improve_a_colour_and_new_shops_are_grey(fresh_url, tmp_path) -> None:
    rng = random.Random(20261124)
    shops: dict[str, dict] = {}
    twins: list[tuple[str, str, str]] = []  # (base, twin, what changed)
    for i in range(1, 121):
        base = f"HS-310104-{i:06d}"
        shops[base] = _random_shop(rng, new=False)
        for what, variant in _variants(shops[base]).items():
            twin = f"HS-310104-{500000 + len(twins):06d}"
            shops[twin] = variant
            twins.append((base, twin, what))
    new = [f"HS-310104-{900000 + i:06d}" for i in range(40)]
    for shop_id in new:
        shops[shop_id] = _random_shop(rng, new=True)
    _deliver(tmp_path / "landing", shops)
    sources = ["shops", "shop_licences", "shop_inspections", "shop_ratings", "consumer_feedback"]
    summaries = ingest_landing(fresh_url, tmp_path / "landing", tmp_path, sources)
    assert all(not s.refused and s.rows_loaded for s in summaries.values()), summaries
    run_dbt(
        ["build", "--select", "+mart_shop_code", "--indirect-selection", "cautious"],
        fresh_url,
        as_of=AS_OF.isoformat(),
        quiet=True,
    )
    with psycopg.connect(fresh_url) as conn:
        colour = dict(conn.execute("select shop_id, colour from marts.mart_shop_code").fetchall())
    assert len(colour) == len(shops)
    assert {colour[s] for s in new} == {"grey"}
    assert len({colour[b] for b, _, _ in twins}) >= 3, "the world should hold several colours"
    improved = [
        (base, colour[base], what, colour[twin])
        for base, twin, what in twins
        if WORSE[colour[twin]] < WORSE[colour[base]]
    ]
    assert not improved
    made_worse = {what for base, twin, what in twins if WORSE[colour[twin]] > WORSE[colour[base]]}
    assert made_worse == {"violation", "complaint", "rating"}, "each change should bite somewhere"
