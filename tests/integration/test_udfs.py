"""The SQL functions the dbt models share (dbt_project/macros/udfs.sql), on a real PostgreSQL.

They run on every row of the city-scale registry, where PostgreSQL plans parallel queries:
a function with an exception block fails there ("cannot start subtransactions during a
parallel operation"), so each must parse dirt to null without one.
"""

from __future__ import annotations

import re

import psycopg
import pytest

from cityops.settings import PROJECT_ROOT

pytestmark = pytest.mark.integration


@pytest.fixture
def udfs(fresh_url: str):
    text = (PROJECT_ROOT / "dbt_project" / "macros" / "udfs.sql").read_text()
    body = re.search(r"{% macro create_udfs\(\) %}(.*){% endmacro %}", text, re.S)
    assert body, "udfs.sql holds the create_udfs macro"
    with psycopg.connect(fresh_url, autocommit=True) as conn:
        conn.execute(body.group(1))
        yield conn


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024-02-29", "2024-02-29"),
        ("2026-02-29", None),
        ("2026/2/3", "2026-02-03"),
        ("20260230", None),
        ("19900101", "1990-01-01"),
        ("2026-13-01", None),
        ("2026-11-24 extra", "2026-11-24"),
        ("0000-01-01", None),
        ("yesterday", None),
        ("", None),
        (None, None),
    ],
)
def test_safe_date(udfs, raw, expected) -> None:
    assert udfs.execute("select staging.safe_date(%s)::text", (raw,)).fetchone()[0] == expected


@pytest.mark.parametrize(
    ("raw", "expected_utc"),
    [
        ("2026-11-23T10:00:00+08:00", "2026-11-23 02:00:00"),
        ("2026-11-23 10:00", "2026-11-23 02:00:00"),  # local time is Shanghai's
        (" 2026-11-23 10:00:59.5 ", "2026-11-23 02:00:59.5"),
        ("2026-11-23T10:00:00Z", "2026-11-23 10:00:00"),
        ("2026-11-23T10:00:00+08", "2026-11-23 02:00:00"),
        ("2026-11-23T10:00:00-03:30", "2026-11-23 13:30:00"),
        ("2026/1/5 3:04+08:00", "2026-01-04 19:04:00"),
        ("2026-11-23T10:00:00+16:00", None),
        ("2026-11-23T1:00:00+08:00", "2026-11-22 17:00:00"),
        ("2026-11-23 10:0a", None),
        ("2026-11-2a 10:00", None),
        ("2026-1-5T3:04:05-0330", "2026-01-05 06:34:05"),
        ("2024-02-29", "2024-02-28 16:00:00"),  # a date alone is local midnight
        ("2026-02-29 10:00", None),
        ("2026-11-23 24:00", None),
        ("2026-11-23 10:61", None),
        ("now", None),  # not the clock: models never read it
        ("not a time", None),
        (None, None),
    ],
)
def test_safe_timestamp(udfs, raw, expected_utc) -> None:
    got = udfs.execute(
        "select (staging.safe_timestamp(%s) at time zone 'UTC')::text", (raw,)
    ).fetchone()[0]
    assert got == expected_utc


def test_every_function_runs_inside_a_parallel_query(udfs) -> None:
    udfs.execute(
        "create table dirt as select (case when i % 7 = 0 then 'bad' else "
        "to_char(date '2000-01-01' + i, 'YYYYMMDD') end) as d, "
        "(case when i % 5 = 0 then 'bad' else '2026-11-23 10:00' end) as t, "
        "'11010519491231002' || (i % 10)::text as id from generate_series(1, 50000) i"
    )
    udfs.execute("analyze dirt")
    for setting in ("parallel_setup_cost", "parallel_tuple_cost", "min_parallel_table_scan_size"):
        udfs.execute(f"set {setting} = 0")
    udfs.execute("set max_parallel_workers_per_gather = 2")
    query = (
        "select count(staging.safe_date(d)), count(staging.safe_timestamp(t)), "
        "count(staging.id_number_problem(id)) from dirt"
    )
    plan = "\n".join(r[0] for r in udfs.execute("explain " + query).fetchall())
    assert "Parallel Seq Scan" in plan, plan
    dates, times, problems = udfs.execute(query).fetchone()
    assert (dates, times) == (50000 - 50000 // 7, 50000 - 50000 // 5)
    assert problems > 0


@pytest.mark.parametrize(
    ("raw", "normalised", "problem"),
    [
        ("11010519491231002X", "11010519491231002X", None),
        (" 110105 19491231 002x ", "11010519491231002X", None),
        ("１１０１０５１９４９１２３１００２Ｘ", "11010519491231002X", None),
        ("110105491231002", "11010519491231002X", None),  # 15 digits: upgraded
        ("110105194912310021", "110105194912310021", "bad_check_character"),
        ("110105194902310025", "110105194902310025", "bad_birth_date"),
        ("1101051949123100", "1101051949123100", "bad_format"),
        ("11010519491231002Y", "11010519491231002Y", "bad_format"),
        ("   ", None, "missing"),
        (None, None, "missing"),
    ],
)
def test_id_numbers(udfs, raw, normalised, problem) -> None:
    got = udfs.execute(
        "select n, staging.id_number_problem(n) from staging.id_number_normalise(%s) as n", (raw,)
    ).fetchone()
    assert got == (normalised, problem)
