"""Every setting the project reads from the environment, in one place.

Nothing else in the code base reads ``os.environ`` for project settings: the
CLI, the DAGs and the tests all go through :func:`get_settings`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

#: Repository root (the folder that holds ``pyproject.toml``).
PROJECT_ROOT = Path(__file__).resolve().parent.parent

#: Person-key secret used when ``CITYOPS_HMAC_KEY`` is unset. Fine for the demo,
#: refused in production (``CITYOPS_ENV=production``).
DEV_HMAC_KEY = "cityops-dev-key-not-for-production"


class SettingsError(RuntimeError):
    """A setting is missing or unsafe for the current environment."""


@dataclass(frozen=True)
class Settings:
    home: Path
    landing: Path
    warehouse_url: str | None
    hmac_key: str
    env: str
    #: dbt's threads for the transform's one `dbt build` (CITYOPS_DBT_THREADS; default 4: the
    #: models wait on PostgreSQL, so a little over the cores keeps both busy).
    dbt_threads: int = 4
    #: Whether each model's tests get a task of their own in the transform DAG
    #: (CITYOPS_DBT_TEST_TASKS: ``after_each``, the default; ``none``: the one `dbt build`
    #: still runs every test and a failing test still fails the build task and skips what
    #: depends on it, but only models have tasks - half the tasks, for executors where a
    #: task costs a process start, such as Celery).
    dbt_test_tasks: str = "after_each"
    #: Passwords of the pipeline roles (step -> password), from CITYOPS_<STEP>_PASSWORD.
    role_passwords: dict[str, str] = field(default_factory=dict)
    #: Seconds a command waits for another one holding the state folder (CITYOPS_LOCK_WAIT;
    #: 0: exit at once with a message).
    lock_wait: float = 3600.0
    #: Task retries of scheduled DAG runs (CITYOPS_TASK_RETRIES; local runs set 0) and the
    #: first retry's delay (CITYOPS_RETRY_DELAY_SECONDS, then exponential backoff).
    task_retries: int = 2
    retry_delay_seconds: int = 120
    #: Airflow's log level for local runs (CITYOPS_LOG_LEVEL).
    log_level: str = "WARNING"
    #: This worker's name in Airflow (CITYOPS_WORKER_NAME; default the host's name).
    worker_name: str | None = None
    #: Who exports and audited reads name (CITYOPS_ACTOR; default the OS user).
    actor: str | None = None
    #: Password of a street account `cityops street-account` creates
    #: (CITYOPS_STREET_PASSWORD; unset: generated and printed once).
    street_password: str | None = field(default=None, repr=False)
    #: Where OpenLineage events go: an HTTP endpoint such as Marquez
    #: (CITYOPS_OPENLINEAGE_URL); unset: JSON lines in ``lineage_file``.
    openlineage_url: str | None = None
    #: Where the 汇商码 profile pages are served; each shop's QR code opens
    #: ``<shop_base_url>/<shop_id>/`` (CITYOPS_SHOP_BASE_URL).
    shop_base_url: str = "http://localhost:8000/shops"

    @property
    def uses_embedded_warehouse(self) -> bool:
        return self.warehouse_url is None

    @property
    def uses_dev_hmac_key(self) -> bool:
        return self.hmac_key == DEV_HMAC_KEY

    @property
    def lock_file(self) -> Path:
        """Held by a command that changes the state folder or the warehouse (run, ingest, ...)."""
        return self.home / "cityops.lock"

    @property
    def pgdata(self) -> Path:
        return self.home / "pgdata"

    @property
    def airflow_home(self) -> Path:
        return self.home / "airflow"

    @property
    def lineage_file(self) -> Path:
        """OpenLineage events of every run, one JSON document a line (the default transport)."""
        return self.home / "lineage" / "events.jsonl"

    @property
    def quarantine(self) -> Path:
        return self.home / "quarantine"

    @property
    def exports(self) -> Path:
        return self.home / "exports"

    @property
    def reports(self) -> Path:
        return self.home / "reports"

    @property
    def shop_pages(self) -> Path:
        """The 汇商码 profile pages and QR codes `cityops shops publish` writes."""
        return self.home / "shops"

    @property
    def gx_home(self) -> Path:
        return self.home / "gx"

    @property
    def dbt_target(self) -> Path:
        """dbt's working target folder (runs, docs) for the CLI and the plain path."""
        return self.home / "dbt" / "target"

    @property
    def dbt_manifest(self) -> Path:
        """The published manifest the transform DAG loads; replaced atomically, never written in place."""
        return self.home / "dbt" / "manifest" / "manifest.json"

    @property
    def dags_folder(self) -> Path:
        return PROJECT_ROOT / "dags"

    @property
    def dbt_project_dir(self) -> Path:
        return PROJECT_ROOT / "dbt_project"

    @property
    def expectations_dir(self) -> Path:
        return PROJECT_ROOT / "expectations"

    def check_production_safety(self) -> None:
        """Refuse settings that are only acceptable on a developer's machine."""
        if self.env == "production" and self.uses_dev_hmac_key:
            raise SettingsError(
                "CITYOPS_ENV=production but CITYOPS_HMAC_KEY is unset or the development "
                "default: set a secret person-key (at least 32 random characters)."
            )


