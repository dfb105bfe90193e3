import psycopg
import pytest

from cityops.airflow_env import run_dag

pytestmark = pytest.mark.integration


def test_bootstrap_dag_runs_for_real(airflow_db, warehouse_url: str) -> None:
    with psycopg.connect(warehouse_url, autocommit=True) as conn:
        conn.execute("drop schema if exists marts cascade")
    dag_run = run_dag("warehouse_bootstrap")
    assert dag_run.state == "success"
    with psycopg.connect(warehouse_url) as conn:
        assert conn.execute("select 1 from pg_namespace where nspname = 'marts'").fetchone()
