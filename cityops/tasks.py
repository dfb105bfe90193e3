"""Task bodies shared by DAGs: resolve settings and connections at run time, then call packages.

Kept out of the DAG files so that those stay configuration; imported inside tasks.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from .settings import get_settings

log = logging.getLogger(__name__)


def ingest_source(source: str, landing: str | None, dag_run_id: str | None) -> dict[str, Any]:
    from ingest.pipeline import ingest_pending

    from .airflow_env import warehouse_url_from_connection

    settings = get_settings()
    summary = ingest_pending(
        warehouse_url_from_connection(),
        source,
        Path(landing) if landing else settings.landing,
        gx_home=settings.gx_home,
        expectations_dir=settings.expectations_dir,
        quarantine_root=settings.quarantine,
        dag_run_id=dag_run_id,
    )
    result = summary.as_dict()
    log.info(
        "%s: %s files loaded (%s rows), %s duplicate, %s refused",
        source,
        result["files_loaded"],
        result["rows_loaded"],
        result["files_duplicate"],
        result["files_failed"],
    )
    for ignored in summary.ignored:
        log.warning("ignored: %s", ignored)
    return result


def refusal_message(summary: dict[str, Any]) -> str | None:
    failures = summary.get("failures") or []
    if not failures:
        return None
    lines = [
        f"{len(failures)} file(s) of {summary['source']} refused and quarantined (good files were loaded):"
    ]
    for f in failures:
        lines.append(f"- {f['file']}: {f['error']} -> report: {f['quarantined_as']}.report.md")
    return "\n".join(lines)


def run_as_of(params: dict[str, Any] | None, dag_run: Any) -> str:
    """The as-of date of a transform run (same rule as the DAG's ``AS_OF`` template)."""
    from airflow.sdk import Variable

    pinned = (params or {}).get("as_of") or Variable.get("cityops_as_of", default=None)
    if pinned:
        return str(pinned)
    import pendulum

    when = dag_run.logical_date or dag_run.run_after  # asset-triggered runs have no logical date
    return pendulum.instance(when).in_timezone("Asia/Shanghai").to_date_string()
