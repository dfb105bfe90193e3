"""Ingestion against a real PostgreSQL: every file reconciles, bad files are refused
with a clear error and quarantined, nothing loaded before is lost, nothing is half-visible."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import psycopg
import pytest
from openpyxl import Workbook

from cityops.settings import get_settings
from ingest.pipeline import ingest_pending
from ingest.sources import REGISTRY

pytestmark = pytest.mark.integration


def run(url: str, source: str, landing: Path, tmp: Path):
    settings = get_settings()
    return ingest_pending(
        url,
        source,
        landing,
        gx_home=tmp / "gx",
        expectations_dir=settings.expectations_dir,
        quarantine_root=tmp / "quarantine",
        build_docs=False,
    )


def copy_source(city: Path, source: str, landing: Path, limit: int | None = None) -> list[Path]:
    folders = sorted((city / "landing" / source).iterdir())[:limit]
    for folder in folders:
        shutil.copytree(folder, landing / source / folder.name)
    return sorted((landing / source).rglob("*.*"))


def count(url: str, sql: str, *args) -> int:
    with psycopg.connect(url) as conn:
        return int(conn.execute(sql, args).fetchone()[0])


def ledger(url: str, source: str) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(
            "select regexp_replace(source_file, '^.*/', ''), entity, status, rows_in_file, rows_loaded, "
            "rows_rejected from ops.load_batches where source = %s order by batch_id",
            (source,),
        ).fetchall()


@pytest.mark.parametrize("source", list(REGISTRY))
def test_every_source_loads_and_reconciles(source, tiny_city, fresh_url, tmp_path) -> None:
    landing = tmp_path / "landing"
    files = copy_source(tiny_city, source, landing)
    summary = run(fresh_url, source, landing, tmp_path)
    assert not summary.refused, summary.as_dict()
    assert summary.rows_loaded > 0
    for name, _entity, status, in_file, loaded, rejected in ledger(fresh_url, source):
        assert status == "loaded", name
        assert in_file == loaded + rejected, name
    spec = REGISTRY[source]
    for entity in spec.entities:
        rows = count(fresh_url, f'select count(*) from raw."{spec.table(entity)}"')
        assert rows == count(
            fresh_url,
            "select sum(rows_loaded) from ops.load_batches where source = %s "
            "and entity = %s and status = 'loaded'",
            source,
            entity.name,
        )
    # lineage leads back to the file and row
    table = spec.table(spec.entities[0])
    with psycopg.connect(fresh_url) as conn:
        row = conn.execute(
            f"select _source_file, _row_number, _file_sha256, _delivered_on, _batch_id "
            f'from raw."{table}" limit 1'
        ).fetchone()
    assert Path(row[0]) in files and row[1] >= 1 and len(row[2]) == 64
    # a rerun finds nothing new
    again = run(fresh_url, source, landing, tmp_path)
    assert again.files == []


def _inspection_file(
    landing: Path, day: str, rows: list[str], encoding: str = "gbk", header: str | None = None
) -> Path:
    path = landing / "facade_inspections" / day / f"inspections_{day.replace('-', '')}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    header = (
        header
        or "检查编号,建筑编号,地址,检查日期,检查方式,问题类型,严重程度,立案编号,立案时间,结案时间,处置措施"
    )
    path.write_bytes(("\n".join([header, *rows]) + "\n").encode(encoding))
    return path


GOOD = "JC1,SH-310104-00001,上海市徐汇区漕溪北路1号,2026-05-01,人工,无,0,,,,"


def assert_refused(summary, url: str, tmp: Path, source: str, needle: str) -> dict:
    assert len(summary.refused) == 1, summary.as_dict()
    failed = summary.refused[0]
    assert needle in failed.error, failed.error
    target = Path(failed.quarantined_as)
    assert target.exists() and not Path(failed.path).exists(), "the file moved to quarantine"
    # a refused file may hold full ID numbers: owner only
    for private in (target, Path(f"{target}.report.md"), Path(f"{target}.report.json")):
        assert private.stat().st_mode & 0o777 == 0o600, private
    assert target.parent.stat().st_mode & 0o777 == 0o700
    report = Path(f"{target}.report.md").read_text(encoding="utf-8")
    assert needle in report and "Nothing from this file was loaded" in report
    with psycopg.connect(url) as conn:
        status, loaded, qpath = conn.execute(
            "select status, rows_loaded, quarantine_path from ops.load_batches where source_file = %s",
            (failed.path,),
        ).fetchone()
    assert (status, loaded, qpath) == ("refused", 0, str(target))
    return json.loads(Path(f"{target}.report.json").read_text(encoding="utf-8"))


def test_good_files_stay_when_a_bad_one_is_refused(fresh_url, tmp_path) -> None:
    landing = tmp_path / "landing"
    _inspection_file(landing, "2026-05-01", [GOOD])
    repeated = "JC2,,徐汇区漕溪北路１号,2026/5/2,无人机,玻璃破损,2,,,,"
    _inspection_file(landing, "2026-05-02", [repeated, repeated])  # a key twice: a file fault
    _inspection_file(
        landing, "2026-05-03", ["JC3,,上海市徐汇区漕溪北路1弄,2026-05-03,人工,无,0,,,,"]
    )
    summary = run(fresh_url, "facade_inspections", landing, tmp_path)
    report = assert_refused(summary, fresh_url, tmp_path, "facade_inspections", "inspection_id")
    assert report["failures"][0]["sample_rows"] == [2, 3]  # header is row 1
    ids = {
        r[0]
        for r in psycopg.connect(fresh_url)
        .execute("select inspection_id from raw.facade_inspections__inspections")
        .fetchall()
    }
    assert ids == {"JC1", "JC3"}


def test_wrong_encoding_is_refused(fresh_url, tmp_path) -> None:
    landing = tmp_path / "landing"
    _inspection_file(landing, "2026-05-01", [GOOD], encoding="utf-8")
    summary = run(fresh_url, "facade_inspections", landing, tmp_path)
    assert_refused(summary, fresh_url, tmp_path, "facade_inspections", "GBK")


def test_missing_required_column_is_refused(fresh_url, tmp_path) -> None:
    landing = tmp_path / "landing"
    header = "检查编号,建筑编号,地址,检查方式,问题类型,严重程度,立案编号,立案时间,结案时间,处置措施"
    _inspection_file(
        landing,
        "2026-05-01",
        ["JC1,SH-310104-00001,上海市徐汇区漕溪北路1号,人工,无,0,,,,"],
        header=header,
    )
    summary = run(fresh_url, "facade_inspections", landing, tmp_path)
    assert_refused(
        summary, fresh_url, tmp_path, "facade_inspections", "missing required column(s): 检查日期"
    )


def rejected(url: str) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(
            "select row_number, rule, column_name, raw_value from ops.rejected_rows "
            "order by batch_id, row_number"
        ).fetchall()


ROW_FAULTS = [  # (row, rule, column, raw value): each kind of row fault of the contracts
    (
        "JC2,,上海市徐汇区漕溪北路2号,,人工,无,0,,,,",
        "expect_column_values_to_not_be_null",
        "inspected_on",
        None,
    ),
    (
        "JC3,,上海市徐汇区漕溪北路3号,2026-13-45,人工,无,0,,,,",
        "expect_column_values_to_match_regex",
        "inspected_on",
        "2026-13-45",
    ),
    (
        "JC4,,上海市徐汇区漕溪北路4号,2026-02-30,人工,无,0,,,,",
        "expect_column_values_to_match_regex",
        "inspected_on",
        "2026-02-30",
    ),
    (
        "JC5,,上海市徐汇区漕溪北路5号,2026-05-01,人工,无,高,,,,",
        "expect_column_values_to_be_in_set",
        "severity",
        "高",
    ),
    (
        "JC6,,上海市徐汇区漕溪北路6号,2026-05-01,人工,无,0,,2026-05-01 25:61,,",
        "expect_column_values_to_match_regex",
        "case_opened_at",
        "2026-05-01 25:61",
    ),
    (  # a NUL byte, which PostgreSQL text cannot hold, is kept escaped
        "JC7,\x00,上海市徐汇区漕溪北路7号,2026-05-01,人工,无,0,,,,",
        "expect_column_values_to_match_regex",
        "building_code",
        "\\x00",
    ),
]


def test_each_row_fault_rejects_its_row_and_the_rest_loads(fresh_url, tmp_path) -> None:
    landing = tmp_path / "landing"
    good = [GOOD.replace("JC1", f"JC1{i}") for i in range(300)]
    _inspection_file(landing, "2026-05-01", [*good, *(row for row, *_ in ROW_FAULTS)])
    summary = run(fresh_url, "facade_inspections", landing, tmp_path)
    assert not summary.refused, summary.as_dict()
    (outcome,) = summary.files
    assert (outcome.rows_in_file, outcome.rows_loaded, outcome.rows_rejected) == (306, 300, 6)
    expected = [(302 + i, *fault) for i, (_, *fault) in enumerate(ROW_FAULTS)]
    assert rejected(fresh_url) == expected  # header is row 1, the good rows 2-301
    assert count(fresh_url, "select count(*) from raw.facade_inspections__inspections") == 300
    assert ledger(fresh_url, "facade_inspections") == [
        ("inspections_20260501.csv", "inspections", "loaded", 306, 300, 6)
    ]


def test_more_bad_rows_than_the_source_tolerates_refuse_the_file(fresh_url, tmp_path) -> None:
    landing = tmp_path / "landing"
    good = [GOOD.replace("JC1", f"JC1{i}") for i in range(100)]
    bad = [f"JC9{i},,上海市徐汇区漕溪北路1号,2026-13-45,人工,无,0,,,," for i in range(6)]
    _inspection_file(landing, "2026-05-01", [*good, *bad])  # 6 of 106: over 2 % and over 5
    summary = run(fresh_url, "facade_inspections", landing, tmp_path)
    assert_refused(
        summary, fresh_url, tmp_path, "facade_inspections", "6 of 106 rows were rejected"
    )
    assert count(fresh_url, "select count(*) from raw.facade_inspections__inspections") == 0
    assert rejected(fresh_url) == [], "a refused file leaves no rejected rows behind"


def test_extra_columns_and_shuffled_order_are_kept_and_reported(fresh_url, tmp_path) -> None:
    landing = tmp_path / "landing"
    header = "备注,处置措施,检查编号,建筑编号,地址,检查日期,检查方式,问题类型,严重程度,立案编号,立案时间,结案时间"
    _inspection_file(
        landing,
        "2026-05-01",
        ["复查,,JC1,SH-310104-00001,上海市徐汇区漕溪北路1号,2026-05-01,人工,无,0,,,"],
        header=header,
    )
    summary = run(fresh_url, "facade_inspections", landing, tmp_path)
    assert not summary.refused and summary.files[0].extra_columns == ["备注"]
    with psycopg.connect(fresh_url) as conn:
        row = conn.execute(
            "select inspection_id, severity, _extra from raw.facade_inspections__inspections"
        ).fetchone()
        warnings = conn.execute("select warnings::text from ops.load_batches").fetchone()[0]
    assert row == ("JC1", "0", {"备注": "复查"})
    assert "备注" in warnings


def test_empty_and_zero_byte_files(fresh_url, tmp_path) -> None:
    landing = tmp_path / "landing"
    path = landing / "population" / "2026-05-01" / "persons_20260501.csv"
    path.parent.mkdir(parents=True)
    path.write_text(
        "身份证号,姓名,性别,出生日期,户号,与户主关系,区划代码,街道,户籍地址,人口状态,更新时间\n",
        encoding="utf-8",
    )
    zero = landing / "population" / "2026-05-02" / "persons_20260502.csv"
    zero.parent.mkdir(parents=True)
    zero.write_bytes(b"")
    summary = run(fresh_url, "population", landing, tmp_path)
    errors = sorted(f.error for f in summary.refused)
    assert len(errors) == 2
    assert "the file is empty (0 bytes)" in errors[1] or "the file is empty (0 bytes)" in errors[0]
    assert any("snapshot has no data rows" in e for e in errors)
    # an empty daily increment is not an error: zero rows, reconciled
    _inspection_file(landing, "2026-05-03", [])
    summary = run(fresh_url, "facade_inspections", landing, tmp_path)
    assert not summary.refused and summary.files[0].rows_in_file == 0


def test_xlsx_without_the_expected_sheet(fresh_url, tmp_path) -> None:
    path = tmp_path / "landing" / "housing" / "2026-05-01" / "buildings_20260501.xlsx"
    path.parent.mkdir(parents=True)
    wb = Workbook()
    wb.active.title = "Sheet1"
    wb.active.append(["建筑编号"])
    wb.save(path)
    summary = run(fresh_url, "housing", tmp_path / "landing", tmp_path)
    assert_refused(summary, fresh_url, tmp_path, "housing", "no sheet '幕墙建筑' (sheets: Sheet1)")


def test_json_that_is_not_an_object(fresh_url, tmp_path) -> None:
    path = tmp_path / "landing" / "weather" / "2026-05-01" / "obs_20260501.json"
    path.parent.mkdir(parents=True)
    path.write_text('[{"station_id": "58367"}]', encoding="utf-8")
    summary = run(fresh_url, "weather", tmp_path / "landing", tmp_path)
    assert_refused(summary, fresh_url, tmp_path, "weather", "must be an object, found list")


def test_truncated_jsonl_line_is_rejected_and_the_rest_loads(fresh_url, tmp_path) -> None:
    path = tmp_path / "landing" / "billboards" / "2026-05-01" / "readings_14.jsonl"
    path.parent.mkdir(parents=True)
    lines = [
        json.dumps(
            {
                "device_id": f"DEV{i}",
                "ts": "2026-05-01T14:00:00+08:00",
                "tilt_deg": 0.3,
                "vibration_mm_s": 1.0,
                "battery_pct": 90,
            }
        )
        for i in range(200)
    ]
    lines[50] = lines[50][:30]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    summary = run(fresh_url, "billboards", tmp_path / "landing", tmp_path)
    assert not summary.refused
    outcome = summary.files[0]
    assert (outcome.rows_in_file, outcome.rows_loaded, outcome.rows_rejected) == (200, 199, 1)
    with psycopg.connect(fresh_url) as conn:
        reject = conn.execute("select row_number, reason from ops.rejected_rows").fetchone()
    assert reject[0] == 51 and "truncated" in reject[1]
    # more unreadable lines than the contract tolerates: refused as a whole
    bad = tmp_path / "landing" / "billboards" / "2026-05-01" / "readings_15.jsonl"
    bad.write_text("\n".join(line[:20] for line in lines[:10]) + "\n", encoding="utf-8")
    summary = run(fresh_url, "billboards", tmp_path / "landing", tmp_path)
    assert summary.refused and "10 of 10 rows were rejected" in summary.refused[0].error


def test_same_file_twice_loads_once_and_corrections_load_again(fresh_url, tmp_path) -> None:
    landing = tmp_path / "landing"
    first = _inspection_file(landing, "2026-05-01", [GOOD])
    twin = landing / "facade_inspections" / "2026-05-09" / first.name
    twin.parent.mkdir(parents=True)
    shutil.copy(first, twin)
    summary = run(fresh_url, "facade_inspections", landing, tmp_path)
    assert [f.status for f in summary.files] == ["loaded", "duplicate"]
    corrected = GOOD.replace(",无,0,", ",玻璃破损,2,")
    _inspection_file(landing, "2026-05-10", [corrected])
    summary = run(fresh_url, "facade_inspections", landing, tmp_path)
    assert [f.status for f in summary.files] == ["loaded"]
    assert count(fresh_url, "select count(*) from raw.facade_inspections__inspections") == 2


def test_a_killed_load_leaves_nothing_and_a_rerun_recovers(fresh_url, tiny_city, tmp_path) -> None:
    landing = tmp_path / "landing"
    copy_source(tiny_city, "population", landing, limit=1)
    script = textwrap.dedent(f"""
        import os, signal
        from pathlib import Path
        import ingest.load as load
        real = load.copy_batch
        def dying(*args, **kwargs):
            real(*args, **kwargs)
            os.kill(os.getpid(), signal.SIGKILL)  # mid-load: rows were sent, nothing committed
        load.copy_batch = dying
        import ingest.pipeline as pipeline
        pipeline.copy_batch = dying
        pipeline.ingest_pending({fresh_url!r}, "population", Path({str(landing)!r}),
            gx_home=Path({str(tmp_path / "gx")!r}), expectations_dir=Path({str(get_settings().expectations_dir)!r}),
            quarantine_root=Path({str(tmp_path / "q")!r}), build_docs=False)
    """)
    proc = subprocess.run(
        [sys.executable, "-c", script], env=os.environ.copy(), capture_output=True, text=True
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr[-2000:]
    assert [r[2] for r in ledger(fresh_url, "population")] == ["loading"]
    assert count(fresh_url, "select count(*) from raw.population__persons") == 0
    summary = run(fresh_url, "population", landing, tmp_path)
    assert [f.status for f in summary.files] == ["loaded"]
    rows = ledger(fresh_url, "population")
    assert [r[2] for r in rows] == ["interrupted", "loaded"]
    assert count(fresh_url, "select count(*) from raw.population__persons") == rows[1][4] > 1000


def test_every_loaded_file_is_one_partition_holding_its_lineage_once(
    tiny_city, fresh_url, tmp_path
) -> None:
    landing = tmp_path / "landing"
    copy_source(tiny_city, "weather", landing, limit=3)
    summary = run(fresh_url, "weather", landing, tmp_path)
    assert not summary.refused, summary.as_dict()
    with psycopg.connect(fresh_url) as conn:
        partitions = conn.execute(
            "select c.relname, pg_get_expr(c.relpartbound, c.oid) from pg_inherits i "
            "join pg_class c on c.oid = i.inhrelid "
            "where i.inhparent = 'raw.weather__observations'::regclass order by 1"
        ).fetchall()
        batches = conn.execute(
            "select batch_id, source_file from ops.load_batches "
            "where entity = 'observations' and status = 'loaded' order by 1"
        ).fetchall()
        assert [p[0] for p in partitions] == sorted(
            f"weather__observations__{b}" for b, _ in batches
        )
        assert all(
            bound == f"FOR VALUES IN ('{b}')"
            for (_, bound), (b, _) in zip(
                sorted(partitions, key=lambda p: int(p[0].rsplit("__", 1)[1])), batches, strict=True
            )
        )
        # one file's lineage is a constant of its partition, read back on every row
        for batch_id, source_file in batches:
            assert conn.execute(
                "select count(*), count(distinct _source_file), min(_source_file) "
                "from raw.weather__observations where _batch_id = %s",
                (batch_id,),
            ).fetchone()[1:] == (1, source_file)
        # a batch is found by partition pruning, not by scanning the other files
        plan = "\n".join(
            r[0]
            for r in conn.execute(
                f"explain select * from raw.weather__observations where _batch_id = {int(batches[0][0])}"
            )
        )
        assert f"weather__observations__{batches[0][0]}" in plan
        assert f"weather__observations__{batches[1][0]}" not in plan


def test_a_raw_table_from_before_partitioning_keeps_its_rows_as_the_default_partition(
    tiny_city, fresh_url, tmp_path
) -> None:
    from cityops.warehouse import bootstrap
    from ingest.load import ensure_raw_table

    source = REGISTRY["weather"]
    entity = next(e for e in source.entities if e.name == "observations")
    columns = ", ".join(f'"{c}" text' for c in entity.column_names)
    bootstrap(fresh_url)
    with psycopg.connect(fresh_url, autocommit=True) as conn:
        conn.execute("drop table if exists raw.weather__observations")
        conn.execute(  # the layout of earlier releases
            f"create table raw.weather__observations ({columns}, _extra jsonb, "
            "_batch_id bigint not null, _source_file text not null, _file_sha256 text not null, "
            "_row_number bigint not null, _delivered_on date not null, "
            "_loaded_at timestamptz not null default now())"
        )
        conn.execute(
            "create index weather__observations__batch on raw.weather__observations "
            "using brin (_batch_id)"
        )
        conn.execute(
            "insert into raw.weather__observations (_batch_id, _source_file, _file_sha256, "
            "_row_number, _delivered_on) values (0, 'old.json', repeat('0', 64), 1, '2026-01-01')"
        )
        ensure_raw_table(conn, source, entity)
        assert conn.execute(
            "select relkind from pg_class where oid = 'raw.weather__observations'::regclass"
        ).fetchone() == ("p",)
        ensure_raw_table(conn, source, entity)  # idempotent
    landing = tmp_path / "landing"
    copy_source(tiny_city, "weather", landing, limit=1)
    summary = run(fresh_url, "weather", landing, tmp_path)
    assert not summary.refused, summary.as_dict()
    assert (
        count(fresh_url, "select count(*) from raw.weather__observations where _batch_id = 0") == 1
    )
    assert (
        count(fresh_url, "select count(*) from raw.weather__observations where _batch_id > 0")
        == count(
            fresh_url,
            "select sum(rows_loaded) from ops.load_batches where entity = 'observations' and status = 'loaded'",
        )
        > 0
    )


@pytest.mark.slow
@pytest.mark.parametrize("source", ["welfare", "weather"])
def test_files_read_in_worker_processes_load_as_read_here(
    source, tiny_city, warehouse_url, tmp_path, monkeypatch
) -> None:
    """The worker processes that read a large run's files (xlsx and JSON parsing is
    Python-bound) load the same rows, and refuse the same broken file, as one process."""
    import ingest.reading as reading
    from cityops.warehouse import ensure_database, with_database
    from ingest.discover import discover

    spec = REGISTRY[source]
    contents = []
    for workers, threshold in ((1, 1 << 40), (2, 0)):
        landing = tmp_path / f"landing{workers}"  # a refused file leaves its landing folder
        files = copy_source(tiny_city, source, landing, limit=6)
        broken = files[2]
        broken.write_bytes(b"not what the contract says")
        monkeypatch.setattr(reading, "READ_WORKERS", workers)
        monkeypatch.setattr(reading, "PARALLEL_READ_BYTES", threshold)
        url = with_database(warehouse_url, f"cityops_read_{workers}_{os.getpid()}")
        ensure_database(url)
        pool = reading.reading_pool(discover(landing, spec).deliveries)
        assert (pool is None) == (workers == 1)
        if pool is not None:
            pool.shutdown()
        summary = run(url, source, landing, tmp_path / str(workers))
        assert [Path(f.path).name for f in summary.refused] == [broken.name]
        with psycopg.connect(url) as conn:
            rows = {}
            for entity in spec.entities:
                table = spec.table(entity)
                columns = [
                    c
                    for (c,) in conn.execute(
                        "select column_name from information_schema.columns "
                        "where table_schema = 'raw' and table_name = %s order by column_name",
                        (table,),
                    )
                    if not c.startswith("_") or c == "_row_number"
                ]
                select = ", ".join(f'"{c}"' for c in columns)
                rows[entity.name] = conn.execute(
                    f"select count(*), md5(string_agg(r::text, '|' order by r::text)) "
                    f'from (select {select} from raw."{table}") r'
                ).fetchone()
        contents.append((rows, ledger(url, source)))
        with psycopg.connect(with_database(warehouse_url, "postgres"), autocommit=True) as conn:
            conn.execute(f'drop database "{url.rsplit("/", 1)[1]}" with (force)')
    assert contents[0][0] == contents[1][0]
    assert contents[0][0][spec.entities[0].name][0] > 0
    assert contents[0][1] == contents[1][1]
