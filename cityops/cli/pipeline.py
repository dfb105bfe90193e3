"""The pipeline's commands: generate a city, ingest, dbt, run it all, the demo, Airflow."""

from __future__ import annotations

import datetime as _dt
import os
import sys
from pathlib import Path

import typer
from rich.table import Table

from ..settings import get_settings
from ._app import DEFAULT_AS_OF, app, console, exclusive, landing_folder, parse_day, say


@app.command(
    "airflow",
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
    add_help_option=False,
)
def airflow_cmd(ctx: typer.Context) -> None:
    """Run the Airflow CLI with this project's environment (e.g. `cityops airflow standalone`)."""
    from ..airflow_env import configure_process
    from ..warehouse import bootstrap, warehouse_url

    url = warehouse_url()
    bootstrap(url)
    environ = configure_process(url=url)
    os.execve(
        sys.executable, [sys.executable, "-m", "airflow", *ctx.args], {**os.environ, **environ}
    )


# -- synthetic city --------------------------------------------------------------------
@app.command("generate")
def generate_cmd(
    scale: str = typer.Option(
        "small", help="tiny (unit tests), small (demo), district (profiling) or city (benchmark)"
    ),
    seed: int = typer.Option(20261124, help="same seed, same bytes"),
    as_of: str = typer.Option(
        None, "--as-of", help="YYYY-MM-DD; deliveries cover the 12 months before"
    ),
    out: Path = typer.Option(None, help="landing folder (default: CITYOPS_LANDING)"),
    truth: Path = typer.Option(None, help="ground-truth folder (default: <out>/../truth)"),
) -> None:
    """Write a synthetic city's departmental deliveries (and its hidden ground truth)."""
    from ..synth import generate
    from ..synth.config import SCALES

    if scale not in SCALES:
        raise typer.BadParameter(f"scale must be one of {', '.join(SCALES)}", param_hint="--scale")
    day = parse_day(as_of) or DEFAULT_AS_OF
    out = out or get_settings().landing
    truth = truth or out.parent / "truth"
    with console.status(f"generating a {scale} city as of {day}") as status:
        report = generate(scale, seed, day, out, truth, progress=lambda msg: status.update(msg))
    table = Table(title=f"{scale} city, seed {seed}, as of {day}")
    for column in ("source", "files", "rows", "seconds"):
        table.add_column(column, justify="right" if column != "source" else "left")
    for source, stats in report.sources.items():
        table.add_row(source, f"{stats.files:,}", f"{stats.rows:,}", f"{stats.seconds:.1f}")
    console.print(table)
    console.print(f"landing: {out}\ntruth:   {truth}")


# -- pipeline ----------------------------------------------------------------------------
def _prepare_airflow() -> str:
    """Start/bootstrap the warehouse, export Airflow's env, migrate its metadata DB, and
    build dbt's manifest if it is missing or stale (the transform DAG loads it)."""
    from ..airflow_env import configure_process, ensure_metadata_db
    from ..dbt import ensure_manifest
    from ..warehouse import bootstrap, warehouse_url

    url = warehouse_url()
    bootstrap(url)
    configure_process(url=url)
    ensure_metadata_db()
    ensure_manifest(url)
    return url


def _ingest(url: str, sources: list[str], landing: Path | None) -> list[dict]:
    """Run the ingest DAGs (dag.test()) of the sources with something to do; return one
    summary per source. A source with no new delivery and nothing to report as ignored
    gets no DAG run: it would find what :func:`ingest.pipeline.pending` finds, and each
    run costs seconds of Airflow bookkeeping."""
    from ingest.pipeline import pending

    from ..airflow_env import DagRunFailed, run_dag

    folder = landing or get_settings().landing
    conf = {"landing": str(folder)} if landing else {}
    results = []
    for source in sources:
        found = pending(url, source, folder)
        if not found.deliveries and not found.ignored:
            results.append({"source": source, "dag_failed": False, "run_id": None})
            continue
        try:
            run = run_dag(f"ingest_{source}", conf)
            failed = False
        except DagRunFailed as exc:
            run, failed = exc.dag_run, True
        results.append(
            {"source": source, "dag_failed": failed, "run_id": run.run_id if run else None}
        )
    idle = [r["source"] for r in results if r["run_id"] is None and not r["dag_failed"]]
    if idle:
        console.print(f"nothing new to load: {', '.join(idle)}")
    return results


def _ledger_table(url: str, run_ids: list[str]) -> tuple[Table, int]:
    import psycopg

    table = Table(title="ingestion (this run)")
    for column in (
        "source",
        "files loaded",
        "rows loaded",
        "rows rejected",
        "duplicates",
        "refused",
    ):
        table.add_column(column, justify="left" if column == "source" else "right")
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "select source, count(distinct source_file) filter (where status = 'loaded'), "
            "coalesce(sum(rows_loaded) filter (where status = 'loaded'), 0), "
            "coalesce(sum(rows_rejected) filter (where status = 'loaded'), 0), "
            "count(*) filter (where status = 'duplicate'), count(distinct source_file) filter (where status = 'refused') "
            "from ops.load_batches where dag_run_id = any(%s) group by source order by source",
            (run_ids,),
        ).fetchall()
        by_rule = conn.execute(
            "select b.source, coalesce(r.rule, 'unreadable_row'), r.column_name, count(*) "
            "from ops.rejected_rows as r inner join ops.load_batches as b using (batch_id) "
            "where b.dag_run_id = any(%s) and b.status = 'loaded' group by 1, 2, 3 order by 1, 4 desc",
            (run_ids,),
        ).fetchall()
        refused = conn.execute(
            "select source_file, errors->0->>'error', quarantine_path from ops.load_batches "
            "where dag_run_id = any(%s) and status = 'refused' "
            "group by 1, 2, 3 order by 1",
            (run_ids,),
        ).fetchall()
    for r in rows:
        table.add_row(r[0], *(f"{v:,}" for v in r[1:]))
    for source, rule, column, n in by_rule:
        rule = rule.replace("expect_column_values_to_", "")
        say(
            "rejected",
            f"{source}: {n:,} row(s) {rule}" + (f" ({column})" if column else ""),
            "yellow",
        )
    for path, error, target in refused:
        say("refused", f"{path}: {error}\n  report: {target}.report.md", "red")
    return table, len(refused)


