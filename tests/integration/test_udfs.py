"""The SQL functions the dbt models share (dbt_project/macros/udfs.sql), on a real PostgreSQL.

They run on every row of the city-scale registry, where PostgreSQL plans parallel queries:
a function with an exception block fails there ("cannot start subtransactions during a
parallel operation"), so each must parse dirt to null without one.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
import re
import zoneinfo

import psycopg
import pytest

from cityops.settings import PROJECT_ROOT
from cityops.synth import idcard

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


def _calendar_date(y: int, m: int, d: int) -> str | None:
    try:
        return dt.date(y, m, d).isoformat()
    except ValueError:
        return None


def test_fixed_date_shapes_follow_the_calendar(udfs) -> None:
    """The byte-reading fast paths (YYYYMMDD, YYYY-MM-DD) against Python's calendar, leap
    years and month ends included."""
    years = (1, 4, 100, 400, 1900, 1999, 2000, 2023, 2024, 2100, 9999)
    cases = [(y, m, d) for y in years for m in range(0, 14) for d in range(0, 33)]
    raws = [f"{y:04d}{m:02d}{d:02d}" for y, m, d in cases]
    raws += [f"{y:04d}-{m:02d}-{d:02d}" for y, m, d in cases]
    got = udfs.execute(
        "select raw, staging.safe_date(raw)::text from unnest(%s::text[]) as raw", (raws,)
    ).fetchall()
    expected = {
        raw: _calendar_date(y, m, d) for raw, (y, m, d) in zip(raws, cases * 2, strict=True)
    }
    wrong = [(raw, value, expected[raw]) for raw, value in got if value != expected[raw]]
    assert not wrong, wrong[:10]


def test_fixed_timestamp_shapes_follow_the_calendar_and_the_offset(udfs) -> None:
    """YYYY-MM-DD[T ]HH:MM[:SS][Z|±HH|±HH:MM] (the fixed shapes are read as bytes) against
    Python's datetime: a local time is Shanghai's, an offset is at most ±15 hours."""
    shanghai = zoneinfo.ZoneInfo("Asia/Shanghai")
    days = ((2024, 2, 29), (2026, 2, 29), (2026, 12, 31), (2026, 4, 31), (2000, 1, 1))
    times = ((0, 0, 0), (23, 59, 59), (24, 0, 0), (12, 60, 0), (12, 0, 60), (7, 5, 9))
    zones = {
        "": shanghai,
        "Z": dt.UTC,
        "+08": dt.timezone(dt.timedelta(hours=8)),
        "-03:30": dt.timezone(-dt.timedelta(hours=3, minutes=30)),
        "+15:00": dt.timezone(dt.timedelta(hours=15)),
        "-00:45": dt.timezone(-dt.timedelta(minutes=45)),
        "+16": None,
    }
    cases: dict[str, str | None] = {}
    for (y, mo, d), (h, mi, s), sep, (zone, tz), seconds in itertools.product(
        days, times, "T ", zones.items(), (True, False)
    ):
        raw = f"{y:04d}-{mo:02d}-{d:02d}{sep}{h:02d}:{mi:02d}" + (f":{s:02d}" if seconds else "")
        s = s if seconds else 0
        real = _calendar_date(y, mo, d) and h <= 23 and mi <= 59 and s <= 59 and tz
        cases[raw + zone] = (
            dt.datetime(y, mo, d, h, mi, s, tzinfo=tz)
            .astimezone(dt.UTC)
            .strftime("%Y-%m-%d %H:%M:%S")
            if real
            else None
        )
    got = dict(
        udfs.execute(
            "select raw, to_char(staging.safe_timestamp(raw) at time zone 'UTC', "
            "'YYYY-MM-DD HH24:MI:SS') from unnest(%s::text[]) as raw",
            (list(cases),),
        ).fetchall()
    )
    wrong = [(raw, got[raw], want) for raw, want in cases.items() if got[raw] != want]
    assert not wrong, wrong[:10]


def test_id_number_problems_match_the_standard(udfs) -> None:
    """Valid IDs, and each valid ID with one digit changed, against GB 11643 in Python."""
    rng = random.Random(11643)
    ids = []
    for _ in range(300):
        first17 = (
            "310104"
            + dt.date(rng.randint(1900, 2025), rng.randint(1, 12), rng.randint(1, 28)).strftime(
                "%Y%m%d"
            )
            + f"{rng.randint(0, 999):03d}"
        )
        valid = first17 + idcard.check_char(first17)
        position = rng.randrange(18)
        digit = rng.choice([c for c in "0123456789X" if c != valid[position]])
        if position < 17 and digit == "X":
            digit = "0" if valid[position] != "0" else "1"
        ids += [valid, valid[:position] + digit + valid[position + 1 :]]

    def problem(n: str) -> str | None:
        if len(n) != 18 or not n[:17].isdigit() or n[17] not in "0123456789X":
            return "bad_format"
        if _calendar_date(int(n[6:10]), int(n[10:12]), int(n[12:14])) is None:
            return "bad_birth_date"
        return None if idcard.check_char(n[:17]) == n[17] else "bad_check_character"

    got = udfs.execute(
        "select n, staging.id_number_problem(n), staging.id_number_check_char(left(n, 17)) "
        "from unnest(%s::text[]) as n",
        (ids,),
    ).fetchall()
    wrong = [
        (n, p, c)
        for n, p, c in got
        if p != problem(n) or (n[:17].isdigit() and c != idcard.check_char(n[:17]))
    ]
    assert not wrong, wrong[:10]
    assert {p for _, p, _ in got} == {None, "bad_birth_date", "bad_check_character"}
