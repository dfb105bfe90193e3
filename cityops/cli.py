"""The ``cityops`` command line."""

from __future__ import annotations

import datetime as _dt
import os
import sys
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from .settings import SettingsError, get_settings

app = typer.Typer(
    help="CityOps Warehouse: ingest departmental files, gate them, model them, flag and export.",
    no_args_is_help=True,
    add_completion=False,
)
warehouse_app = typer.Typer(
    help="Start, stop and reach the warehouse database.", no_args_is_help=True
)
app.add_typer(warehouse_app, name="warehouse")

#: The demo city's as-of date (deliveries cover the 12 months before it).
DEFAULT_AS_OF = _dt.date(2026, 11, 24)

console = Console()
err_console = Console(stderr=True)


@app.callback()
def _main() -> None:
    settings = get_settings()
    try:
        settings.check_production_safety()
    except SettingsError as exc:
        err_console.print(f"[bold red]error:[/] {exc}")
        raise typer.Exit(2) from exc
    if settings.uses_dev_hmac_key:
        err_console.print(
            "[yellow]warning:[/] CITYOPS_HMAC_KEY is unset: person keys use the development "
            "key (fine for a demo, refused with CITYOPS_ENV=production)."
        )


# -- warehouse ---------------------------------------------------------------------------
@warehouse_app.command("start")
def warehouse_start() -> None:
    """Start the embedded PostgreSQL (if WAREHOUSE_URL is unset) and bootstrap the schemas."""
    from .warehouse import bootstrap, warehouse_url

    url = warehouse_url()
    bootstrap(url)
    console.print(f"warehouse ready: {url}")


@warehouse_app.command("stop")
def warehouse_stop() -> None:
    """Stop the embedded PostgreSQL (nothing to do when WAREHOUSE_URL points elsewhere)."""
    from .warehouse import embedded_server

    settings = get_settings()
    if not settings.uses_embedded_warehouse:
        console.print("WAREHOUSE_URL is set: that server is not ours to stop.")
        return
    stopped = embedded_server(settings).stop()
    console.print("embedded warehouse stopped" if stopped else "embedded warehouse was not running")


@warehouse_app.command("url")
def warehouse_url_cmd() -> None:
    """Print the warehouse's connection URL (starting the embedded server if needed)."""
    from .warehouse import warehouse_url

    typer.echo(warehouse_url())


@warehouse_app.command("status")
def warehouse_status() -> None:
    """Say which warehouse is in use and whether it answers."""
    from .warehouse import embedded_server

    settings = get_settings()
    if settings.warehouse_url:
        console.print(f"external warehouse: {settings.warehouse_url}")
        return
    server = embedded_server(settings)
    port = server.port()
    state = f"running on 127.0.0.1:{port}" if server.is_running() else "stopped"
    console.print(f"embedded warehouse in {settings.pgdata}: {state}")


@warehouse_app.command(
    "psql", context_settings={"allow_extra_args": True, "ignore_unknown_options": True}
)
def warehouse_psql(ctx: typer.Context) -> None:
    """Open psql on the warehouse; extra arguments go to psql (e.g. -c 'select 1')."""
    from .warehouse import pg_program, warehouse_url

    url = warehouse_url()
    psql = str(pg_program("psql"))
    os.execv(psql, [psql, url, *ctx.args])


# -- airflow -----------------------------------------------------------------------------
@app.command(
    "airflow",
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
    add_help_option=False,
)
def airflow_cmd(ctx: typer.Context) -> None:
    """Run the Airflow CLI with this project's environment (e.g. `cityops airflow standalone`)."""
    from .airflow_env import configure_process
    from .warehouse import bootstrap, warehouse_url

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
    import datetime as dt

    from .synth import generate
    from .synth.config import SCALES

    if scale not in SCALES:
        raise typer.BadParameter(f"scale must be one of {', '.join(SCALES)}")
    day = dt.date.fromisoformat(as_of) if as_of else DEFAULT_AS_OF
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
    """Start/bootstrap the warehouse, export Airflow's env, migrate its metadata DB."""
    from .airflow_env import configure_process, ensure_metadata_db
    from .warehouse import bootstrap, warehouse_url

    url = warehouse_url()
    bootstrap(url)
    configure_process(url=url)
    ensure_metadata_db()
    return url


