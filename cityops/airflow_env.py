"""Airflow's environment for this project, and running DAGs locally through ``dag.test()``.

Airflow reads its configuration when it is first imported, so
:func:`configure_process` must run before anything imports ``airflow``.
"""

from __future__ import annotations

import hashlib
import json
import os
import warnings
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from .settings import Settings, get_settings


class DagRunFailed(RuntimeError):
    """A DAG run ended in a state other than success."""

    def __init__(
        self, dag_id: str, state: str, failed_tasks: list[str], dag_run: Any = None
    ) -> None:
        self.dag_id, self.state, self.failed_tasks, self.dag_run = (
            dag_id,
            state,
            failed_tasks,
            dag_run,
        )
        tasks = ", ".join(failed_tasks) or "none recorded"
        super().__init__(f"DAG {dag_id} ended {state}; failed tasks: {tasks}")


def airflow_conn_uri(url: str) -> str:
    """An Airflow connection URI (conn type ``postgres``) for a PostgreSQL URL."""
    parts = urlsplit(url)
    auth = ""
    if parts.username:
        auth = quote(unquote(parts.username), safe="")
        if parts.password:
            auth += ":" + quote(unquote(parts.password), safe="")
        auth += "@"
    host = parts.hostname or "127.0.0.1"
    port = f":{parts.port}" if parts.port else ""
    return f"postgres://{auth}{host}{port}{parts.path}"


def airflow_environ(settings: Settings, url: str | None) -> dict[str, str]:
    """Variables that make Airflow use this project; values already set win."""
    home = settings.airflow_home
    defaults = {
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(settings.dags_folder),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
        "AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK": "False",
        "AIRFLOW__CORE__MAX_ACTIVE_RUNS_PER_DAG": "1",
        "AIRFLOW__LOGGING__LOGGING_LEVEL": settings.log_level,
        "GX_ANALYTICS_ENABLED": "False",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
        "DO_NOT_TRACK": "1",
        "CITYOPS_HOME": str(settings.home),
        "CITYOPS_LANDING": str(settings.landing),
        # Runs started here are local dag.test() runs: fail at once, the caller re-runs.
        "CITYOPS_TASK_RETRIES": "0",
        # Airflow 3's asset URIs; cosmos warns at every parse unless told it is on them
        "AIRFLOW__COSMOS__USE_DATASET_AIRFLOW3_URI_STANDARD": "1",
        # lineage: every task's OpenLineage events, emitted from a thread (no fork per event)
        "AIRFLOW__OPENLINEAGE__NAMESPACE": "cityops",
        "AIRFLOW__OPENLINEAGE__TRANSPORT": json.dumps(openlineage_transport(settings)),
        "AIRFLOW__OPENLINEAGE__EXECUTE_IN_THREAD": "True",
        # a task's hook lineage keeps 100 assets by default: a year's delivery days is 365
        "AIRFLOW__LINEAGE__MAX_ASSETS_PER_COLLECTOR": "1000",
    }
    if url:
        defaults["AIRFLOW_CONN_WAREHOUSE"] = airflow_conn_uri(url)
    return {key: os.environ.get(key, value) for key, value in defaults.items()}


def openlineage_transport(settings: Settings) -> dict[str, object]:
    """The OpenLineage client's transport: Marquez (or any OpenLineage HTTP endpoint) when
    ``CITYOPS_OPENLINEAGE_URL`` is set, else a JSON-lines file under the state folder."""
    if settings.openlineage_url:
        return {"type": "http", "url": settings.openlineage_url, "endpoint": "api/v1/lineage"}
    return {"type": "file", "log_file_path": str(settings.lineage_file), "append": True}


def fernet_key(settings: Settings) -> str:
    """The key Airflow encrypts connections and variables with in its metadata DB: made once
    per state folder (``airflow/fernet.key``, owner-only)."""
    path = settings.airflow_home / "fernet.key"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
    from cryptography.fernet import Fernet

    key = Fernet.generate_key().decode("ascii")
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(key)
    return key


