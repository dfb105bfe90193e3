"""A model that fails in the transform's one `dbt build` fails its own task, not the others.

A weather observation with an unreadable time reaches raw (as a hand-made correction could):
the staging model's `not_null` test fails, the build goes on for every branch that does not
need the weather feed, the failing node's task fails with dbt's verdict, its descendants are
skipped, and the `marts` Asset is not published.
"""

from __future__ import annotations

import json
import textwrap

import psycopg
import pytest

from ingest.direct import ingest_landing

from ..conftest import TINY_AS_OF
from ..helpers import run_against

pytestmark = [pytest.mark.integration, pytest.mark.slow]
NEEDED = (
    "housing",
    "facade_inspections",
    "weather",
    "population",
    "welfare",
    "education",
    "employment",
)

SCRIPT = textwrap.dedent(
    """
    import json
    from cityops.airflow_env import DagRunFailed, configure_process, run_dag
    configure_process()
    try:
        run = run_dag("transform", {"as_of": %r})
    except DagRunFailed as exc:
        run = exc.dag_run
    print("STATES=" + json.dumps({ti.task_id: str(ti.state) for ti in run.get_task_instances()}))
    """
)


def test_a_failing_model_fails_its_task_and_skips_its_descendants(
    airflow_db, fresh_url, tiny_city, tmp_path
) -> None:
    # the sources the assertions read: the weather branch and the graduate branch (the
    # others build from empty raw tables)
    ingest_landing(fresh_url, tiny_city / "landing", tmp_path, list(NEEDED))
    with psycopg.connect(fresh_url, autocommit=True) as conn:
        conn.execute("create temp table bad as select * from raw.weather__observations limit 1")
        conn.execute("update bad set observed_at = 'not a time'")
        conn.execute("insert into raw.weather__observations select * from bad")

    output = run_against(fresh_url, "-c", SCRIPT % TINY_AS_OF, timeout=900)
    line = next(x for x in output.splitlines() if x.startswith("STATES="))
    states = json.loads(line.removeprefix("STATES="))

    assert states["dbt_producer_watcher"] == "failed"
    assert "not_null_stg_weather__observations_observed_at" in output
    # the failing node's task fails; dbt builds nothing downstream of it, and cosmos fails
    # those tasks too (not skipped), so that a retry builds them
    assert states["stg_weather__observations.test"] == "failed", states
    for task in ("fct_weather_daily.run", "mart_facade_risk.run"):
        assert states[task] in {"failed", "upstream_failed"}, (task, states)
    # branches that never touch the weather feed were built and say so
    for task in ("dim_person.run", "dim_person.test", "mart_graduate_assistance.run"):
        assert states[task] == "success", (task, states)
    assert states["publish_marts"] == "upstream_failed", states
    with psycopg.connect(fresh_url) as conn:
        assert conn.execute("select count(*) from marts.dim_person").fetchone()[0] > 0
        built = {
            r[0] for r in conn.execute("select tablename from pg_tables where schemaname = 'marts'")
        }
    assert "dim_person" in built and "mart_graduate_assistance" in built
    assert not {"fct_weather_daily", "mart_facade_risk"} & built, built
