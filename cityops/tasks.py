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
    from .lineage import ingest_lineage, record

    settings = get_settings()
    url = warehouse_url_from_connection()
    summary = ingest_pending(
        url,
        source,
        Path(landing) if landing else settings.landing,
        gx_home=settings.gx_home,
        expectations_dir=settings.expectations_dir,
        quarantine_root=settings.quarantine,
        dag_run_id=dag_run_id,
    )
    record(
        f"ingest_{source}",
        *ingest_lineage(url, source, ((f.path, f.status) for f in summary.files)),
    )
    result = summary.as_dict()
    log.info(
        "%s: %s files loaded (%s rows), %s duplicate, %s refused",
        source,
        result["files_loaded"],
        result["rows_loaded"],
        result["files_duplicate"],
        result["files_refused"],
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


def leave_out_unchanged_models(context: Any) -> None:
    """Pre-execute hook of the transform's `dbt build` (cosmos' watcher producer).

    Plans the build (:mod:`cityops.incremental`): the build selects the models and seeds to
    rebuild (their tests come with them, including a test that also reads a kept model),
    and the tasks of the kept ones (and of their tests) are told they were skipped. The
    state to record on success is left in XCom for ``publish_marts``.
    """
    import json

    from cosmos.operators._watcher.aggregation import get_tests_status_xcom_key
    from cosmos.operators._watcher.state import get_status_xcom_key

    from .airflow_env import warehouse_url_from_connection
    from .incremental import plan_for_warehouse

    task, ti = context["task"], context["ti"]
    as_of = run_as_of(context.get("params"), context["dag_run"])
    manifest = json.loads(get_settings().dbt_manifest.read_text())
    plan, state = plan_for_warehouse(warehouse_url_from_connection(), manifest, as_of)
    for uid, why in sorted(plan.reasons.items()):
        log.info("rebuild %s: %s", uid, why)
    log.info(
        "build plan: %d models and seeds rebuilt, %d kept as the last build left them",
        len(plan.rebuild),
        len(plan.keep),
    )
    nodes = manifest["nodes"]
    for uid in sorted(plan.keep):
        ti.xcom_push(key=get_status_xcom_key(uid), value={"status": "skipped", "outlet_uris": []})
        ti.xcom_push(key=get_tests_status_xcom_key(uid), value="skipped")
    if plan.keep:
        # Selecting (not excluding): dbt's eager indirect selection then runs every test that
        # touches a rebuilt model, where --exclude would drop a test that also reads a kept one.
        # Tests that read no model (checks over whole schemas) always run.
        free_tests = [
            n["name"]
            for n in nodes.values()
            if n["resource_type"] == "test" and not n.get("depends_on", {}).get("nodes")
        ]
        chosen = sorted(nodes[uid]["name"] for uid in plan.rebuild) + sorted(free_tests)
        task.select = " ".join(chosen) if chosen else "tag:cityops-nothing-changed"
    if plan.full_refresh:
        # read by the project's should_full_refresh() (dbt_project/macros/full_refresh.sql)
        task.vars = {
            **(task.vars or {}),
            FULL_REFRESH_VAR: sorted(nodes[uid]["name"] for uid in plan.full_refresh),
        }
        log.info("rebuilt in full: %s", ", ".join(task.vars[FULL_REFRESH_VAR]))
    ti.xcom_push(
        key=BUILD_STATE_XCOM_KEY,
        value={
            "state": state.as_json(),
            "rebuilt": len(plan.rebuild),
            "kept": len(plan.keep),
            "reasons": plan.reasons,
        },
    )


#: dbt var naming the incremental models a build rebuilds in full.
FULL_REFRESH_VAR = "cityops_full_refresh"

#: XCom key (on the dbt build task) of the state a successful build records.
BUILD_STATE_XCOM_KEY = "cityops_build_state"


def record_successful_build(ti: Any, producer_task_id: str, dag_run_id: str | None) -> None:
    """Remember what the build read, for the next build's plan (see ``publish_marts``)."""
    import psycopg

    from .airflow_env import warehouse_url_from_connection
    from .incremental import BuildState, record_build

    pushed = ti.xcom_pull(task_ids=producer_task_id, key=BUILD_STATE_XCOM_KEY)
    if not pushed:
        log.warning("the dbt build left no build state: the next build rebuilds everything")
        return
    with psycopg.connect(warehouse_url_from_connection()) as conn:
        record_build(
            conn,
            BuildState.from_json(pushed["state"]),
            pushed["rebuilt"],
            pushed["kept"],
            pushed.get("reasons", {}),
            dag_run_id,
        )