def _ingest(url: str, sources: list[str], landing: Path | None) -> list[dict]:
    """Run the ingest DAGs (dag.test()) of the sources with something to do; return one
    summary per source. A source with no new delivery and nothing to report as ignored
    gets no DAG run: it would find what :func:`ingest.pipeline.pending` finds, and each
    run costs seconds of Airflow bookkeeping."""
    from ingest.pipeline import pending

    from .airflow_env import DagRunFailed, run_dag

    folder = landing.resolve() if landing else get_settings().landing
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
            "count(*) filter (where status = 'duplicate'), count(distinct source_file) filter (where status = 'failed') "
            "from ops.load_batches where dag_run_id = any(%s) group by source order by source",
            (run_ids,),
        ).fetchall()
        refused = conn.execute(
            "select source_file, errors->0->>'error', quarantine_path from ops.load_batches "
            "where dag_run_id = any(%s) and status = 'failed' and quarantine_path is not null "
            "group by 1, 2, 3 order by 1",
            (run_ids,),
        ).fetchall()
    for r in rows:
        table.add_row(r[0], *(f"{v:,}" for v in r[1:]))
    for path, error, target in refused:
        err_console.print(f"[red]refused[/] {path}: {error}\n  report: {target}.report.md")
    return table, len(refused)


@app.command("ingest")
def ingest_cmd(
    source: list[str] = typer.Option(
        None, "--source", "-s", help="source(s) to ingest (default: all)"
    ),
    landing: Path = typer.Option(None, help="landing folder (default: CITYOPS_LANDING)"),
) -> None:
    """Ingest new deliveries through the real ingest DAGs (dag.test())."""
    from ingest.sources import REGISTRY

    sources = source or list(REGISTRY)
    unknown = sorted(set(sources) - set(REGISTRY))
    if unknown:
        raise typer.BadParameter(
            f"unknown source(s): {', '.join(unknown)}; known: {', '.join(REGISTRY)}"
        )
    url = _prepare_airflow()
    results = _ingest(url, sources, landing)
    table, refused = _ledger_table(url, [r["run_id"] for r in results if r["run_id"]])
    console.print(table)
    if refused or any(r["dag_failed"] for r in results):
        raise typer.Exit(1)


@app.command(
    "dbt",
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
    add_help_option=False,
)
def dbt_cmd(ctx: typer.Context) -> None:
    """Run dbt on the project against the warehouse (e.g. `cityops dbt parse`, `cityops dbt test`)."""
    from .dbt import DbtFailed, ensure_manifest, run_dbt
    from .warehouse import bootstrap, warehouse_url

    url = warehouse_url()
    bootstrap(url)
    try:
        if ctx.args == ["parse"]:  # also publish the manifest the transform DAG loads
            ensure_manifest(url, force=True)
        else:
            run_dbt(list(ctx.args) or ["--help"], url)
    except DbtFailed as exc:
        err_console.print(f"[bold red]{exc}[/]")
        raise typer.Exit(1) from exc


def _run_pipeline(landing: Path | None, as_of: str, sources: list[str]) -> int:
    """ingest -> transform -> exports through the real DAGs; print a summary; return an exit code."""
    from .airflow_env import DagRunFailed, run_dag
    from .dbt import ensure_manifest

    url = _prepare_airflow()
    ensure_manifest(url)
    failed_steps: list[str] = []
    with console.status("ingesting deliveries"):
        results = _ingest(url, sources, landing)
    table, refused = _ledger_table(url, [r["run_id"] for r in results if r["run_id"]])
    console.print(table)
    if refused:
        failed_steps.append(f"ingest: {refused} file(s) refused")
    for dag_id, conf, label in (
        ("transform", {"as_of": as_of}, "transforming (dbt via cosmos)"),
        ("export_matching", {"as_of": as_of}, "writing exports"),
    ):
        with console.status(label):
            try:
                run_dag(dag_id, conf)
            except DagRunFailed as exc:
                err_console.print(f"[bold red]{dag_id} failed:[/] {', '.join(exc.failed_tasks)}")
                failed_steps.append(dag_id)
                break
    if "transform" not in failed_steps:
        from .report import print_summary, write_report

        print_summary(console, url, as_of)
        report = write_report(url, as_of)
        console.print(f"run report: {report}")
    if failed_steps:
        err_console.print(f"[bold red]failed:[/] {'; '.join(failed_steps)}")
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
    from ingest.sources import REGISTRY

    day = as_of or _dt.date.today().isoformat()
    _dt.date.fromisoformat(day)
    raise typer.Exit(_run_pipeline(landing, day, list(source or REGISTRY)))


@app.command("export")
def export_cmd(
    as_of: str = typer.Option(None, "--as-of", help="default: the marts' as-of date"),
) -> None:
    """Write the per-street matching exports (audited in ops.exports)."""
    from .exports import write_exports
    from .warehouse import warehouse_url

    result = write_exports(
        warehouse_url(), get_settings().exports, as_of, actor=os.environ.get("USER")
    )
    console.print(f"{len(result.files)} files for {result.as_of} in {result.root}")


