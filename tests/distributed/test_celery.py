"""Distributed mode: Airflow on CeleryExecutor, for real.

An API server, a scheduler, a DAG processor and two Celery workers (``w1``, ``w2``) run as
separate processes against a PostgreSQL metadata database and the machine's Redis. The
test triggers the eight ingest DAGs; the transform DAG then runs on the raw Assets they
update (data-aware scheduling) and the export DAG on the ``marts`` Asset. It checks that
tasks ran on both workers and that the marts equal the local run's (``pipeline_run``).
Skipped when Redis does not answer on 127.0.0.1:6379.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psycopg
import pytest

from cityops.airflow_env import airflow_conn_uri
from cityops.warehouse import bootstrap, with_database
from ingest.sources import REGISTRY

from ..helpers import table_counts

pytestmark = [pytest.mark.celery, pytest.mark.slow, pytest.mark.integration]
AS_OF = "2026-11-24"
INGEST_DAGS = [f"ingest_{s}" for s in REGISTRY]
ALL_DAGS = {*INGEST_DAGS, "transform", "export_matching", "warehouse_bootstrap"}
REDIS = ("127.0.0.1", 6379)


def _redis_answers() -> bool:
    try:
        with socket.create_connection(REDIS, timeout=1) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """The Airflow processes of one test, with their logs under ``root/logs``."""

    def __init__(self, root: Path, env: dict[str, str]) -> None:
        self.root, self.env = root, env
        self.procs: dict[str, subprocess.Popen[bytes]] = {}
        (root / "logs").mkdir(parents=True, exist_ok=True)

    def airflow(self, *args: str, timeout: float = 300) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "airflow", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        assert result.returncode == 0, f"airflow {' '.join(args)}:\n{result.stderr[-3000:]}"
        return result.stdout

    def start(self, name: str, *args: str, **extra_env: str) -> None:
        log = (self.root / "logs" / f"{name}.log").open("wb")
        self.procs[name] = subprocess.Popen(
            [sys.executable, "-m", "airflow", *args],
            env={**self.env, **extra_env},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def check_alive(self) -> None:
        for name, proc in self.procs.items():
            if proc.poll() is not None:
                raise AssertionError(f"{name} exited ({proc.returncode}):\n{self.log(name)}")

    def log(self, name: str, tail: int = 4000) -> str:
        path = self.root / "logs" / f"{name}.log"
        return path.read_text(errors="replace")[-tail:] if path.exists() else ""

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + 30
        for proc in self.procs.values():
            try:
                proc.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def _fingerprint(url: str) -> dict[str, object]:
    """What the marts say: row counts, the graduate list and every building's score and tier."""
    out: dict[str, object] = dict(table_counts(url, "marts"))
    with psycopg.connect(url) as conn:
        out["graduates"] = conn.execute(
            "select md5(string_agg(person_key, ',' order by person_key)) "
            "from marts.mart_graduate_assistance"
        ).fetchone()[0]
        out["facades"] = conn.execute(
            "select md5(string_agg(building_code || ':' || risk_score::text || ':' || risk_tier, ',' "
            "order by building_code)) from marts.mart_facade_risk"
        ).fetchone()[0]
    return out


