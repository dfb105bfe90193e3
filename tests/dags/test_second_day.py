"""A second day through the real DAGs: only what changed is rebuilt, and the result is the
same as a full rebuild.

The tiny city is delivered all but its newest day and run as of the day before; then the
newest day arrives and `cityops run` runs as of that day; then once more with nothing new.
The sensor readings' last day is held back with the newest day, so that the second day
also takes the incremental path of the readings and their 24-hour windows.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import psycopg
import pytest

from cityops.dbt import run_dbt

from ..conftest import TINY_AS_OF
from ..helpers import run_against

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def _cityops_run(url: str, landing: Path, as_of: str) -> str:
    return run_against(url, "-m", "cityops", "run", "--landing", str(landing), "--as-of", as_of)


def _transform_states() -> dict[str, str]:
    """Task states of the latest transform run (Airflow's metadata DB)."""
    from airflow import settings
    from airflow.models.dagrun import DagRun

    with settings.Session() as session:
        run = (
            session.query(DagRun)
            .filter(DagRun.dag_id == "transform")
            .order_by(DagRun.id.desc())
            .first()
        )
        return {ti.task_id: str(ti.state) for ti in run.get_task_instances(session=session)}


def _ingest_runs() -> dict[str, int]:
    """Ingest DAG runs so far, per DAG (Airflow's metadata DB)."""
    from airflow import settings
    from airflow.models.dagrun import DagRun
    from sqlalchemy import func

    with settings.Session() as session:
        rows = (
            session.query(DagRun.dag_id, func.count())
            .filter(DagRun.dag_id.like("ingest_%"))
            .group_by(DagRun.dag_id)
            .all()
        )
        return dict(rows)


def _fingerprints(url: str) -> dict[str, str]:
    """A content hash of every table dbt builds (order-free)."""
    with psycopg.connect(url) as conn:
        tables = conn.execute(
            "select schemaname || '.' || tablename from pg_tables "
            "where schemaname in ('staging', 'intermediate', 'marts') order by 1"
        ).fetchall()
        return {
            t: conn.execute(
                f"select md5(coalesce(string_agg(x, '|' order by x), '')) "
                f"from (select t::text as x from {t} t) s"
            ).fetchone()[0]
            for (t,) in tables
        }


def test_a_second_day_rebuilds_only_what_changed(
    airflow_db, fresh_url, tiny_city, tmp_path
) -> None:
    days = sorted({p.name for p in (tiny_city / "landing").glob("*/*") if p.is_dir()})
    newest = days[-1]
    assert newest == TINY_AS_OF
    landing = tmp_path / "landing"
    shutil.copytree(tiny_city / "landing", landing)
    held_back = [p for p in landing.glob(f"*/{newest}") if p.is_dir()]
    readings_days = sorted(p for p in landing.glob("billboards/*") if p.is_dir())
    assert len(readings_days) > 1
    if readings_days[-1] not in held_back:
        held_back.append(readings_days[-1])
    later = tmp_path / "later"
    for folder in held_back:
        (later / folder.parent.name).mkdir(parents=True)
        shutil.move(folder, later / folder.parent.name / folder.name)
    new_sources = {p.parent.name for p in later.glob("*/*")}
    assert new_sources  # the newest day delivers something
    day_before = (dt.date.fromisoformat(newest) - dt.timedelta(days=1)).isoformat()

    _cityops_run(fresh_url, landing, day_before)
    for folder in later.glob("*/*"):
        shutil.move(folder, landing / folder.parent.name / folder.name)
    runs_before = _ingest_runs()
    _cityops_run(fresh_url, landing, newest)
    runs_after = _ingest_runs()
    # an ingest DAG runs for each source with a new delivery, and for no other
    started = {d for d in runs_after if runs_after[d] != runs_before.get(d, 0)}
    assert started == {f"ingest_{s}" for s in new_sources}, (started, new_sources)

    states = _transform_states()
    assert states["publish_marts"] == "success", states
    skipped = {t for t, s in states.items() if s == "skipped"}
    built = {t for t, s in states.items() if s == "success"}
    # untouched by the new day and blind to the date: kept as they were
    assert {"dim_person.run", "dim_household.run", "int_person_resolved.run"} <= skipped, states
    # downstream of the new deliveries, or reading `as_of`: rebuilt
    assert "mart_graduate_assistance.run" in built, states
    assert "mart_facade_risk.run" in built, states
    with psycopg.connect(fresh_url) as conn:
        builds = conn.execute(
            "select as_of::text, nodes_rebuilt, nodes_kept, reasons from ops.transform_builds "
            "order by build_id"
        ).fetchall()
    assert [b[0] for b in builds] == [day_before, newest]
    assert builds[0][2] == 0 and builds[1][1] > 0 and builds[1][2] > 0, builds
    reasons = builds[1][3]
    assert reasons["model.cityops.mart_graduate_assistance"].startswith("as_of moved from")
    assert "new batches in" in reasons["model.cityops.stg_facade_inspections__inspections"]
    assert "new batches in" in reasons["model.cityops.stg_billboards__readings"]
    assert "int_billboard_reading_windows.run" in built, states

    # the same as building everything again from scratch
    incremental = _fingerprints(fresh_url)
    run_dbt(["build", "--full-refresh"], fresh_url, as_of=newest, quiet=True)
    assert _fingerprints(fresh_url) == incremental

    # nothing new, same day: no ingest DAG runs, nothing is rebuilt
    out = _cityops_run(fresh_url, landing, newest)
    assert _ingest_runs() == runs_after
    assert "nothing new to load" in out
    with psycopg.connect(fresh_url) as conn:
        last = conn.execute(
            "select nodes_rebuilt from ops.transform_builds order by build_id desc limit 1"
        ).fetchone()
    assert last == (0,)
