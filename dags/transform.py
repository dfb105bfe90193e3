"""
### transform

Builds the dbt project (`dbt_project/`) with astronomer-cosmos in its watcher mode: one task
(`dbt_producer_watcher`) runs a single `dbt build` of the whole project (seeds, models, tests,
on dbt's threads), and one Airflow task per model and per model's tests reports that node's
result from the build's event stream (status, log, compiled SQL). One dbt start-up instead of
one per model: the transform costs what `dbt build` costs. Clearing a model's task re-runs
that model alone.

The build leaves out the models whose inputs (raw batches, code, `as_of`) have not changed
since the last successful build; their tasks show as skipped (cityops/incremental.py).

Scheduled by any `raw_<source>` Asset (data-aware: it runs when new rows land); publishes the
`marts` Asset that schedules the matching exports. dbt's manifest is loaded from
`CITYOPS_HOME/dbt/manifest` (published by `cityops dbt parse` and by every `cityops` run),
so parsing this file does not run dbt; on a fresh clone, where no manifest was built yet,
the first parse builds it once (`dbt parse` reads the project's files, not the database).
dbt runs in a temporary copy of the project. The run date (`as_of`) comes from the
`as_of` param, the `cityops_as_of` Variable or the run's date, never from the clock inside a
model.
"""

import sys
from pathlib import Path

from airflow.sdk import Param, task
from cosmos import (
    DbtDag,
    ExecutionConfig,
    ExecutionMode,
    LoadMode,
    ProfileConfig,
    ProjectConfig,
    RenderConfig,
    TestBehavior,
)
from cosmos.constants import PRODUCER_WATCHER_TASK_ID, InvocationMode

from cityops.assets import MARTS, raw_asset
from cityops.cosmos_profile import WarehouseProfileMapping
from cityops.dag_defaults import DEFAULT_ARGS, START_DATE
from cityops.log_filters import quiet_known_noise
from cityops.settings import get_settings
from cityops.tasks import leave_out_unchanged_models, record_successful_build, run_as_of
from ingest.sources import REGISTRY

quiet_known_noise()
settings = get_settings()
manifest = settings.dbt_manifest
if not manifest.exists():  # a fresh clone
    from cityops.dbt import ensure_manifest

    ensure_manifest()

schedule = None
for _name in REGISTRY:
    schedule = raw_asset(_name) if schedule is None else schedule | raw_asset(_name)

# The as-of date: the run's param, else the Airflow Variable `cityops_as_of` (pins a replay),
# else the run's date in Shanghai (see cityops.tasks.run_as_of).
AS_OF = "{{ cityops_as_of(params, dag_run) }}"

with DbtDag(
    dag_id="transform",
    schedule=schedule,
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    doc_md=__doc__,
    tags=["cityops", "dbt"],
    params={"as_of": Param(None, type=["null", "string"], description="YYYY-MM-DD")},
    user_defined_macros={"cityops_as_of": run_as_of},
    project_config=ProjectConfig(
        dbt_project_path=settings.dbt_project_dir,
        manifest_path=manifest,
        project_name="cityops",
        install_dbt_deps=False,
        env_vars={
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
            # the build's log outlives the temporary project it runs in
            "DBT_LOG_PATH": str(settings.home / "dbt" / "logs"),
        },
    ),
    profile_config=ProfileConfig(
        profile_name="cityops",
        target_name="warehouse",
        profile_mapping=WarehouseProfileMapping(
            conn_id="warehouse",
            # every model is built as the transformer role, whatever the connection's login
            profile_args={
                "schema": "staging",
                "role": "cityops_transformer",
                "threads": settings.dbt_threads,
            },
        ),
    ),
    execution_config=ExecutionConfig(
        execution_mode=ExecutionMode.WATCHER,
        # dbt as a subprocess (this environment's own `dbt`), its info-level JSON log read
        # line by line: in-process, cosmos serialises every dbt event (debug ones included)
        # to JSON in a callback, which cost several times the build itself.
        invocation_mode=InvocationMode.SUBPROCESS,
        dbt_executable_path=str(Path(sys.executable).parent / "dbt"),
        # Before the build: leave out the models whose inputs have not changed since the
        # last successful build (cityops/incremental.py); their tasks are skipped.
        setup_operator_args={"pre_execute": leave_out_unchanged_models},
    ),
    render_config=RenderConfig(
        load_method=LoadMode.DBT_MANIFEST,
        # one test task per model; a test on two models (relationships) is reported with
        # one of them, and runs in the build after both, as dbt orders it. With
        # CITYOPS_DBT_TEST_TASKS=none the build runs the same tests, without their tasks.
        test_behavior=TestBehavior(settings.dbt_test_tasks),
    ),
    operator_args={
        "vars": {"as_of": AS_OF},
        # The `marts` Asset (publish_marts) is what downstream DAGs follow.
        "emit_datasets": False,
        # The per-node tasks start once the build has finished (not alongside it) and read
        # its recorded result at their first poke: no triggerer needed, no worker slot held
        # while the build runs, and dag.test() (which runs one task at a time) cannot wait
        # on a build that has not started.
        "trigger_rule": "all_done",
        "deferrable": False,
        "poke_interval": 5,
        "timeout": 600,
    },
) as dag:

    @task
    def prepare_warehouse() -> None:
        """Schemas, ops tables and the person-key function, before any model runs."""
        from cityops.airflow_env import warehouse_url_from_connection
        from cityops.warehouse import bootstrap

        bootstrap(warehouse_url_from_connection())

    @task(outlets=[MARTS], trigger_rule="none_failed")  # models kept as they were are skipped
    def publish_marts(params=None, dag_run=None, ti=None, outlet_events=None) -> str:
        """Record the build, announce fresh marts (schedules the exports), write the dbt docs."""
        from cityops.airflow_env import warehouse_url_from_connection
        from cityops.dbt import run_dbt

        as_of = run_as_of(params, dag_run)
        record_successful_build(ti, PRODUCER_WATCHER_TASK_ID, dag_run.run_id)
        run_dbt(
            ["docs", "generate", "--no-compile"],
            warehouse_url_from_connection(),
            as_of=as_of,
            quiet=True,
        )
        outlet_events[MARTS].extra = {"as_of": as_of}
        return str(Path(get_settings().dbt_target) / "index.html")

    producer = dag.get_task(PRODUCER_WATCHER_TASK_ID)
    dbt_tasks = [t for t in dag.tasks if t is not producer]
    prepare = prepare_warehouse()
    publish = publish_marts()
    # cosmos skips a retried producer rather than run a second build: a failed build fails
    # at once, and the failed models' own tasks retry them one by one.
    producer.retries = 0
    prepare >> producer
    for t in dbt_tasks:
        # cosmos' watcher tasks emit a per-model asset event whatever `emit_datasets` says in
        # operator_args; nothing schedules on them, and Airflow 3.3 can fail a task that had
        # succeeded when two tasks create the same asset row at once.
        if hasattr(t, "emit_datasets"):
            t.emit_datasets = False
        if not t.upstream_list:  # staging models (their parents are sources, not tasks)
            producer >> t
        if not t.downstream_list:
            t >> publish
