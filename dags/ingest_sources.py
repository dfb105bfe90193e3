"""
### ingest_&lt;source&gt;

One DAG per departmental source in the registry (`ingest/sources/`). Each run discovers
delivery folders under `CITYOPS_LANDING/<source>/<YYYY-MM-DD>/` that are not loaded yet and
loads every file in its own transaction: read, map to the contract, validate with the
source's Great Expectations suite, `COPY` into `raw.<source>__<entity>`, record in
`ops.load_batches`. A file that breaks its contract is quarantined with a report and this
run ends failed with that message; the good files are loaded and the `raw_<source>` Asset
is updated, which schedules the `transform` DAG.
"""

from airflow.sdk import Param, dag, task
from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

from cityops.assets import raw_asset
from cityops.dag_defaults import DEFAULT_ARGS, START_DATE
from ingest.sources import REGISTRY


def make_ingest_dag(source: str, department: str):
    @dag(
        dag_id=f"ingest_{source}",
        description=f"Load new {source} deliveries ({department}) into raw",
        schedule="*/30 * * * *",
        start_date=START_DATE,
        catchup=False,
        max_active_runs=1,
        default_args=DEFAULT_ARGS,
        doc_md=__doc__,
        tags=["cityops", "ingest", source],
        params={
            "landing": Param(None, type=["null", "string"], description="landing folder override")
        },
    )
    def ingest_dag():
        @task
        def load_new_deliveries(params=None, run_id=None) -> dict:
            from cityops.tasks import ingest_source

            return ingest_source(source, (params or {}).get("landing"), run_id)

        @task(outlets=[raw_asset(source)])
        def publish(summary: dict, outlet_events=None) -> int:
            if not summary["rows_loaded"]:
                raise AirflowSkipException("no new rows: the asset is not updated")
            outlet_events[raw_asset(source)].extra = {
                "rows_loaded": summary["rows_loaded"],
                "files_loaded": summary["files_loaded"],
            }
            return summary["rows_loaded"]

        @task(retries=0)
        def report_refusals(summary: dict) -> None:
            from cityops.tasks import refusal_message

            message = refusal_message(summary)
            if message:
                raise AirflowFailException(message)

        summary = load_new_deliveries()
        publish(summary)
        report_refusals(summary)

    return ingest_dag()


for _spec in REGISTRY.values():
    make_ingest_dag(_spec.name, _spec.department)
