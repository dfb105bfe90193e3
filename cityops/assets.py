"""Airflow Assets of the warehouse (cheap to import at DAG parse time)."""

from __future__ import annotations

from airflow.sdk import Asset


def raw_asset(source: str) -> Asset:
    """Updated whenever new rows of ``source`` are committed to ``raw``."""
    return Asset(name=f"raw_{source}", uri=f"cityops://warehouse/raw/{source}", group="raw")


MARTS = Asset(name="marts", uri="cityops://warehouse/marts", group="marts")
EXPORTS = Asset(name="matching_exports", uri="cityops://exports/matching", group="exports")
