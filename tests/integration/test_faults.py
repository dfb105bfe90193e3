"""Fault tests with real processes and real PostgreSQL: kill, stop, race, deliver mid-load.

After every fault and a rerun, the warehouse must equal a clean run's: same row counts,
no duplicates, no half batch ever visible, and a ledger that tells what happened.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import psycopg
import pytest

from cityops.settings import get_settings

from ..helpers import table_counts
from .test_ingest import copy_source, count, ledger, run

pytestmark = [pytest.mark.integration, pytest.mark.slow]
AS_OF = "2026-11-24"


def ingest_script(url: str, source: str, landing: Path, work: Path, hook: str = "") -> str:
    """Python for a separate process that ingests ``source``; ``hook`` may patch the COPY."""
    settings = get_settings()
    return textwrap.dedent(f"""
        import json, os, signal, sys, time
        from pathlib import Path
        import ingest.load as load
        import ingest.pipeline as pipeline
        real = load.copy_batch
        {textwrap.indent(textwrap.dedent(hook), " " * 8).strip()}
        summary = pipeline.ingest_pending({url!r}, {source!r}, Path({str(landing)!r}),
            gx_home=Path({str(work / "gx")!r}), expectations_dir=Path({str(settings.expectations_dir)!r}),
            quarantine_root=Path({str(work / "q")!r}), build_docs=False)
        print(json.dumps(summary.as_dict()))
    """)


def start(script: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", script],
        env=os.environ.copy(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def wait_for(path: Path, proc: subprocess.Popen[str], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if proc.poll() is not None:
            raise AssertionError(f"the process ended early:\n{proc.stderr.read()[-3000:]}")
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.02)


def clean_counts(fresh_url: str, source: str, landing: Path, tmp: Path) -> dict[str, int]:
    """Raw row counts per entity table after an undisturbed load of ``landing``."""
    summary = run(fresh_url, source, landing, tmp / "clean")
    assert summary.refused == []
    return raw_counts(fresh_url, source)


def raw_counts(url: str, source: str) -> dict[str, int]:
    """Raw row counts per entity table of ``source``; fails on any duplicated file row."""
    counts = table_counts(url, "raw", like=f"{source}\\_\\_%")
    with psycopg.connect(url) as conn:
        for table in counts:
            dupes = conn.execute(
                f"select count(*) - count(distinct (_file_sha256, _row_number)) from {table}"
            ).fetchone()[0]
            assert dupes == 0, f"{table} holds {dupes} duplicated row(s)"
    return counts


@pytest.fixture
def other_db(warehouse_url: str):
    """Another fresh warehouse database, for the clean run to compare with."""
    from cityops.warehouse import scratch_database

    with scratch_database(warehouse_url, "cityops_clean") as url:
        yield url


def test_the_same_ingest_twice_at_once_loads_everything_once(
    fresh_url, other_db, tiny_city, tmp_path
) -> None:
    landing = tmp_path / "landing"
    copy_source(tiny_city, "weather", landing)
    expected = clean_counts(other_db, "weather", landing, tmp_path)
    procs = [
        start(ingest_script(fresh_url, "weather", landing, tmp_path / f"w{i}")) for i in (1, 2)
    ]
    outputs = [p.communicate(timeout=600) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [o[1][-2000:] for o in outputs]
    summaries = [json.loads(o[0].strip().splitlines()[-1]) for o in outputs]
    files = len(list((landing / "weather").rglob("*.*")))
    # Every file is loaded by exactly one of the two; the other saw it done.
    assert sum(s["files_loaded"] for s in summaries) == files
    assert raw_counts(fresh_url, "weather") == expected
    with psycopg.connect(fresh_url) as conn:
        loaded_twice = conn.execute(
            "select count(*) from (select source_file, entity from ops.load_batches "
            "where status = 'loaded' group by 1, 2 having count(*) > 1) as t"
        ).fetchone()[0]
    assert loaded_twice == 0


def test_a_delivery_during_a_load_is_picked_up_by_the_next_run(
    fresh_url, other_db, tiny_city, tmp_path
) -> None:
    source_root = tiny_city / "landing" / "population"
    first, second = sorted(source_root.iterdir())
    landing = tmp_path / "landing"
    (landing / "population").mkdir(parents=True)
    shutil.copytree(first, landing / "population" / first.name)
    ready, go = tmp_path / "ready", tmp_path / "go"
    hook = f"""
        def slow(*args, **kwargs):
            n = real(*args, **kwargs)
            Path({str(ready)!r}).touch()
            while not Path({str(go)!r}).exists():
                time.sleep(0.02)
            return n
        pipeline.copy_batch = slow
    """
    proc = start(ingest_script(fresh_url, "population", landing, tmp_path / "a", hook))
    wait_for(ready, proc)
    # The department drops the next delivery while the first is being loaded.
    shutil.copytree(second, landing / "population" / second.name)
    go.touch()
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err[-2000:]
    assert json.loads(out.strip().splitlines()[-1])["files_loaded"] == 1
    again = run(fresh_url, "population", landing, tmp_path / "b")
    assert [f.status for f in again.files] == ["loaded"]
    assert raw_counts(fresh_url, "population") == clean_counts(
        other_db, "population", landing, tmp_path
    )


def test_a_file_still_being_written_is_deferred_not_quarantined(
    fresh_url, other_db, tiny_city, tmp_path
) -> None:
    original = sorted((tiny_city / "landing" / "population").rglob("*.csv"))[0]
    data = original.read_bytes()
    target = tmp_path / "landing" / "population" / original.parent.name / original.name
    target.parent.mkdir(parents=True)
    cut = data.rfind(b"\n", 0, len(data) // 2) + 1
    target.write_bytes(data[:cut])  # the copy is half done when the load starts
    ready, go = tmp_path / "ready", tmp_path / "go"
    hook = f"""
        def slow(*args, **kwargs):
            n = real(*args, **kwargs)
            Path({str(ready)!r}).touch()
            while not Path({str(go)!r}).exists():
                time.sleep(0.02)
            return n
        pipeline.copy_batch = slow
    """
    proc = start(ingest_script(fresh_url, "population", tmp_path / "landing", tmp_path / "a", hook))
    wait_for(ready, proc)
    with target.open("ab") as f:
        f.write(data[cut:])  # ... and finishes while the load runs
    go.touch()
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err[-2000:]
    first = json.loads(out.strip().splitlines()[-1])
    assert (first["files_loaded"], first["files_deferred"], first["files_refused"]) == (0, 1, 0)
    assert count(fresh_url, "select count(*) from raw.population__persons") == 0
    assert not (tmp_path / "a" / "q").exists() or not any((tmp_path / "a" / "q").rglob("*.csv"))
    again = run(fresh_url, "population", tmp_path / "landing", tmp_path / "b")
    assert [f.status for f in again.files] == ["loaded"]
    assert [r[2] for r in ledger(fresh_url, "population")] == ["deferred", "loaded"]
    assert raw_counts(fresh_url, "population") == clean_counts(
        other_db, "population", tmp_path / "landing", tmp_path
    )


def test_the_database_stopping_mid_ingest_loses_nothing(
    other_db, tiny_city, tmp_path, warehouse_url
) -> None:
    from cityops import warehouse as wh

    landing = tmp_path / "landing"
    copy_source(tiny_city, "population", landing, limit=1)
    expected = clean_counts(other_db, "population", landing, tmp_path)
    server = wh.EmbeddedServer(tmp_path / "pgdata")
    server.start()
    url = server.url()
    try:
        wh.bootstrap(url)
        ready, go = tmp_path / "ready", tmp_path / "go"
        hook = f"""
            def slow(*args, **kwargs):
                n = real(*args, **kwargs)
                Path({str(ready)!r}).touch()
                while not Path({str(go)!r}).exists():
                    time.sleep(0.02)
                return n
            pipeline.copy_batch = slow
        """
        proc = start(ingest_script(url, "population", landing, tmp_path / "a", hook))
        wait_for(ready, proc)
        subprocess.run(
            [str(wh._pg_bin("pg_ctl")), "-D", str(server.pgdata), "-m", "immediate", "stop"],
            check=True,
            capture_output=True,
            **wh._run_as_kwargs(),
        )
        go.touch()
        _, err = proc.communicate(timeout=300)
        assert proc.returncode != 0
        assert "OperationalError" in err or "connection" in err.lower(), err[-2000:]
        server.start()  # crash recovery
        url = server.url()
        assert [r[2] for r in ledger(url, "population")] == ["loading"]
        assert count(url, "select count(*) from raw.population__persons") == 0
        again = run(url, "population", landing, tmp_path / "b")
        assert [f.status for f in again.files] == ["loaded"]
        assert [r[2] for r in ledger(url, "population")] == ["interrupted", "loaded"]
        assert raw_counts(url, "population") == expected
    finally:
        server.stop()


def _dbt_leftovers(url: str, marker: str) -> list[str]:
    with psycopg.connect(url) as conn:
        return [
            r[0]
            for r in conn.execute(
                "select relname from pg_class where strpos(relname, %s) > 0", (marker,)
            )
        ]


def test_killing_dbt_mid_build_keeps_the_last_marts_and_a_rerun_recovers(
    pipeline, warehouse_url
) -> None:
    from cityops.dbt import run_dbt
    from cityops.warehouse import database_name, with_database

    name = database_name(pipeline) + "_kill"
    admin = with_database(warehouse_url, "postgres")
    for attempt in range(50):  # a session of an earlier test may take a moment to go
        try:
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'create database "{name}" template "{database_name(pipeline)}"')
            break
        except psycopg.errors.ObjectInUse:
            assert attempt < 49
            time.sleep(0.2)
    url = with_database(warehouse_url, name)
    try:
        before = table_counts(url, "intermediate", "marts")
        assert len(before) > 20 and before["marts.mart_facade_risk"] > 0
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "cityops",
                "dbt",
                "build",
                "--vars",
                json.dumps({"as_of": AS_OF}),
            ],
            env=dict(os.environ, WAREHOUSE_URL=url),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        deadline = time.monotonic() + 300
        with psycopg.connect(admin, autocommit=True) as watch:
            while not watch.execute(
                "select count(*) from pg_stat_activity where datname = %s "
                "and query like '%%\"marts\".%%'",
                (name,),
            ).fetchone()[0]:
                assert proc.poll() is None, "dbt finished before it reached the marts"
                assert time.monotonic() < deadline
                time.sleep(0.01)
        os.killpg(proc.pid, signal.SIGKILL)  # dbt dies while it builds the marts
        proc.wait(timeout=60)
        assert proc.returncode == -signal.SIGKILL
        # Every relation still answers with the last good build's rows; no temp relation
        # leaks once dbt's sessions have ended (an incremental model's temporary table lives
        # until its session's backend notices the client is gone and exits).
        assert table_counts(url, "intermediate", "marts") == before
        with psycopg.connect(admin, autocommit=True) as watch:
            while watch.execute(
                "select count(*) from pg_stat_activity where datname = %s", (name,)
            ).fetchone()[0]:
                assert time.monotonic() < deadline, "dbt's sessions outlived it"
                time.sleep(0.1)
        # A model's swap commits before dbt drops the replaced relation in the next
        # transaction: a kill between the two leaves that one `__dbt_backup` behind (never
        # what a query reads; the next build of the model drops it). No `__dbt_tmp`
        # relation, a half-built one, may outlive the kill.
        assert not _dbt_leftovers(url, "__dbt_tmp")
        assert len(_dbt_leftovers(url, "__dbt_backup")) <= 1, _dbt_leftovers(url, "__dbt_backup")
        run_dbt(["build"], url, as_of=AS_OF, quiet=True)
        assert table_counts(url, "intermediate", "marts") == before
        assert not _dbt_leftovers(url, "__dbt_tmp") and not _dbt_leftovers(url, "__dbt_backup")
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'drop database if exists "{name}" with (force)')