@pytest.fixture(scope="module")
def celery_run(pipeline_run, warehouse_url, tiny_city, tmp_path_factory):
    if not _redis_answers():
        pytest.skip("Redis does not answer on 127.0.0.1:6379")
    from cityops.settings import get_settings

    root = tmp_path_factory.mktemp("celery")
    suffix = uuid.uuid4().hex[:8]
    admin = with_database(warehouse_url, "postgres")
    meta_db, wh_db = f"airflow_celery_{suffix}", f"cityops_celery_{suffix}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'create database "{meta_db}"')
        conn.execute(f'create database "{wh_db}"')
    meta_url = with_database(warehouse_url, meta_db).replace(
        "postgresql://", "postgresql+psycopg://"
    )
    wh_url = with_database(warehouse_url, wh_db)
    bootstrap(wh_url)
    home = root / "home"
    shutil.copytree(
        get_settings().dbt_manifest.parent, home / "dbt" / "manifest"
    )  # cosmos loads it
    # The last source is held back and delivered once the transform DAG is unpaused.
    last = INGEST_DAGS[-1]
    held_back = last.removeprefix("ingest_")
    landing, later = root / "landing", root / "later"
    shutil.copytree(tiny_city / "landing", landing, ignore=shutil.ignore_patterns(held_back))
    shutil.copytree(tiny_city / "landing" / held_back, later / held_back)
    port = _free_port()
    redis_db = 5 + int(suffix, 16) % 10
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AIRFLOW", "CITYOPS_", "WAREHOUSE"))
    }
    env.update(
        {
            "AIRFLOW_HOME": str(root / "airflow"),
            "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": meta_url,
            "AIRFLOW__CELERY__BROKER_URL": f"redis://{REDIS[0]}:{REDIS[1]}/{redis_db}",
            "AIRFLOW__CELERY__RESULT_BACKEND": "db+" + meta_url,
            "AIRFLOW__CELERY__WORKER_CONCURRENCY": "2",
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{port}/execution/",
            "AIRFLOW__API__PORT": str(port),
            "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_hex(32),
            "AIRFLOW__CORE__HOSTNAME_CALLABLE": "cityops.airflow_env.worker_hostname",
            "AIRFLOW__CORE__DAGS_FOLDER": str(get_settings().dags_folder),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
            "AIRFLOW__CORE__PARALLELISM": "8",
            "AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK": "False",
            "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO",
            "AIRFLOW_CONN_WAREHOUSE": airflow_conn_uri(wh_url),
            "AIRFLOW_VAR_CITYOPS_AS_OF": AS_OF,
            "CITYOPS_HOME": str(home),
            "CITYOPS_LANDING": str(landing),
            "CITYOPS_HMAC_KEY": get_settings().hmac_key,
            # a task per model only: every task here is a process start on two cores
            "CITYOPS_DBT_TEST_TASKS": "none",
            # As deployed: tasks retry. Airflow 3.3's execution API can fail a task that
            # succeeded when two tasks create the same asset row at once (a unique violation
            # on idx_asset_name_uri_unique); the retry reruns the idempotent dbt model.
            "CITYOPS_TASK_RETRIES": "2",
            "CITYOPS_RETRY_DELAY_SECONDS": "5",
            "GX_ANALYTICS_ENABLED": "False",
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
            "PYTHONPATH": str(get_settings().dags_folder.parent),
        }
    )
    cluster = Cluster(root, env)
    try:
        cluster.airflow("db", "migrate", timeout=600)
        cluster.start("api-server", "api-server", "--port", str(port), "--workers", "1")
        cluster.start("dag-processor", "dag-processor")
        cluster.start("scheduler", "scheduler")
        for name in ("w1", "w2"):
            cluster.start(
                name,
                "celery",
                "worker",
                "--concurrency",
                "2",
                "--celery-hostname",
                f"{name}@%h",
                CITYOPS_WORKER_NAME=name,
            )
        meta = with_database(warehouse_url, meta_db)
        with psycopg.connect(meta, autocommit=True) as m:
            _wait(
                cluster,
                "the DAG processor to serialise every DAG",
                300,
                lambda: {r[0] for r in m.execute("select dag_id from serialized_dag")} >= ALL_DAGS,
            )
            # Unpausing runs each DAG's latest schedule: the ingest DAGs load seven sources
            # and the weekly export, with no marts yet, skips. The transform stays paused
            # meanwhile (a paused DAG queues no asset events) ...
            for dag_id in [*INGEST_DAGS, "export_matching"]:
                cluster.airflow("dags", "unpause", dag_id)
            for dag_id in INGEST_DAGS:  # in case a schedule has not come round yet
                cluster.airflow("dags", "trigger", dag_id)
            _wait(
                cluster,
                "the ingest DAGs and the weekly export",
                900,
                lambda: _done(m, [*INGEST_DAGS, "export_matching"]),
            )
            # ... then the eighth source is delivered: its Asset schedules exactly one
            # transform run, whose `marts` Asset schedules the export.
            cluster.airflow("dags", "unpause", "transform")
            (later / held_back).rename(landing / held_back)
            cluster.airflow("dags", "trigger", last)
            _wait(cluster, f"{last} and transform", 1500, lambda: _done(m, [last, "transform"]))
            _wait(
                cluster,
                "the asset-triggered export",
                600,
                lambda: _done(m, ["export_matching"], run_type="asset_triggered"),
            )
            export_states = dict(
                m.execute(
                    "select r.run_type::text, string_agg(distinct t.state::text, ',') "
                    "from dag_run r join task_instance t using (dag_id, run_id) "
                    "where r.dag_id = 'export_matching' group by 1"
                ).fetchall()
            )
            hosts = {
                r[0]: r[1]
                for r in m.execute(
                    "select hostname, count(*) from task_instance where state = 'success' group by 1"
                )
            }
            test_tasks = m.execute(
                "select count(*) from task_instance where dag_id = 'transform' "
                "and task_id like '%%.test'"
            ).fetchone()[0]
            triggers = {
                r[0]: r[1]
                for r in m.execute(
                    "select dag_id, string_agg(distinct run_type::text, ',') from dag_run group by 1"
                )
            }
        yield {
            "url": wh_url,
            "hosts": hosts,
            "run_types": triggers,
            "export_states": export_states,
            "test_tasks": test_tasks,
            "home": home,
        }
    finally:
        cluster.stop()
        with psycopg.connect(admin, autocommit=True) as conn:
            for db in (meta_db, wh_db):
                conn.execute(f'drop database if exists "{db}" with (force)')


