"""Shared DAG arguments: cheap to import at DAG parse time (no pandas, GX, dbt, psycopg)."""

from __future__ import annotations

from datetime import timedelta

import pendulum

from .settings import load_settings

START_DATE = pendulum.datetime(2026, 1, 1, tz="Asia/Shanghai")

#: Scheduled runs retry; local runs through `cityops` (dag.test()) set
#: CITYOPS_TASK_RETRIES=0 so that a failure surfaces at once instead of waiting for retries.
_SETTINGS = load_settings()  # read afresh: configure_process() sets the local runs' 0
RETRIES = _SETTINGS.task_retries

DEFAULT_ARGS = {
    "owner": "cityops-data",
    "retries": RETRIES,
    "retry_delay": timedelta(seconds=_SETTINGS.retry_delay_seconds),
    "retry_exponential_backoff": True,
}
