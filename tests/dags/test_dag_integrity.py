"""Every DAG file imports cleanly and quickly and follows the house rules."""

import subprocess
import sys
import time

import pytest

from cityops.settings import get_settings


@pytest.fixture(scope="module")
def dagbag(airflow_db):
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(get_settings().dags_folder))


def test_no_import_errors(dagbag) -> None:
    assert dagbag.import_errors == {}
    assert dagbag.dags, "the dags folder holds no DAG"


def test_every_dag_has_owner_retries_tags_and_docs(dagbag) -> None:
    for dag_id, dag in dagbag.dags.items():
        assert dag.tags, f"{dag_id} has no tags"
        assert dag.doc_md, f"{dag_id} has no doc_md"
        assert not dag.catchup, f"{dag_id} catches up"
        assert "retries" in dag.default_args, f"{dag_id} sets no retries"
        for task in dag.tasks:
            assert task.owner and task.owner != "airflow", f"{dag_id}.{task.task_id} has no owner"


def test_dag_ids_match_file_names(dagbag) -> None:
    from pathlib import Path

    for dag_id, dag in dagbag.dags.items():
        stem = Path(dag.fileloc).stem
        assert dag_id == stem or dag_id.startswith("ingest_"), (dag_id, stem)


def test_dag_files_import_no_heavy_libraries_at_parse_time() -> None:
    """Parse every DAG file in a fresh interpreter and check what it pulled in."""
    heavy = ["pandas", "great_expectations", "dbt", "psycopg", "openpyxl"]
    code = (
        "import sys, time, runpy, pathlib\n"
        "t = time.perf_counter()\n"
        f"folder = pathlib.Path({str(get_settings().dags_folder)!r})\n"
        "sys.path.insert(0, str(folder))\n"
        "for f in sorted(folder.glob('*.py')):\n"
        "    runpy.run_path(str(f))\n"
        "print(time.perf_counter() - t)\n"
        f"print('heavy=' + ','.join(m for m in {heavy!r} if m in sys.modules))\n"
    )
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    lines = out.stdout.strip().splitlines()
    assert lines[-1] == "heavy=", f"DAG files import heavy modules at parse time: {lines[-1]}"
    assert time.perf_counter() - start < 60


def test_scheduled_runs_retry_by_default() -> None:
    code = "import os; os.environ.pop('CITYOPS_TASK_RETRIES', None); from cityops.dag_defaults import RETRIES; print(RETRIES)"
    env = {k: v for k, v in __import__("os").environ.items() if k != "CITYOPS_TASK_RETRIES"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert int(out.stdout) >= 1


def test_transform_runs_one_dbt_build_that_every_model_task_reports(dagbag) -> None:
    """cosmos' watcher mode: one producer runs `dbt build`; one task per model (and per
    model's tests) reads its node's result after the build, without a triggerer."""
    from cosmos.constants import PRODUCER_WATCHER_TASK_ID

    dag = dagbag.dags["transform"]
    producer = dag.get_task(PRODUCER_WATCHER_TASK_ID)
    assert producer.upstream_task_ids == {"prepare_warehouse"}
    assert producer.retries == 0
    node_tasks = [
        t
        for t in dag.tasks
        if t.task_id not in {PRODUCER_WATCHER_TASK_ID, "prepare_warehouse", "publish_marts"}
    ]
    model_tasks = {t.task_id for t in node_tasks if t.task_id.endswith(".run")}
    assert "dim_person.run" in model_tasks and "stg_population__persons.run" in model_tasks
    for t in node_tasks:
        assert PRODUCER_WATCHER_TASK_ID in t.get_flat_relative_ids(upstream=True), t.task_id
        assert t.trigger_rule == "all_done", t.task_id
        assert t.deferrable is False, t.task_id
        assert t.emit_datasets is False, t.task_id
    leaves = {t.task_id for t in node_tasks if not t.downstream_task_ids - {"publish_marts"}}
    assert leaves <= dag.get_task("publish_marts").upstream_task_ids


def test_dag_folder_is_parsed_once_per_process_until_it_changes(airflow_db, tmp_path) -> None:
    import os
    import shutil

    from cityops.airflow_env import _dag_bag

    settings = get_settings()
    assert _dag_bag(settings) is _dag_bag(settings), "an unchanged folder is not parsed again"
    first = _dag_bag(settings)
    dags = tmp_path / "dags"
    shutil.copytree(settings.dags_folder, dags)

    class Elsewhere(type(settings)):  # the same settings with another DAG folder
        @property
        def dags_folder(self):
            return dags

    other = Elsewhere(**{f: getattr(settings, f) for f in settings.__dataclass_fields__})
    copy = _dag_bag(other)
    assert copy is not first and _dag_bag(other) is copy
    touched = dags / "export_matching.py"
    os.utime(touched, ns=(touched.stat().st_atime_ns, touched.stat().st_mtime_ns + 10**9))
    assert _dag_bag(other) is not copy, "a changed DAG file is parsed again"
