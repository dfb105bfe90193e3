"""精准营商 on the tiny city's real run: alerts, buildings and requests against the generator's
truth, office matching (the CLI and the mart agree; no red-tier building is proposed),
exports, street accounts and privacy.
"""

from __future__ import annotations

import csv
import datetime as dt
import json

import numpy as np
import psycopg
import pytest

from cityops import evaluation
from cityops.offices import area_bounds
from cityops.roles import create_street_account

from ..conftest import TINY_AS_OF
from ..helpers import run_against
from .test_security import login

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def _truth(tiny_city, name: str) -> list[dict[str, str]]:
    with open(tiny_city / "truth" / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_alerts_are_exactly_the_rules_applied_to_the_delivered_truth(pipeline, tiny_city) -> None:
    score = evaluation.enterprise_alerts(pipeline, tiny_city / "truth")
    assert score.expected > 20
    assert score.expected == score.found == score.correct, score
    rules = {r["rule"] for r in _truth(tiny_city, "enterprise_alerts.csv")}
    assert len(rules) >= 5, rules  # the tiny city exercises (nearly) every rule


def test_an_event_delivered_twice_counts_once(pipeline) -> None:
    with psycopg.connect(pipeline) as conn:
        delivered, distinct = conn.execute(
            "select count(*), count(distinct event_id) from raw.enterprise_events__events"
        ).fetchone()
        staged = conn.execute(
            "select count(*) from staging.stg_enterprise_events__events"
        ).fetchone()[0]
    assert delivered > distinct  # the feed repeats events ...
    assert staged == distinct  # ... and each counts once


def test_enterprises_link_to_their_registry_building(pipeline, tiny_city) -> None:
    score = evaluation.enterprise_buildings(pipeline, tiny_city / "truth")
    assert score.expected > 30
    assert score.precision >= 0.99, score
    assert score.recall >= 0.9, score
    with psycopg.connect(pipeline) as conn:
        paths = dict(
            conn.execute(
                "select building_link_path, count(*) from marts.dim_enterprise "
                "where building_code is not null group by 1"
            ).fetchall()
        )
    assert paths.get("address", 0) > 0 and paths.get("building_name", 0) > 0, paths


def test_requests_carry_their_latest_state_and_a_working_day_age(pipeline, tiny_city) -> None:
    truth = {r["request_id"]: r for r in _truth(tiny_city, "enterprise_requests.csv")}
    calendar = _truth_calendar()
    with psycopg.connect(pipeline) as conn:
        rows = conn.execute(
            "select request_id, status, received_on, closed_on, working_days_age, is_overdue, "
            "uscc, uscc_invalid from marts.mart_enterprise_requests"
        ).fetchall()
    assert len(rows) == len(truth)
    as_of = dt.date.fromisoformat(TINY_AS_OF)
    for request_id, status, received, closed, age, overdue, code, invalid in rows:
        assert status == truth[request_id]["status"], request_id
        # numpy's business-day count with the same calendar, independently of the SQL
        until = min(closed or as_of, as_of)
        expected = int(
            np.busday_count(
                received + dt.timedelta(days=1),
                until + dt.timedelta(days=1),
                holidays=calendar["holiday"],
            )
        ) + sum(1 for d in calendar["workday"] if received < d <= until)
        assert age == expected, request_id
        assert overdue == (status in ("已受理", "办理中") and age > 15), request_id
        # a code that passes its checks after cleaning is the enterprise's own
        assert code in (truth[request_id]["uscc"], None), request_id
        assert not invalid or code is None
    assert any(r[5] for r in rows)  # some are overdue
    assert sum(r[6] is None for r in rows) < 0.1 * len(rows)  # blank or failing codes are few


def _truth_calendar() -> dict[str, list[dt.date]]:
    from cityops.settings import get_settings

    path = get_settings().dbt_project_dir / "seeds" / "ref_shanghai_workdays.csv"
    out: dict[str, list[dt.date]] = {"holiday": [], "workday": []}
    with path.open(encoding="utf-8") as f:
        for r in csv.DictReader(f):
            out[r["kind"]].append(dt.date.fromisoformat(r["on_date"]))
    return out


def test_office_matches_find_the_unit_signed_and_never_a_red_tier_building(
    pipeline, tiny_city
) -> None:
    hits = evaluation.office_matches(pipeline, tiny_city / "truth")
    assert hits.requests >= 5
    assert hits.at(5) >= 0.5, hits  # the fit ranking finds what enterprises choose
    with psycopg.connect(pipeline) as conn:
        red = conn.execute(
            "select count(*) from marts.mart_office_matches m "
            "join marts.dim_office_unit u using (unit_id) "
            "where u.facade_risk_tier = 'red' or u.status <> '空置'"
        ).fetchone()[0]
        per_request = conn.execute(
            "select max(n) from (select count(*) as n from marts.mart_office_matches group by request_id) t"
        ).fetchone()[0]
    assert red == 0 and per_request <= 5


def test_a_red_tier_building_is_never_proposed_even_when_it_fits_best(pipeline) -> None:
    """Mark the building of the best match red: the function proposes another unit."""
    with psycopg.connect(pipeline) as conn:
        row = conn.execute(
            "select m.request_id, m.unit_id, r.need_area_low, r.need_area_high, r.rent_budget, "
            "r.wanted_areas from marts.mart_office_matches as m "
            "join marts.mart_enterprise_requests as r using (request_id) "
            "where m.match_rank = 1 and m.building_code is not null limit 1"
        ).fetchone()
        assert row is not None
        _, unit, low, high, budget, wanted = row
        args = (low, high, budget, wanted, TINY_AS_OF)
        call = (
            "select unit_id from marts.office_candidates("
            "%s::numeric, %s::numeric, %s::numeric, %s::text[], %s::date, 50)"
        )
        assert unit in {u for (u,) in conn.execute(call, args)}
        conn.execute(
            "update marts.dim_office_unit set facade_risk_tier = 'red', is_proposable = false "
            "where building_code = (select building_code from marts.dim_office_unit where unit_id = %s)",
            (unit,),
        )
        assert unit not in {u for (u,) in conn.execute(call, args)}
        conn.rollback()


def test_the_match_command_lists_the_marts_candidates_with_reasons(pipeline) -> None:
    with psycopg.connect(pipeline) as conn:
        request_id, units = conn.execute(
            "select request_id, array_agg(unit_id order by match_rank) from marts.mart_office_matches "
            "group by request_id order by request_id limit 1"
        ).fetchone()
    out = run_against(pipeline, "-m", "cityops", "offices", "match", "--request", request_id)
    for unit in units:
        assert unit in out
    assert "面积" in out and "租金" in out
    out = run_against(  # typed criteria: a range, a budget and a district
        pipeline,
        "-m",
        "cityops",
        "offices",
        "match",
        "--area",
        "100-5000",
        "--rent",
        "20",
        "--area-name",
        "徐汇区",
    )
    assert "徐汇区" in out


@pytest.mark.parametrize(
    "text, bounds",
    [
        ("300-500", (300, 500)),
        ("≥800", (800, None)),
        ("４００", (320, 480)),
        ("大于 1000", (1000, None)),
        ("500~300", (300, 500)),
        ("about 300", (None, None)),
    ],
)
def test_area_needs_read_alike_in_python_and_sql(pipeline, text, bounds) -> None:
    with psycopg.connect(pipeline) as conn:
        sql = conn.execute("select staging.area_need_bounds(%s, 0.2)", (text,)).fetchone()[0]
    read_by_sql = (
        (None, None) if sql is None else tuple(None if v is None else float(v) for v in sql)
    )
    for read in (area_bounds(text), read_by_sql):
        assert [None if v is None else round(v, 6) for v in read] == list(bounds), (text, read)


def test_the_enterprise_file_joins_headcount_events_requests_and_licences(pipeline) -> None:
    with psycopg.connect(pipeline) as conn:
        employers, with_events, with_requests, with_licences = conn.execute(
            "select count(*) filter (where headcount_latest > 0), count(*) filter (where events > 0), "
            "count(*) filter (where requests > 0), count(*) filter (where jsonb_array_length(licences) > 0) "
            "from marts.mart_enterprise_file"
        ).fetchone()
        total = conn.execute("select count(*) from marts.dim_enterprise").fetchone()[0]
        files = conn.execute("select count(*) from marts.mart_enterprise_file").fetchone()[0]
    assert files == total
    assert employers >= 3 and with_events > 20 and with_requests > 20 and with_licences > 5


def test_marts_hold_no_legal_representative_id_number(pipeline, tiny_city) -> None:
    ids = {r["legal_rep_id_number"] for r in _truth(tiny_city, "enterprises.csv")}
    with psycopg.connect(pipeline) as conn:
        tables = [
            t
            for (t,) in conn.execute(
                "select table_name from information_schema.tables where table_schema = 'marts' "
                "and (table_name like '%%enterprise%%' or table_name like '%%office%%')"
            )
        ]
        assert len(tables) >= 6
        for table in tables:
            text = (
                conn.execute(f"select string_agg(t::text, ' ') from marts.{table} as t").fetchone()[
                    0
                ]
                or ""
            )
            assert not any(i in text for i in ids), table


def test_exports_carry_overdue_requests_and_alerts_per_street(pipeline) -> None:
    from cityops.settings import get_settings

    root = get_settings().exports / TINY_AS_OF
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["totals"]["enterprise_requests"] > 0
    assert manifest["totals"]["enterprise_alerts"] > 0
    files = sorted(root.glob("enterprise_requests/*/*.csv"))
    assert files and files[0].with_suffix(".xlsx").exists()
    assert files[0].read_text(encoding="utf-8-sig").startswith("区,街道,诉求编号,企业名称")
    with psycopg.connect(pipeline) as conn:
        overdue = conn.execute(
            "select count(*) from marts.mart_enterprise_requests where is_overdue and street_code is not null"
        ).fetchone()[0]
    assert manifest["totals"]["enterprise_requests"] == overdue


def test_a_street_account_sees_its_own_enterprises_only(pipeline) -> None:
    with psycopg.connect(pipeline, autocommit=True) as conn:
        street = conn.execute(
            "select street_code from marts.mart_enterprise_file where street_code is not null "
            "group by 1 order by count(*) desc limit 1"
        ).fetchone()[0]
        role = create_street_account(conn, street, "street-test-password")
    with login(pipeline, role, "street-test-password") as account:
        for mart in ("mart_enterprise_file", "mart_enterprise_alerts", "mart_enterprise_requests"):
            seen = account.execute(
                f"select count(*) filter (where street_code is distinct from %s) from marts.{mart}",
                (street,),
            ).fetchone()[0]
            assert seen == 0, mart
        assert account.execute("select count(*) from marts.mart_enterprise_file").fetchone()[0] > 0
