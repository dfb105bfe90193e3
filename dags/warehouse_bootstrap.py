"""
### warehouse_bootstrap

Creates the warehouse's schemas (`raw`, `staging`, `intermediate`, `marts`, `ops`) and its
operations tables (load ledger, rejected rows, exports, audit log). Idempotent: safe to
trigger at any time; every ingest DAG runs the same bootstrap before loading.
"""

from airflow.sdk import dag, task

from cityops.dag_defaults import DEFAULT_ARGS, START_DATE


@dag(
    dag_id="warehouse_bootstrap",
    schedule=None,
    start_date=START_DATE,
    catchup=False,
    default_args=DEFAULT_ARGS,
    doc_md=__doc__,
    tags=["cityops", "ops"],
)
def warehouse_bootstrap():
    @task
    def bootstrap_schemas() -> list[str]:
        from cityops.airflow_env import warehouse_url_from_connection
        from cityops.warehouse import SCHEMAS, bootstrap, connect

        url = warehouse_url_from_connection()
        bootstrap(url)
        with connect(url) as conn:
            rows = conn.execute(
                "select nspname from pg_namespace where nspname = any(%s) order by 1",
                (list(SCHEMAS),),
            ).fetchall()
        present = [row[0] for row in rows]
        missing = sorted(set(SCHEMAS) - set(present))
        if missing:
            raise RuntimeError(f"bootstrap did not create schemas: {missing}")
        return present

    bootstrap_schemas()


warehouse_bootstrap()