def _done(meta: psycopg.Connection, dag_ids: list[str], run_type: str | None = None) -> bool:
    """Every DAG has runs (of ``run_type``, if given) and all of them succeeded."""
    states = dict(
        meta.execute(
            "select dag_id, string_agg(state::text, ',') from dag_run "
            "where dag_id = any(%s) and (%s::text is null or run_type::text = %s) group by 1",
            (dag_ids, run_type, run_type),
        ).fetchall()
    )
    failed = {d: s for d, s in states.items() if "failed" in s}
    if failed:
        tasks = meta.execute(
            "select t.dag_id, t.task_id, t.state::text, t.try_number, t.hostname "
            "from task_instance t join dag_run r using (dag_id, run_id) "
            "where r.state = 'failed' and t.dag_id = any(%s) "
            "and t.state::text not in ('success', 'skipped') order by t.start_date nulls last",
            (list(failed),),
        ).fetchall()
        raise AssertionError(f"DAG runs failed: {failed}; task instances: {tasks}")
    return all(d in states and set(states[d].split(",")) == {"success"} for d in dag_ids)


def _wait(cluster: Cluster, what: str, timeout: float, ready) -> None:
    deadline = time.monotonic() + timeout
    while True:
        cluster.check_alive()
        try:
            if ready():
                return
        except AssertionError as exc:
            logs = "\n".join(f"--- {n}\n{cluster.log(n, 2000)}" for n in cluster.procs)
            raise AssertionError(f"{exc}\n{logs}") from exc
        if time.monotonic() > deadline:
            logs = "\n".join(f"--- {n}\n{cluster.log(n, 2000)}" for n in cluster.procs)
            raise AssertionError(f"timed out waiting for {what}\n{logs}")
        time.sleep(2)


def test_tasks_ran_on_both_celery_workers(celery_run) -> None:
    hosts = celery_run["hosts"]
    assert {"w1", "w2"} <= set(hosts), hosts
    assert min(hosts["w1"], hosts["w2"]) >= 5, hosts


def test_the_pipeline_was_data_aware(celery_run) -> None:
    assert celery_run["run_types"]["transform"] == "asset_triggered"
    assert "asset_triggered" in celery_run["run_types"]["export_matching"].split(",")


def test_a_weekly_export_before_any_transform_is_skipped_not_failed(celery_run) -> None:
    states = celery_run["export_states"]
    assert states.get("scheduled") == "skipped", states
    assert states["asset_triggered"] == "success", states


def test_the_build_ran_its_tests_without_a_task_for_each(celery_run) -> None:
    # CITYOPS_DBT_TEST_TASKS=none: the marts below equal the local run's, which had every
    # test's task, so the one `dbt build` gated the same way
    assert celery_run["test_tasks"] == 0


def test_distributed_marts_equal_the_local_run(celery_run, pipeline_run) -> None:
    local, distributed = _fingerprint(pipeline_run.url), _fingerprint(celery_run["url"])
    assert local["marts.mart_graduate_assistance"] > 0 and local["marts.mart_facade_risk"] > 0
    assert distributed == local


def test_distributed_exports_were_written(celery_run) -> None:
    manifest = celery_run["home"] / "exports" / AS_OF / "manifest.json"
    assert manifest.exists()