def _path(value: str | None, default: Path) -> Path:
    if not value:
        return default
    path = Path(value).expanduser()
    return path if path.is_absolute() else (Path.cwd() / path)


def _number(env: Mapping[str, str], name: str, default: float, kind: type) -> Any:
    value = env.get(name)
    if not value:
        return default
    try:
        number = kind(value)
    except ValueError:
        raise SettingsError(f"{name}={value!r} is not a number") from None
    if number < 0:
        raise SettingsError(f"{name}={value!r} must not be negative")
    return number


def _choice(env: Mapping[str, str], name: str, choices: tuple[str, ...]) -> str:
    """The variable's value among ``choices`` (the first when unset)."""
    value = (env.get(name) or choices[0]).strip().lower()
    if value not in choices:
        raise SettingsError(f"{name}={value!r} is not one of {', '.join(choices)}")
    return value


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Build settings from ``environ`` (default: the process environment)."""
    env = os.environ if environ is None else environ
    return Settings(
        home=_path(env.get("CITYOPS_HOME"), PROJECT_ROOT / ".cityops").resolve(),
        landing=_path(env.get("CITYOPS_LANDING"), PROJECT_ROOT / "data" / "landing").resolve(),
        warehouse_url=env.get("WAREHOUSE_URL") or None,
        hmac_key=env.get("CITYOPS_HMAC_KEY") or DEV_HMAC_KEY,
        env=(env.get("CITYOPS_ENV") or "development").lower(),
        dbt_threads=_number(env, "CITYOPS_DBT_THREADS", 4, int),
        dbt_test_tasks=_choice(env, "CITYOPS_DBT_TEST_TASKS", ("after_each", "none")),
        lock_wait=_number(env, "CITYOPS_LOCK_WAIT", 3600.0, float),
        task_retries=_number(env, "CITYOPS_TASK_RETRIES", 2, int),
        retry_delay_seconds=_number(env, "CITYOPS_RETRY_DELAY_SECONDS", 120, int),
        log_level=env.get("CITYOPS_LOG_LEVEL") or "WARNING",
        worker_name=env.get("CITYOPS_WORKER_NAME") or None,
        actor=env.get("CITYOPS_ACTOR") or None,
        street_password=env.get("CITYOPS_STREET_PASSWORD") or None,
        openlineage_url=env.get("CITYOPS_OPENLINEAGE_URL") or None,
        shop_base_url=env.get("CITYOPS_SHOP_BASE_URL") or "http://localhost:8000/shops",
        role_passwords={
            step: env[f"CITYOPS_{step.upper()}_PASSWORD"]
            for step in ("loader", "transformer", "bi", "exporter")
            if env.get(f"CITYOPS_{step.upper()}_PASSWORD")
        },
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings of this process (cached: the environment is read once)."""
    return load_settings()