@app.command("ingest")
def ingest_cmd(
    source: list[str] = typer.Option(
        None, "--source", "-s", help="source(s) to ingest (default: all)"
    ),
    landing: Path = typer.Option(None, help="landing folder (default: CITYOPS_LANDING)"),
) -> None:
    """Ingest new deliveries through the real ingest DAGs (dag.test())."""
    sources = _sources(source)
    landing = landing_folder(landing)
    with exclusive("ingest"):
        url = _prepare_airflow()
        results = _ingest(url, sources, landing)
        table, refused = _ledger_table(url, [r["run_id"] for r in results if r["run_id"]])
    console.print(table)
    failed = [r["source"] for r in results if r["dag_failed"]]
    if failed:
        say("failed:", f"ingest DAG(s) of {', '.join(failed)} (see the task logs above)")
    if refused or failed:
        raise typer.Exit(1)


def _sources(chosen: list[str] | None) -> list[str]:
    from ingest.sources import REGISTRY

    sources = list(chosen or REGISTRY)
    unknown = sorted(set(sources) - set(REGISTRY))
    if unknown:
        raise typer.BadParameter(
            f"unknown source(s): {', '.join(unknown)}; known: {', '.join(REGISTRY)}",
            param_hint="--source",
        )
    return sources


@app.command(
    "dbt",
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
    add_help_option=False,
)
def dbt_cmd(ctx: typer.Context) -> None:
    """Run dbt on the project against the warehouse (e.g. `cityops dbt parse`, `cityops dbt test`)."""
    from ..dbt import DbtFailed, ensure_manifest, run_dbt
    from ..warehouse import bootstrap, warehouse_url

    args = list(ctx.args)
    if not args or args[0].startswith("-"):  # dbt's own help or version: no project needed
        from dbt.cli.main import dbtRunner

        result = dbtRunner().invoke(args or ["--help"])
        raise typer.Exit(0 if result.success else 2)
    with exclusive("dbt"):
        url = warehouse_url()
        bootstrap(url)
        try:
            if args == ["parse"]:  # also publish the manifest the transform DAG loads
                ensure_manifest(url, force=True)
            else:
                run_dbt(args, url)
        except DbtFailed as exc:
            say("error:", exc)
            raise typer.Exit(1) from exc


def _run_pipeline(landing: Path | None, as_of: str, sources: list[str]) -> int:
    """ingest -> transform -> exports through the real DAGs; print a summary; return an exit code."""
    from ..airflow_env import DagRunFailed, run_dag

    url = _prepare_airflow()
    failed_steps: list[str] = []
    with console.status("ingesting deliveries"):
        results = _ingest(url, sources, landing)
    table, refused = _ledger_table(url, [r["run_id"] for r in results if r["run_id"]])
    console.print(table)
    if refused:
        failed_steps.append(f"ingest: {refused} file(s) refused")
    broken = [r["source"] for r in results if r["dag_failed"]]
    if broken:
        failed_steps.append(f"ingest DAG(s) failed: {', '.join(broken)}")
    for dag_id, conf, label in (
        ("transform", {"as_of": as_of}, "transforming (dbt via cosmos)"),
        ("export_matching", {"as_of": as_of}, "writing exports"),
    ):
        with console.status(label):
            try:
                run_dag(dag_id, conf)
            except DagRunFailed as exc:
                say(f"{dag_id} failed:", ", ".join(exc.failed_tasks) or exc.state)
                failed_steps.append(dag_id)
                break
    if "transform" not in failed_steps:
        from ..report import print_summary, write_report

        print_summary(console, url, as_of)
        report = write_report(url, as_of)
        console.print(f"run report: {report}")
    if failed_steps:
        say("failed:", "; ".join(failed_steps))
        return 1
    return 0


@app.command("run")
def run_cmd(
    landing: Path = typer.Option(None, help="landing folder (default: CITYOPS_LANDING)"),
    as_of: str = typer.Option(
        None, "--as-of", help="YYYY-MM-DD the marts answer for (default: today)"
    ),
    source: list[str] = typer.Option(None, "--source", "-s", help="ingest only these sources"),
) -> None:
    """Run it all: ingest -> transform -> flags -> exports, through the real DAGs."""
    day = (parse_day(as_of) or _dt.date.today()).isoformat()
    sources, landing = _sources(source), landing_folder(landing)
    with exclusive("run"):
        code = _run_pipeline(landing, day, sources)
    raise typer.Exit(code)


@app.command("demo")
def demo(
    scale: str = typer.Option("small", help="size of the generated city"),
) -> None:
    """What `make demo` runs: generate a city (if absent), then run the whole pipeline on it."""
    from ..synth import generate

    settings = get_settings()
    landing = settings.landing
    with exclusive("demo"):
        if not any(landing.glob("*/*/*")):
            with console.status(f"generating a {scale} city in {landing}"):
                generate(scale, 20261124, DEFAULT_AS_OF, landing, landing.parent / "truth")
        code = _run_pipeline(landing, DEFAULT_AS_OF.isoformat(), _sources(None))
    raise typer.Exit(code)
