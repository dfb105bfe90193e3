"""Shared DAG arguments: cheap to import at DAG parse time (no pandas, GX, dbt, psycopg)."""

from __future__ import annotations

from datetime import timedelta

import pendulum

START_DATE = pendulum.datetime(2026, 1, 1, tz="Asia/Shanghai")

DEFAULT_ARGS = {
    "owner": "cityops-data",
    "retries": 2,
    "retry_delay": timedelta(minutes=2),
    "retry_exponential_backoff": True,
}