@app.command("graduates")
def graduates_cmd(
    street: str = typer.Option(None, "--street", help="one street's code, e.g. 310101002"),
    full_ids: bool = typer.Option(
        False, "--full-ids", help="full ID numbers (needs --reason; recorded in ops.audit_log)"
    ),
    reason: str = typer.Option(None, "--reason", help="why full ID numbers are read"),
    csv_out: Path = typer.Option(None, "--csv", help="write a CSV file (0600) instead of a table"),
) -> None:
    """List the graduates from low-income families (masked IDs unless --full-ids)."""
    from .exports import graduate_list
    from .fileio import csv_bytes, write_private
    from .warehouse import warehouse_url

    try:
        headers, rows = graduate_list(
            warehouse_url(), street_code=street, full_ids=full_ids, reason=reason
        )
    except ValueError as exc:
        err_console.print(f"[bold red]error:[/] {exc}")
        raise typer.Exit(2) from exc
    if csv_out:
        write_private(csv_out, csv_bytes(headers, [[_cell(v) for v in r] for r in rows]))
        console.print(f"{len(rows)} graduate(s) written to {csv_out}")
        return
    table = Table(*headers, title=f"{len(rows)} graduate(s)")
    for r in rows:
        table.add_row(*(str(_cell(v)) for v in r))
    console.print(table)


def _cell(value: object) -> object:
    from .exports import _cell as cell

    return cell(value)


@warehouse_app.command("street-account")
def warehouse_street_account(
    street_code: str = typer.Argument(..., help="the street's code, e.g. 310101002"),
) -> None:
    """Create the login of one street (it sees only its own rows of the street marts).

    The password, if any, is read from CITYOPS_STREET_PASSWORD (never from the command line).
    """
    import psycopg

    from .roles import create_street_account
    from .warehouse import warehouse_url

    try:
        with psycopg.connect(warehouse_url(), autocommit=True) as conn:
            role = create_street_account(
                conn, street_code, os.environ.get("CITYOPS_STREET_PASSWORD") or None
            )
    except ValueError as exc:
        err_console.print(f"[bold red]error:[/] {exc}")
        raise typer.Exit(2) from exc
    console.print(f"street account {role} ready")


@app.command("evaluate")
def evaluate_cmd(
    truth: Path = typer.Option(..., help="the generator's ground-truth folder of the loaded city"),
) -> None:
    """Score the warehouse against a synthetic city's ground truth (tests and benchmarks only)."""
    from . import evaluation
    from .warehouse import warehouse_url

    url, key = warehouse_url(), get_settings().hmac_key
    p = evaluation.person_resolution(url, truth, key)
    console.print(
        f"person pairs: TP {p.true_positive:,} FP {p.false_positive:,} FN {p.false_negative:,} "
        f"-> precision {p.precision:.4f} recall {p.recall:.4f} (records {p.records:,}, unmatched {p.unmatched})"
    )
    b = evaluation.building_linkage(url, truth)
    console.print(
        f"inspections: {b.linked:,}/{b.inspections:,} linked, {b.wrong} to a wrong building "
        f"({b.linked_correctly_share:.2%} correct)"
    )
    g = evaluation.graduates(url, truth, key)
    console.print(
        f"graduates: {g.correct}/{g.expected} found, {g.found - g.correct} false "
        f"-> precision {g.precision:.3f} recall {g.recall:.3f}"
    )
    a = evaluation.billboard_alerts(url, truth)
    console.print(f"billboard alerts: precision {a.precision:.3f} recall {a.recall:.3f}")
    r = evaluation.facade_risk(url, truth)
    console.print(
        f"facade risk: base rate {r.base_rate:.3f}; red+orange {r.red_orange} buildings at "
        f"{r.red_orange_rate:.3f} ({r.lift:.1f}x)"
    )
    for k, (precision, recall) in r.at_k.items():
        console.print(f"  top {k}: precision {precision:.3f} recall {recall:.3f}")


@app.command("demo")
def demo(
    scale: str = typer.Option("small", help="size of the generated city"),
) -> None:
    """What `make demo` runs: generate a city (if absent), then run the whole pipeline on it."""
    from ingest.sources import REGISTRY

    from .synth import generate

    settings = get_settings()
    landing = settings.landing
    if not any(landing.glob("*/*/*")):
        with console.status(f"generating a {scale} city in {landing}"):
            generate(scale, 20261124, DEFAULT_AS_OF, landing, landing.parent / "truth")
    raise typer.Exit(_run_pipeline(landing, DEFAULT_AS_OF.isoformat(), list(REGISTRY)))


def main() -> None:  # pragma: no cover - console entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