def configure_process(settings: Settings | None = None, url: str | None = None) -> dict[str, str]:
    """Export Airflow's environment into this process (before ``import airflow``)."""
    settings = settings or get_settings()
    environ = airflow_environ(settings, url)
    Path(environ["AIRFLOW_HOME"]).mkdir(parents=True, exist_ok=True)
    settings.lineage_file.parent.mkdir(parents=True, exist_ok=True)
    environ.setdefault(
        "AIRFLOW__CORE__FERNET_KEY",
        os.environ.get("AIRFLOW__CORE__FERNET_KEY") or fernet_key(settings),
    )
    # cosmos imports Airflow's DAG class from its old home; nothing here can act on that
    warnings.filterwarnings("ignore", message="Import 'DAG' directly from the airflow module")
    os.environ.update(environ)
    return environ


def ensure_metadata_db() -> None:
    """Create or upgrade Airflow's metadata database (fast when already current)."""
    from airflow.utils import db

    db.initdb()


def warehouse_url_from_connection(conn_id: str = "warehouse") -> str:
    """The PostgreSQL URL behind an Airflow connection (read at task run time, never at parse)."""
    from airflow.sdk import Connection

    conn = Connection.get(conn_id)
    auth = ""
    if conn.login:
        auth = quote(conn.login, safe="")
        if conn.password:
            auth += ":" + quote(conn.password, safe="")
        auth += "@"
    port = f":{conn.port}" if conn.port else ""
    return f"postgresql://{auth}{conn.host or '127.0.0.1'}{port}/{conn.schema or 'cityops'}"


def _dag_bag_key(settings: Settings) -> tuple[object, ...]:
    """What a parse of the DAG folder depends on: the settings the DAG files read, the files
    themselves and the dbt manifest the transform loads."""
    files = [settings.dbt_manifest, *sorted(settings.dags_folder.glob("*.py"))]
    return (
        hashlib.sha256(repr(settings).encode()).hexdigest(),  # the settings hold secrets
        *((str(f), f.stat().st_mtime_ns, f.stat().st_size) for f in files if f.exists()),
    )


_dag_bags: dict[tuple[object, ...], Any] = {}


def _dag_bag(settings: Settings) -> Any:
    """The DAG folder parsed once per process while its files are unchanged: ``cityops run``
    runs ten DAGs, and a parse (the transform's cosmos graph included) costs about a second."""
    from airflow.dag_processing.dagbag import DagBag

    key = _dag_bag_key(settings)
    if key not in _dag_bags:
        bag = DagBag(dag_folder=str(settings.dags_folder))
        if bag.import_errors:
            errors = "\n".join(f"{path}: {err}" for path, err in bag.import_errors.items())
            raise RuntimeError(f"DAG files failed to import:\n{errors}")
        _dag_bags.clear()
        _dag_bags[key] = bag
    return _dag_bags[key]


def run_dag(dag_id: str, conf: dict[str, Any] | None = None) -> Any:
    """Run one DAG to completion in this process with ``dag.test()``; raise if it fails."""
    from airflow.utils.state import DagRunState

    settings = get_settings()
    dag = _dag_bag(settings).get_dag(dag_id)
    if dag is None:
        raise KeyError(f"no DAG {dag_id!r} in {settings.dags_folder}")
    dag_run = dag.test(run_conf=conf)
    state = str(dag_run.state)
    if dag_run.state != DagRunState.SUCCESS:
        failed = [ti.task_id for ti in dag_run.get_task_instances() if ti.state == "failed"]
        raise DagRunFailed(dag_id, state, failed, dag_run)
    return dag_run


def worker_hostname() -> str:
    """Airflow's ``[core] hostname_callable``: ``CITYOPS_WORKER_NAME`` when set (several
    Celery workers on one host stay distinguishable in the UI and the metadata DB)."""
    import socket

    return get_settings().worker_name or socket.getfqdn()
