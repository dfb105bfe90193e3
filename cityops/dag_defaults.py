"""Shared DAG arguments: cheap to import at DAG parse time (no pandas, GX, dbt, psycopg)."""

from __future__ import annotations

import os
from datetime import timedelta

import pendulum

START_DATE = pendulum.datetime(2026, 1, 1, tz="Asia/Shanghai")

#: Scheduled runs retry; local runs through `cityops` (dag.test()) set
#: CITYOPS_TASK_RETRIES=0 so that a failure surfaces at once instead of waiting for retries.
RETRIES = int(os.environ.get("CITYOPS_TASK_RETRIES", "2"))

DEFAULT_ARGS = {
    "owner": "cityops-data",
    "retries": RETRIES,
    "retry_delay": timedelta(seconds=int(os.environ.get("CITYOPS_RETRY_DELAY_SECONDS", "120"))),
    "retry_exponential_backoff": True,
}
