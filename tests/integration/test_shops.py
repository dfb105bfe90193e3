"""汇商码 on the tiny city's real run: links against the generator's truth, the colour rules,
the work list's held-out evaluation, profile pages in headless Chromium, exports and streets.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import random

import psycopg
import pytest

from cityops import evaluation, uscc
from cityops.roles import create_street_account

from ..conftest import TINY_AS_OF
from ..helpers import headless_chromium
from .test_security import login

pytestmark = [pytest.mark.integration, pytest.mark.slow]
SOURCES = ("consumer_feedback", "shop_licences", "shop_inspections", "shop_ratings")


def _truth(tiny_city, name: str) -> list[dict[str, str]]:
    with open(tiny_city / "truth" / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.mark.parametrize("source", SOURCES)
def test_shop_records_link_to_the_right_shop(pipeline, tiny_city, source) -> None:
    score = evaluation.shop_links(pipeline, tiny_city / "truth", source)
    assert score.expected > 50
    assert score.precision >= 0.99, score
    assert score.recall >= 0.97, score


def test_feedback_about_unregistered_shops_is_kept_unlinked(pipeline, tiny_city) -> None:
    ghosts = {
        r["record_id"]
        for r in _truth(tiny_city, "shop_links.csv")
        if r["source"] == "consumer_feedback" and not r["shop_id"]
    }
    assert ghosts
    with psycopg.connect(pipeline) as conn:
        kept = dict(
            conn.execute(
                "select record_id, link_status from marts.fct_shop_mention "
                "where source = 'consumer_feedback' and record_id = any(%s)",
                (list(ghosts),),
            ).fetchall()
        )
    assert set(kept) == ghosts  # every one kept ...
    assert set(kept.values()) <= {"unlinked", "ambiguous"}  # ... and none forced onto a shop


def test_licence_faults_make_exactly_those_shops_red(pipeline, tiny_city) -> None:
    faulty = {r["shop_id"] for r in _truth(tiny_city, "shops.csv") if r["licence_fault"]}
    assert faulty
    with psycopg.connect(pipeline) as conn:
        rows = conn.execute(
            "select shop_id, colour, licence_grade from marts.mart_shop_code"
        ).fetchall()
    failed = {shop for shop, _, grade in rows if grade == "failed"}
    assert failed == faulty
    assert all(colour in ("red", "grey") for shop, colour, _ in rows if shop in faulty)


def test_new_shops_without_an_inspection_are_grey_and_only_they(pipeline) -> None:
    with psycopg.connect(pipeline) as conn:
        rows = conn.execute(
            "select c.colour, d.opened_on > %s::date - 90 and c.inspection_grade = 'none' "
            "from marts.mart_shop_code as c join marts.dim_shop as d using (shop_id)",
            (TINY_AS_OF,),
        ).fetchall()
    assert any(new for _, new in rows)
    assert all((colour == "grey") == bool(new) for colour, new in rows)


def test_every_shop_has_a_code_with_reasons_and_a_year_of_history(pipeline) -> None:
    with psycopg.connect(pipeline) as conn:
        shops = conn.execute("select count(*) from marts.dim_shop").fetchone()[0]
        rows = conn.execute(
            "select colour, licence_reason, inspection_reason, rating_reason, feedback_reason, "
            "colour_history from marts.mart_shop_code"
        ).fetchall()
    assert len(rows) == shops > 100
    assert {r[0] for r in rows} == {"green", "yellow", "red", "grey"}
    for *reasons, history in rows:
        assert all(reasons[1:]), reasons
        assert history[-1]["on"] == TINY_AS_OF and history[-1]["colour"] == reasons[0]
        assert 1 <= len(history) <= 13


def test_the_work_list_beats_oldest_inspection_first_held_out(pipeline) -> None:
    with psycopg.connect(pipeline) as conn:
        e = conn.execute(
            "select split_date, critical_findings, held_by_worklist, held_by_oldest_first "
            "from marts.mart_shop_worklist_evaluation"
        ).fetchone()
        first = conn.execute(
            "select count(*) filter (where street_rank = 1), count(*), "
            "count(*) filter (where reason_1 is null) from marts.mart_shop_worklist"
        ).fetchone()
    split, found, held, oldest = e
    assert split == dt.date.fromisoformat(TINY_AS_OF) - dt.timedelta(days=90)
    assert found >= 10
    assert held >= 1.5 * float(oldest) and held > oldest, e
    assert first[0] >= 5 and first[2] < first[1]


def test_python_and_sql_read_credit_codes_alike(pipeline) -> None:
    rng = random.Random(11)
    samples = [None, "", "   "]
    for _ in range(300):
        code = uscc.make(
            "9",
            rng.choice("12"),
            "310104",
            "".join(rng.choice(uscc.ALPHABET[:18]) for _ in range(8)),
        )
        i = rng.randrange(2, 16)
        samples += [
            code,
            code.lower(),
            f" {code[:6]} {code[6:]} ",
            code[:i] + code[i + 1] + code[i] + code[i + 2 :],  # a transposed pair
            code.translate(str.maketrans("0123456789ABC", "０１２３４５６７８９ＡＢＣ")),
            code[:-1],
        ]
    with psycopg.connect(pipeline) as conn:
        sql = [
            r[0]
            for r in conn.execute(
                "select staging.uscc_normalised(v) from unnest(%s::text[]) with ordinality as t (v, n) order by n",
                (samples,),
            )
        ]
    assert sql == [uscc.normalised(s) for s in samples]
    assert sum(v is not None for v in sql) > 900


def test_profile_pages_render_in_chromium_without_personal_data(
    pipeline, tiny_city, tmp_path
) -> None:
    import segno

    from cityops.shops import publish

    result = publish(pipeline, tmp_path / "shops", "https://hsm.example.org/xuhui/")
    assert result.shops > 100 and result.as_of == TINY_AS_OF
    operators = {r["operator_id_number"] for r in _truth(tiny_city, "shops.csv")}
    with open(next((tiny_city / "landing" / "shops").glob("*/*.csv")), encoding="gbk") as f:
        names = {r["经营者姓名"] for r in csv.DictReader(f)}
    pages = sorted((tmp_path / "shops").glob("HS-*/index.html"))
    assert len(pages) == result.shops
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert not any(i in text for i in operators), page
        assert not any(n in text for n in names), page
    with psycopg.connect(pipeline) as conn:
        shop_id, colour = conn.execute(
            "select shop_id, colour from marts.mart_shop_code where colour = 'red' "
            "and inspection_grade <> 'none' order by shop_id limit 1"
        ).fetchone()
    page = tmp_path / "shops" / shop_id / "index.html"
    dom = headless_chromium(page.as_uri(), tmp_path, screenshot=tmp_path / "shop.png")
    assert f'data-colour="{colour}"' in dom and "红码" in dom
    assert dom.count("<tr>") >= 4 and "检查记录" in dom
    assert (tmp_path / "shop.png").stat().st_size > 10_000
    # the QR code is the page's URL under the base URL, exactly
    qr = (tmp_path / "shops" / shop_id / "qr.png").read_bytes()
    expected = tmp_path / "expected.png"
    segno.make(f"https://hsm.example.org/xuhui/{shop_id}/", error="m").save(
        expected, scale=6, border=2
    )
    assert qr.startswith(b"\x89PNG") and qr == expected.read_bytes()
    assert json.loads((tmp_path / "shops" / "manifest.json").read_text())["shops"] == result.shops


def test_a_bad_base_url_is_refused(pipeline, tmp_path) -> None:
    from cityops.shops import publish

    for bad in ("ftp://x/shops", "not a url", "https://host/shops?x=1"):
        with pytest.raises(ValueError, match="--base-url"):
            publish(pipeline, tmp_path / "shops", bad)
    assert not (tmp_path / "shops").exists()


def test_exports_carry_the_work_list_and_red_and_grey_shops(pipeline) -> None:
    from cityops.settings import get_settings

    root = get_settings().exports / TINY_AS_OF
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["totals"]["shop_worklist"] > 100 and manifest["totals"]["shop_codes"] > 0
    worklists = sorted(root.glob("shop_worklist/徐汇区/*.csv"))
    assert len(worklists) >= 5 and (root / "shop_codes" / "徐汇区").is_dir()
    header = worklists[0].read_text(encoding="utf-8-sig").splitlines()[0]
    assert header.startswith("区,街道,排序,店铺编号,店铺名称")
    assert any(p.with_suffix(".xlsx").exists() for p in worklists)
    with psycopg.connect(pipeline) as conn:
        # every file of the set is audited (a rewrite of the same date audits its files again)
        audited = conn.execute(
            "select count(distinct file_path) from ops.exports "
            "where export_name in ('shop_worklist', 'shop_codes') and as_of = %s and not has_full_ids",
            (TINY_AS_OF,),
        ).fetchone()[0]
    assert audited == sum(1 for f in manifest["files"] if f["export"].startswith("shop_"))


def test_a_street_account_sees_its_own_shops_only(pipeline) -> None:
    with psycopg.connect(pipeline, autocommit=True) as conn:
        street, shops = conn.execute(
            "select street_code, count(*) from marts.mart_shop_code group by 1 order by 2 desc limit 1"
        ).fetchone()
        total = conn.execute("select count(*) from marts.mart_shop_code").fetchone()[0]
        role = create_street_account(conn, street, "street-test-password")
    assert total > shops
    with login(pipeline, role, "street-test-password") as account:
        for mart in ("mart_shop_code", "mart_shop_worklist"):
            seen = account.execute(
                f"select count(*), count(*) filter (where street_code <> %s) from marts.{mart}",
                (street,),
            ).fetchone()
            assert seen[0] > 0 and seen[1] == 0, mart
